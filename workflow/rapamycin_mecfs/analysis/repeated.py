"""Friedman test over all visits in completers, and the linear mixed model on all available data."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..stats.repeated import friedman, mixed_model_change
from .data import Participants, improvement_sign


def friedman_row(wide: pd.DataFrame, people: Participants) -> pd.DataFrame:
    complete = wide[wide.index.isin(people.members("completers"))].dropna()
    base = {
        "analysis_set": "completers",
        "analysis_set_definition": "completers with this outcome at every visit",
        "test": "friedman",
    }
    if len(complete) < 2:
        return pd.DataFrame([{**base, "n": len(complete), "method": "not computed: fewer than 2 complete cases"}])
    result = friedman(complete)
    return pd.DataFrame(
        [
            {
                **base,
                "n": result["n"],
                "k_visits": result["k"],
                "statistic_name": "Friedman chi-square",
                "statistic": result["chi2"],
                "df": result["df"],
                "p_value": result["p_value"],
                "effect_size_name": "Kendall's W",
                "effect_size": result["kendall_w"],
                **{f"mean_rank_{visit}": rank for visit, rank in result["mean_ranks"].items()},
                "method": result["method"],
            }
        ]
    )


def mixed_model_rows(
    clean_wide: pd.DataFrame, people: Participants, direction: str, visits: list[str], settings: dict[str, Any]
) -> pd.DataFrame:
    """Change vs baseline at each visit on everyone enrolled; estimates also given as improvement."""
    enrolled = clean_wide[clean_wide.index.isin(people.members("enrolled"))]
    long = enrolled.reset_index().melt(id_vars="participant_id", var_name="visit", value_name="value")
    long = long.dropna(subset=["value"])
    try:
        table = mixed_model_change(long, visits=visits, confidence=settings["confidence"])
    except (np.linalg.LinAlgError, ValueError) as error:
        # e.g. a scale at its floor for nearly everyone (SF-36 role-physical): report, don't stop.
        table = pd.DataFrame(
            {
                "visit": visits[1:],
                "reference_visit": visits[0],
                "estimate": np.nan,
                "ci_low": np.nan,
                "ci_high": np.nan,
                "p_value": np.nan,
                "n_obs": len(long),
                "n_participants": long["participant_id"].nunique(),
                "method": f"linear mixed model (random intercept, REML) did not fit: {error}",
            }
        )
    sign = improvement_sign(direction)
    table.insert(0, "analysis_set", "enrolled_available")
    table.insert(1, "analysis_set_definition", "everyone enrolled, every available value (missing at random assumed)")
    table.insert(2, "test", "mixed_model")
    table["improvement_estimate"] = sign * table["estimate"]
    low, high = sign * table["ci_low"], sign * table["ci_high"]
    table["improvement_ci_low"] = np.minimum(low, high)
    table["improvement_ci_high"] = np.maximum(low, high)
    return table
