"""Paired tests of each follow-up visit against baseline, one row per visit x analysis set x test."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..stats.paired import describe, hodges_lehmann, paired_t, wilcoxon_signed_rank
from .data import SET_DEFINITIONS, Participants, bocf_pairs, improvement_sign, pairs

CHANGE_SCALE = (
    "improvement = follow-up - baseline, sign-flipped when lower is better (positive = better)"
)


def _summary_columns(frame: pd.DataFrame) -> dict[str, float]:
    columns = {}
    for name in ("baseline", "follow_up"):
        summary = describe(frame[name].to_numpy())
        columns.update(
            {
                f"{name}_median": summary["median"],
                f"{name}_q1": summary["q1"],
                f"{name}_q3": summary["q3"],
                f"{name}_mean": summary["mean"],
                f"{name}_sd": summary["sd"],
            }
        )
    return columns


def _r_sign_note(sign: float) -> str:
    """How R's call must be written for a lower-is-better outcome, whose differences are flipped."""
    if sign > 0:
        return ""
    return (
        "; lower is better, so the differences are baseline - follow-up: R's call takes "
        "(baseline, follow_up), and its V is this row's statistic"
    )


def paired_rows(
    frame: pd.DataFrame,
    sign: float,
    wilcoxon_method: str,
    confidence: float,
    keep_zeros: bool = False,
) -> list[dict[str, Any]]:
    """Wilcoxon and paired-t rows for one set of pairs (columns baseline, follow_up).

    keep_zeros: rank zero differences (Pratt, no continuity correction, as R's
    coin::wilcoxsign_test) instead of dropping them (R wilcox.test's default). Needed when zeros
    are the point, as in baseline-carried-forward, where dropping them would make the imputation
    invisible to the test; the rank-biserial r then counts the zeros' ranks too.
    """
    improvement = sign * (frame["follow_up"] - frame["baseline"]).to_numpy(dtype=float)
    summary = _summary_columns(frame)
    common = {
        "n_pairs": int(len(frame)),
        **summary,
        "mean_improvement": float(np.mean(improvement)) if len(frame) else np.nan,
    }
    rows = []
    if len(frame) == 0:
        empty = {
            "statistic": np.nan,
            "df": np.nan,
            "p_value": np.nan,
            "estimate": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "effect_size": np.nan,
            "method": "not computed: no pairs",
        }
        for test in ("wilcoxon_signed_rank", "paired_t"):
            rows.append(
                {
                    **common,
                    "test": test,
                    "statistic_name": "",
                    "estimate_name": "",
                    "effect_size_name": "",
                    "zero_handling": "",
                    **empty,
                }
            )
        return rows
    wilcoxon = wilcoxon_signed_rank(
        improvement,
        method=wilcoxon_method,
        correction=not keep_zeros,
        zero_method="pratt" if keep_zeros else "wilcox",
    )
    hl = hodges_lehmann(
        improvement,
        confidence=confidence,
        correction=True,
        zero_method="include" if keep_zeros else "wilcox",
    )
    rows.append(
        {
            **common,
            "test": "wilcoxon_signed_rank",
            "statistic_name": "V (sum of ranks of improvements, as R reports)",
            "statistic": wilcoxon["V"],
            "df": np.nan,
            "p_value": wilcoxon["p_value"],
            "estimate_name": "Hodges-Lehmann improvement",
            "estimate": hl["estimate"],
            "ci_low": hl["ci_low"],
            "ci_high": hl["ci_high"],
            "effect_size_name": "matched-pairs rank-biserial r",
            "effect_size": wilcoxon["rank_biserial"],
            "zero_handling": (
                f"{wilcoxon['n_zero']} zero differences ranked and given no sign (Pratt), kept in the "
                "Hodges-Lehmann estimate and in the rank-biserial r (R wilcox.test would drop them)"
                if keep_zeros
                else f"{wilcoxon['n_zero']} zero differences dropped before ranking (R's default)"
            ),
            "method": f"{wilcoxon['method']}; {hl['method']}{_r_sign_note(sign)}",
        }
    )
    t = paired_t(improvement, confidence=confidence)
    rows.append(
        {
            **common,
            "test": "paired_t",
            "statistic_name": "t",
            "statistic": t["t"],
            "df": t["df"],
            "p_value": t["p_value"],
            "estimate_name": "mean improvement",
            "estimate": t["mean"],
            "ci_low": t["ci_low"],
            "ci_high": t["ci_high"],
            "effect_size_name": "Cohen's d_z (mean / SD of differences)",
            "effect_size": t["d_z"],
            "zero_handling": "zero differences kept",
            "method": f"{t['method']}{_r_sign_note(sign)}",
        }
    )
    return rows


def paired_tests(
    wide: pd.DataFrame,
    people: Participants,
    direction: str,
    visits: list[str],
    settings: dict[str, Any],
) -> pd.DataFrame:
    """Every follow-up visit vs baseline in each analysis set (available pairs, completers, enrolled BOCF)."""
    baseline = visits[0]
    sign = improvement_sign(direction)
    method = settings["wilcoxon_method"]
    confidence = settings["confidence"]
    rows = []
    for visit in visits[1:]:
        sets = {
            "available_pairs": pairs(wide, visit, baseline),
            "completers": pairs(wide, visit, baseline, people.members("completers")),
            "enrolled_bocf": bocf_pairs(wide, visit, baseline, people.members("enrolled")),
        }
        for set_name, frame in sets.items():
            for row in paired_rows(
                frame, sign, method, confidence, keep_zeros=set_name == "enrolled_bocf"
            ):
                imputed = int(frame["imputed"].sum()) if "imputed" in frame else 0
                rows.append(
                    {
                        "visit": visit,
                        "baseline_visit": baseline,
                        "analysis_set": set_name,
                        "analysis_set_definition": SET_DEFINITIONS[set_name],
                        "n_imputed": imputed,
                        "change_scale": CHANGE_SCALE,
                        **row,
                    }
                )
    return pd.DataFrame(rows)
