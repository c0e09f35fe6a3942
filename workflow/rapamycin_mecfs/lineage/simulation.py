"""Rows of the null-trial simulation tables: the config keys of a scenario, the supplement
values its model was calibrated on, and the observed row it is compared with."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..errors import SupplementError
from .claims import membership_cells
from .rows import analysis_row
from .sets import RowContext, available
from .study import Part, Study, row_text

# Model parameters set by one config key (path under simulation/, a scenario may override it).
SIMULATION_SETTINGS = {
    "description": "description",
    "true_effect": "true_effect",
    "noise_correlation": "noise_correlation",
    "enrol_fraction": "selection/enrol_fraction",
    "dropout_mode": "dropout/mode",
    "dropout_slope": "dropout/slope",
    "dropout_change_at": "dropout/change_at",
}


def _setting(study: Study, scenario: str, path: str) -> dict[str, str]:
    """The config key a scenario's setting comes from (its own, else the default) and its value."""
    from ..simulate.scenarios import scenario_settings

    section = study.config["simulation"]
    if scenario not in section.get("scenarios", {}):
        raise SupplementError(
            f"simulation/scenarios: no scenario '{scenario}'; expected one of "
            f"{sorted(section.get('scenarios', {}))}"
        )
    own = section["scenarios"][scenario] or {}
    parts = path.split("/")
    node: Any = own
    for part in parts:
        node = node.get(part) if isinstance(node, dict) else None
    own_key = node is not None or path == "description"
    key = f"simulation/scenarios/{scenario}/{path}" if own_key else f"simulation/{path}"
    value: Any = scenario_settings(study.config, scenario)
    for part in parts:
        value = value.get(part) if isinstance(value, dict) else None
    return {"key": key, "value": str(value), "note": f"scenario {scenario}: {path}"}


def _reliability(study: Study, outcome: str) -> dict[str, str]:
    """The config key of an outcome's test-retest reliability, as the simulator chose it."""
    from ..simulate.scenarios import reliability

    value, origin = reliability(study.config, outcome)
    key = origin.split(" (")[0]
    if key.endswith(("by_outcome", "regression_to_mean")):
        key = f"{key}/{outcome}" + ("/reliability" if key.endswith("mean") else "")
    return {"key": key, "value": str(value), "note": f"test-retest reliability of {outcome}"}


def _baseline_of(study: Study, scenario: str, outcomes: list[str]) -> Part:
    """The simulated baseline: the enrolled's baseline values, or the config's means and SDs."""
    plan = study.plan
    section = study.config["simulation"]["baseline"]
    if section["source"] != "supplement":
        return Part(
            config=[
                {
                    "key": f"simulation/baseline/outcomes/{o}",
                    "value": str(section["outcomes"].get(o)),
                    "note": "baseline mean and SD (simulation/baseline/source = config)",
                }
                for o in outcomes
            ]
        )
    ctx = RowContext(study, pd.Series(dtype=str), outcomes, None, None)
    part = available(
        ctx,
        "enrolled",
        [plan.baseline],
        f"the enrolled's baseline values of {', '.join(outcomes)} (their mean, SD and "
        "correlations; simulation/baseline/source = supplement)",
    )
    part.keys = [(p, o, v, "simulation baseline") for p, o, v, _ in part.keys]
    part.config.append(
        {
            "key": "simulation/baseline/source",
            "value": "supplement",
            "note": "baseline moments from the supplement",
        }
    )
    return part


def _retention(study: Study, scenario: str, visits: list[str]) -> Part:
    dropout = _setting(study, scenario, "dropout/mode")
    if dropout["value"] == "none":
        return Part(config=[dropout])
    retention = _setting(study, scenario, "dropout/retention")
    if retention["value"] != "supplement":
        return Part(config=[dropout, retention])
    part = Part(config=[dropout, retention])
    for visit in visits:
        part.add(membership_cells(study, f"has_data_{visit}"))
    part.keys = [(p, o, v, "retention (has data)") for p, o, v, _ in part.keys]
    return part


def _enrolled_count(study: Study, scenario: str) -> Part:
    setting = _setting(study, scenario, "n_enrolled")
    if setting["value"] not in ("None", ""):
        return Part(config=[setting])
    part = membership_cells(study, "set_enrolled")
    part.config.append({**setting, "note": "null: as many as the participants table lists"})
    return part


def simulation_model(study: Study, scenario: str) -> Part:
    """Everything a scenario's model was built and calibrated from."""
    from ..simulate.scenarios import simulated_outcomes

    outcomes = simulated_outcomes(study.config, scenario)
    part = Part(notes=[f"the model of scenario {scenario}, built and calibrated from:"])
    part.add(_baseline_of(study, scenario, outcomes))
    part.add(_retention(study, scenario, list(study.plan.follow_ups)))
    part.add(_enrolled_count(study, scenario))
    for path in (
        "true_effect",
        "noise_correlation",
        "selection/enrol_fraction",
        "selection/recentre",
        "dropout/slope",
        "dropout/change_at",
    ):
        part.config.append(_setting(study, scenario, path))
    for outcome in outcomes:
        part.config.append(_reliability(study, outcome))
    section = study.config["simulation"]
    for key in ("seed", "calibration_size", "shards", "trials_per_shard"):
        part.config.append({"key": f"simulation/{key}", "value": str(section[key]), "note": key})
    return part


def _parameter(study: Study, row: pd.Series) -> Part:
    scenario, parameter = row_text(row, "scenario"), row_text(row, "parameter")
    outcome, visit = row_text(row, "outcome"), row_text(row, "visit")
    if parameter in SIMULATION_SETTINGS:
        return Part(
            config=[_setting(study, scenario, SIMULATION_SETTINGS[parameter])],
            notes=[f"{parameter}: a setting of the config; no supplement cell"],
        )
    if parameter == "n_enrolled":
        return _enrolled_count(study, scenario)
    if parameter == "reliability" and outcome:
        return Part(
            config=[_reliability(study, outcome)],
            notes=["reliability: a setting of the config; no supplement cell"],
        )
    if parameter in ("baseline_mean_target", "baseline_sd") and outcome:
        return _baseline_of(study, scenario, [outcome])
    if parameter == "retention_target" and visit:
        return _retention(study, scenario, [visit])
    part = simulation_model(study, scenario)
    part.notes.insert(0, f"{parameter}: calibrated on the whole model")
    return part


def _observed(study: Study, row: pd.Series) -> Part:
    """The observed row a simulation row is compared with (responders or completers' tests)."""
    plan = study.plan
    simulated = list(study.config["simulation"]["outcomes"])
    outcome, measure = row_text(row, "outcome"), row_text(row, "measure")
    final = row_text(row, "visit") or plan.final
    if outcome or measure.startswith("wilcoxon"):
        outcomes = [outcome] if outcome in plan.outcomes else simulated
        part = Part()
        for o in outcomes:
            pseudo = pd.Series({"outcome": o, "visit": final, "analysis_set": "completers"})
            part.add(analysis_row(study, pseudo))
        part.notes.insert(
            0,
            f"observed: the completers' paired tests at {final} "
            f"(paired_tests.csv) of {', '.join(outcomes)}",
        )
        return part
    if measure.startswith("responder"):
        pseudo = pd.Series({"analysis_set": row_text(row, "analysis_set")})
        part = analysis_row(study, pseudo)
        part.notes.insert(0, f"observed: responders.csv, analysis set {pseudo['analysis_set']}")
        return part
    return Part()


def simulation_row(study: Study, row: pd.Series) -> Part:
    if "parameter" in row.index:
        return _parameter(study, row)
    scenario = row_text(row, "scenario")
    part = simulation_model(study, scenario)
    if any(str(c).startswith("observed") for c in row.index):
        part.add(_observed(study, row))
    return part
