"""Paired tests of each follow-up visit against baseline: a row per visit x analysis set x test."""

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

    Parameters
    ----------
    frame : pandas.DataFrame
        Complete pairs, columns baseline and follow_up (e.g. ``data.pairs``).
    sign : float
        ``data.improvement_sign`` of the outcome: the tests run on the improvement
        sign x (follow-up - baseline).
    wilcoxon_method : str
        "exact" or "approx" (``stats.paired.wilcoxon_signed_rank``).
    confidence : float
        Two-sided confidence level of the Hodges-Lehmann and t intervals.
    keep_zeros : bool
        Rank zero differences (Pratt) instead of dropping them.

    Returns
    -------
    list of dict
        Two rows, test "wilcoxon_signed_rank" (V, p, Hodges-Lehmann estimate and CI,
        rank-biserial r) and "paired_t" (t, df, p, mean improvement and CI, d_z), each with
        n_pairs, baseline and follow-up summaries, mean_improvement, names of the statistic,
        estimate and effect size, zero_handling and method. With no pairs both are "not
        computed".

    Examples
    --------
    The differences of ``stats.paired.wilcoxon_signed_rank``'s example (V = 20, exact
    p = 0.0625 by hand):

    >>> import pandas as pd
    >>> frame = pd.DataFrame(
    ...     {
    ...         "baseline": [10.0, 12.0, 9.0, 14.0, 11.0, 13.0],
    ...         "follow_up": [11.5, 14.0, 8.5, 17.0, 13.5, 17.0],
    ...     }
    ... )
    >>> rows = pd.DataFrame(paired_rows(frame, 1.0, "exact", 0.95))
    >>> columns = ["test", "statistic", "p_value", "estimate", "ci_low", "ci_high", "effect_size"]
    >>> print(rows[columns].round(4).to_string())
                       test  statistic  p_value  estimate  ci_low  ci_high  effect_size
    0  wilcoxon_signed_rank    20.0000   0.0625    2.2500 -0.5000   4.0000       0.9048
    1              paired_t     3.3348   0.0207    2.0833  0.4774   3.6892       1.3614
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
                f"{wilcoxon['n_zero']} zero differences ranked and given no sign (Pratt), "
                "kept in the Hodges-Lehmann estimate and in the rank-biserial r "
                "(R wilcox.test would drop them)"
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
    """Every follow-up visit vs baseline in each analysis set.

    The sets are available pairs, completers and everyone enrolled with a baseline, missing
    follow-up carried forward from baseline (BOCF, zeros ranked: see ``paired_rows``).

    Parameters
    ----------
    wide : pandas.DataFrame
        participant x visit values of one outcome.
    people : Participants
        The participant table (sets enrolled and completers).
    direction : str
        The outcome's direction of improvement.
    visits : list of str
        The visits, in order; the first is the baseline.
    settings : dict
        wilcoxon_method and confidence.

    Returns
    -------
    pandas.DataFrame
        The rows of ``paired_rows`` for every follow-up visit x set, with visit, baseline_visit,
        analysis_set, analysis_set_definition, n_imputed and change_scale in front.

    Examples
    --------
    Seven enrolled, p6 and p7 not completers, p7 without a value at v1. The available pairs are
    ``paired_rows``' example; BOCF adds p7 as a zero difference:

    >>> import pandas as pd
    >>> ids = ["p1", "p2", "p3", "p4", "p5", "p6", "p7"]
    >>> people = Participants(
    ...     pd.DataFrame(
    ...         {"set_enrolled": [True] * 7, "set_completers": [True] * 5 + [False] * 2},
    ...         index=ids,
    ...     )
    ... )
    >>> wide = pd.DataFrame(
    ...     {
    ...         "v0": [10.0, 12.0, 9.0, 14.0, 11.0, 13.0, 12.0],
    ...         "v1": [11.5, 14.0, 8.5, 17.0, 13.5, 17.0, None],
    ...     },
    ...     index=ids,
    ... )
    >>> settings = {"wilcoxon_method": "exact", "confidence": 0.95}
    >>> table = paired_tests(wide, people, "higher_is_better", ["v0", "v1"], settings)
    >>> columns = ["analysis_set", "test", "n_pairs", "n_imputed", "statistic", "p_value"]
    >>> print(table[columns].round(4).to_string())
          analysis_set                  test  n_pairs  n_imputed  statistic  p_value
    0  available_pairs  wilcoxon_signed_rank        6          0    20.0000   0.0625
    1  available_pairs              paired_t        6          0     3.3348   0.0207
    2       completers  wilcoxon_signed_rank        5          0    14.0000   0.1250
    3       completers              paired_t        5          0     2.8139   0.0481
    4    enrolled_bocf  wilcoxon_signed_rank        7          1    25.0000   0.0511
    5    enrolled_bocf              paired_t        7          1     2.9463   0.0257
    """
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
