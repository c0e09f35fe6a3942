"""What each simulation job needs from the config (standard library only: Snakemake plans with it).

A scenario is the `simulation:` defaults with the scenario's own keys laid over them (one level
deep: a scenario's `dropout: {mode: random}` keeps the default slope). Each job receives only its
scenario's settings, so editing one scenario replans that scenario alone.

Seeds: shard s of scenario x draws from numpy ``SeedSequence([seed, stable_hash(x), s])``; the
scenario's calibration from ``SeedSequence([seed, stable_hash(x + "/calibration")])``. The hash is
SHA-256 (not Python's salted ``hash``), so seeds are the same on every machine and run.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from ..config import parse_step
from ..errors import SupplementError
from ..plan import StudyPlan

# Keys a scenario may set over the defaults; dict-valued ones are merged one level deep.
OVERRIDABLE = ("true_effect", "noise_correlation", "n_enrolled", "selection", "dropout")
RESPONDER_SETS = ("completers", "reached_first_follow_up_locf", "enrolled_worst_case")


def stable_hash(text: str) -> int:
    """64-bit integer from SHA-256 of the text: the same everywhere (unlike the built-in hash)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")


def shard_entropy(seed: int, scenario: str, shard: int) -> list[int]:
    return [int(seed), stable_hash(scenario), int(shard)]


def calibration_entropy(seed: int, scenario: str) -> list[int]:
    return [int(seed), stable_hash(f"{scenario}/calibration")]


def scenario_names(config: dict[str, Any]) -> list[str]:
    """The scenarios to simulate; none when the plan switches the simulator off (no responder
    rule)."""
    return StudyPlan(config).scenarios


def scenario_settings(config: dict[str, Any], name: str) -> dict[str, Any]:
    """The defaults of `simulation:` with scenario `name`'s keys laid over them."""
    section = config["simulation"]
    own = section["scenarios"][name] or {}
    merged = {key: copy.deepcopy(section[key]) for key in OVERRIDABLE}
    for key, value in own.items():
        if key in merged and isinstance(merged[key], dict):
            merged[key].update(copy.deepcopy(value))
        else:
            merged[key] = copy.deepcopy(value)
    merged["name"] = name
    merged["description"] = own.get("description", "")
    return merged


def _owner(config: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        key: (name, spec)
        for name, inst in config["instruments"].items()
        for key, spec in inst["outcomes"].items()
    }


def responder_outcomes(config: dict[str, Any]) -> list[str]:
    return StudyPlan(config).responder_outcomes


def _unique(items) -> list[str]:
    return list(dict.fromkeys(items))


def steering_outcomes(settings: dict[str, Any], config: dict[str, Any], part: str) -> list[str]:
    """Outcomes that drive selection (`part` = selection) or dropout (dropout): configured, else the
    responder criteria's."""
    return list(settings[part]["outcomes"]) or responder_outcomes(config)


def simulated_outcomes(config: dict[str, Any], scenario: str) -> list[str]:
    """Responder criteria first, then the Wilcoxon outcomes, then any that only steer selection or
    dropout."""
    settings = scenario_settings(config, scenario)
    return _unique(
        responder_outcomes(config)
        + list(config["simulation"]["outcomes"])
        + steering_outcomes(settings, config, "selection")
        + steering_outcomes(settings, config, "dropout")
    )


def check(config: dict[str, Any], source: str = "config.yaml") -> None:
    """Outcomes named must exist and have a direction; retention and baseline settings must fit the
    visits."""
    section = config["simulation"]
    owner = _owner(config)
    n_follow_up = len(config["visits"]) - 1
    problems = []

    def known(where: str, outcome: str) -> None:
        if outcome not in owner:
            problems.append(
                f"{source}: {where}: unknown outcome '{outcome}'; expected one of {sorted(owner)}"
            )
        elif owner[outcome][1]["direction"] == "none":
            problems.append(
                f"{source}: {where}: outcome '{outcome}' has direction 'none'; expected an "
                "outcome with a direction"
            )

    for outcome in section["outcomes"]:
        known("simulation/outcomes", outcome)
    for outcome in section["reliability"]["by_outcome"]:
        known("simulation/reliability/by_outcome", outcome)
    if n_follow_up < 1:
        problems.append(f"{source}: simulation: needs at least one follow-up visit")
    for name in section["scenarios"]:
        where = f"simulation/scenarios/{name}"
        settings = scenario_settings(config, name)
        for part in ("selection", "dropout"):
            for outcome in settings[part]["outcomes"]:
                known(f"{where}/{part}/outcomes", outcome)
        retention = settings["dropout"]["retention"]
        if isinstance(retention, list):
            if len(retention) != n_follow_up:
                problems.append(
                    f"{source}: {where}/dropout/retention: {len(retention)} values; expected one "
                    f"per follow-up visit ({n_follow_up})"
                )
            elif any(b > a for a, b in zip([1.0] + retention, retention)):
                problems.append(
                    f"{source}: {where}/dropout/retention: {retention} must not increase from "
                    "visit to visit"
                )
        if section["baseline"]["source"] == "config":
            missing = [
                o
                for o in simulated_outcomes(config, name)
                if o not in section["baseline"]["outcomes"]
            ]
            if missing:
                problems.append(
                    f"{source}: simulation/baseline/outcomes: no mean and sd for {missing} "
                    "(baseline source is config)"
                )
    if problems:
        raise SupplementError(_unique(problems))


def reliability(config: dict[str, Any], outcome: str) -> tuple[float, str]:
    """Test-retest reliability of an outcome and where it comes from."""
    section = config["simulation"]["reliability"]
    if outcome in section["by_outcome"]:
        return float(section["by_outcome"][outcome]), "simulation/reliability/by_outcome"
    rtm = config["analysis"].get("regression_to_mean", {})
    if outcome in rtm:
        return float(
            rtm[outcome]["reliability"]
        ), f"analysis/regression_to_mean ({rtm[outcome]['source']})"
    return float(section["default"]), "simulation/reliability/default (assumption)"


def model_settings(config: dict[str, Any], scenario: str) -> dict[str, Any]:
    """Everything the scenario's model job needs: the scenario, the outcome scales, the analysis it
    reproduces."""
    section = config["simulation"]
    owner = _owner(config)
    outcomes = simulated_outcomes(config, scenario)
    analysis = config["analysis"]
    plan = StudyPlan(config)
    definitions = {}
    for key in outcomes:
        spec = owner[key][1]
        value, origin = reliability(config, key)
        definitions[key] = {
            "label": spec["label"],
            "min": float(spec["min"]),
            "max": float(spec["max"]),
            "step": float(parse_step(spec["step"])),
            "direction": spec["direction"],
            "reliability": value,
            "reliability_source": origin,
        }
    settings = scenario_settings(config, scenario)
    settings["selection"]["outcomes"] = steering_outcomes(settings, config, "selection")
    settings["dropout"]["outcomes"] = steering_outcomes(settings, config, "dropout")
    return {
        "scenario": settings,
        "outcomes": definitions,
        "baseline": copy.deepcopy(section["baseline"]),
        # Without study days the true effect grows by visit index (the plan's time axis).
        "visits": [{"id": v, "day": x} for v, x in zip(plan.visits, plan.visit_positions())],
        "calibration": {
            "size": int(section["calibration_size"]),
            "entropy": calibration_entropy(section["seed"], scenario),
        },
        "analysis": {
            "completer_visit": plan.final,
            "final_visit": plan.final,
            "wilcoxon_outcomes": list(section["outcomes"]),
            "wilcoxon_method": analysis["wilcoxon_method"],
            "alpha": float(analysis["alpha"]),
            "responders": {
                "visit": plan.responder_rule["visit"],
                "combine": plan.responder_rule["combine"],
                "k": int(plan.responder_rule["k"]),
                "criteria": copy.deepcopy(plan.responder_rule["criteria"]),
            },
        },
        "synthetic": bool(config["synthetic"]),
    }


def needs_supplement_baseline(config: dict[str, Any]) -> bool:
    return config["simulation"]["baseline"]["source"] == "supplement"


def model_inputs(
    config: dict[str, Any], scenario: str, results: str, code: list[str]
) -> dict[str, Any]:
    """Inputs of a scenario's model job: the participant table (enrolled, retention), the cleaned
    outcomes when the baseline comes from the supplement, and the package code it runs."""
    clean = [f"{results}/clean/outcomes/{o}.csv" for o in simulated_outcomes(config, scenario)]
    return {
        "participants": f"{results}/clean/participants.csv",
        "clean": clean if needs_supplement_baseline(config) else [],
        "code": list(code),
    }


def shard_settings(config: dict[str, Any], scenario: str, shard: int) -> dict[str, Any]:
    section = config["simulation"]
    return {
        "scenario": scenario,
        "shard": int(shard),
        "trials": int(section["trials_per_shard"]),
        "entropy": shard_entropy(section["seed"], scenario, shard),
        "synthetic": bool(config["synthetic"]),
    }


def summary_settings(config: dict[str, Any]) -> dict[str, Any]:
    section = config["simulation"]
    return {
        "scenarios": scenario_names(config),
        "outcomes": list(section["outcomes"]),
        "final_visit": StudyPlan(config).final,
        "alpha": float(config["analysis"]["alpha"]),
        "confidence": float(config["analysis"]["confidence"]),
        "quantiles": [float(q) for q in section["quantiles"]],
        "histogram_bins": int(section["histogram_bins"]),
        "synthetic": bool(config["synthetic"]),
    }


# --- paths, for the rules -------------------------------------------------------------------

TABLES = (
    "simulation_summary",
    "simulation_false_positives",
    "simulation_parameters",
    "simulation_distribution",
)


def model_path(results: str, scenario: str) -> str:
    return f"{results}/simulation/{scenario}/model.json"


def shard_path(results: str, scenario: str, shard) -> str:
    return f"{results}/simulation/{scenario}/shard_{shard}.csv"


def shard_paths(config: dict[str, Any], results: str) -> list[str]:
    return [
        shard_path(results, scenario, shard)
        for scenario in scenario_names(config)
        for shard in range(config["simulation"]["shards"])
    ]


def table_path(results: str, name: str) -> str:
    return f"{results}/tables/{name}.csv"


def figure_paths(results: str) -> dict[str, str]:
    return {
        "png": f"{results}/figures/simulation_null.png",
        "svg": f"{results}/figures/simulation_null.svg",
    }


def report_tables(config: dict[str, Any], results: str) -> dict[str, str]:
    if not scenario_names(config):
        return {}
    return {name: table_path(results, name) for name in TABLES if name != "simulation_distribution"}


def final_outputs(config: dict[str, Any], results: str) -> list[str]:
    """The aggregated tables and the figure; none when no scenario is configured."""
    if not scenario_names(config):
        return []
    return [table_path(results, name) for name in TABLES] + list(figure_paths(results).values())
