"""analysis/attrition.py: baseline by completion, tipping point, regression to the mean."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from scipy import stats

from rapamycin_mecfs.analysis.attrition import baseline_by_completion, regression_to_mean, tipping_point
from test_analysis_data import MAIN, SETTINGS, people_from, wide_from


def test_baseline_by_completion_against_scipy_and_hand_smd():
    got = baseline_by_completion(wide_from(MAIN), people_from(), "T0").iloc[0]
    completers = [8, 7, 9, 6, 8, 7]  # P01-P06 (P11 has no baseline)
    stopped = [9, 8, 7]  # P07, P08, P10 (P09 is neither)
    assert (got["n_1"], got["n_2"]) == (6, 3)
    assert got["median_1"] == 7.5 and got["median_2"] == 8.0
    assert got["mean_1"] == pytest.approx(7.5) and got["mean_2"] == pytest.approx(8.0)
    reference = stats.mannwhitneyu(completers, stopped, alternative="two-sided", method="asymptotic", use_continuity=True)
    assert got["U"] == pytest.approx(reference.statistic)
    assert got["p_value"] == pytest.approx(reference.pvalue, rel=1e-12)
    assert got["rank_biserial"] == pytest.approx(2 * reference.statistic / 18 - 1)
    # SMD: variances 5.5 / 5 = 1.1 and 2 / 2 = 1, so (7.5 - 8) / sqrt(1.05).
    assert got["smd"] == pytest.approx(-0.5 / math.sqrt(1.05), rel=1e-12)
    assert got["smd"] == pytest.approx(
        (statistics.mean(completers) - statistics.mean(stopped))
        / math.sqrt((statistics.variance(completers) + statistics.variance(stopped)) / 2)
    )


def test_baseline_by_completion_too_few_stopped():
    people = {p: (True, True, p != "P10", False, [1, 1, 1, 1]) for p in MAIN}
    people["P10"] = (True, False, False, True, [1, None, None, None])
    got = baseline_by_completion(wide_from(MAIN), people_from(people), "T0").iloc[0]
    assert got["n_1"] == 9 and got["n_2"] == 1 and got["median_2"] == 7.0
    assert got["method"] == "not computed: fewer than 2 in a group"
    assert "p_value" not in got.index or np.isnan(got["p_value"])


# Tipping-point fixture, higher is better: ten observed improvements, two missing at T3, one
# enrolled participant without a baseline and one never enrolled (both must be left out).
TIP_BASE = [10, 12, 9, 14, 11, 13, 8, 15, 10, 12, 11, 13]
TIP_CHANGE = [2.1, 3.4, 1.7, 4.2, 2.8, 3.9, 1.2, 5.1, 2.5, 0.6, None, None]


def tipping_fixture(direction: str):
    """Values and participants; lower_is_better mirrors every value (v -> 30 - v)."""
    mirror = (lambda v: v) if direction == "higher_is_better" else (lambda v: None if v is None else 30 - v)
    values, people = {}, {}
    for i, (base, change) in enumerate(zip(TIP_BASE, TIP_CHANGE), start=1):
        follow = None if change is None else base + change
        values[f"R{i:02d}"] = [mirror(base), mirror(base + 1), mirror(base), mirror(follow)]
        people[f"R{i:02d}"] = (True, True, change is not None, change is None, [1, 1, 1, 1])
    values["R13"] = [None, mirror(5), mirror(5), mirror(1)]
    people["R13"] = (True, True, True, False, [1, 1, 1, 1])
    values["R14"] = [mirror(20), mirror(1), mirror(1), mirror(1)]
    people["R14"] = (False, False, False, False, [None, None, None, None])
    return wide_from(values), people_from(people)


def brute_force_tipping(direction: str, alpha: float, max_delta: float, grid: float) -> tuple[float, float]:
    """First delta on a fine grid at which scipy's Wilcoxon p reaches alpha (follow-up - baseline)."""
    worse = -1.0 if direction == "higher_is_better" else 1.0
    observed = np.array([np.nan if c is None else c for c in TIP_CHANGE]) * (1.0 if worse < 0 else -1.0)
    missing = np.isnan(observed)
    for delta in np.arange(0.0, max_delta + grid, grid):
        d = np.where(missing, worse * delta, observed)
        p = stats.wilcoxon(d, method="approx", correction=True, zero_method="pratt").pvalue
        if p >= alpha:
            return float(delta), float(p)
    return math.inf, math.nan


@pytest.mark.parametrize("direction", ["higher_is_better", "lower_is_better"])
def test_tipping_point_matches_brute_force(direction):
    wide, people = tipping_fixture(direction)
    got = tipping_point(wide, people, direction, "T0", SETTINGS).iloc[0]
    sd = statistics.stdev(TIP_BASE)
    assert got["n"] == 12 and got["n_missing_follow_up"] == 2
    assert got["baseline_sd"] == pytest.approx(sd)
    # delta = 0 is baseline carried forward: the two imputed zeros are ranked (Pratt).
    at_zero = np.array([0.0 if c is None else c for c in TIP_CHANGE])
    p_zero = stats.wilcoxon(at_zero, method="approx", correction=True, zero_method="pratt").pvalue
    assert got["p_at_zero_shift"] == pytest.approx(p_zero, rel=1e-10)

    grid = 0.002
    expected, p_expected = brute_force_tipping(direction, 0.05, 3 * sd, grid)
    assert 0 < expected < 3 * sd
    # The search returns the upper end of its final bisection interval (width sd / 20000).
    assert abs(got["delta_units"] - expected) <= grid + sd / 20000 + 1e-9
    assert got["delta_baseline_sd"] == pytest.approx(got["delta_units"] / sd, rel=1e-12)
    assert got["p_at_delta"] >= 0.05
    assert got["p_at_delta"] == pytest.approx(p_expected, rel=1e-6)


def test_tipping_point_never_significant_gives_nan():
    # Main fixture at T3: 3, 3, 1, 0, -1, 4, 2 is not significant at 0.05 to begin with.
    got = tipping_point(wide_from(MAIN), people_from(), "lower_is_better", "T0", SETTINGS).iloc[0]
    assert got["n"] == 10 and got["n_missing_follow_up"] == 3
    assert got["p_at_zero_shift"] >= 0.05
    assert np.isnan(got["delta_units"]) and np.isnan(got["delta_baseline_sd"])
    assert "no tipping point" in got["method"]


def test_tipping_point_significant_worsening_has_no_tipping_point():
    # The tipping fixture read as lower-is-better is a significant worsening. Shifting the missing
    # values further towards worsening never removes that significance; reporting "never tips"
    # (delta = inf) would read as a maximally robust improvement.
    wide, people = tipping_fixture("higher_is_better")
    got = tipping_point(wide, people, "lower_is_better", "T0", SETTINGS).iloc[0]
    at_zero = np.array([0.0 if c is None else c for c in TIP_CHANGE])
    p_zero = stats.wilcoxon(at_zero, method="approx", correction=True, zero_method="pratt").pvalue
    assert got["p_at_zero_shift"] == pytest.approx(p_zero, rel=1e-10) and p_zero < 0.05
    assert "delta_units" not in got.index or np.isnan(got["delta_units"])
    assert "worsening" in got["method"] and "never tips" not in got["method"]


def test_tipping_point_never_tips_within_max_shift():
    wide, people = tipping_fixture("higher_is_better")
    settings = {**SETTINGS, "tipping_point": {"visit": "T3", "max_shift_sd": 0.5}}
    got = tipping_point(wide, people, "higher_is_better", "T0", settings).iloc[0]
    assert math.isinf(got["delta_units"]) and math.isinf(got["delta_baseline_sd"])
    assert "never tips" in got["method"]


def test_regression_to_mean_with_configured_reliability():
    settings = {**SETTINGS, "regression_to_mean": {"score": {"reliability": 0.8, "reference_mean": 5.0, "source": "test"}}}
    got = regression_to_mean(wide_from(MAIN), people_from(), "lower_is_better", "score", "T0", settings).iloc[0]
    baseline = [8, 7, 9, 6, 8, 7, 9, 8, 6, 7]  # P01-P10 (P11 has none)
    assert got["n"] == 10
    assert got["baseline_mean"] == pytest.approx(7.5)
    assert got["baseline_sd"] == pytest.approx(statistics.stdev(baseline))
    assert got["expected_change"] == pytest.approx((1 - 0.8) * (5.0 - 7.5))  # -0.5: scores expected to fall
    assert got["expected_improvement"] == pytest.approx(0.5)  # lower is better
    assert got["source"] == "test" and got["reliability"] == 0.8


def test_regression_to_mean_without_configuration():
    got = regression_to_mean(wide_from(MAIN), people_from(), "lower_is_better", "score", "T0", SETTINGS)
    assert "expected_change" not in got.columns
    row = got.iloc[0]
    assert row["baseline_sd"] == pytest.approx(statistics.stdev([8, 7, 9, 6, 8, 7, 9, 8, 6, 7]))
    assert "no test-retest reliability configured" in row["method"]
