"""stats.repeated: Friedman test with Kendall's W, and the mixed model of change from baseline."""

from __future__ import annotations

import math
import time
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
    assert result["p_value"] == pytest.approx(math.exp(-(78 / 7) / 2), rel=1e-12)  # chi2(2) tail = exp(-x/2)
    assert result["df"] == 2 and result["n"] == 22 and result["k"] == 3
    assert result["kendall_w"] == pytest.approx((78 / 7) / (22 * 2), rel=1e-12)
    assert result["mean_ranks"] == pytest.approx({"round_out": 53 / 22, "narrow_angle": 47 / 22, "wide_angle": 32 / 22})


def test_friedman_matches_scipy_on_random_data():
    rng = np.random.default_rng(3)
    values = np.round(rng.normal(size=(15, 4)) + [0, 0.3, 0.6, 0.9], 1)
    result = friedman(pd.DataFrame(values, columns=["T0", "T1", "T2", "T3"]))
    reference = scipy.stats.friedmanchisquare(*values.T)
    assert result["chi2"] == pytest.approx(reference.statistic, rel=1e-12)
    assert result["p_value"] == pytest.approx(reference.pvalue, rel=1e-12)
    assert result["kendall_w"] == pytest.approx(reference.statistic / (15 * 3), rel=1e-12)


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
    model = smf.mixedlm("value ~ C(visit, Treatment(reference='T0'))", data, groups=data["participant_id"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # boundary / convergence notes; the checks below decide
        return model.fit(reml=True, method=["powell", "lbfgs"], xtol=1e-10, ftol=1e-12)


def design(frame):
    """Observed rows as (X with intercept and visit dummies, y, participant codes)."""
    data = frame.dropna(subset=["value"])
    exog = np.column_stack([np.ones(len(data))] + [(data["visit"] == v).to_numpy(float) for v in VISITS[1:]])
    return exog, data["value"].to_numpy(float), pd.factorize(data["participant_id"])[0]


def dense_gls(frame, re_variance, scale):
    """GLS with the full covariance V = scale I + re_variance J per participant, one block at a time.

    Returns (beta, (X'V^-1X)^-1, REML log-likelihood with the scale profiled out, as in statsmodels).
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
    rss = sum((y[rows] - exog[rows] @ beta) @ v_inv @ (y[rows] - exog[rows] @ beta) for rows, v_inv in blocks) * scale
    logdet_v0 = sum(np.linalg.slogdet(np.eye(rows.sum()) + re_variance / scale)[1] for rows, _ in blocks)
    logdet_a = np.linalg.slogdet(xtvx * scale)[1]
    df = n - p
    llf = -0.5 * (df * np.log(rss / df) + logdet_v0 + logdet_a + df * (1 + np.log(2 * np.pi)))
    return beta, cov, llf


def assert_matches_statsmodels(frame, *, se_against_bse):
    """Same REML maximum as statsmodels: estimates, llf, and (X'V^-1X)^-1 at statsmodels' estimates."""
    result = mixed_model_change(frame, visits=VISITS).set_index("visit")
    exog, y, groups = design(frame)
    ours = fit_random_intercept(exog, y, groups)
    reference = direct_statsmodels(frame)
    # Our maximum is never lower than statsmodels' and at most a hair higher (statsmodels
    # approaches a boundary tau^2 = 0 through its square-root parameter, never reaching it).
    assert ours.llf >= reference.llf - 1e-9
    assert ours.llf - reference.llf < 1e-6
    _, reference_cov, reference_llf = dense_gls(frame, float(reference.cov_re.iloc[0, 0]), reference.scale)
    assert reference_llf == pytest.approx(reference.llf, abs=1e-8)  # the criterion is statsmodels' llf
    for k, visit in enumerate(VISITS[1:], start=1):
        term = TERMS[visit]
        assert result.loc[visit, "estimate"] == pytest.approx(reference.fe_params[term], abs=1e-5)
        assert result.loc[visit, "se"] == pytest.approx(math.sqrt(reference_cov[k, k]), rel=1e-6)
        if se_against_bse:  # then the Wald CI and p-value are statsmodels' too
            assert result.loc[visit, "se"] == pytest.approx(reference.bse_fe[term], rel=1e-6)
            ci = reference.conf_int(alpha=0.05).loc[term]
            assert [result.loc[visit, "ci_low"], result.loc[visit, "ci_high"]] == pytest.approx(list(ci), abs=1e-5)
            assert result.loc[visit, "p_value"] == pytest.approx(reference.pvalues[term], rel=1e-5, abs=1e-14)
    assert result["converged"].all()
    return ours, reference


def test_balanced_data_estimates_are_differences_of_visit_means():
    frame = simulated()
    result = mixed_model_change(frame, visits=VISITS)
    assert list(result.columns) == CHANGE_COLUMNS
    assert list(result["visit"]) == ["T1", "T2", "T3"]
    means = frame.groupby("visit")["value"].mean()
    np.testing.assert_allclose(result["estimate"], means[["T1", "T2", "T3"]] - means["T0"], rtol=0, atol=1e-8)
    assert (result["n_obs"] == 96).all() and (result["n_participants"] == 24).all() and (result["n_visit"] == 24).all()
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
    np.testing.assert_allclose(result["estimate"], wide.mean(axis=0)[1:] - wide.mean(axis=0)[0], rtol=0, atol=1e-9)
    np.testing.assert_allclose(result["se"], math.sqrt(2 * ms_residual / n), rtol=1e-7)
    z = result["estimate"] / result["se"]
    np.testing.assert_allclose(result["p_value"], 2 * scipy.stats.norm.sf(np.abs(z)), rtol=1e-12)
    np.testing.assert_allclose(result["ci_high"] - result["ci_low"], 2 * 1.959963984540054 * result["se"], rtol=1e-12)
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
    np.testing.assert_allclose(ours.cov_fe, ss[0] / (len(y) - 4) * np.linalg.inv(exog.T @ exog), rtol=1e-9)
    assert "boundary 0" in mixed_model_change(frame, visits=VISITS)["method"].iloc[0]


def test_matches_statsmodels_on_trial_sized_data_sets():
    rng = np.random.default_rng(20240611)
    for _ in range(24):
        n = int(rng.integers(5, 61))
        frame = simulated(n=n, seed=int(rng.integers(1_000_000)), missing=float(rng.choice([0.0, 0.2, 0.3])),
                          participant_sd=float(rng.choice([0.0, 2.0, 8.0])))
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


def test_ten_thousand_participants_fit_fast():
    frame = simulated(n=10_000, seed=1, missing=0.2)
    start = time.perf_counter()
    result = mixed_model_change(frame, visits=VISITS)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0  # about 0.15 s on a 2-core machine; statsmodels MixedLM took about 100 s
    assert result["converged"].all() and (result["n_participants"] == 10_000).all()
    np.testing.assert_allclose(result["estimate"], [3.0, 5.0, 6.0], atol=0.3)


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
    assert list(result["n_visit"]) == [int((observed["visit"] == v).sum()) for v in ["T1", "T2", "T3"]]
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
    exog = np.column_stack([np.ones(groups.size)] + [(visit == v).astype(float) for v in (1, 2, 3)])[keep]
    endog = (50 + 3 * visit + rng.normal(0, 8, 10000)[groups] + rng.normal(0, 5, groups.size))[keep]
    groups = np.unique(groups[keep], return_inverse=True)[1].reshape(-1)
    reference = fit_random_intercept(exog, endog, groups)
    with threadpool_limits(limits=1, user_api="blas"):
        single = fit_random_intercept(_misaligned(exog.T.copy()).T, _misaligned(endog), groups)
    for name in ("fe_params", "cov_fe"):
        assert np.array_equal(getattr(reference, name), getattr(single, name)), name
    assert (reference.scale, reference.re_variance, reference.llf) == (single.scale, single.re_variance, single.llf)
