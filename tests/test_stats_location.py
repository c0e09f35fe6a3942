"""stats.location and analysis.medians: the median's order-statistic CI, by exact fractions and
published tables, and the per-visit table the trajectory figures draw."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from rapamycin_mecfs.analysis.data import Participants
from rapamycin_mecfs.analysis.medians import visit_medians
from rapamycin_mecfs.stats.location import median_with_ci
from scipy import stats


def hand_ranks(n: int, confidence: float = 0.95) -> tuple[int, int] | None:
    """Largest r with P(B <= r - 1) <= alpha/2, B ~ Binomial(n, 1/2), in exact fractions."""
    alpha_half = Fraction(1 - Fraction(confidence).limit_denominator(1000)) / 2
    best = None
    cumulative = Fraction(0)
    for k in range(n):
        cumulative += Fraction(math.comb(n, k), 2**n)  # P(B <= k)
        if cumulative <= alpha_half:
            best = k + 1
        else:
            break
    return None if best is None else (best, n + 1 - best)


@pytest.mark.parametrize("n", range(1, 101))
def test_interval_is_the_order_statistics_of_the_exact_binomial_ranks(n):
    # Values 1..n shuffled: the r-th order statistic is r itself.
    values = np.random.default_rng(n).permutation(np.arange(1.0, n + 1))
    row = median_with_ci(values)
    ranks = hand_ranks(n)
    if ranks is None:
        assert math.isnan(row["ci_low"]) and math.isnan(row["ci_high"])
    else:
        assert (row["ci_low"], row["ci_high"]) == (float(ranks[0]), float(ranks[1]))
    assert row["n"] == n and row["median"] == (n + 1) / 2


@pytest.mark.parametrize("n, ranks", [(10, (2, 9)), (20, (6, 15)), (40, (14, 27)), (5, None)])
def test_ranks_match_published_tables(n, ranks):
    # Gardner & Altman, Statistics with Confidence, table 18.4 (n = 5: P(B = 0) = 1/32 > 0.025).
    assert hand_ranks(n) == ranks
    row = median_with_ci(np.arange(1.0, n + 1))
    assert (row["ci_low"], row["ci_high"]) == (ranks if ranks else (row["ci_low"], row["ci_high"]))


def test_coverage_is_at_least_the_level_and_one_rank_narrower_is_not():
    for n in range(6, 80):
        r, s = hand_ranks(n)
        coverage = stats.binom.cdf(s - 1, n, 0.5) - stats.binom.cdf(r - 1, n, 0.5)
        assert coverage >= 0.95 - 1e-12
        if r + 1 <= s - 1:
            assert stats.binom.cdf(s - 2, n, 0.5) - stats.binom.cdf(r, n, 0.5) < 0.95


def test_missing_values_are_left_out_and_ties_kept():
    row = median_with_ci([7, 1, 9, 3, 5, 2, 8, 10, 4, 6, np.nan])  # ranks 2 and 9 of 1..10
    assert (row["n"], row["median"], row["ci_low"], row["ci_high"]) == (10, 5.5, 2.0, 9.0)
    tied = median_with_ci([3, 3, 3, 3, 3, 3, 1])
    assert (tied["median"], tied["ci_low"], tied["ci_high"]) == (3.0, 1.0, 3.0)
    empty = median_with_ci([np.nan])
    assert empty["n"] == 0 and math.isnan(empty["median"])
    assert "order-statistic" in empty["method"] and "95%" in empty["method"]


def test_visit_medians_by_set_and_visit():
    people = Participants(
        pd.DataFrame(
            {
                "set_completers": [True, True, True, True, True, True, False],
                "set_enrolled": [True] * 7,
            },
            index=pd.Index([f"p{i}" for i in range(1, 8)], name="participant_id"),
        )
    )
    wide = pd.DataFrame(
        {"A": [6.0, 1.0, 5.0, 2.0, 4.0, 3.0, 30.0], "B": [1.0, 2.0, np.nan, 4.0, 5.0, 6.0, 7.0]},
        index=people.table.index,
    )
    table = visit_medians(wide, people, 0.95).set_index(["analysis_set", "visit"])
    # Completers at A: 1..6, n = 6, median 3.5, ranks 1 and 6 (P(B = 0) = 1/64 <= 0.025).
    row = table.loc[("completers_at_visit", "A")]
    assert (row["n"], row["median"], row["ci_low"], row["ci_high"]) == (6, 3.5, 1.0, 6.0)
    # Completers at B: five values, no 95% interval.
    row = table.loc[("completers_at_visit", "B")]
    assert (row["n"], row["median"]) == (5, 4.0) and math.isnan(row["ci_low"])
    # Everyone at A: 1..6 and 30, median 4, ranks 1 and 7.
    row = table.loc[("available_at_visit", "A")]
    assert (row["n"], row["median"], row["ci_low"], row["ci_high"]) == (7, 4.0, 1.0, 30.0)
    assert (table["confidence"] == 0.95).all()
