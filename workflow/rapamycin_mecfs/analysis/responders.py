"""Responders under the configured rule, with the three denominators attrition makes matter."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..stats.proportions import wilson_ci
from .data import SET_DEFINITIONS, Participants, improvement_sign, last_observation, outcome_wide


def criterion_met(
    improvement: pd.Series, baseline: pd.Series, criterion: dict[str, Any]
) -> pd.Series:
    """True/False where evaluable, NaN where a value is missing."""
    if criterion["unit"] == "percent":
        size = 100 * improvement / baseline.abs().replace(0, np.nan)
    else:
        size = improvement
    met = size >= criterion["min_improvement"] - 1e-9
    return met.where(size.notna())


def combine(met: pd.DataFrame, rule: dict[str, Any]) -> pd.Series:
    """Responder (1.0), non-responder (0.0) or not evaluable (NaN) per participant."""
    evaluable = met.notna().all(axis=1)
    count = met.fillna(False).astype(bool).sum(axis=1)
    needed = {"all": met.shape[1], "any": 1, "at_least": rule["k"]}[rule["combine"]]
    return (count >= needed).astype(float).where(evaluable)


def describe_rule(rule: dict[str, Any], labels: dict[str, str]) -> str:
    criteria = "; ".join(
        f"{labels.get(c['outcome'], c['outcome'])} improves by >= {c['min_improvement']:g} "
        f"{'%' if c['unit'] == 'percent' else 'points'}"
        for c in rule["criteria"]
    )
    how = {"all": "all of", "any": "any of", "at_least": f"at least {rule['k']} of"}[
        rule["combine"]
    ]
    return f"responder at {rule.get('visit', 'the last visit')} vs baseline: {how} [{criteria}]"


def responder_status(
    clean: pd.DataFrame,
    people: Participants,
    visits: list[str],
    rule: dict[str, Any],
    directions: dict[str, str],
) -> pd.DataFrame:
    """Per participant: each criterion's improvement and whether it is met, observed and with LOCF."""
    baseline, visit = visits[0], rule["visit"]  # the plan resolves the responder visit
    status = pd.DataFrame(index=people.table.index)
    observed_met, locf_met = {}, {}
    for criterion in rule["criteria"]:
        outcome = criterion["outcome"]
        wide = outcome_wide(clean[clean["outcome"] == outcome], visits).reindex(people.table.index)
        sign = improvement_sign(directions[outcome])
        observed = sign * (wide[visit] - wide[baseline])
        carried = sign * (last_observation(wide[visits[1:]], visit) - wide[baseline])
        status[f"{outcome}_improvement"] = observed
        status[f"{outcome}_improvement_locf"] = carried
        observed_met[outcome] = criterion_met(observed, wide[baseline], criterion)
        locf_met[outcome] = criterion_met(carried, wide[baseline], criterion)
    status["responder_observed"] = combine(pd.DataFrame(observed_met), rule)
    status["responder_locf"] = combine(pd.DataFrame(locf_met), rule)
    return status


def responder_proportions(
    status: pd.DataFrame,
    people: Participants,
    rule: dict[str, Any],
    confidence: float,
    labels: dict[str, str],
) -> pd.DataFrame:
    completers = status.loc[
        status.index.isin(people.members("completers")), "responder_observed"
    ].dropna()
    reached = status.loc[
        status.index.isin(people.members("reached_first_follow_up")), "responder_locf"
    ].dropna()
    enrolled = status.loc[
        status.index.isin(people.members("enrolled")), "responder_observed"
    ].fillna(0.0)
    rows = []
    for name, values, note in (
        ("completers", completers, "completers evaluable on every criterion"),
        ("reached_first_follow_up_locf", reached, SET_DEFINITIONS["reached_first_follow_up_locf"]),
        (
            "enrolled_worst_case",
            enrolled,
            "everyone enrolled; anyone without the responder visit counts as a non-responder",
        ),
    ):
        k, n = int(values.sum()), int(values.size)
        low, high = wilson_ci(k, n, confidence) if n else (np.nan, np.nan)
        rows.append(
            {
                "analysis_set": name,
                "analysis_set_definition": note,
                "responders": k,
                "n": n,
                "proportion": k / n if n else np.nan,
                "ci_low": low,
                "ci_high": high,
                "rule": describe_rule(rule, labels),
                "assumption": rule.get("assumption", ""),
                "method": f"Wilson score interval, {confidence:.0%} two-sided",
            }
        )
    return pd.DataFrame(rows)
