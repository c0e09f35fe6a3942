"""stats.imputation: proper regression draws, Rubin's rules, Barnard-Rubin df, the delta shift."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest
import scipy.stats
import statsmodels.api as sm
from rapamycin_mecfs.stats.imputation import (
    barnard_rubin_df,
    delta_adjusted_mean_change,
    draw_regression_parameters,
    impute_by_pattern,
    mean_change,
    pool_rubin,
    t_inference,
)

# ------------------------------------------------------------------ Rubin's rules by hand


def test_rubin_rules_and_barnard_rubin_df_by_hand():
    # m = 3 estimates 2, 3, 4 with variances 0.5, 0.6, 0.7; complete-data df 9 (n = 10).
    #   Qbar = 3; Ubar = 0.6; B = ((2-3)^2 + 0 + (4-3)^2) / (3 - 1) = 1
    #   T = Ubar + (1 + 1/3) B = 0.6 + 4/3 = 29/15
    #   riv = (4/3) / 0.6 = 20/9; lambda = (4/3) / (29/15) = 20/29
    #   nu_old = (m - 1) / lambda^2 = 2 x 841/400 = 841/200
    #   nu_obs = (9 + 1)/(9 + 3) x 9 x (1 - 20/29) = (10/12) x 9 x 9/29 = 135/58
    #   nu = nu_old nu_obs / (nu_old + nu_obs) = (113535/11600) / (75778/11600) = 113535/75778
    #   fmi = (riv + 2/(nu + 3)) / (riv + 1)
    got = pool_rubin([2.0, 3.0, 4.0], [0.5, 0.6, 0.7], dfcom=9)
    nu = 113535 / 75778
    assert got["m"] == 3
    assert got["qbar"] == pytest.approx(3.0, abs=1e-15)
    assert got["ubar"] == pytest.approx(0.6, abs=1e-15)
    assert got["b"] == pytest.approx(1.0, abs=1e-15)
    assert got["t"] == pytest.approx(29 / 15, rel=1e-14)
    assert got["riv"] == pytest.approx(20 / 9, rel=1e-14)
    assert got["lambda"] == pytest.approx(20 / 29, rel=1e-14)
    assert got["df"] == pytest.approx(nu, rel=1e-13)
    assert got["fmi"] == pytest.approx((20 / 9 + 2 / (nu + 3)) / (20 / 9 + 1), rel=1e-13)
    # Without a complete-data df, nu is Rubin's (1987) nu_old alone.
    assert pool_rubin([2.0, 3.0, 4.0], [0.5, 0.6, 0.7])["df"] == pytest.approx(841 / 200, rel=1e-14)


def test_barnard_rubin_floors_lambda_as_mice_does():
    # B = 0: mice's barnard.rubin() floors lambda at 1e-4, so nu_old = (m - 1) / 1e-8 and
    # nu = nu_old nu_obs / (nu_old + nu_obs) with nu_obs = (20/22) x 19 x (1 - 1e-4).
    nu_old, nu_obs = 4 / 1e-8, 20 / 22 * 19 * (1 - 1e-4)
    assert barnard_rubin_df(5, 0.0, 0.3, dfcom=19) == pytest.approx(
        nu_old * nu_obs / (nu_old + nu_obs), rel=1e-13
    )
    pooled = pool_rubin([1.5] * 5, [0.3] * 5, dfcom=19)
    assert pooled["b"] == 0 and pooled["lambda"] == 0 and pooled["riv"] == 0  # reported unfloored
    assert pooled["df"] == pytest.approx(nu_old * nu_obs / (nu_old + nu_obs), rel=1e-13)


def test_t_inference_is_the_t_distribution():
    got = t_inference(1.2, 0.25, 7.5, 0.9)
    assert got["se"] == 0.5 and got["t"] == pytest.approx(2.4)
    assert got["p_value"] == pytest.approx(2 * scipy.stats.t.sf(2.4, 7.5), rel=1e-12)
    half = scipy.stats.t.ppf(0.95, 7.5) * 0.5
    assert (got["ci_low"], got["ci_high"]) == pytest.approx((1.2 - half, 1.2 + half), rel=1e-12)
    assert math.isnan(t_inference(1.0, 0.0, 5, 0.95)["p_value"])


def test_mean_change_is_the_one_sample_mean_and_its_squared_standard_error():
    base = np.array([3.0, 5.0, 4.0, 6.0])
    follow = np.array([[4.0, 5.5, 6.0, 6.0], [1.0, 2.0, 3.0, 4.0]])
    estimates, variances = mean_change(base, follow)
    for row, estimate, variance in zip(follow, estimates, variances):
        assert estimate == pytest.approx(np.mean(row - base))
        assert math.sqrt(variance) == pytest.approx(scipy.stats.sem(row - base), rel=1e-12)


# ------------------------------------------------------------------ the draws


def regression_data(n=60, seed=7):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 10, n)
    y = 2.0 + 3.0 * x + rng.normal(0, 1.5, n)
    return np.column_stack([np.ones(n), x]), y


def test_draws_follow_rubins_recipe_step_by_step():
    # The same generator state, consumed in the documented order, rebuilt with statsmodels' fit:
    # sigma* = sqrt(RSS / chi2(n - p)); beta* = beta_hat + sigma* L z, L L' = (X'X)^-1.
    x, y = regression_data()
    beta, sigma = draw_regression_parameters(x, y, np.random.default_rng(11), size=4)
    fit = sm.OLS(y, x).fit()
    rng = np.random.default_rng(11)
    g = rng.chisquare(fit.df_resid, size=4)
    z = rng.standard_normal((4, 2))
    expected_sigma = np.sqrt(fit.ssr / g)
    chol = np.linalg.cholesky(fit.normalized_cov_params)
    expected_beta = fit.params + expected_sigma[:, None] * (z @ chol.T)
    np.testing.assert_allclose(sigma, expected_sigma, rtol=1e-12)
    np.testing.assert_allclose(beta, expected_beta, rtol=1e-10)


def test_draws_recover_beta_on_average():
    # Fixed seeds: deterministic. The posterior mean of beta is beta_hat, whose own error against
    # the true (2, 3) is a few standard errors at most; E[sigma*^2] = RSS / (df - 2).
    x, y = regression_data()
    beta, sigma = draw_regression_parameters(x, y, np.random.default_rng(3), size=20000)
    fit = sm.OLS(y, x).fit()
    assert np.all(np.abs(beta.mean(axis=0) - fit.params) < 4 * fit.bse / math.sqrt(20000) * 1.2)
    assert np.all(np.abs(fit.params - [2.0, 3.0]) < 4 * fit.bse)
    np.testing.assert_allclose(beta.std(axis=0), fit.bse, rtol=0.05)
    assert np.mean(sigma**2) == pytest.approx(fit.ssr / (fit.df_resid - 2), rel=0.03)


def test_imputed_values_match_the_regression_on_average():
    # 40 observed participants, 10 missing; no earlier visit. Averaged over many imputations the
    # imputed value is the least-squares prediction at each missing participant's baseline.
    x, y = regression_data(n=50, seed=21)
    base, follow = x[:, 1], y.copy()
    follow[40:] = np.nan
    drawn = impute_by_pattern(base, np.empty((50, 0)), follow, 4000, np.random.default_rng(5))
    fit = sm.OLS(y[:40], x[:40]).fit()
    prediction = fit.predict(x[40:])
    spread = np.sqrt(
        fit.scale * (1 + np.einsum("ij,jk,ik->i", x[40:], fit.normalized_cov_params, x[40:]))
    )
    np.testing.assert_array_less(
        np.abs(drawn["values"][:, 40:].mean(axis=0) - prediction), 4 * spread / math.sqrt(4000)
    )
    # Observed values are never touched.
    assert np.array_equal(drawn["values"][:, :40], np.tile(y[:40], (4000, 1)))
    assert drawn["models"] == [
        {"predictors": ["baseline"], "n_missing": 10, "n_fitted": 40, "fallback": False}
    ]


def test_patterns_of_earlier_visits_each_get_their_own_model():
    rng = np.random.default_rng(1)
    n = 30
    base = rng.normal(10, 2, n)
    v1 = base + rng.normal(1, 1, n)
    v2 = v1 + rng.normal(1, 1, n)
    final = v2 + rng.normal(1, 1, n)
    v1[[3, 4, 20]] = np.nan  # 20 is observed at the end: a donor only for models without v1
    v2[[5, 6, 7]] = np.nan
    final[[3, 4, 5, 6, 7, 8, 9]] = np.nan  # 3, 4: v2 only; 5-7: v1 only; 8, 9: both
    earlier = np.column_stack([v1, v2])
    drawn = impute_by_pattern(
        base, earlier, final, 5, np.random.default_rng(2), earlier_names=["v1", "v2"]
    )
    observed = ~np.isnan(final)
    donors_both = int((observed & ~np.isnan(v1) & ~np.isnan(v2)).sum())
    donors_v1 = int((observed & ~np.isnan(v1)).sum())
    donors_v2 = int((observed & ~np.isnan(v2)).sum())
    # Sorted pattern order, most visits first: (v1, v2), (v1), (v2).
    assert drawn["models"] == [
        {
            "predictors": ["baseline", "v1", "v2"],
            "n_missing": 2,
            "n_fitted": donors_both,
            "fallback": False,
        },
        {
            "predictors": ["baseline", "v1"],
            "n_missing": 3,
            "n_fitted": donors_v1,
            "fallback": False,
        },
        {
            "predictors": ["baseline", "v2"],
            "n_missing": 2,
            "n_fitted": donors_v2,
            "fallback": False,
        },
    ]
    # 23 observed at the end; participant 20 has no v1, so only the v2-only model fits on all 23.
    assert (donors_both, donors_v1, donors_v2) == (22, 22, 23)
    # Rebuild the first pattern's draws from the same generator state.
    rng = np.random.default_rng(2)
    rows = np.array([8, 9])
    donors = observed & ~np.isnan(v1) & ~np.isnan(v2)
    design = np.column_stack([np.ones(n), base, v1, v2])
    beta, sigma = draw_regression_parameters(design[donors], final[donors], rng, size=5)
    noise = rng.standard_normal((5, 2))
    np.testing.assert_allclose(
        drawn["values"][:, rows], beta @ design[rows].T + sigma[:, None] * noise, rtol=1e-12
    )


def test_collinear_or_too_few_donors_fall_back_to_baseline_then_intercept():
    base = np.arange(8, dtype=float)
    earlier = (base + 1.0)[:, None]  # collinear with baseline
    follow = np.array([1.0, 3.0, 2.0, 5.0, 4.0, 6.0, np.nan, np.nan])
    drawn = impute_by_pattern(base, earlier, follow, 3, np.random.default_rng(0))
    assert drawn["models"] == [
        {"predictors": ["baseline"], "n_missing": 2, "n_fitted": 6, "fallback": True}
    ]
    constant = np.full(8, 2.0)
    drawn = impute_by_pattern(constant, np.empty((8, 0)), follow, 3, np.random.default_rng(0))
    assert drawn["models"] == [{"predictors": [], "n_missing": 2, "n_fitted": 6, "fallback": True}]
    with pytest.raises(ValueError, match="too few observed"):
        impute_by_pattern(
            base[:4], np.empty((4, 0)), [1.0, 2.0, np.nan, np.nan], 3, np.random.default_rng(0)
        )


# ------------------------------------------------------------------ delta


def test_delta_is_added_to_imputed_values_only_and_pooled_by_hand():
    base = np.array([10.0, 12.0, 9.0, 14.0, 11.0, 13.0])
    missing = np.array([False, False, False, False, True, True])
    completed = np.array(
        [
            [12.0, 15.0, 10.0, 18.0, 12.5, 15.0],
            [12.0, 15.0, 10.0, 18.0, 13.5, 14.0],
            [12.0, 15.0, 10.0, 18.0, 11.0, 16.5],
        ]
    )
    rows = delta_adjusted_mean_change(
        base, completed, missing, [0.0, 1.5], worsening=-1.0, confidence=0.95
    )
    for row in rows:
        shifted = completed.copy()
        shifted[:, missing] -= row["delta"]  # higher is better: worsening is down
        changes = shifted - base
        q = changes.mean(axis=1)
        u = changes.var(axis=1, ddof=1) / 6
        b = q.var(ddof=1)
        t = u.mean() + (1 + 1 / 3) * b
        assert row["estimate"] == pytest.approx(q.mean(), rel=1e-13)
        assert row["total_variance"] == pytest.approx(t, rel=1e-13)
        assert row["se"] == pytest.approx(math.sqrt(t), rel=1e-13)
        assert row["df"] == pytest.approx(barnard_rubin_df(3, b, t, dfcom=5), rel=1e-13)
        assert row["p_value"] == pytest.approx(
            2 * scipy.stats.t.sf(abs(q.mean()) / math.sqrt(t), row["df"]), rel=1e-10
        )
    # Only the 2 imputed of 6 move: the estimate falls by 1.5 x 2 / 6; B does not change.
    assert rows[0]["estimate"] - rows[1]["estimate"] == pytest.approx(0.5, rel=1e-12)
    assert rows[0]["b"] == pytest.approx(rows[1]["b"], rel=1e-12)
    lower = delta_adjusted_mean_change(base, completed, missing, [1.5], worsening=1.0)[0]
    assert lower["estimate"] - rows[0]["estimate"] == pytest.approx(0.5, rel=1e-12)
    with pytest.raises(ValueError, match="worsening"):
        delta_adjusted_mean_change(base, completed, missing, [1.0], worsening=2.0)


# ------------------------------------------------------------------ R mice as referee

R_POOL = r"""
suppressPackageStartupMessages(library(mice))
args <- commandArgs(trailingOnly = TRUE)
long <- read.csv(args[1])
delta <- as.numeric(args[2])
shifted <- long$.imp > 0 & long$imputed == 1
long$follow_up[shifted] <- long$follow_up[shifted] + delta
long$imputed <- NULL
fit <- with(as.mids(long), lm(I(follow_up - baseline) ~ 1))
pooled <- pool(fit)
s <- summary(pooled, conf.int = TRUE, conf.level = 0.95)
p <- pooled$pooled
sets <- split(long[long$.imp > 0, ], long$.imp[long$.imp > 0])
q <- sapply(sets, function(d) mean(d$follow_up - d$baseline))
u <- sapply(sets, function(d) var(d$follow_up - d$baseline) / nrow(d))
scalar <- pool.scalar(q, u, n = nrow(sets[[1]]), k = 1)
out <- c(p$estimate, p$ubar, p$b, p$t, p$df, p$riv, p$lambda, s$p.value,
         s[["2.5 %"]], s[["97.5 %"]],
         scalar$qbar, scalar$t, scalar$df)
cat(sprintf("%.17g", out), sep = "\n")
"""
R_KEYS = (
    "estimate",
    "ubar",
    "b",
    "total_variance",
    "df",
    "riv",
    "lambda",
    "p_value",
    "ci_low",
    "ci_high",
)


def run_r(script: str, *args: str) -> list[float]:
    import subprocess

    result = subprocess.run(
        ["Rscript", "-e", script, *args], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return [float(line) for line in result.stdout.split()]


def mids_long_csv(path, base, completed, missing) -> None:
    """mice's long format: .imp 0 is the observed data (NA where missing), then .imp 1..m."""
    import pandas as pd

    m, n = completed.shape
    frames = [
        pd.DataFrame(
            {
                ".imp": 0,
                ".id": np.arange(1, n + 1),
                "baseline": base,
                "follow_up": np.where(missing, np.nan, completed[0]),
                "imputed": 0,
            }
        )
    ]
    for j in range(m):
        frames.append(
            pd.DataFrame(
                {
                    ".imp": j + 1,
                    ".id": np.arange(1, n + 1),
                    "baseline": base,
                    "follow_up": completed[j],
                    "imputed": missing.astype(int),
                }
            )
        )
    pd.concat(frames).to_csv(path, index=False, float_format="%.17g", na_rep="NA")


@pytest.mark.r_referee
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not installed")
@pytest.mark.parametrize("delta", [0.0, 2.5])
def test_pooling_matches_r_mice_pool(tmp_path, delta):
    # Imputed sets made by the package (two patterns of an earlier visit), pooled by the package
    # and by R: mice::pool of lm(I(follow_up - baseline) ~ 1) fits, and pool.scalar with k = 1.
    rng = np.random.default_rng(44)
    n = 25
    base = rng.normal(20, 4, n)
    earlier = base + rng.normal(2, 2, n)
    follow = earlier + rng.normal(1, 2, n)
    earlier[[0, 1]] = np.nan
    follow[[0, 1, 2, 3, 4, 5]] = np.nan
    drawn = impute_by_pattern(base, earlier[:, None], follow, 7, np.random.default_rng(9))
    assert [model["n_missing"] for model in drawn["models"]] == [4, 2]
    mids_long_csv(tmp_path / "long.csv", base, drawn["values"], drawn["missing"])
    # lower is better here: worsening = +delta, as R adds it
    ours = delta_adjusted_mean_change(
        base, drawn["values"], drawn["missing"], [delta], worsening=1.0
    )[0]
    theirs = run_r(R_POOL, str(tmp_path / "long.csv"), repr(delta))
    assert len(theirs) == len(R_KEYS) + 3
    for key, value in zip(R_KEYS, theirs):
        assert ours[key] == pytest.approx(value, rel=1e-6, abs=1e-12), key
    scalar_qbar, scalar_t, scalar_df = theirs[len(R_KEYS) :]
    assert (ours["estimate"], ours["total_variance"], ours["df"]) == pytest.approx(
        (scalar_qbar, scalar_t, scalar_df), rel=1e-6
    )
