"""Repeated-measures correlation (Bakdash & Marusich 2017) of a marker with outcomes, within
participants."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..stats._validate import check_confidence

RM_CORR = "rm_corr"


def repeated_measures_correlation(
    frame: pd.DataFrame, x: str, y: str, subject: str = "participant_id", confidence: float = 0.95
) -> dict:
    """Repeated-measures correlation on complete rows of participants with at least 2 complete
    visits.

    The ANCOVA of pingouin.rm_corr (y on x with participant as factor, common slope) computed from
    participant-centred values: r = sum(xc yc) / sqrt(sum(xc^2) sum(yc^2)), dof = observations -
    participants - 1, two-sided p from t = r sqrt(dof / (1 - r^2)) (the ANCOVA's F = t^2). The
    same numbers as pingouin (tests compare them), but linear in the participants. Hand-written
    because pingouin is measured infeasible at the 10,000-participant target: it fits the
    participant dummies by least squares, 9.5 s at 500 participants and 145 s at 2,000 (4
    visits, 2026-11-29), growing about as the cube, so hours per marker x outcome at 10,000. The CI
    is pingouin's Fisher-z interval (n = dof + 2, SE = 1/sqrt(n - 3)) at ``confidence``, unrounded
    (pingouin rounds its CI95 to 2 decimals). Participants with one complete visit carry no
    within-participant information (they change neither r nor dof) and are left out of the counts.

    Returns n_participants, n_obs, r, dof, p_value, ci_low, ci_high, confidence, method.
    """
    confidence = check_confidence(confidence)
    data = frame[[subject, x, y]].dropna()
    data = data[data.groupby(subject)[subject].transform("size") >= 2]
    n_participants, n_obs = int(data[subject].nunique()), int(len(data))
    result = {
        "n_participants": n_participants,
        "n_obs": n_obs,
        "r": math.nan,
        "dof": math.nan,
        "p_value": math.nan,
        "ci_low": math.nan,
        "ci_high": math.nan,
        "confidence": confidence,
    }
    text = (
        "repeated-measures correlation (Bakdash & Marusich; as pingouin.rm_corr: ANCOVA with "
        "participant as factor, common slope, two-sided p from its F test); "
        f"{100 * confidence:g}% CI by Fisher z with n = dof + 2, SE = 1/sqrt(n - 3) (pingouin's "
        f"formula, unrounded); {n_obs} observations from {n_participants} participants with >= 2 "
        "visits having both values"
    )
    if n_participants < 3:
        result["method"] = f"{text}; not computed: fewer than 3 participants"
        return result
    values = data[[x, y]].astype(float)
    centred = values - values.groupby(data[subject]).transform("mean")
    if np.allclose(centred[x], 0) or np.allclose(centred[y], 0):
        result["method"] = f"{text}; not computed: no within-participant variation in one variable"
        return result
    from scipy import special

    xc, yc = centred[x].to_numpy(), centred[y].to_numpy()
    r = float(np.clip(xc @ yc / math.sqrt((xc @ xc) * (yc @ yc)), -1.0, 1.0))
    dof = n_obs - n_participants - 1
    result.update(r=r, dof=dof)
    if dof >= 1:
        t = abs(r) * math.sqrt(dof / (1 - r * r)) if abs(r) < 1 else math.inf
        result["p_value"] = float(2 * special.stdtr(dof, -t))
    if dof >= 2:
        z_crit = float(special.ndtri(1 - (1 - confidence) / 2))
        se = 1 / math.sqrt(dof - 1)
        with np.errstate(divide="ignore"):
            centre = np.arctanh(r)
        result.update(
            ci_low=float(np.tanh(centre - z_crit * se)),
            ci_high=float(np.tanh(centre + z_crit * se)),
        )
    else:
        text += "; CI not computed (needs dof >= 2)"
    result["method"] = text
    return result


def rm_corr_rows(
    marker: pd.DataFrame,
    outcomes: dict[str, pd.DataFrame],
    directions: dict[str, str],
    enrolled: pd.Index,
    visits: list[str],
    confidence: float,
) -> pd.DataFrame:
    """One row per outcome: rm_corr of marker with outcome across all visits, within
    participants."""
    marker_long = (
        marker.reindex(enrolled)[visits]
        .rename_axis("participant_id")
        .reset_index()
        .melt(id_vars="participant_id", var_name="visit", value_name="marker")
    )
    rows = []
    for outcome, wide in outcomes.items():
        outcome_long = (
            wide.reindex(enrolled)[visits]
            .rename_axis("participant_id")
            .reset_index()
            .melt(id_vars="participant_id", var_name="visit", value_name="outcome")
        )
        long = marker_long.merge(outcome_long, on=["participant_id", "visit"])
        result = repeated_measures_correlation(long, "marker", "outcome", confidence=confidence)
        rows.append(
            {
                "correlation": RM_CORR,
                "outcome": outcome,
                "outcome_direction": directions[outcome],
                "visits": ", ".join(visits),
                "scale": "levels at every visit (raw values, no sign flip); within-participant "
                "association",
                "analysis_set": "available_repeated",
                "analysis_set_definition": "everyone enrolled with the marker and the outcome "
                "at >= 2 of the visits",
                "n": result["n_participants"],
                "n_obs": result["n_obs"],
                "r": result["r"],
                "dof": result["dof"],
                "ci_low": result["ci_low"],
                "ci_high": result["ci_high"],
                "confidence": result["confidence"],
                "p_value": result["p_value"],
                "method": result["method"],
            }
        )
    return pd.DataFrame(rows)
