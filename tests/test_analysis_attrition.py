"""analysis/attrition.py: baseline by completion, tipping point, regression to the mean."""

from __future__ import annotations

import math
import shutil
import statistics
import subprocess

import numpy as np
import pytest
from rapamycin_mecfs.analysis.attrition import (
    baseline_by_completion,
    nice_step,
    regression_to_mean,
    tipping_point,
    tipping_point_mi,
)
from rapamycin_mecfs.atomic import write_csv, write_table
from scipy import stats
from test_analysis_data import MAIN, SETTINGS, people_from, wide_from


def test_baseline_by_completion_against_scipy_and_hand_smd():
    got = baseline_by_completion(wide_from(MAIN), people_from(), "T0").iloc[0]
    completers = [8, 7, 9, 6, 8, 7]  # P01-P06 (P11 has no baseline)
    stopped = [9, 8, 7]  # P07, P08, P10 (P09 is neither)
    assert (got["n_1"], got["n_2"]) == (6, 3)
    assert got["median_1"] == 7.5 and got["median_2"] == 8.0
    assert got["mean_1"] == pytest.approx(7.5) and got["mean_2"] == pytest.approx(8.0)
    reference = stats.mannwhitneyu(
        completers, stopped, alternative="two-sided", method="asymptotic", use_continuity=True
    )
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
    mirror = (
        (lambda v: v)
        if direction == "higher_is_better"
        else (lambda v: None if v is None else 30 - v)
    )
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


def brute_force_tipping(
    direction: str, alpha: float, max_delta: float, grid: float
) -> tuple[float, float]:
    """First delta on a fine grid at which scipy's Wilcoxon p reaches alpha (follow-up -
    baseline)."""
    worse = -1.0 if direction == "higher_is_better" else 1.0
    observed = np.array([np.nan if c is None else c for c in TIP_CHANGE]) * (
        1.0 if worse < 0 else -1.0
    )
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


# Single shift on baselines in different binades: (baseline - delta) - baseline would round
# differently for each of those missing at T3 (bases 5, 9, 17, 33, 65), breaking their ties.
BINADE_BASE = [20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 5, 9, 17, 33, 65]
BINADE_CHANGE = [2.1, 3.4, 1.7, 4.2, 2.8, 3.9, 1.2, 5.1, 2.5, 0.6, None, None, None, None, None]


def binade_fixture():
    values, people = {}, {}
    for i, (base, change) in enumerate(zip(BINADE_BASE, BINADE_CHANGE), start=1):
        follow = None if change is None else round(base + change, 1)
        values[f"B{i:02d}"] = [base, base, base, follow]
        people[f"B{i:02d}"] = (True, True, change is not None, change is None, [1, 1, 1, 1])
    return wide_from(values), people_from(people)


def test_single_shift_against_exact_wilcoxon_with_independent_tipping_point():
    wide, people = binade_fixture()
    got = tipping_point(wide, people, "higher_is_better", "T0", SETTINGS).iloc[0]
    base, follow = wide["T0"].to_numpy(), wide["T3"].to_numpy()
    missing = np.isnan(follow)
    observed = (follow - base)[~missing]
    sd = statistics.stdev(BINADE_BASE)

    def p(delta):  # differences built exactly: -delta for each of the missing
        d = np.concatenate([observed, np.full(missing.sum(), -delta)])
        return stats.wilcoxon(d, zero_method="pratt", correction=True, method="approx").pvalue

    # p is constant between the breakpoints |observed| and may differ on them: scan each
    # breakpoint and each gap in order; the tipping point is the breakpoint that starts the first
    # point or gap where p >= alpha (its infimum).
    breaks = sorted(set(np.abs(observed)) | {0.0})
    scan = []
    for low, high in zip(breaks, breaks[1:] + [breaks[-1] + sd]):
        scan += [(low, low), ((low + high) / 2, low)]
    assert p(0.0) < 0.05
    expected = next(start for point, start in scan[1:] if p(point) >= 0.05)
    tol = sd / 20 / 1000  # the search's bisection tolerance
    assert expected <= got["delta_units"] <= expected + tol
    assert got["p_at_zero_shift"] == pytest.approx(p(0.0), rel=1e-12)
    assert got["p_at_delta"] == pytest.approx(p(got["delta_units"]), rel=1e-12)
    # The subtraction would not have tied the imputed differences at this delta.
    stopped = base[missing]
    assert len(set((stopped - got["delta_units"]) - stopped)) > 1
    assert got["analysis_set_definition"].startswith("single-value shift (secondary)")
    assert got["method"].startswith("single-value shift (secondary)")
    assert "R wilcox.test drops zeros" in got["method"] and "zero.method" in got["method"]


# ------------------------------------------------------- delta-adjusted multiple imputation


def pool_by_hand(imputations, worsening, delta, n):
    """Rubin's rules on the imputed sets as written (imputation 0 = observed), numpy only."""
    observed = imputations[imputations["imputation"] == 0].set_index("participant_id")
    m = int(imputations["imputation"].max())
    q, u = [], []
    for j in range(1, m + 1):
        imputed = imputations[imputations["imputation"] == j].set_index("participant_id")[
            "follow_up"
        ]
        follow = observed["follow_up"].copy()
        follow[imputed.index] = imputed + worsening * delta
        change = (follow - observed["baseline"]).to_numpy()
        assert change.size == n and not np.isnan(change).any()
        q.append(change.mean())
        u.append(change.var(ddof=1) / n)
    q, u = np.array(q), np.array(u)
    b = q.var(ddof=1)
    t = u.mean() + (1 + 1 / m) * b
    lam = (1 + 1 / m) * b / t
    nu_old = (m - 1) / lam**2
    nu_obs = n / (n + 2) * (n - 1) * (1 - lam)  # dfcom = n - 1
    return q.mean(), t, nu_old * nu_obs / (nu_old + nu_obs), u.mean(), b


def test_mi_grid_pooling_and_tipping_point():
    wide, people = tipping_fixture("higher_is_better")
    mi = tipping_point_mi(wide, people, "higher_is_better", "T0", "score", SETTINGS)
    table = mi.table
    sd = statistics.stdev(TIP_BASE)  # 2.067: step 0.1 SD = 0.2067 -> 0.2; 3 SD = 6.20 -> 32 steps
    assert sd == pytest.approx(2.0671, abs=1e-4)
    np.testing.assert_array_equal(table["delta"].to_numpy(), np.arange(33) * 0.2)
    np.testing.assert_allclose(table["delta_baseline_sd"], table["delta"] / sd, rtol=1e-12)
    assert (
        (table["m"] == 100).all() and (table["n"] == 12).all() and (table["n_imputed"] == 2).all()
    )
    assert (table["analysis_set"] == "enrolled_delta_mi").all()
    for index in (0, 7, 32):
        row = table.iloc[index]
        qbar, t, df, ubar, b = pool_by_hand(mi.imputations, -1.0, row["delta"], 12)
        assert row["estimate"] == pytest.approx(qbar, rel=1e-12)
        assert row["se"] == pytest.approx(math.sqrt(t), rel=1e-12)
        assert row["df"] == pytest.approx(df, rel=1e-10)
        assert (row["ubar"], row["b"]) == pytest.approx((ubar, b), rel=1e-12)
        assert row["p_value"] == pytest.approx(
            2 * stats.t.sf(abs(qbar) / math.sqrt(t), df), rel=1e-9
        )
        half = stats.t.ppf(0.975, df) * math.sqrt(t)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(
            (qbar - half, qbar + half), rel=1e-10
        )
        assert row["improvement_estimate"] == row["estimate"]  # higher is better
    # Only the 2 imputed of 12 move: the estimate falls by delta x 2 / 12, B stays.
    np.testing.assert_allclose(
        table["estimate"], table["estimate"].iloc[0] - table["delta"] * 2 / 12, rtol=1e-12
    )
    np.testing.assert_allclose(table["b"], table["b"].iloc[0], rtol=1e-12)
    # The tipping point: the first delta whose p reaches alpha, flagged once.
    p = table["p_value"].to_numpy()
    assert p[0] < 0.05
    first = int(np.argmax(p >= 0.05))
    assert p[first] >= 0.05 and (p[:first] < 0.05).all()
    assert table["tips"].tolist() == [i == first for i in range(33)]
    assert table["significant"].tolist() == list(p < 0.05)
    assert mi.summary["mi_delta_units"] == table["delta"].iloc[first]
    assert mi.summary["mi_delta_baseline_sd"] == pytest.approx(table["delta"].iloc[first] / sd)
    assert mi.summary["mi_result"].startswith(f"tips at delta = {table['delta'].iloc[first]:g}")
    assert "(primary)" in table["method"].iloc[0] and "not rounded" not in table["method"].iloc[0]
    assert "neither rounded nor clipped" in table["method"].iloc[0]
    # Imputed values are written at delta = 0: imputation 0 is the observed data.
    observed = mi.imputations[mi.imputations["imputation"] == 0]
    assert len(observed) == 12 and observed["follow_up"].isna().sum() == 2
    assert len(mi.imputations) == 12 + 100 * 2
    assert set(mi.imputations.loc[mi.imputations["imputed"], "participant_id"]) == {"R11", "R12"}


def test_mi_lower_is_better_shifts_up_and_reports_improvement():
    wide, people = tipping_fixture("lower_is_better")
    mi = tipping_point_mi(wide, people, "lower_is_better", "T0", "score", SETTINGS)
    table = mi.table
    # Worsening is up: the change rises by delta x 2 / 12; improvement is the change sign-flipped.
    np.testing.assert_allclose(
        table["estimate"], table["estimate"].iloc[0] + table["delta"] * 2 / 12, rtol=1e-12
    )
    np.testing.assert_allclose(table["improvement_estimate"], -table["estimate"], rtol=1e-15)
    np.testing.assert_allclose(table["improvement_ci_low"], -table["ci_high"], rtol=1e-15)
    assert table["improvement_estimate"].iloc[0] > 0
    qbar, t, df, _, _ = pool_by_hand(mi.imputations, 1.0, table["delta"].iloc[5], 12)
    assert table["estimate"].iloc[5] == pytest.approx(qbar, rel=1e-12)
    assert "plus delta (lower is better)" in table["method"].iloc[0]


def test_mi_with_nobody_missing_is_the_complete_case_t_test():
    values = {
        pid: [v if v is not None else 1.0 for v in series] for pid, series in wide_values().items()
    }
    people = {pid: (True, True, True, False, [1, 1, 1, 1]) for pid in values}
    mi = tipping_point_mi(
        wide_from(values), people_from(people), "higher_is_better", "T0", "score", SETTINGS
    )
    assert len(mi.table) == 1
    row = mi.table.iloc[0]
    change = np.array([series[3] - series[0] for series in values.values()])
    reference = stats.ttest_1samp(change, 0.0)
    interval = reference.confidence_interval(0.95)
    assert row["method"].startswith(
        "delta-adjusted multiple imputation (primary): not applicable: nobody is missing at T3"
    )
    assert (row["delta"], row["m"], row["n"], row["n_imputed"]) == (0.0, 0, change.size, 0)
    assert row["estimate"] == pytest.approx(change.mean(), rel=1e-12)
    assert row["se"] == pytest.approx(stats.sem(change), rel=1e-12)
    assert row["t"] == pytest.approx(reference.statistic, rel=1e-12)
    assert row["df"] == change.size - 1
    assert row["p_value"] == pytest.approx(reference.pvalue, rel=1e-10)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(
        (interval.low, interval.high), rel=1e-10
    )
    assert mi.summary["mi_result"] == "not applicable: nobody is missing at T3"
    assert not mi.imputations["imputed"].any()


def wide_values():
    return {
        f"R{i:02d}": [b, b + 1, b, b + c]
        for i, (b, c) in enumerate(
            zip(TIP_BASE, [2.1, 3.4, 1.7, 4.2, 2.8, 3.9, 1.2, 5.1, 2.5, 0.6, -0.4, 1.9]), start=1
        )
    }


def test_mi_explicit_grid_worsening_and_never_tipping():
    wide, people = tipping_fixture("higher_is_better")
    explicit = {
        **SETTINGS,
        "tipping_point": {"visit": "T3", "delta_grid": {"score": {"step": 0.5, "max": 1.8}}},
    }
    mi = tipping_point_mi(wide, people, "higher_is_better", "T0", "score", explicit)
    assert mi.table["delta"].tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]  # up to the first step >= max
    assert "delta grid from the config" in mi.table["method"].iloc[0]
    assert mi.summary["mi_delta_units"] == math.inf and mi.summary["mi_result"].startswith(
        "never within the grid"
    )
    assert not mi.table["tips"].any()
    # Read as lower-is-better the same values are a significant worsening: no tipping point.
    worse = tipping_point_mi(wide, people, "lower_is_better", "T0", "score", SETTINGS)
    assert worse.table["significant"].iloc[0] and not worse.table["tips"].any()
    assert (
        worse.summary["mi_result"] == "not computed: the pooled change at delta = 0 is a worsening"
    )
    # Changes of both signs: not significant at delta = 0.
    changes = [1, -1, 2, -2, 0.5, -0.5, 1, -1, 0.3, -0.2, None, None]
    values = {
        f"R{i:02d}": [b, b, b, None if c is None else b + c]
        for i, (b, c) in enumerate(zip(TIP_BASE, changes))
    }
    stops = {
        pid: (True, True, v[3] is not None, v[3] is None, [1, 1, 1, 1]) for pid, v in values.items()
    }
    flat = tipping_point_mi(
        wide_from(values), people_from(stops), "higher_is_better", "T0", "score", SETTINGS
    )
    assert flat.table["p_value"].iloc[0] >= 0.05
    assert flat.summary["mi_result"].startswith("not significant at delta = 0")
    assert math.isnan(flat.summary["mi_delta_units"]) and not flat.table["tips"].any()


@pytest.mark.parametrize(
    "value, expected",
    [(0.19, 0.1), (0.2067, 0.2), (0.3, 0.2), (0.5, 0.5), (2.7, 2), (64, 50), (10, 10), (1, 1)],
)
def test_nice_step(value, expected):
    assert nice_step(value) == expected


def test_mi_and_summary_are_byte_identical_across_calls(tmp_path):
    wide, people = tipping_fixture("higher_is_better")
    written = []
    for run in ("a", "b"):
        mi = tipping_point_mi(wide, people, "higher_is_better", "T0", "score", SETTINGS)
        summary = tipping_point(wide, people, "higher_is_better", "T0", SETTINGS, mi.summary)
        for name, frame in (
            ("mi", mi.table),
            ("imputations", mi.imputations),
            ("summary", summary),
        ):
            write_csv(frame, tmp_path / run / f"{name}.csv")
        written.append({p.name: p.read_bytes() for p in sorted((tmp_path / run).iterdir())})
    assert written[0] == written[1] and len(written[0]) == 3
    # A different seed gives different draws.
    other = {**SETTINGS, "tipping_point": {"visit": "T3", "seed": 1}}
    changed = tipping_point_mi(wide, people, "higher_is_better", "T0", "score", other)
    assert changed.table["estimate"].iloc[0] != mi.table["estimate"].iloc[0]


R_FROM_FILE = r"""
suppressPackageStartupMessages(library(mice))
d <- read.csv(commandArgs(trailingOnly = TRUE)[1])
orig <- d[d$imputation == 0, c("participant_id", "baseline", "follow_up")]
m <- max(d$imputation)
sets <- lapply(seq_len(m), function(j) {
  s <- orig
  imp <- d[d$imputation == j, ]
  s$follow_up[match(imp$participant_id, s$participant_id)] <- imp$follow_up
  s
})
fits <- lapply(sets, function(s) lm(I(follow_up - baseline) ~ 1, data = s))
p <- pool(as.mira(fits))$pooled
cat(sprintf("%.17g", c(p$estimate, p$t, p$df)), sep = "
")
"""


@pytest.mark.r_referee
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not installed")
def test_mi_file_as_written_pools_the_same_in_r_mice(tmp_path):
    # The per-outcome imputations CSV, written as the rule writes it, rebuilt and pooled in R.
    wide, people = tipping_fixture("higher_is_better")
    mi = tipping_point_mi(wide, people, "higher_is_better", "T0", "score", SETTINGS)
    path = tmp_path / "score.csv"
    write_table(mi.imputations, path, synthetic=True)
    result = subprocess.run(
        ["Rscript", "-e", R_FROM_FILE, str(path)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    estimate, total, df = (float(v) for v in result.stdout.split())
    row = mi.table.iloc[0]  # delta = 0
    assert row["estimate"] == pytest.approx(estimate, rel=1e-6)
    assert row["se"] ** 2 == pytest.approx(total, rel=1e-6)
    assert row["df"] == pytest.approx(df, rel=1e-6)


def test_regression_to_mean_with_configured_reliability():
    settings = {
        **SETTINGS,
        "regression_to_mean": {
            "score": {"reliability": 0.8, "reference_mean": 5.0, "source": "test"}
        },
    }
    got = regression_to_mean(
        wide_from(MAIN), people_from(), "lower_is_better", "score", "T0", settings
    ).iloc[0]
    baseline = [8, 7, 9, 6, 8, 7, 9, 8, 6, 7]  # P01-P10 (P11 has none)
    assert got["n"] == 10
    assert got["baseline_mean"] == pytest.approx(7.5)
    assert got["baseline_sd"] == pytest.approx(statistics.stdev(baseline))
    assert got["expected_change"] == pytest.approx(
        (1 - 0.8) * (5.0 - 7.5)
    )  # -0.5: scores expected to fall
    assert got["expected_improvement"] == pytest.approx(0.5)  # lower is better
    assert got["source"] == "test" and got["reliability"] == 0.8


def test_regression_to_mean_without_configuration():
    got = regression_to_mean(
        wide_from(MAIN), people_from(), "lower_is_better", "score", "T0", SETTINGS
    )
    assert "expected_change" not in got.columns
    row = got.iloc[0]
    assert row["baseline_sd"] == pytest.approx(statistics.stdev([8, 7, 9, 6, 8, 7, 9, 8, 6, 7]))
    assert "no test-retest reliability configured" in row["method"]
