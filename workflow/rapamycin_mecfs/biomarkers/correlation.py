"""Spearman correlations of a marker with outcomes: at each visit, and of changes from baseline."""

from __future__ import annotations

import pandas as pd

from ..stats.association import spearman_with_ci

CROSS_SECTIONAL = "spearman_cross_sectional"
CHANGE = "spearman_change"


def _row(result: dict, **columns) -> dict:
    return {
        **columns,
        "n": result["n"],
        "n_incomplete": result["n_dropped"],
        "rho": result["rho"],
        "ci_low": result["ci_low"],
        "ci_high": result["ci_high"],
        "confidence": result["confidence"],
        "p_value": result["p_value"],
        "method": result["method"],
    }


def _enrolled(wide: pd.DataFrame, members: pd.Index) -> pd.DataFrame:
    return wide.reindex(members)


def cross_sectional(
    marker: pd.DataFrame,
    outcomes: dict[str, pd.DataFrame],
    directions: dict[str, str],
    enrolled: pd.Index,
    visits: list[str],
    confidence: float,
) -> pd.DataFrame:
    """Spearman rho of marker level with each outcome's level at each visit (complete pairs)."""
    marker = _enrolled(marker, enrolled)
    rows = []
    for outcome, wide in outcomes.items():
        wide = _enrolled(wide, enrolled)
        for visit in visits:
            result = spearman_with_ci(marker[visit], wide[visit], confidence=confidence)
            rows.append(
                _row(
                    result,
                    correlation=CROSS_SECTIONAL,
                    outcome=outcome,
                    outcome_direction=directions[outcome],
                    visit=visit,
                    scale="levels at the visit (raw values, no sign flip)",
                    analysis_set="available_at_visit",
                    analysis_set_definition="everyone enrolled with the marker and the outcome "
                    "at this visit",
                )
            )
    return pd.DataFrame(rows)


def change_change(
    marker: pd.DataFrame,
    outcomes: dict[str, pd.DataFrame],
    directions: dict[str, str],
    enrolled: pd.Index,
    baseline: str,
    change_visits: list[str],
    confidence: float,
) -> pd.DataFrame:
    """Spearman rho of marker change with outcome change, baseline to each change visit.

    Both changes are raw (follow-up - baseline, no sign flip), so for an outcome where lower is
    better a negative rho means the marker rose where the outcome improved: read it with
    ``outcome_direction``.
    """
    marker = _enrolled(marker, enrolled)
    rows = []
    for outcome, wide in outcomes.items():
        wide = _enrolled(wide, enrolled)
        for visit in change_visits:
            result = spearman_with_ci(
                marker[visit] - marker[baseline],
                wide[visit] - wide[baseline],
                confidence=confidence,
            )
            rows.append(
                _row(
                    result,
                    correlation=CHANGE,
                    outcome=outcome,
                    outcome_direction=directions[outcome],
                    visit=visit,
                    baseline_visit=baseline,
                    scale=f"raw change {visit} - {baseline} of marker and of outcome (no "
                    "sign flip)",
                    analysis_set="available_changes",
                    analysis_set_definition=(
                        f"everyone enrolled with the marker and the outcome at both {baseline} "
                        f"and {visit}"
                    ),
                )
            )
    return pd.DataFrame(rows)
