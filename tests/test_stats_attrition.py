"""stats.attrition: tipping-point delta for stopped participants, regression to the mean."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats
from rapamycin_mecfs.stats.attrition import (
    regression_to_mean_expected_change,
    shifted_differences,
    tipping_point_delta,
)

# Completers' changes (higher is better) and 5 participants who stopped.
CHANGES = np.array([5, 8, 3, 10, 6, 7, 4, 9, 2, 6, -1, 3], dtype=float)
N_STOPPED = 5
BASELINE = np.linspace(20, 60, CHANGES.size + N_STOPPED)
FOLLOW_UP = np.concatenate([BASELINE[: CHANGES.size] + CHANGES, np.full(N_STOPPED, np.nan)])
STOPPED = np.isnan(FOLLOW_UP)


def one_sample_t_p(d):
    return scipy.stats.ttest_1samp(d, 0.0).pvalue


def t_test_tipping_point_by_hand(changes, n_stopped, alpha):
    """delta solving t = t_crit when n_stopped differences equal -delta.

    With S1 = sum d, S2 = sum d^2 over completers and n in total, the mean is (S1 - s delta)/n and
    t^2 = n mean^2 (n - 1) / (S2 + s delta^2 - n mean^2). Setting t = t_crit gives, with
    A = n - 1 + t_crit^2: (A/n)(S1 - s delta)^2 = t_crit^2 (S2 + s delta^2), a quadratic in delta.
    """
    s, n = n_stopped, changes.size + n_stopped
    s1, s2 = changes.sum(), (changes**2).sum()
    tc = scipy.stats.t.ppf(1 - alpha / 2, n - 1)
    a = n - 1 + tc**2
    coefficients = [a * s**2 / n - tc**2 * s, -2 * a * s1 * s / n, a * s1**2 / n - tc**2 * s2]
    roots = sorted(
        r.real for r in np.roots(coefficients) if abs(r.imag) < 1e-12 and 0 < r.real < s1 / s
    )
    return roots[0]


def test_tipping_point_with_a_t_test_solved_by_hand():
    result = tipping_point_delta(
        BASELINE,
        FOLLOW_UP,
        STOPPED,
        "higher_is_better",
        alpha=0.05,
        test=one_sample_t_p,
        max_delta=50,
        step=1,
        tol=1e-9,
    )
    expected = t_test_tipping_point_by_hand(CHANGES, N_STOPPED, 0.05)
    assert result["delta"] == pytest.approx(expected, abs=2e-9)
    assert result["p_at_delta"] >= 0.05
    assert one_sample_t_p(np.concatenate([CHANGES, np.full(N_STOPPED, -(expected - 1e-6))])) < 0.05
    assert result["p_at_zero"] == pytest.approx(
        one_sample_t_p(np.concatenate([CHANGES, np.zeros(N_STOPPED)]))
    )
    assert result["n_enrolled"] == 17 and result["n_stopped"] == 5
    assert "one_sample_t_p" in result["method"]


def test_lower_is_better_mirrors_higher_is_better():
    # Negating every value turns improvement into a fall: the tipping point must not change.
    higher = tipping_point_delta(
        BASELINE,
        FOLLOW_UP,
        STOPPED,
        "higher_is_better",
        test=one_sample_t_p,
        max_delta=50,
        step=1,
        tol=1e-9,
    )
    lower = tipping_point_delta(
        -BASELINE,
        -FOLLOW_UP,
        STOPPED,
        "lower_is_better",
        test=one_sample_t_p,
        max_delta=50,
        step=1,
        tol=1e-9,
    )
    assert lower["delta"] == pytest.approx(higher["delta"], abs=1e-8)


def test_default_wilcoxon_tipping_point_against_brute_force():
    result = tipping_point_delta(
        BASELINE, FOLLOW_UP, STOPPED, "higher_is_better", max_delta=30, step=0.5, tol=1e-6
    )

    def p(delta):
        d = np.concatenate([CHANGES, np.full(N_STOPPED, -delta)])
        d = d[d != 0]
        return scipy.stats.wilcoxon(
            d, method="approx", correction=True, zero_method="wilcox"
        ).pvalue

    # The p-value only changes where delta crosses a completer's |change|: check each such point and
    # each gap between them, in order; the tipping point is the first one (or the start of the gap).
    breaks = sorted(set(np.abs(CHANGES)) | {0.0})
    candidates = []
    for low, high in zip(breaks, breaks[1:] + [breaks[-1] + 10]):
        candidates += [(low, low), ((low + high) / 2, low)]
    expected = next(start for point, start in candidates[1:] if p(point) >= 0.05)
    assert p(0.0) < 0.05
    assert expected <= result["delta"] <= expected + 1e-6
    assert result["p_at_zero"] == pytest.approx(p(0.0), rel=1e-12)


def test_not_significant_at_zero_and_never_tipping():
    flat = np.concatenate(
        [BASELINE[:12] + np.array([1, -1, 2, -2, 3, -3, 1, -1, 0, 2, -2, 1]), np.full(5, np.nan)]
    )
    result = tipping_point_delta(BASELINE, flat, STOPPED, "higher_is_better", max_delta=10, step=1)
    assert math.isnan(result["delta"]) and "not significant at delta = 0" in result["method"]
    strong = tipping_point_delta(
        BASELINE,
        FOLLOW_UP,
        STOPPED,
        "higher_is_better",
        test=one_sample_t_p,
        max_delta=0.5,
        step=0.25,
    )
    assert strong["delta"] == math.inf and "never tips" in strong["method"]


def test_inputs_are_checked():
    with pytest.raises(ValueError, match="direction"):
        tipping_point_delta(BASELINE, FOLLOW_UP, STOPPED, "none", max_delta=1, step=1)
    missing_completer = FOLLOW_UP.copy()
    missing_completer[0] = np.nan
    with pytest.raises(ValueError, match="not marked as stopped"):
        tipping_point_delta(
            BASELINE, missing_completer, STOPPED, "higher_is_better", max_delta=1, step=1
        )
    observed_stopper = FOLLOW_UP.copy()
    observed_stopper[-1] = 1.0
    with pytest.raises(ValueError, match="marked as stopped"):
        tipping_point_delta(
            BASELINE, observed_stopper, STOPPED, "higher_is_better", max_delta=1, step=1
        )


def test_regression_to_mean_by_hand():
    # Selected at 20 on a scale whose population mean is 50, reliability 0.7: 0.3 x 30 = 9 points
    # up.
    assert regression_to_mean_expected_change(20.0, 50.0, 0.7) == pytest.approx(9.0)
    assert regression_to_mean_expected_change(60.0, 50.0, 0.8) == pytest.approx(-2.0)
    assert regression_to_mean_expected_change(20.0, 50.0, 1.0) == 0.0
    with pytest.raises(ValueError):
        regression_to_mean_expected_change(20.0, 50.0, 1.2)


def test_imputed_differences_are_built_exactly_and_stay_tied():
    # (baseline - delta) - baseline is not exactly -delta in floating point, and differs between
    # baselines: the imputed differences would stop being tied. shifted_differences builds them.
    base = np.array([0.1, 0.7, 3.3, 12.9, 101.3])
    delta = 0.3
    assert len({float(v) for v in (base - delta) - base}) > 1  # why the subtraction was wrong
    stopped = np.array([False, True, True, True, True])
    observed = np.array([0.5, np.nan, np.nan, np.nan, np.nan])
    higher = shifted_differences(observed, stopped, "higher_is_better", delta)
    lower = shifted_differences(observed, stopped, "lower_is_better", delta)
    assert higher[0] == 0.5 and lower[0] == 0.5
    assert np.all(higher[1:] == -delta) and np.all(lower[1:] == delta)


def test_single_shift_p_values_are_those_of_exactly_built_differences():
    # Stopped participants' baselines in different binades (3.1 ... 49.6): there
    # (baseline - delta) - baseline rounds differently for each, which broke the ties among the
    # imputed differences and moved p. The p-value at the tipping point must be scipy's on exactly
    # built (tied) differences.
    base = np.concatenate([np.linspace(20, 60, CHANGES.size), [3.1, 6.2, 12.4, 24.8, 49.6]])
    follow = np.concatenate([base[: CHANGES.size] + CHANGES, np.full(N_STOPPED, np.nan)])
    result = tipping_point_delta(
        base, follow, STOPPED, "higher_is_better", max_delta=30, step=0.3, tol=1e-6
    )

    def p(d):
        return scipy.stats.wilcoxon(
            d[d != 0], method="approx", correction=True, zero_method="wilcox"
        ).pvalue

    observed = follow[: CHANGES.size] - base[: CHANGES.size]
    exact = np.concatenate([observed, np.full(N_STOPPED, -result["delta"])])
    assert result["p_at_delta"] == pytest.approx(p(exact), rel=1e-12)
    # The old construction at the same delta: untied, and a different p-value.
    subtracted = np.concatenate([observed, (base[STOPPED] - result["delta"]) - base[STOPPED]])
    assert len(set(subtracted[CHANGES.size :])) > 1
    assert p(subtracted) != pytest.approx(p(exact), rel=1e-6)
