"""What attrition and the missing control group could do: baseline of completers vs those who
stopped, the tipping point, and the change expected from regression to the mean alone."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..stats.association import mann_whitney, standardised_mean_difference
from ..stats.attrition import regression_to_mean_expected_change, tipping_point_delta
from ..stats.paired import wilcoxon_signed_rank
from .data import Participants, improvement_sign


def baseline_by_completion(wide: pd.DataFrame, people: Participants, baseline: str) -> pd.DataFrame:
    """Baseline of completers vs those who stopped: medians, SMD, Mann-Whitney U."""
    values = wide[baseline]
    completers = values[values.index.isin(people.members("completers"))].dropna().to_numpy()
    stopped = values[values.index.isin(people.stopped)].dropna().to_numpy()
    row = {
        "visit": baseline,
        "group_1": "completers",
        "group_2": "stopped",
        "n_1": completers.size,
        "n_2": stopped.size,
        "median_1": float(np.median(completers)) if completers.size else math.nan,
        "median_2": float(np.median(stopped)) if stopped.size else math.nan,
        "mean_1": float(completers.mean()) if completers.size else math.nan,
        "mean_2": float(stopped.mean()) if stopped.size else math.nan,
    }
    if completers.size >= 2 and stopped.size >= 2:
        test = mann_whitney(completers, stopped)
        row.update(
            {
                "smd": standardised_mean_difference(completers, stopped),
                "smd_method": "(mean completers - mean stopped) / sqrt((SD1^2 + SD2^2) / 2)",
                "test": "mann_whitney_u",
                "U": test["U"],
                "p_value": test["p_value"],
                "rank_biserial": test["rank_biserial"],
                "method": test["method"],
            }
        )
    else:
        row.update({"test": "mann_whitney_u", "method": "not computed: fewer than 2 in a group"})
    return pd.DataFrame([row])


def tipping_point(
    wide: pd.DataFrame, people: Participants, direction: str, baseline: str, settings: dict[str, Any]
) -> pd.DataFrame:
    """Smallest worsening shift of the missing follow-up values at which the change loses significance."""
    options = settings["tipping_point"]
    visit = options["visit"]  # the plan resolves it (default the final visit)
    enrolled = wide[wide.index.isin(people.members("enrolled"))]
    enrolled = enrolled[enrolled[baseline].notna()]
    base = enrolled[baseline].to_numpy(dtype=float)
    follow = enrolled[visit].to_numpy(dtype=float)
    missing = np.isnan(follow)
    sd = float(np.std(base, ddof=1)) if base.size > 1 else math.nan
    alpha = settings["alpha"]
    method = settings["wilcoxon_method"]

    # Zeros are ranked (Pratt) so that delta = 0 is the baseline-carried-forward analysis and the
    # p-value moves continuously from there, instead of jumping when imputed zeros become negative.
    def test(d):
        return wilcoxon_signed_rank(d, method=method, correction=True, zero_method="pratt")["p_value"]

    test.__name__ = f"Wilcoxon signed-rank ({method}, continuity-corrected, zeros ranked (Pratt))"

    row = {
        "visit": visit,
        "analysis_set": "enrolled_shifted",
        "analysis_set_definition": (
            "everyone enrolled with a baseline; missing follow-up = baseline shifted towards worsening by delta"
        ),
        "n": int(base.size),
        "n_missing_follow_up": int(missing.sum()),
        "baseline_sd": sd,
        "alpha": alpha,
    }
    if base.size < 2 or not np.isfinite(sd) or sd == 0:
        return pd.DataFrame([{**row, "method": "not computed: too few baseline values"}])
    if not missing.any():
        return pd.DataFrame(
            [{**row, "method": f"not applicable: everyone enrolled with a baseline has a value at {visit}, so nothing is imputed"}]
        )
    at_zero_shift = np.where(missing, 0.0, follow - base)
    zero = wilcoxon_signed_rank(at_zero_shift, method=method, correction=True, zero_method="pratt")
    if improvement_sign(direction) * zero["rank_biserial"] < 0:
        # The search for a worsening shift that removes significance only makes sense for an improvement.
        return pd.DataFrame([{**row, "p_at_zero_shift": zero["p_value"],
                              "method": "not computed: the observed change is a worsening, not an improvement"}])
    result = tipping_point_delta(
        base,
        follow,
        missing,
        direction,
        alpha=alpha,
        test=test,
        max_delta=options["max_shift_sd"] * sd,
        step=sd / 20,
    )
    row.update(
        {
            "p_at_zero_shift": result["p_at_zero"],
            "delta_units": result["delta"],
            "delta_baseline_sd": result["delta"] / sd if np.isfinite(result["delta"]) else result["delta"],
            "p_at_delta": result["p_at_delta"],
            "method": result["method"],
        }
    )
    return pd.DataFrame([row])


def regression_to_mean(wide: pd.DataFrame, people: Participants, direction: str, outcome: str, baseline: str, settings: dict[str, Any]) -> pd.DataFrame:
    values = wide.loc[wide.index.isin(people.members("enrolled")), baseline].dropna()
    row = {
        "visit": baseline,
        "analysis_set": "enrolled",
        "n": int(values.size),
        "baseline_mean": float(values.mean()) if values.size else math.nan,
        "baseline_sd": float(values.std(ddof=1)) if values.size > 1 else math.nan,
    }
    spec = settings["regression_to_mean"].get(outcome)
    if spec is None or not values.size:
        row["method"] = "baseline SD only: no test-retest reliability configured (analysis/regression_to_mean)"
        return pd.DataFrame([row])
    change = regression_to_mean_expected_change(row["baseline_mean"], spec["reference_mean"], spec["reliability"])
    row.update(
        {
            "reliability": spec["reliability"],
            "reference_mean": spec["reference_mean"],
            "expected_change": change,
            "expected_improvement": improvement_sign(direction) * change,
            "source": spec["source"],
            "method": "expected change from regression to the mean alone = (1 - reliability) x (reference mean - baseline mean)",
        }
    )
    return pd.DataFrame([row])
