"""stats.association: Spearman with CI, Mann-Whitney U, standardised mean difference."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats
from rapamycin_mecfs.stats.association import (
    mann_whitney,
    spearman_with_ci,
    standardised_mean_difference,
)

Z95 = 1.959963984540054


# --- spearman_with_ci -----------------------------------------------------------------------


def test_spearman_by_hand_without_ties():
    x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    y = [2, 1, 4, 3, 7, 5, 6, 10, 8, 9]  # already ranks
    n = 10
    d2 = sum((a - b) ** 2 for a, b in zip(x, y))  # 1+1+1+1+4+1+1+4+1+1 = 16
    rho = 1 - 6 * d2 / (n * (n**2 - 1))  # 1 - 96/990
    result = spearman_with_ci(x, y)
    assert result["rho"] == pytest.approx(rho, rel=1e-12)
    se = 1 / math.sqrt(n - 3)  # Fisher z
    assert result["ci_low"] == pytest.approx(math.tanh(math.atanh(rho) - Z95 * se), rel=1e-12)
    assert result["ci_high"] == pytest.approx(math.tanh(math.atanh(rho) + Z95 * se), rel=1e-12)
    assert result["p_value"] == pytest.approx(scipy.stats.spearmanr(x, y).pvalue, rel=1e-12)
    assert result["n"] == 10 and "Fisher z" in result["method"]


def test_spearman_with_ties_and_missing_against_scipy():
    rng = np.random.default_rng(2)
    x = np.round(rng.normal(size=30), 1)
    y = np.round(x + rng.normal(size=30), 0)
    x[3], y[7] = np.nan, np.nan
    result = spearman_with_ci(x, y, confidence=0.9)
    keep = ~(np.isnan(x) | np.isnan(y))
    reference = scipy.stats.spearmanr(x[keep], y[keep])
    assert result["rho"] == pytest.approx(reference.statistic, rel=1e-12)
    assert result["p_value"] == pytest.approx(reference.pvalue, rel=1e-12)
    assert result["n"] == 28 and result["n_dropped"] == 2
    z90 = scipy.stats.norm.ppf(0.95)
    se = 1 / math.sqrt(28 - 3)
    assert result["ci_low"] == pytest.approx(
        math.tanh(math.atanh(reference.statistic) - z90 * se), rel=1e-12
    )


def test_spearman_degenerate_inputs():
    assert math.isnan(spearman_with_ci([1, 2, 3, 4], [5, 5, 5, 5])["rho"])
    three = spearman_with_ci([1, 2, 3], [1, 3, 2])
    assert three["rho"] == pytest.approx(0.5) and math.isnan(three["ci_low"])
    perfect = spearman_with_ci([1, 2, 3, 4, 5], [2, 4, 6, 8, 10])
    assert (perfect["ci_low"], perfect["ci_high"]) == pytest.approx((1.0, 1.0), abs=1e-9)


def test_spearman_interval_is_not_rounded_as_pingouins_corr_rounds_it():
    result = spearman_with_ci([1, 2, 3, 4, 5, 6, 7], [1, 3, 2, 5, 4, 7, 6])
    se = 1 / math.sqrt(7 - 3)
    assert result["ci_low"] == pytest.approx(
        math.tanh(math.atanh(result["rho"]) - Z95 * se), rel=1e-12
    )
    assert result["ci_low"] != round(result["ci_low"], 2)


# --- mann_whitney ---------------------------------------------------------------------------

X = np.array([3.1, 4.5, 2.2, 5.0, 4.5, 6.1, 3.3])
Y = np.array([2.0, 2.2, 3.0, 1.5, 4.5, 2.8])


def test_mann_whitney_brute_force_U_and_scipy_p():
    result = mann_whitney(X, Y)
    u = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a in X for b in Y)
    assert result["U"] == u
    reference = scipy.stats.mannwhitneyu(
        X, Y, alternative="two-sided", use_continuity=True, method="asymptotic"
    )
    assert result["U"] == reference.statistic
    assert result["p_value"] == pytest.approx(reference.pvalue, rel=1e-12)
    assert result["prob_superiority"] == pytest.approx(u / 42)
    assert result["rank_biserial"] == pytest.approx(2 * u / 42 - 1)  # > 0: x tends to exceed y
    assert result["rank_biserial"] > 0
    assert (result["n1"], result["n2"]) == (7, 6)
    assert result["median_x"] == 4.5 and result["median_y"] == pytest.approx(2.5)


def test_mann_whitney_rank_biserial_matches_pingouin_and_flips_with_order():
    pingouin = pytest.importorskip("pingouin")
    assert mann_whitney(X, Y)["rank_biserial"] == pytest.approx(
        pingouin.mwu(X, Y)["RBC"].iloc[0], rel=1e-12
    )
    assert mann_whitney(Y, X)["rank_biserial"] == pytest.approx(
        -mann_whitney(X, Y)["rank_biserial"], rel=1e-12
    )


def test_mann_whitney_drops_missing_and_needs_both_groups():
    assert mann_whitney(np.append(X, np.nan), Y)["n1"] == 7
    with pytest.raises(ValueError):
        mann_whitney([np.nan], Y)


# --- standardised_mean_difference -----------------------------------------------------------


def test_smd_by_hand():
    # means 2.5 and 5; variances 5/3 and 20/3 -> pooled SD sqrt(25/6); SMD = -2.5 / sqrt(25/6) =
    # -sqrt(6)/2
    assert standardised_mean_difference([1, 2, 3, 4], [2, 4, 6, 8]) == pytest.approx(
        -math.sqrt(6) / 2, rel=1e-12
    )
    assert standardised_mean_difference([1, 2, 3, 4, np.nan], [2, 4, 6, 8]) == pytest.approx(
        -math.sqrt(6) / 2
    )
    assert math.isnan(standardised_mean_difference([1], [2, 3]))
    assert math.isnan(standardised_mean_difference([1, 1], [1, 1]))
