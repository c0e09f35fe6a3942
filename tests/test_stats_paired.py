"""stats.paired: signed-rank test, Hodges-Lehmann, rank-biserial, paired t, describe.

Expected values come from a textbook example, brute force written out here, or scipy/pingouin
called with explicit arguments; never from the module under test.
"""

from __future__ import annotations

import itertools
import math
import tracemalloc

import numpy as np
import pytest
import rapamycin_mecfs.stats.paired as paired_module
import scipy.stats
from rapamycin_mecfs.stats.paired import (
    describe,
    hodges_lehmann,
    paired_t,
    r_wilcox_conf_level,
    wilcoxon_signed_rank,
)

# Hollander & Wolfe (1999, Table 3.1), Hamilton depression scale before (x) and after (y)
# tranquilliser; R's ?wilcox.test example: V = 40, one-sided exact p = 0.01953 (= 10/512).
HW_X = np.array([1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30])
HW_Y = np.array([0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29])
HW_D = HW_X - HW_Y

# Questionnaire-like changes in steps of 10: ties and zeros.
TIED = np.array(
    [10, 20, 0, -10, 30, 10, 20, 0, 40, 10, -20, 20, 10, 0, 30, 50, -10, 20], dtype=float
)


def average_ranks(values):
    """Average ranks written out (1-based), independent of scipy.rankdata."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for position in range(i, j + 1):
            ranks[order[position]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def hand_wilcoxon_approx(d, correction=True):
    """R's wilcox.test(exact=FALSE) arithmetic, written out."""
    x = [v for v in d if v != 0]
    n = len(x)
    r = average_ranks([abs(v) for v in x])
    v_stat = sum(rank for rank, value in zip(r, x) if value > 0)
    ties = {}
    for rank in r:
        ties[rank] = ties.get(rank, 0) + 1
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - sum(t**3 - t for t in ties.values()) / 48)
    z = v_stat - n * (n + 1) / 4
    z = (z - (math.copysign(0.5, z) if correction and z != 0 else 0)) / sigma
    return v_stat, 2 * min(scipy.stats.norm.cdf(z), scipy.stats.norm.sf(z))


# --- wilcoxon_signed_rank -------------------------------------------------------------------


def test_textbook_V_and_exact_p_by_enumerating_all_sign_patterns():
    result = wilcoxon_signed_rank(HW_D, method="exact")
    assert result["V"] == 40
    ranks = np.arange(1, 10)
    sums = [
        sum(r for r, s in zip(ranks, signs) if s) for signs in itertools.product([0, 1], repeat=9)
    ]
    upper = sum(s >= 40 for s in sums) / 2**9  # 10/512, R's one-sided 0.01953
    assert upper == pytest.approx(0.01953, abs=5e-6)
    assert result["p_value"] == pytest.approx(2 * upper, abs=1e-15)
    assert result["p_value"] == pytest.approx(
        scipy.stats.wilcoxon(HW_D, method="exact").pvalue, abs=1e-15
    )
    assert result["p_method"] == "exact" and "exact null distribution" in result["method"]
    assert result["n_pairs"] == result["n_nonzero"] == 9


def test_exact_p_for_a_small_V_uses_the_lower_tail():
    d = -HW_D  # V = 5
    result = wilcoxon_signed_rank(d, method="exact")
    assert result["V"] == 5
    assert result["p_value"] == pytest.approx(20 / 512, abs=1e-15)


@pytest.mark.parametrize("d", [HW_D, TIED, -TIED], ids=["no-ties", "ties-and-zeros", "negated"])
def test_approx_matches_hand_arithmetic_and_scipy(d):
    result = wilcoxon_signed_rank(d, method="approx", correction=True, zero_method="wilcox")
    v_stat, p = hand_wilcoxon_approx(d)
    assert result["V"] == v_stat
    assert result["p_value"] == pytest.approx(p, rel=1e-12)
    reference = scipy.stats.wilcoxon(d, method="approx", correction=True, zero_method="wilcox")
    assert result["p_value"] == pytest.approx(reference.pvalue, rel=1e-12)
    assert result["n_zero"] == int((d == 0).sum())
    assert "continuity correction" in result["method"] and f"n = {d.size} pairs" in result["method"]


def test_approx_without_continuity_correction():
    result = wilcoxon_signed_rank(TIED, correction=False)
    assert result["p_value"] == pytest.approx(
        hand_wilcoxon_approx(TIED, correction=False)[1], rel=1e-12
    )
    assert "no continuity correction" in result["method"]


@pytest.mark.parametrize("correction", [True, False])
def test_pratt_matches_scipy(correction):
    result = wilcoxon_signed_rank(TIED, zero_method="pratt", correction=correction)
    reference = scipy.stats.wilcoxon(
        TIED, method="approx", correction=correction, zero_method="pratt"
    )
    assert result["p_value"] == pytest.approx(reference.pvalue, rel=1e-12)
    # Pratt ranks the zeros too: the 3 zeros take ranks 1-3, so V is larger than with zeros dropped.
    assert result["V"] == wilcoxon_signed_rank(TIED)["V"] + 3 * sum(TIED > 0)


def test_exact_falls_back_to_approx_with_ties_or_zeros_and_says_so():
    result = wilcoxon_signed_rank(TIED, method="exact")
    assert result["p_method"] == "approx"
    assert result["p_value"] == pytest.approx(hand_wilcoxon_approx(TIED)[1], rel=1e-12)
    assert "not valid with ties and zero differences" in result["method"]


def test_no_nonzero_differences_gives_nan_with_a_note():
    result = wilcoxon_signed_rank([0.0, 0.0, 0.0])
    assert math.isnan(result["p_value"]) and result["n_nonzero"] == 0
    assert "no non-zero differences" in result["method"]


def test_missing_values_and_bad_options_raise():
    with pytest.raises(ValueError, match="missing"):
        wilcoxon_signed_rank([1.0, np.nan, 2.0])
    with pytest.raises(ValueError):
        wilcoxon_signed_rank(HW_D, method="permutation")
    with pytest.raises(ValueError):
        wilcoxon_signed_rank(HW_D, zero_method="zsplit")


# --- hodges_lehmann -------------------------------------------------------------------------


def walsh_averages(d):
    return sorted((d[i] + d[j]) / 2 for i in range(len(d)) for j in range(i, len(d)))


def r_inversion_limits(x, confidence=0.95, correct=True):
    """R's asymptotic one-sample CI, ported line by line from wilcox.test.default.

    R solves wdiff(d) = 0 with uniroot (tol 1e-4); wdiff is a decreasing step function, so plain
    bisection to 1e-12 finds the same root without R's tolerance.
    """
    x = np.asarray(x, dtype=float)

    def wdiff(d, zq):
        xd = x - d
        xd = xd[xd != 0]
        nx = len(xd)
        dr = np.array(average_ranks(list(np.abs(xd))))
        zd = dr[xd > 0].sum() - nx * (nx + 1) / 4
        _, nties = np.unique(dr, return_counts=True)
        sigma = math.sqrt(nx * (nx + 1) * (2 * nx + 1) / 24 - np.sum(nties**3 - nties) / 48)
        correction = np.sign(zd) * 0.5 if correct else 0.0
        return (zd - correction) / sigma - zq

    def root(zq):
        low, high = x.min(), x.max()
        assert wdiff(low, zq) > 0 > wdiff(high, zq)
        while high - low > 1e-12:
            mid = (low + high) / 2
            low, high = (mid, high) if wdiff(mid, zq) > 0 else (low, mid)
        return (low + high) / 2

    z = scipy.stats.norm.ppf(1 - (1 - confidence) / 2)
    return root(z), root(-z)


def test_hl_textbook_data_against_brute_force_and_hollander_wolfe_k():
    result = hodges_lehmann(HW_D)
    walsh = walsh_averages(list(HW_D))
    assert len(walsh) == 45 == result["n_walsh"]
    assert result["estimate"] == pytest.approx(walsh[22], abs=1e-12)  # median of 45 values
    n = 9
    k = round(
        n * (n + 1) / 4 - 1.959963984540054 * math.sqrt(n * (n + 1) * (2 * n + 1) / 24)
    )  # 22.5 - 16.54 -> 6
    assert result["k"] == k == 6
    assert result["ci_low"] == pytest.approx(walsh[k - 1], abs=1e-12)
    assert result["ci_high"] == pytest.approx(walsh[45 - k], abs=1e-12)
    low, high = r_inversion_limits(HW_D)
    assert result["ci_low"] == pytest.approx(low, abs=1e-9)
    assert result["ci_high"] == pytest.approx(high, abs=1e-9)


@pytest.mark.parametrize("confidence", [0.95, 0.9])
def test_hl_ci_equals_r_inversion_with_ties_and_zeros(confidence):
    result = hodges_lehmann(TIED, confidence=confidence)
    nonzero = TIED[TIED != 0]  # R drops zero differences before everything
    assert result["n"] == nonzero.size and result["n_zero_dropped"] == 3
    assert result["estimate"] == pytest.approx(np.median(walsh_averages(list(nonzero))), abs=1e-12)
    low, high = r_inversion_limits(nonzero, confidence)
    assert result["ci_low"] == pytest.approx(low, abs=1e-9)
    assert result["ci_high"] == pytest.approx(high, abs=1e-9)


# Integer differences with ties and zeros. SENSITIVE_TO_CORRECTION is chosen so that leaving out
# the continuity correction moves a limit (0.5 -> 1.0), SENSITIVE_TO_TIES so that leaving out the
# tie correction does (3.5 -> 4.0): the inversion below must get both right.
SENSITIVE_TO_CORRECTION = [6, 6, 0, 1, 0, 4, 2, 4, -4, 7, 2, 4]
SENSITIVE_TO_TIES = [5, 3, 0, 4, -2, 4, 0, 4, 3, 0, 4, 3, 0, 8, 4, -2, -1, 3]
RANDOM_INTEGERS = list(np.round(np.random.default_rng(7).normal(3, 8, size=25)))


@pytest.mark.parametrize("d", [SENSITIVE_TO_CORRECTION, SENSITIVE_TO_TIES, RANDOM_INTEGERS])
@pytest.mark.parametrize("correction", [True, False])
def test_hl_ci_with_zeros_included_inverts_the_test_on_all_differences(d, correction):
    d = np.asarray(d, dtype=float)
    result = hodges_lehmann(d, zero_method="include", correction=correction)
    assert result["n"] == d.size and result["n_zero_dropped"] == 0
    assert result["estimate"] == pytest.approx(np.median(walsh_averages(list(d))), abs=1e-12)
    low, high = r_inversion_limits(d, correct=correction)
    assert result["ci_low"] == pytest.approx(low, abs=1e-9)
    assert result["ci_high"] == pytest.approx(high, abs=1e-9)


def test_hl_ci_not_achievable_for_tiny_n():
    # n = 5: k = 15 - floor(7.5 + 0.5 + 1.96 sqrt(13.75)) = 15 - floor(15.27) = 0.
    result = hodges_lehmann([1.0, 2.5, 3.2, 4.1, -0.5])
    assert result["estimate"] == pytest.approx(
        np.median(walsh_averages([1.0, 2.5, 3.2, 4.1, -0.5]))
    )
    assert math.isnan(result["ci_low"]) and "not achievable" in result["method"]
    # n = 6: k = 21 - floor(10.5 + 0.5 + 1.96 sqrt(22.75)) = 21 - floor(20.35) = 1: the range.
    six = hodges_lehmann([1.0, 2.5, 3.2, 4.1, -0.5, 6.0])
    assert six["k"] == 1 and (six["ci_low"], six["ci_high"]) == (-0.5, 6.0)
    assert "would lower the level to 90%" in six["method"]


# --- hodges_lehmann: exact selection against the brute force ---------------------------------
# hodges_lehmann selects the order statistics it needs without listing all n(n+1)/2 Walsh
# averages; the reference here lists and sorts them all (the O(n^2) definition). The results must
# be the same floats, so these tests compare with == (which treats -0.0 and 0.0 as equal: the
# sort itself places those two arbitrarily).


def sorted_walsh(used: np.ndarray) -> np.ndarray:
    i, j = np.triu_indices(used.size)
    return np.sort((used[i] + used[j]) / 2)


def brute_force_hl(d: np.ndarray, k: int, zero_method: str) -> tuple[float, float, float]:
    """Estimate and the order statistics k and M + 1 - k of all Walsh averages, listed and
    sorted."""
    used = d[d != 0] if zero_method == "wilcox" else d
    walsh = sorted_walsh(used)
    return float(np.median(walsh)), float(walsh[k - 1]), float(walsh[walsh.size - k])


def _grid(step: float, low: int, high: int):
    return lambda rng, n: rng.integers(low, high + 1, n) * step


GENERATORS = {
    "continuous": lambda rng, n: rng.normal(2.0, 5.0, n),
    "continuous-with-zeros": lambda rng, n: np.where(
        rng.random(n) < 0.2, 0.0, rng.normal(0.3, 1.0, n)
    ),
    "integers-3..3": _grid(1.0, -3, 3),
    "halves": _grid(0.5, -6, 6),
    "tens": _grid(10.0, -5, 5),
    "tenths-inexact": _grid(0.1, -9, 9),  # sums of 0.1 steps round: ties must still match
    "signed-zeros": lambda rng, n: -1.0 * rng.integers(-1, 2, n),  # -0.0, as in sign * (y - x)
    "all-equal": lambda rng, n: np.full(n, 2.5),
    "all-zero": lambda rng, n: np.zeros(n),
}
SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 11, 24, 50, 99, 160]  # odd and even Walsh counts, small and large


@pytest.mark.parametrize("kind", sorted(GENERATORS))
@pytest.mark.parametrize("zero_method", ["wilcox", "include"])
def test_hl_equals_brute_force_exactly(kind, zero_method):
    rng = np.random.default_rng(sorted(GENERATORS).index(kind))
    checked = 0
    for n in SIZES:
        for _ in range(3):
            d = np.asarray(GENERATORS[kind](rng, n), dtype=float)
            for confidence, correction in [(0.95, True), (0.95, False), (0.5, True), (0.99, True)]:
                result = hodges_lehmann(
                    d, confidence=confidence, correction=correction, zero_method=zero_method
                )
                if result["n"] == 0:
                    assert math.isnan(result["estimate"])
                    continue
                assert result["n_walsh"] == result["n"] * (result["n"] + 1) // 2
                achievable = not math.isnan(
                    result["k"]
                )  # else the CI is NaN and only the estimate counts
                estimate, low, high = brute_force_hl(
                    d, result["k"] if achievable else 1, zero_method
                )
                assert result["estimate"] == estimate
                if achievable:
                    assert (result["ci_low"], result["ci_high"]) == (low, high)
                    checked += 1
                else:
                    assert math.isnan(result["ci_low"]) and math.isnan(result["ci_high"])
    assert checked > 0 or (
        kind == "all-zero" and zero_method == "wilcox"
    )  # nothing left to estimate from


@pytest.mark.parametrize(
    "settings, sizes",
    [
        ({}, (1, 2, 3, 9, 20, 37)),
        ({"_LIST_CANDIDATES_PER_ROW": 0}, (1, 2, 3, 9, 20)),
        ({"_LIST_CANDIDATES_PER_ROW": 0, "_GUESS_SLACK": 0}, (1, 2, 3, 9, 20)),
    ],
    ids=["default", "no-listing", "no-listing-no-slack"],
)
def test_every_walsh_order_statistic_equals_the_sorted_list(monkeypatch, settings, sizes):
    # Every rank, not only the ones hodges_lehmann asks for. Listing nothing forces the pivot steps
    # down to a single candidate; no slack sends every row's boundary search to the fallback.
    # Those two stop at n = 20: n = 37 ran no line of paired.py that n = 20 does not (a line
    # trace showed), and took two thirds of the test's time.
    for name, value in settings.items():
        monkeypatch.setattr(paired_module, name, value)
    rng = np.random.default_rng(11)
    for kind in sorted(GENERATORS):
        for n in sizes:
            x = np.sort(np.asarray(GENERATORS[kind](rng, n), dtype=float))
            walsh = sorted_walsh(x)
            selected = [
                paired_module._walsh_order_statistic(x, rank) for rank in range(1, walsh.size + 1)
            ]
            assert selected == walsh.tolist()
            assert paired_module._walsh_median(x) == float(np.median(walsh))


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_hl_keeps_extreme_magnitudes_exact():
    # Sums that overflow to inf and averages that underflow: the selection compares the same
    # rounded floats the sort does, so even these agree.
    d = np.array(
        [1e308, 1.7e308, 5e-324, -5e-324, 1e-320, -1.7e308, 3.0, 1e308, 2e-323, -1e308, 7.5]
    )
    result = hodges_lehmann(d, confidence=0.5)
    assert (result["estimate"], result["ci_low"], result["ci_high"]) == brute_force_hl(
        d, result["k"], "wilcox"
    )


def test_hl_pratt_is_not_a_zero_method_for_the_estimate():
    with pytest.raises(ValueError, match="zero_method"):
        hodges_lehmann(TIED, zero_method="pratt")


def test_hl_scales_to_large_cohorts_without_quadratic_memory():
    # The brute force needs n(n+1)/2 floats: 400 MB at n = 10,000, 10 GB at n = 50,000.
    # How long it takes (under 1 s and 5 s): tests/benchmarks/bench_scale.py.
    rng = np.random.default_rng(5)
    for n in (10_000, 50_000):
        d = rng.normal(0.5, 3.0, n)
        tracemalloc.start()
        result = hodges_lehmann(d)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert (
            result["n_walsh"] == n * (n + 1) // 2
            and result["ci_low"] < result["estimate"] < result["ci_high"]
        )
        assert peak < 200 * n * 8, (
            f"n = {n}: peak {peak / 1e6:.0f} MB"
        )  # O(n); n^2/2 floats would be far more


def test_hl_large_tied_cohort_matches_brute_force():
    # n = 3,000 integer scores: 4.5 million Walsh averages in a handful of tie blocks.
    d = np.random.default_rng(9).integers(-3, 4, 3000).astype(float)
    result = hodges_lehmann(d)
    assert (result["estimate"], result["ci_low"], result["ci_high"]) == brute_force_hl(
        d, result["k"], "wilcox"
    )


# --- rank-biserial r -------------------------------------------------------------------------


def test_rank_biserial_by_hand_and_against_pingouin():
    pingouin = pytest.importorskip("pingouin")
    # HW_D ranks: negatives have ranks 2 and 3, so R- = 5, R+ = 45 - 5 = 40.
    assert wilcoxon_signed_rank(HW_D)["rank_biserial"] == pytest.approx((40 - 5) / 45)
    reference = pingouin.wilcoxon(HW_X, HW_Y)["RBC"].iloc[0]
    assert wilcoxon_signed_rank(HW_D)["rank_biserial"] == pytest.approx(reference)
    # pingouin works on x - y: swapping x and y flips the sign.
    assert wilcoxon_signed_rank(HW_Y - HW_X)["rank_biserial"] == pytest.approx(-(40 - 5) / 45)


def test_rank_biserial_drops_zeros_and_averages_ties_unless_pratt():
    # non-zero |d| = 1, 2, 2, 3 -> ranks 1, 2.5, 2.5, 4; negatives: -2 (2.5) -> (7.5 - 2.5) / 10
    d = [0, 1, 2, -2, 3, 0]
    assert wilcoxon_signed_rank(d)["rank_biserial"] == pytest.approx(0.5)
    # Pratt: the zeros take ranks 1.5, 1.5 and the rest 3, 4.5, 4.5, 6 (sum 21);
    # R+ = 3 + 4.5 + 6, R- = 4.5 -> (13.5 - 4.5) / 21.
    assert wilcoxon_signed_rank(d, zero_method="pratt")["rank_biserial"] == pytest.approx(9 / 21)
    assert math.isnan(wilcoxon_signed_rank([0, 0])["rank_biserial"])


# --- paired_t -------------------------------------------------------------------------------


def test_paired_t_against_scipy_and_pingouin():
    pingouin = pytest.importorskip("pingouin")
    result = paired_t(HW_D, confidence=0.95)
    reference = scipy.stats.ttest_rel(HW_X, HW_Y, alternative="two-sided")
    ci = reference.confidence_interval(confidence_level=0.95)
    assert result["t"] == pytest.approx(reference.statistic, rel=1e-12)
    assert result["p_value"] == pytest.approx(reference.pvalue, rel=1e-12)
    assert result["df"] == reference.df == 8
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-12)
    assert result["mean"] == pytest.approx(np.mean(HW_X) - np.mean(HW_Y))
    assert result["d_z"] == pytest.approx(
        pingouin.compute_effsize(HW_X, HW_Y, paired=True, eftype="cohen_dz"), rel=1e-12
    )
    assert result["d_z"] == pytest.approx(result["t"] / math.sqrt(9), rel=1e-12)


def test_paired_t_degenerate_inputs():
    assert math.isnan(paired_t([1.0])["t"])
    constant = paired_t([2.0, 2.0, 2.0])
    assert (
        constant["mean"] == 2.0
        and math.isnan(constant["p_value"])
        and "all differences equal" in constant["method"]
    )


# --- describe -------------------------------------------------------------------------------


def test_describe_by_hand_with_r_type7_quartiles():
    result = describe([1.0, 2.0, np.nan, 3.0, 10.0])
    # type 7: position (n - 1) p = 0.75 -> 1 + 0.75 (2 - 1); 2.25 -> 3 + 0.25 (10 - 3)
    assert result["n"] == 4 and result["n_missing"] == 1
    assert result["q1"] == pytest.approx(1.75) and result["q3"] == pytest.approx(4.75)
    assert result["median"] == pytest.approx(2.5) and result["mean"] == pytest.approx(4.0)
    assert result["sd"] == pytest.approx(
        math.sqrt(((1 - 4) ** 2 + (2 - 4) ** 2 + (3 - 4) ** 2 + (10 - 4) ** 2) / 3)
    )
    assert "type 7" in result["method"]
    assert math.isnan(describe([np.nan])["mean"])


# --- the level R's interval would have ----------------------------------------------------------


# Brute-force R's rule (stats:::wilcox.test.default, conf.int, exact = FALSE) written out
# with the hand ranks above: alpha doubles while the statistic at min(x) or max(x) is short.
def hand_r_level(x, confidence):
    def standardised(shift):
        xd = [v - shift for v in x if v - shift != 0]
        n = len(xd)
        r = average_ranks([abs(v) for v in xd])
        z = sum(rank for rank, v in zip(r, xd) if v > 0) - n * (n + 1) / 4
        ties = {}
        for rank in r:
            ties[rank] = ties.get(rank, 0) + 1
        sigma = math.sqrt(
            n * (n + 1) * (2 * n + 1) / 24 - sum(t**3 - t for t in ties.values()) / 48
        )
        return (z - math.copysign(0.5, z) if z else z) / sigma

    alpha = 1 - confidence
    while standardised(min(x)) < scipy.stats.norm.isf(alpha / 2) or standardised(
        max(x)
    ) > scipy.stats.norm.ppf(alpha / 2):
        alpha *= 2
    return 1 - min(1, alpha) if alpha >= 1 or 1 - confidence < 0.75 * alpha else confidence


@pytest.mark.parametrize(
    "x",
    [
        list(range(1, 11)),
        [1, 2, 3, 4, 5, 6],
        [10, 10, 10, 20, 30, 30, 30, 30],
        [33.3, 33.3, 66.7, 100, 100],
    ],
    ids=["keeps-95", "n6-lowers", "ties-at-extremes", "few-distinct"],
)
def test_r_level_follows_rs_rule(x):
    x = [float(v) for v in x]
    assert r_wilcox_conf_level(x, 0.95) == pytest.approx(hand_r_level(x, 0.95))


def test_hl_method_names_the_level_r_would_use():
    # n = 6 without ties: R reports a 90% interval (alpha doubled once) and warns.
    result = hodges_lehmann([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    assert "would lower the level to 90%" in result["method"]
    assert "would lower" not in hodges_lehmann(list(range(1, 21)))["method"]
