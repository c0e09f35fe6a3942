"""stats.repeated: Friedman test with Kendall's W, and the mixed model of change from baseline.

References: textbook values and hand derivations, scipy.stats.friedmanchisquare, statsmodels'
MixedLM (the same REML maximum) and, where Rscript is installed, R lmerTest::lmer (the
Satterthwaite df, t and p).
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from rapamycin_mecfs.stats.repeated import (
    CHANGE_COLUMNS,
    fit_random_intercept,
    friedman,
    mixed_model_change,
)

# Hollander & Wolfe (1999, Table 7.1), R's ?friedman.test example: times to round first base by
# three methods for 22 players. R: Friedman chi-squared = 11.143, df = 2, p-value = 0.003805.
ROUNDING_TIMES = [
    [5.40, 5.50, 5.55], [5.85, 5.70, 5.75], [5.20, 5.60, 5.50], [5.55, 5.50, 5.40],
    [5.90, 5.85, 5.70], [5.45, 5.55, 5.60], [5.40, 5.40, 5.35], [5.45, 5.50, 5.35],
    [5.25, 5.15, 5.00], [5.85, 5.80, 5.70], [5.25, 5.20, 5.10], [5.65, 5.55, 5.45],
    [5.60, 5.35, 5.45], [5.05, 5.00, 4.95], [5.50, 5.50, 5.40], [5.45, 5.55, 5.50],
    [5.55, 5.55, 5.35], [5.45, 5.50, 5.55], [5.50, 5.45, 5.25], [5.65, 5.60, 5.40],
    [5.70, 5.65, 5.55], [6.30, 6.30, 6.25],
]  # fmt: skip


def test_friedman_textbook_example_by_hand():
    wide = pd.DataFrame(ROUNDING_TIMES, columns=["round_out", "narrow_angle", "wide_angle"])
    result = friedman(wide)
    n, k = 22, 3
    # Rank sums within players are 53, 47, 32; players 7, 15, 17 and 22 each have one pair tied.
    rank_sums = np.array([53.0, 47.0, 32.0])
    uncorrected = 12 / (n * k * (k + 1)) * np.sum(rank_sums**2) - 3 * n * (k + 1)  # 117/11
    tie_factor = 1 - 4 * (2**3 - 2) / (n * (k**3 - k))  # 21/22
    assert uncorrected / tie_factor == pytest.approx(78 / 7)
    assert result["chi2"] == pytest.approx(78 / 7, rel=1e-12)
    assert result["chi2"] == pytest.approx(11.143, abs=5e-4)  # R's printed value
    assert result["p_value"] == pytest.approx(0.003805, abs=5e-7)  # R's printed value
    assert result["p_value"] == pytest.approx(
        math.exp(-(78 / 7) / 2), rel=1e-12
    )  # chi2(2) tail = exp(-x/2)
    assert result["df"] == 2 and result["n"] == 22 and result["k"] == 3
    assert result["kendall_w"] == pytest.approx((78 / 7) / (22 * 2), rel=1e-12)
    assert result["mean_ranks"] == pytest.approx(
        {"round_out": 53 / 22, "narrow_angle": 47 / 22, "wide_angle": 32 / 22}
    )


def test_friedman_matches_scipy_on_random_data():
    rng = np.random.default_rng(3)
    values = np.round(rng.normal(size=(15, 4)) + [0, 0.3, 0.6, 0.9], 1)
    ties = sum(len(row) - len(np.unique(row)) for row in values)
    assert ties > 0  # rounding to 0.1 makes ties: the tie correction is exercised
    result = friedman(pd.DataFrame(values, columns=["T0", "T1", "T2", "T3"]))
    t0, t1, t2, t3 = values.T
    reference = scipy.stats.friedmanchisquare(t0, t1, t2, t3)
    assert result["chi2"] == pytest.approx(reference.statistic, rel=1e-12)
    assert result["p_value"] == pytest.approx(reference.pvalue, rel=1e-12)
    assert result["kendall_w"] == pytest.approx(reference.statistic / (15 * 3), rel=1e-12)
    assert result["df"] == 3 and "R friedman.test" in result["method"]


def test_friedman_ignores_row_and_column_labels():
    # Repeated participant labels and unsorted visit labels: the test works on positions.
    values = np.array([[3.0, 1.0, 2.0], [2.0, 1.0, 3.0], [3.0, 2.0, 1.0], [1.0, 2.0, 3.0]])
    wide = pd.DataFrame(values, columns=["T2", "T0", "T1"], index=["P1", "P1", "P2", "P3"])
    result = friedman(wide)
    reference = scipy.stats.friedmanchisquare(values[:, 0], values[:, 1], values[:, 2])
    assert result["n"] == 4 and result["chi2"] == pytest.approx(reference.statistic, rel=1e-12)
    # Rank sums 9, 6, 9: chi2 = 12 / (4 * 3 * 4) * (81 + 36 + 81) - 3 * 4 * 4 = 1.5.
    assert result["chi2"] == pytest.approx(1.5, rel=1e-12)
    assert result["mean_ranks"] == pytest.approx({"T2": 9 / 4, "T0": 6 / 4, "T1": 9 / 4})


def test_friedman_rejects_missing_values_and_two_visits():
    with pytest.raises(ValueError, match="missing"):
        friedman(pd.DataFrame({"T0": [1.0, 2.0], "T1": [2.0, np.nan], "T2": [3.0, 1.0]}))
    with pytest.raises(ValueError, match="at least 3"):
        friedman(pd.DataFrame({"T0": [1.0, 2.0], "T1": [2.0, 3.0]}))


# --- mixed_model_change ---------------------------------------------------------------------

VISITS = ["T0", "T1", "T2", "T3"]
TERMS = {v: f"C(visit, Treatment(reference='T0'))[T.{v}]" for v in VISITS[1:]}


def simulated(n=24, seed=11, missing=0.0, participant_sd=8.0):
    rng = np.random.default_rng(seed)
    ids = [f"RAP-{i:03d}" for i in range(1, n + 1)]
    frame = pd.DataFrame({"participant_id": np.repeat(ids, 4), "visit": np.tile(VISITS, n)})
    frame["value"] = (
        40
        + np.repeat(rng.normal(0, participant_sd, n), 4)
        + np.tile([0.0, 3.0, 5.0, 6.0], n)
        + rng.normal(0, 5, 4 * n)
    )
    if missing:
        drop = (rng.random(4 * n) < missing) & (frame["visit"] != "T0")
        frame.loc[drop, "value"] = np.nan
    return frame.sample(frac=1, random_state=1)  # row order must not matter


def direct_statsmodels(frame):
    """statsmodels' REML fit with explicit settings, as the reference.

    statsmodels stops after the first method in ``method`` that converges, so in practice this
    is Powell; its default tolerances (xtol = ftol = 1e-4) leave the estimates up to ~2e-4 off
    the REML maximum on some small unbalanced data sets, hence the tight tolerances.
    """
    import statsmodels.formula.api as smf

    data = frame.dropna(subset=["value"])
    model = smf.mixedlm(
        "value ~ C(visit, Treatment(reference='T0'))", data, groups=data["participant_id"]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # boundary / convergence notes; the checks below decide
        return model.fit(reml=True, method=["powell", "lbfgs"], xtol=1e-10, ftol=1e-12)


def design(frame):
    """Observed rows as (X with intercept and visit dummies, y, participant codes)."""
    data = frame.dropna(subset=["value"])
    exog = np.column_stack(
        [np.ones(len(data))] + [(data["visit"] == v).to_numpy(float) for v in VISITS[1:]]
    )
    return exog, data["value"].to_numpy(float), pd.factorize(data["participant_id"])[0]


def dense_gls(frame, re_variance, scale):
    """GLS with the full covariance V = scale I + re_variance J per participant, one block at a
    time.

    Returns (beta, (X'V^-1X)^-1, REML log-likelihood with the scale profiled out, as in
    statsmodels).
    """
    exog, y, groups = design(frame)
    xtvx, xtvy, blocks = 0.0, 0.0, []
    for g in range(groups.max() + 1):
        rows = groups == g
        v_inv = np.linalg.inv(scale * np.eye(rows.sum()) + re_variance)
        xtvx = xtvx + exog[rows].T @ v_inv @ exog[rows]
        xtvy = xtvy + exog[rows].T @ v_inv @ y[rows]
        blocks.append((rows, v_inv))
    cov = np.linalg.inv(xtvx)
    beta = cov @ xtvy
    n, p = exog.shape
    # Profile the scale: with V = scale V0, r'V0^-1 r / (n - p) maximises the REML criterion.
    rss = (
        sum(
            (y[rows] - exog[rows] @ beta) @ v_inv @ (y[rows] - exog[rows] @ beta)
            for rows, v_inv in blocks
        )
        * scale
    )
    logdet_v0 = sum(
        np.linalg.slogdet(np.eye(rows.sum()) + re_variance / scale)[1] for rows, _ in blocks
    )
    logdet_a = np.linalg.slogdet(xtvx * scale)[1]
    df = n - p
    llf = -0.5 * (df * np.log(rss / df) + logdet_v0 + logdet_a + df * (1 + np.log(2 * np.pi)))
    return beta, cov, llf


def assert_matches_statsmodels(frame, *, se_against_bse):
    """Same REML maximum as statsmodels: estimates, llf, and (X'V^-1X)^-1 at statsmodels'
    estimates."""
    result = mixed_model_change(frame, visits=VISITS).set_index("visit")
    exog, y, groups = design(frame)
    ours = fit_random_intercept(exog, y, groups)
    reference = direct_statsmodels(frame)
    # Our maximum is never lower than statsmodels' and at most a hair higher (statsmodels
    # approaches a boundary tau^2 = 0 through its square-root parameter, never reaching it).
    assert ours.llf >= reference.llf - 1e-9
    assert ours.llf - reference.llf < 1e-6
    _, reference_cov, reference_llf = dense_gls(
        frame, float(reference.cov_re.iloc[0, 0]), reference.scale
    )
    assert reference_llf == pytest.approx(
        reference.llf, abs=1e-8
    )  # the criterion is statsmodels' llf
    for k, visit in enumerate(VISITS[1:], start=1):
        term = TERMS[visit]
        assert result.loc[visit, "estimate"] == pytest.approx(reference.fe_params[term], abs=1e-5)
        assert result.loc[visit, "se"] == pytest.approx(math.sqrt(reference_cov[k, k]), rel=1e-6)
        if se_against_bse:  # then the ratio estimate / se is statsmodels' too
            assert result.loc[visit, "se"] == pytest.approx(reference.bse_fe[term], rel=1e-6)
            assert result.loc[visit, "t"] == pytest.approx(reference.tvalues[term], rel=1e-5)
    assert result["converged"].all()
    return ours, reference


def test_balanced_data_estimates_are_differences_of_visit_means():
    frame = simulated()
    result = mixed_model_change(frame, visits=VISITS)
    assert list(result.columns) == CHANGE_COLUMNS
    assert list(result["visit"]) == ["T1", "T2", "T3"]
    means = frame.groupby("visit")["value"].mean()
    np.testing.assert_allclose(
        result["estimate"], means[["T1", "T2", "T3"]] - means["T0"], rtol=0, atol=1e-8
    )
    assert (
        (result["n_obs"] == 96).all()
        and (result["n_participants"] == 24).all()
        and (result["n_visit"] == 24).all()
    )
    assert result["converged"].all()
    assert "random intercept per participant, REML" in result["method"].iloc[0]
    assert "assumes missing at random" in result["method"].iloc[0]


def test_balanced_data_by_hand_two_way_anova():
    # Complete balanced data: REML gives sigma_e^2 = residual mean square of the participant x
    # visit ANOVA and tau^2 = (MS_participant - MS_residual) / k (when positive), the change
    # estimates are differences of visit means and Var(change) = 2 sigma_e^2 / n.
    frame = simulated(n=20, seed=4)
    wide = frame.pivot(index="participant_id", columns="visit", values="value")[VISITS].to_numpy()
    n, k = wide.shape
    residual = wide - wide.mean(axis=1, keepdims=True) - wide.mean(axis=0) + wide.mean()
    ms_residual = (residual**2).sum() / ((n - 1) * (k - 1))
    ms_participant = k * ((wide.mean(axis=1) - wide.mean()) ** 2).sum() / (n - 1)
    assert ms_participant > ms_residual  # tau^2 > 0: not at the boundary

    result = mixed_model_change(frame, visits=VISITS)
    np.testing.assert_allclose(
        result["estimate"], wide.mean(axis=0)[1:] - wide.mean(axis=0)[0], rtol=0, atol=1e-9
    )
    np.testing.assert_allclose(result["se"], math.sqrt(2 * ms_residual / n), rtol=1e-7)
    # The change is then the paired contrast of the two-way ANOVA: t on its error df.
    error_df = (n - 1) * (k - 1)
    np.testing.assert_allclose(result["df"], error_df, rtol=1e-9)
    t = result["estimate"] / result["se"]
    np.testing.assert_allclose(result["t"], t, rtol=1e-15)
    p_value = 2 * scipy.stats.t.sf(np.abs(t), error_df)
    np.testing.assert_allclose(result["p_value"], p_value, rtol=1e-7)
    t_crit = 2.0024654592910069  # qt(0.975, 57) in R
    assert scipy.stats.t.ppf(0.975, error_df) == pytest.approx(t_crit, rel=1e-14)
    width = result["ci_high"] - result["ci_low"]
    np.testing.assert_allclose(width, 2 * t_crit * result["se"], rtol=1e-9)
    fit = fit_random_intercept(*design(frame))
    assert fit.scale == pytest.approx(ms_residual, rel=1e-7)
    assert fit.re_variance == pytest.approx((ms_participant - ms_residual) / k, rel=1e-6)


def test_vectorised_algebra_matches_dense_matrices():
    # At our own variance estimates, the pooled within/between sums reproduce GLS with the full V.
    frame = simulated(n=15, seed=8, missing=0.3)
    fit = fit_random_intercept(*design(frame))
    beta, cov, llf = dense_gls(frame, fit.re_variance, fit.scale)
    np.testing.assert_allclose(fit.fe_params, beta, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(fit.cov_fe, cov, rtol=1e-9, atol=1e-12)
    assert fit.llf == pytest.approx(llf, abs=1e-9)


def test_matches_statsmodels_on_balanced_data():
    ours, reference = assert_matches_statsmodels(simulated(seed=5), se_against_bse=True)
    assert ours.re_variance == pytest.approx(float(reference.cov_re.iloc[0, 0]), rel=1e-5)
    assert ours.scale == pytest.approx(reference.scale, rel=1e-6)


def test_matches_statsmodels_with_30_percent_missing():
    frame = simulated(n=40, seed=5, missing=0.3)
    ours, reference = assert_matches_statsmodels(frame, se_against_bse=False)
    assert ours.re_variance == pytest.approx(float(reference.cov_re.iloc[0, 0]), rel=1e-5)


def test_matches_statsmodels_when_the_participant_variance_is_at_the_boundary():
    frame = simulated(n=8, seed=2, missing=0.3, participant_sd=0.0)
    ours, reference = assert_matches_statsmodels(frame, se_against_bse=False)
    assert ours.re_variance == 0.0 and float(reference.cov_re.iloc[0, 0]) < 1e-6
    # At tau^2 = 0 the fit is ordinary least squares.
    exog, y, _ = design(frame)
    ols, ss, _, _ = np.linalg.lstsq(exog, y, rcond=None)
    np.testing.assert_allclose(ours.fe_params, ols, atol=1e-9)
    np.testing.assert_allclose(
        ours.cov_fe, ss[0] / (len(y) - 4) * np.linalg.inv(exog.T @ exog), rtol=1e-9
    )
    assert "boundary 0" in mixed_model_change(frame, visits=VISITS)["method"].iloc[0]


# Trial-sized data sets: each combination of missing share and participant SD once, n from 6 to
# 60, two of them tiny (small unbalanced sets are where statsmodels' optimiser stops short).
# Drawn from default_rng(20240611): n in [5, 60], seed below 1e6, missing and SD from the grid.
TRIAL_SIZED = [
    (31, 189640, 0.2, 8.0),
    (18, 265712, 0.3, 0.0),
    (6, 936264, 0.2, 2.0),
    (57, 677337, 0.3, 8.0),
    (23, 286341, 0.0, 8.0),
    (7, 933798, 0.2, 2.0),
    (21, 897957, 0.0, 2.0),
    (60, 923149, 0.2, 0.0),
    (37, 491724, 0.0, 0.0),
    (14, 432651, 0.3, 2.0),
]


@pytest.mark.parametrize(
    "n, seed, missing, participant_sd",
    TRIAL_SIZED,
    ids=[f"n{n}-missing{m}-sd{sd:g}" for n, _, m, sd in TRIAL_SIZED],
)
def test_matches_statsmodels_on_trial_sized_data_sets(n, seed, missing, participant_sd):
    frame = simulated(n=n, seed=seed, missing=missing, participant_sd=participant_sd)
    assert_matches_statsmodels(frame, se_against_bse=False)


def test_se_differs_from_statsmodels_only_by_its_cross_term():
    # statsmodels' bse_fe inverts the whole observed Hessian of the REML criterion in
    # (beta, gamma); on unbalanced data the beta-gamma block is not 0, which widens its SEs a
    # little. Dropping that block (inverting the beta block alone) gives (X'V^-1X)^-1, ours.
    frame = simulated(n=30, seed=2, missing=0.3)
    result = mixed_model_change(frame, visits=VISITS).set_index("visit")
    reference = direct_statsmodels(frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hessian, _ = reference.model.hessian(reference.params_object)
    p = len(VISITS)
    beta_block = np.sqrt(np.diag(np.linalg.inv(-hessian[:p, :p])))
    whole = np.sqrt(np.diag(np.linalg.inv(-hessian))[:p])
    np.testing.assert_allclose(whole, reference.bse_fe.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(result["se"], beta_block[1:], rtol=1e-6)
    relative = result["se"].to_numpy() / reference.bse_fe.to_numpy()[1:] - 1
    assert np.all(relative < 0) and np.all(relative > -0.01)


# --- Satterthwaite degrees of freedom --------------------------------------------------------


def dense_deviance(frame, scale, re_variance):
    """REML deviance -2 l_R at (sigma^2, tau^2), sigma^2 not profiled, and (X'V^-1X)^-1.

    Built from the full V = sigma^2 I + tau^2 J of each participant, one block at a time:
    (n - p) log 2 pi + log|V| + log|X'V^-1X| + r'V^-1 r, r the GLS residual.
    """
    exog, y, groups = design(frame)
    xtvx, xtvy, logdet_v, blocks = 0.0, 0.0, 0.0, []
    for g in range(groups.max() + 1):
        rows = groups == g
        v = scale * np.eye(rows.sum()) + re_variance
        v_inv = np.linalg.inv(v)
        logdet_v += np.linalg.slogdet(v)[1]
        xtvx = xtvx + exog[rows].T @ v_inv @ exog[rows]
        xtvy = xtvy + exog[rows].T @ v_inv @ y[rows]
        blocks.append((rows, v_inv))
    beta = np.linalg.solve(xtvx, xtvy)
    quadratic = sum(
        (y[r] - exog[r] @ beta) @ v_inv @ (y[r] - exog[r] @ beta) for r, v_inv in blocks
    )
    n, p = exog.shape
    deviance = (n - p) * math.log(2 * math.pi) + logdet_v + np.linalg.slogdet(xtvx)[1] + quadratic
    return deviance, np.linalg.inv(xtvx)


def richardson(derivative, step):
    """Central difference at ``step`` and ``step / 2`` combined: error O(step^4)."""
    return (4 * derivative(step / 2) - derivative(step)) / 3


def test_satterthwaite_df_matches_finite_differences_of_the_dense_deviance():
    # Independent of the package's reduced sums and analytic derivatives: another
    # parametrisation (sigma^2, tau^2), the full V, numerical derivatives. The df are the same
    # in every parametrisation only at the exact maximum; the fit's gradient in gamma is about
    # 1e-7 (the limit of a search on the criterion's value), which leaves 4e-8 between the two
    # (in the package's own (sigma^2, gamma) the same differences agree to 5e-9).
    frame = simulated(n=15, seed=8, missing=0.3)
    fit = fit_random_intercept(*design(frame))
    assert fit.re_variance > 0
    theta = np.array([fit.scale, fit.re_variance])

    def at(shift):
        return dense_deviance(frame, *(theta + shift))

    unit = np.eye(2) * theta  # steps relative to each parameter
    hessian = np.empty((2, 2))
    for i in range(2):
        for j in range(2):

            def second(h, i=i, j=j):
                e_i, e_j = h * unit[i], h * unit[j]
                corners = at(e_i + e_j)[0] - at(e_i - e_j)[0] - at(e_j - e_i)[0] + at(-e_i - e_j)[0]
                return corners / (4 * h * h * theta[i] * theta[j])

            hessian[i, j] = richardson(second, 1e-3)
    gradient = np.array(
        [
            richardson(
                lambda h, i=i: (
                    (np.diag(at(h * unit[i])[1]) - np.diag(at(-h * unit[i])[1]))
                    / (2 * h * theta[i])
                ),
                1e-3,
            )
            for i in range(2)
        ]
    )
    variance = np.diag(at(np.zeros(2))[1])
    covariance = 2 * np.linalg.inv(hessian)  # of (sigma^2-hat, tau^2-hat)
    expected = 2 * variance**2 / np.einsum("ij,ik,kj->j", gradient, covariance, gradient)
    np.testing.assert_allclose(fit.df_fe, expected, rtol=1e-7)
    result = mixed_model_change(frame, visits=VISITS)
    np.testing.assert_allclose(result["df"], expected[1:], rtol=1e-7)


@pytest.mark.parametrize("seed, n, visits", [(4, 20, VISITS), (6, 12, VISITS), (9, 30, VISITS[:3])])
def test_balanced_complete_data_df_is_the_repeated_measures_error_df(seed, n, visits):
    # Complete balanced data: Var(change) = 2 sigma^2 / n does not depend on tau^2, so
    # g = (2 / n, 0) in (sigma^2, tau^2) and df = 2 sigma^4 / Var(sigma^2-hat); the REML
    # sigma^2-hat is the residual mean square of the participant x visit ANOVA, with variance
    # 2 sigma^4 / ((n - 1)(k - 1)): df = (n - 1)(k - 1), the classical error df.
    frame = simulated(n=n, seed=seed)
    frame = frame[frame["visit"].isin(visits)]
    result = mixed_model_change(frame, visits=visits)
    assert "estimated at the boundary" not in result["method"].iloc[0]  # an interior maximum
    k = len(visits)
    np.testing.assert_allclose(result["df"], (n - 1) * (k - 1), rtol=1e-9)
    t_crit = scipy.stats.t.ppf(0.975, (n - 1) * (k - 1))
    low = result["estimate"] - t_crit * result["se"]
    np.testing.assert_allclose(result["ci_low"], low, rtol=1e-9)


def test_boundary_df_is_the_least_squares_residual_df():
    # tau^2 = 0: lmerTest's deviance is even in tau / sigma, so only sigma enters and the df
    # are those of sigma^2-hat = RSS / (n - p): n - p (checked against lmerTest below).
    frame = simulated(n=8, seed=2, missing=0.3, participant_sd=0.0)
    result = mixed_model_change(frame, visits=VISITS)
    fit = fit_random_intercept(*design(frame))
    assert fit.re_variance == 0.0
    n_obs = int(result["n_obs"].iloc[0])
    assert (result["df"] == n_obs - 4).all() and (fit.df_fe == n_obs - 4).all()
    assert "least-squares residual df" in result["method"].iloc[0]


# --- R lmerTest as referee -------------------------------------------------------------------

LMER_TEST = r"""
suppressPackageStartupMessages(library(lmerTest))
d <- read.csv(file("stdin"))
d$visit <- factor(d$visit, levels = c("T0", "T1", "T2", "T3"))
fit <- lmerTest::lmer(value ~ visit + (1 | participant_id), data = d, REML = TRUE)
co <- summary(fit)$coefficients
vc <- as.data.frame(VarCorr(fit))
cat("term,estimate,se,df,t,p_value\n")
cat(sprintf("%s,%.17g,%.17g,%.17g,%.17g,%.17g\n", rownames(co), co[, "Estimate"],
            co[, "Std. Error"], co[, "df"], co[, "t value"], co[, "Pr(>|t|)"]), sep = "")
cat(sprintf("variance_%s,%.17g,,,,\n", vc$grp, vc$vcov), sep = "")
"""


def lmer_test(frame):
    """R lmerTest::lmer(value ~ visit + (1 | participant_id), REML = TRUE) on the observed rows."""
    data = frame.dropna(subset=["value"])[["participant_id", "visit", "value"]]
    run = subprocess.run(
        [shutil.which("Rscript"), "--vanilla", "-e", LMER_TEST],
        input=data.to_csv(index=False, float_format="%.17g"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    return pd.read_csv(io.StringIO(run.stdout), index_col="term"), run.stderr


needs_r = pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not installed")


@pytest.mark.r_referee
@needs_r
@pytest.mark.parametrize(
    "n, seed, missing, participant_sd",
    [
        (15, 8, 0.3, 8.0),
        (40, 5, 0.3, 8.0),
        (30, 3, 0.2, 2.0),
    ],
)
def test_satterthwaite_matches_lmertest_on_unbalanced_data(n, seed, missing, participant_sd):
    frame = simulated(n=n, seed=seed, missing=missing, participant_sd=participant_sd)
    result = mixed_model_change(frame, visits=VISITS).set_index("visit")
    reference, _ = lmer_test(frame)
    fit = fit_random_intercept(*design(frame))
    assert fit.re_variance > 0 and frame["value"].isna().any()
    # lme4's optimiser stops about 1e-8 relative from the maximum (measured up to 1.3e-8 for t
    # and 8.5e-8 for p): both limits have a tenfold margin.
    for visit in VISITS[1:]:
        want = reference.loc[f"visit{visit}"]
        for column in ("estimate", "se", "df", "t"):
            assert result.loc[visit, column] == pytest.approx(want[column], rel=1e-7), column
        assert result.loc[visit, "p_value"] == pytest.approx(want["p_value"], rel=1e-6)
    variances = reference["estimate"]
    assert fit.re_variance == pytest.approx(variances["variance_participant_id"], rel=1e-6)
    assert fit.scale == pytest.approx(variances["variance_Residual"], rel=1e-6)


@pytest.mark.r_referee
@needs_r
def test_boundary_df_matches_lmertest():
    frame = simulated(n=8, seed=2, missing=0.3, participant_sd=0.0)
    result = mixed_model_change(frame, visits=VISITS).set_index("visit")
    reference, messages = lmer_test(frame)
    assert "singular" in messages  # lme4 also puts tau^2 at 0
    for visit in VISITS[1:]:
        want = reference.loc[f"visit{visit}"]
        assert result.loc[visit, "df"] == pytest.approx(want["df"], rel=1e-9)
        for column in ("estimate", "se", "t", "p_value"):
            assert result.loc[visit, column] == pytest.approx(want[column], rel=1e-9), column


def test_constant_participants_raise_linalg_error():
    # No variation within participants: sigma^2 = 0 fits and the REML criterion is unbounded.
    frame = simulated(n=6).assign(value=lambda f: f["participant_id"].str[-1].astype(float))
    with pytest.raises(np.linalg.LinAlgError, match="singular"):
        mixed_model_change(frame, visits=VISITS)


def test_missing_values_are_dropped_and_counted():
    frame = simulated(missing=0.25, seed=5)
    result = mixed_model_change(frame, visits=VISITS)
    observed = frame.dropna(subset=["value"])
    assert (result["n_obs"] == len(observed)).all()
    assert list(result["n_visit"]) == [
        int((observed["visit"] == v).sum()) for v in ["T1", "T2", "T3"]
    ]
    n_missing = int(frame["value"].isna().sum())
    assert n_missing > 0 and f"{n_missing} missing value(s) dropped" in result["method"].iloc[0]


def test_deterministic_and_restricted_to_the_listed_visits():
    frame = simulated(missing=0.25, seed=9)
    first = mixed_model_change(frame, visits=VISITS)
    pd.testing.assert_frame_equal(first, mixed_model_change(frame, visits=VISITS))
    three = mixed_model_change(frame, visits=["T0", "T1", "T2"])
    assert list(three["visit"]) == ["T1", "T2"]
    assert three["n_obs"].iloc[0] == frame[frame["visit"] != "T3"]["value"].notna().sum()


def test_bad_tables_raise():
    frame = simulated(n=6)
    with pytest.raises(ValueError, match="more than one row"):
        mixed_model_change(pd.concat([frame, frame.iloc[:1]]), visits=VISITS)
    empty_t3 = frame.assign(value=np.where(frame["visit"] == "T3", np.nan, frame["value"]))
    with pytest.raises(ValueError, match="no observed values"):
        mixed_model_change(empty_t3, visits=VISITS)
    with pytest.raises(ValueError, match="column"):
        mixed_model_change(frame.rename(columns={"value": "score"}), visits=VISITS)
    with pytest.raises(ValueError, match="4 observation"):  # one participant: no residual df
        mixed_model_change(frame[frame["participant_id"] == "RAP-001"], visits=VISITS)


def _misaligned(array: np.ndarray) -> np.ndarray:
    """The same values in memory starting 8 bytes off the usual 16-byte alignment."""
    buffer = np.empty(array.size + 1, dtype=array.dtype)
    shifted = buffer[1:].reshape(array.shape)
    shifted[...] = array
    return shifted


def test_fit_is_bit_identical_whatever_the_alignment_or_blas_threads():
    """Two runs must write the same digits: at 30,000 rows a BLAS sum changed the last bits with its
    thread split or alignment, and the REML optimum moved by about 1e-8 relative."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(7)
    groups = np.repeat(np.arange(10000), 4)
    visit = np.tile(np.arange(4), 10000)
    keep = rng.random(groups.size) > 0.25
    exog = np.column_stack(
        [np.ones(groups.size)] + [(visit == v).astype(float) for v in (1, 2, 3)]
    )[keep]
    endog = (50 + 3 * visit + rng.normal(0, 8, 10000)[groups] + rng.normal(0, 5, groups.size))[keep]
    groups = np.unique(groups[keep], return_inverse=True)[1].reshape(-1)
    reference = fit_random_intercept(exog, endog, groups)
    with threadpool_limits(limits=1, user_api="blas"):
        single = fit_random_intercept(_misaligned(exog.T.copy()).T, _misaligned(endog), groups)
    for name in ("fe_params", "cov_fe"):
        assert np.array_equal(getattr(reference, name), getattr(single, name)), name
    assert (reference.scale, reference.re_variance, reference.llf) == (
        single.scale,
        single.re_variance,
        single.llf,
    )
