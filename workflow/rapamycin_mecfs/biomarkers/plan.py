"""What each biomarker job needs from the config (standard library only: Snakemake plans with it).

Each marker's job receives only its own marker definition and the shared biomarker settings, so
editing one marker's definition replans that marker's job alone.
"""

from __future__ import annotations

from typing import Any

from ..errors import SupplementError
from ..plan import StudyPlan

# Tables of a marker on its own and against the responder criteria (job analyse_biomarker).
MARKER_TABLES = (
    "lloq_counts",
    "visit_medians",
    "trajectory",
    "responders_compare",
    "roc_auc",
    "roc_curve",
)
# Tables correlating a marker with the outcomes (job correlate_biomarker): split from the above so a
# correction to a correlated outcome does not redo, or redraw, the marker's trajectory and ROC.
CORRELATION_TABLES = ("spearman_cross_sectional", "spearman_change", "rm_corr")
# Tables that compare the marker between responders and non-responders: only with a responder rule.
RESPONDER_TABLES = ("responders_compare", "roc_auc", "roc_curve")
# Every table, in report order; each is stacked over markers by its own combine_biomarker_table job.
TABLES = (
    "lloq_counts",
    "visit_medians",
    "trajectory",
    "spearman_cross_sectional",
    "spearman_change",
    "rm_corr",
    "responders_compare",
    "roc_auc",
    "roc_curve",
)


def _outcomes(config: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        key: (name, spec)
        for name, inst in config["instruments"].items()
        for key, spec in inst["outcomes"].items()
    }


def markers(config: dict[str, Any]) -> list[str]:
    return StudyPlan(config).markers


def marker_tables(plan: StudyPlan) -> list[str]:
    """Every table of this study's biomarker analysis, in report order (responder tables need a
    rule)."""
    return [name for name in TABLES if name not in RESPONDER_TABLES or plan.has("responders")]


def own_tables(plan: StudyPlan) -> list[str]:
    """Tables of job analyse_biomarker for this study."""
    return [name for name in MARKER_TABLES if name in marker_tables(plan)]


def correlated_outcomes(config: dict[str, Any]) -> list[str]:
    """The configured outcomes, or (empty list) every outcome with a direction."""
    return StudyPlan(config).correlated_outcomes


def responder_outcomes(config: dict[str, Any]) -> list[str]:
    return StudyPlan(config).responder_outcomes


def check(config: dict[str, Any], source: str = "config.yaml") -> None:
    """Markers and correlated outcomes must exist; change visits must be follow-up visits."""
    owner = _outcomes(config)
    section = config["biomarker_analysis"]
    visits = [v["id"] for v in config["visits"]]
    problems = []
    for marker in section["markers"]:
        if marker not in owner:
            problems.append(
                f"{source}: biomarker_analysis/markers: unknown outcome '{marker}'; expected one "
                f"of {sorted(owner)}"
            )
        elif owner[marker][1]["direction"] != "none":
            problems.append(
                f"{source}: biomarker_analysis/markers: '{marker}' has direction "
                f"'{owner[marker][1]['direction']}'; expected a marker (direction 'none')"
            )
    for outcome in section["correlate_with"]:
        if outcome not in owner:
            problems.append(
                f"{source}: biomarker_analysis/correlate_with: unknown outcome '{outcome}'; "
                f"expected one of {sorted(owner)}"
            )
    for visit in section.get("change_visits") or []:
        if visit not in visits[1:]:
            problems.append(
                f"{source}: biomarker_analysis/change_visits: '{visit}' is not a follow-up "
                f"visit; expected one of {visits[1:]}"
            )
    if problems:
        raise SupplementError(problems)


def marker_definition(config: dict[str, Any], marker: str) -> dict[str, Any]:
    """The marker's own definition, as its job needs it (no scale limits: analysis does not use
    them)."""
    instrument, spec = _outcomes(config)[marker]
    definition = {
        "key": marker,
        "instrument": instrument,
        "label": spec["label"],
        "unit": spec["unit"],
        "direction": spec["direction"],
    }
    if "lloq" in spec:
        definition["lloq"] = spec["lloq"]
    return definition


def outcome_definitions(config: dict[str, Any], keys: list[str]) -> dict[str, dict[str, Any]]:
    owner = _outcomes(config)
    return {
        key: {
            "instrument": owner[key][0],
            "label": owner[key][1]["label"],
            "direction": owner[key][1]["direction"],
        }
        for key in keys
    }


def marker_settings(config: dict[str, Any]) -> dict[str, Any]:
    """Settings every marker job shares: visits, confidence, tests, the responder rule,
    bootstrap."""
    section = config["biomarker_analysis"]
    analysis = config["analysis"]
    plan = StudyPlan(config)
    return {
        "visits": plan.visits,
        "confidence": analysis["confidence"],
        "wilcoxon_method": analysis["wilcoxon_method"],
        "below_lloq_substitute": config["below_lloq"]["substitute"],
        "change_visits": plan.change_visits,
        "bootstrap": dict(section["bootstrap"]),
        "responders": plan.responder_rule,
        "responder_outcomes": outcome_definitions(config, responder_outcomes(config)),
        "synthetic": config["synthetic"],
    }


def correlation_settings(config: dict[str, Any]) -> dict[str, Any]:
    """What a correlate_biomarker job needs of marker_settings: not the responder rule or the
    bootstrap, so changing those does not rerun the correlations."""
    keep = ("visits", "confidence", "below_lloq_substitute", "change_visits", "synthetic")
    return {key: value for key, value in marker_settings(config).items() if key in keep}


# --- paths, for the rules -------------------------------------------------------------------


def clean_outcome(results: str, outcome: str) -> str:
    return f"{results}/clean/outcomes/{outcome}.csv"


def marker_table(results: str, marker: str, name: str) -> str:
    return f"{results}/tables/biomarkers/{marker}/{name}.csv"


def combined_table(results: str, name: str) -> str:
    return f"{results}/tables/biomarkers/{name}.csv"


def final_outputs(config: dict[str, Any], results: str) -> list[str]:
    """The combined tables; none when no marker is configured."""
    plan = StudyPlan(config)
    if not plan.has("biomarkers"):
        return []
    return [combined_table(results, name) for name in marker_tables(plan)]


def report_tables(config: dict[str, Any], results: str) -> dict[str, str]:
    """name -> combined table, for the HTML report (names "biomarkers/<table>", as the report groups
    them)."""
    plan = StudyPlan(config)
    if not plan.has("biomarkers"):
        return {}
    return {f"biomarkers/{name}": combined_table(results, name) for name in marker_tables(plan)}


def marker_job_inputs(
    config: dict[str, Any], marker: str, results: str, code: list[str]
) -> dict[str, Any]:
    """Inputs of a marker's analyse_biomarker job: its cleaned values, the responder-criterion
    outcomes, the participant table and the package code it runs."""
    return {
        "marker": clean_outcome(results, marker),
        "criteria": [clean_outcome(results, o) for o in responder_outcomes(config)],
        "participants": f"{results}/clean/participants.csv",
        "code": list(code),
    }


def correlation_job_inputs(
    config: dict[str, Any], marker: str, results: str, code: list[str]
) -> dict[str, Any]:
    """Inputs of a marker's correlate_biomarker job: its cleaned values, the correlated outcomes,
    the participant table and the package code it runs."""
    return {
        "marker": clean_outcome(results, marker),
        "outcomes": [clean_outcome(results, o) for o in correlated_outcomes(config)],
        "participants": f"{results}/clean/participants.csv",
        "code": list(code),
    }


def combine_inputs(
    config: dict[str, Any], results: str, table: str, code: list[str]
) -> dict[str, Any]:
    """Inputs of the job stacking one table over markers: that table of every marker, and the code
    it runs."""
    return {"parts": [marker_table(results, m, table) for m in markers(config)], "code": list(code)}
