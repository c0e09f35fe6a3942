"""The biomarker tables of one marker, in two jobs: the marker on its own, and its correlations with
the outcomes. A change to one marker reruns nothing of another; a correction to an outcome reruns
only the correlations."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..analysis.data import Participants, outcome_wide
from ..analysis.medians import visit_medians
from ..analysis.responders import describe_rule, responder_status
from .correlation import change_change, cross_sectional
from .families import adjust_table
from .lloq import describe_handling, lloq_counts
from .responders import responders_compare, roc_auc, roc_curve
from .rmcorr import rm_corr_rows
from .trajectory import trajectory


def early_visits(change_visits: list[str], response_visit: str, visits: list[str]) -> list[str]:
    """Change visits before the responder visit: changes that could predict the response."""
    return [v for v in change_visits if visits.index(v) < visits.index(response_visit)]


def _responders(criteria_clean: pd.DataFrame, people: Participants, settings: dict[str, Any]):
    """(observed responder status per participant, rule text, assumption, response visit)."""
    visits = list(settings["visits"])
    rule = settings["responders"]
    criteria = settings["responder_outcomes"]
    status = responder_status(
        criteria_clean, people, visits, rule, {o: d["direction"] for o, d in criteria.items()}
    )
    rule_text = describe_rule(rule, {o: d["label"] for o, d in criteria.items()})
    return status["responder_observed"], rule_text, rule.get("assumption", ""), rule["visit"]


def _change_visits(settings: dict[str, Any]) -> list[str]:
    visits = list(settings["visits"])
    change_visits = list(settings["change_visits"])
    unknown = [v for v in change_visits if v not in visits[1:]]
    if unknown:
        raise ValueError(
            f"change_visits {unknown} are not follow-up visits; expected some of {visits[1:]}"
        )
    return change_visits


def _finish(
    tables: dict[str, pd.DataFrame],
    marker: dict[str, Any],
    settings: dict[str, Any],
    labels: dict[str, str],
) -> dict[str, pd.DataFrame]:
    """Lead every table with the marker's identity columns, label outcomes, adjust p within
    families."""
    identity = {
        "marker": marker["key"],
        "marker_label": marker["label"],
        "instrument": marker["instrument"],
        "unit": marker["unit"],
        "direction": marker["direction"],
        "below_lloq_handling": describe_handling(
            settings["below_lloq_substitute"], marker.get("lloq"), marker["unit"]
        ),
    }
    for name, table in tables.items():
        for position, (column, value) in enumerate(identity.items()):
            table.insert(position, column, value)
        if "outcome" in table:
            table.insert(
                table.columns.get_loc("outcome") + 1, "outcome_label", table["outcome"].map(labels)
            )
        tables[name] = adjust_table(name, table)
    return tables


def marker_tables(
    marker_clean: pd.DataFrame,
    criteria_clean: pd.DataFrame,
    people: Participants,
    marker: dict[str, Any],
    settings: dict[str, Any],
) -> dict[str, pd.DataFrame]:
    """The MARKER_TABLES of one marker: values below the LLOQ, trajectory, responders vs
    non-responders, ROC.

    marker: key, instrument, label, unit, direction, lloq (optional).
    settings: visits (ids, baseline first), confidence, wilcoxon_method, below_lloq_substitute,
    change_visits, bootstrap {resamples, seed}, responders (the rule), responder_outcomes
    (criterion outcome -> {label, direction}).
    """
    visits = list(settings["visits"])
    baseline = visits[0]
    change_visits = _change_visits(settings)
    wide = outcome_wide(marker_clean, visits)
    tables = {
        "lloq_counts": lloq_counts(
            marker_clean,
            visits,
            settings["below_lloq_substitute"],
            marker.get("lloq"),
            marker["unit"],
        ),
        "visit_medians": visit_medians(wide, people, settings["confidence"]),
        "trajectory": trajectory(wide, people, visits, settings),
    }
    if settings.get("responders"):  # no responder rule: the marker is not compared between groups
        observed, rule_text, assumption, response_visit = _responders(
            criteria_clean, people, settings
        )
        tables["responders_compare"] = responders_compare(
            wide, observed, baseline, change_visits, response_visit, rule_text, assumption
        )
        tables["roc_auc"] = roc_auc(
            wide,
            observed,
            baseline,
            early_visits(change_visits, response_visit, visits),
            response_visit,
            rule_text,
            settings["bootstrap"],
            settings["confidence"],
            assumption,
        )
        tables["roc_curve"] = roc_curve(
            wide,
            observed,
            baseline,
            early_visits(change_visits, response_visit, visits),
            response_visit,
        )
    return _finish(tables, marker, settings, {})


def correlation_tables(
    marker_clean: pd.DataFrame,
    outcome_cleans: dict[str, pd.DataFrame],
    people: Participants,
    marker: dict[str, Any],
    outcomes: dict[str, dict[str, Any]],
    settings: dict[str, Any],
) -> dict[str, pd.DataFrame]:
    """The CORRELATION_TABLES of one marker: Spearman at each visit and of changes,
    repeated-measures r.

    outcomes: outcome key -> {label, direction, instrument}, the outcomes correlated with; other
    arguments as for ``marker_tables``.
    """
    visits = list(settings["visits"])
    change_visits = _change_visits(settings)
    confidence = settings["confidence"]
    wide = outcome_wide(marker_clean, visits)
    wides = {key: outcome_wide(outcome_cleans[key], visits) for key in outcomes}
    directions = {key: spec["direction"] for key, spec in outcomes.items()}
    enrolled = people.members("enrolled")
    tables = {
        "spearman_cross_sectional": cross_sectional(
            wide, wides, directions, enrolled, visits, confidence
        ),
        "spearman_change": change_change(
            wide, wides, directions, enrolled, visits[0], change_visits, confidence
        ),
        "rm_corr": rm_corr_rows(wide, wides, directions, enrolled, visits, confidence),
    }
    return _finish(tables, marker, settings, {key: spec["label"] for key, spec in outcomes.items()})
