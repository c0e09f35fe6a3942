"""Repeated measures over visits: Friedman test and a linear mixed model of change from baseline."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pingouin
from scipy import optimize, stats

from ._validate import check_confidence

CHANGE_COLUMNS = [
    "visit",
    "reference_visit",
    "estimate",
    "se",
    "df",
    "t",
    "ci_low",
    "ci_high",
    "p_value",
    "n_visit",
    "n_obs",
    "n_participants",
    "converged",
    "method",
]


def friedman(wide: pd.DataFrame) -> dict:
    """Friedman test across visits with Kendall's W, computed by ``pingouin.friedman``.

    Parameters
    ----------
    wide : pandas.DataFrame
        One row per participant (complete cases only: a NaN raises ValueError), one column per
        visit (at least 3; for 2 visits use the signed-rank test).

    Returns
    -------
    dict
        n, k, chi2, df, p_value, kendall_w, mean_ranks ({visit: mean rank}), method.

    Notes
    -----
    ``pingouin.friedman(method="chisq")`` ranks within participant (ties get average ranks) and
    returns Kendall's W corrected for ties and Q = n (k - 1) W, the tie-corrected Friedman
    chi-square (equal to ``scipy.stats.friedmanchisquare``), with the asymptotic chi-square
    p on df = k - 1: the statistic and p-value R's ``friedman.test`` reports. Mean ranks are
    the within-participant average ranks (``scipy.stats.rankdata``) averaged per visit.

    Examples
    --------
    Four participants who all rank the visits the same way: mean ranks 1, 2, 3, W = 1, and by
    hand chi2 = n (k - 1) W = 8 with p = exp(-8 / 2) = 0.0183 (chi-square on 2 df).

    >>> import pandas as pd
    >>> wide = pd.DataFrame(
    ...     {"v0": [1.0, 2.0, 3.0, 2.0], "v1": [2.0, 3.0, 5.0, 4.0], "v2": [4.0, 5.0, 6.0, 5.0]},
    ...     index=["p1", "p2", "p3", "p4"],
    ... )
    >>> r = friedman(wide)
    >>> r["chi2"], r["df"], round(r["p_value"], 4), r["kendall_w"]
    (8.0, 2, 0.0183, 1.0)
    >>> r["mean_ranks"]
    {'v0': 1.0, 'v1': 2.0, 'v2': 3.0}
    """

    values = wide.apply(pd.to_numeric).to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(values).any():
        raise ValueError("friedman: the table has missing values; pass complete cases only")
    n, k = values.shape
    if k < 3:
        raise ValueError(f"friedman: needs at least 3 visits (columns), got {k}")
    if n < 2:
        raise ValueError(f"friedman: needs at least 2 participants (rows), got {n}")
    # Long format with positional codes: participant and visit labels may repeat or not sort.
    long = pd.DataFrame(
        {
            "participant": np.repeat(np.arange(n), k),
            "visit": np.tile(np.arange(k), n),
            "value": values.reshape(-1),
        }
    )
    table = pingouin.friedman(
        data=long, dv="value", within="visit", subject="participant", method="chisq"
    )
    ranks = stats.rankdata(values, axis=1)
    return {
        "n": n,
        "k": k,
        "chi2": float(table["Q"].iloc[0]),
        "df": k - 1,
        "p_value": float(table["p_unc"].iloc[0]),
        "kendall_w": float(table["W"].iloc[0]),
        "mean_ranks": {str(col): float(r) for col, r in zip(wide.columns, ranks.mean(axis=0))},
        "method": (
            f"Friedman test (pingouin.friedman, chi-square method): chi-square with tie "
            f"correction, asymptotic p (df = {k - 1}), the statistic and p of R friedman.test; "
            f"Kendall's W with tie correction = chi2 / (n (k - 1)); complete cases "
            f"n = {n} participants x k = {k} visits"
        ),
    }


# --- REML fit of the random-intercept model ------------------------------------------------
#
# Model: y = X beta + u[group] + e, u ~ N(0, tau^2), e ~ N(0, sigma^2), gamma = tau^2 / sigma^2.
# For participant i with n_i rows, V_i = sigma^2 V0_i, V0_i = I + gamma J, and
#   V0_i^-1 = I - J / n_i + J / (n_i (1 + n_i gamma)),
# so X'V0^-1 X, X'V0^-1 y and r'V0^-1 r split into a within-participant part that does not
# depend on gamma and a between-participant part of the totals s_i = X_i'1, t_i = 1'y_i weighted
# by c_i = 1 / (n_i (1 + n_i gamma)). c_i depends on s_i only (n_i is its intercept entry), so
# participants with the same s_i (for visit dummies: the same set of visits) are pooled once,
# and one evaluation of the criterion costs O(patterns), not O(participants). Every residual
# sum of squares is built from sums of squares, never as a difference, so it cannot cancel
# below 0 when gamma is large.

# Grid over the intraclass correlation rho = gamma / (1 + gamma) in [0, 1): steps of 0.01, then
# points towards 1 (gamma up to 1e8). The bounded search only refines the best grid point, so
# unless two maxima lie within one grid step it cannot settle on the lesser one; no random starts.
_RHO_GRID = np.concatenate([np.linspace(0.0, 0.99, 100), 1.0 - np.logspace(-3, -8, 6)])
# Below this fraction of the total sum of squares a residual sum of squares counts as zero.
_ZERO_SS = 1e-10


@dataclass(frozen=True)
class _Sums:
    """The data reduced to what the REML criterion needs (y centred at its grand mean).

    Within part: cross-products of X and y after subtracting participant means, summarised by
    their least-squares fit (beta_w, its residual SS). Between part: participants pooled by
    pattern k (same s_i) with count m_k, sums s_k, mean total t_k and SS of t_i around t_k.
    """

    n_obs: int
    n_fe: int
    n_groups: int
    y_mean: float
    total_ss: float
    within_xx: np.ndarray
    within_xy: np.ndarray
    within_beta: np.ndarray
    within_rss: float
    within_rank: int
    pattern_count: np.ndarray
    pattern_x: np.ndarray
    pattern_t: np.ndarray
    pattern_tss: np.ndarray


@dataclass(frozen=True)
class RandomInterceptFit:
    """REML fit of ``y ~ X`` with a random intercept per group (see ``fit_random_intercept``)."""

    fe_params: np.ndarray  # fixed effects, in the order of the columns of X
    cov_fe: np.ndarray  # (X'V^-1X)^-1 = sigma^2 (X'V0^-1X)^-1 at the estimates
    scale: float  # residual variance sigma^2
    re_variance: float  # random-intercept variance tau^2
    # REML log-likelihood at the optimum, constant included (comparable with MixedLM.llf)
    llf: float
    converged: bool
    df_fe: np.ndarray  # Satterthwaite df of each fixed effect (see ``_satterthwaite_df``)


def _exact_sum(values: np.ndarray) -> float:
    """The correctly rounded sum: the same float whatever the order, alignment or BLAS threads."""
    return math.fsum(values.tolist())


def _exact_cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a.T @ b with every entry summed exactly.

    a, b: (n, p) and (n, q); p and q are the few fixed effects.
    """
    return np.array(
        [[_exact_sum(a[:, i] * b[:, j]) for j in range(b.shape[1])] for i in range(a.shape[1])]
    )


def _reduce(exog: np.ndarray, endog: np.ndarray, groups: np.ndarray) -> _Sums:
    # Every sum over the observations is exact (fsum) or sequential (bincount). A BLAS product over
    # 40,000 rows rounds differently with its thread split and the arrays' alignment, and the REML
    # optimum moves with such last-bit changes by about 1e-8 relative: enough to change printed
    # digits between two runs at 10,000 participants. The reduced system is small (p x p).
    y_mean = _exact_sum(endog) / len(endog)
    # Centring y only moves the intercept; it keeps the totals t_i at the data's spread.
    y = endog - y_mean
    n_groups = int(groups.max()) + 1
    sizes = np.bincount(groups, minlength=n_groups).astype(float)
    x_sums = np.column_stack(
        [np.bincount(groups, exog[:, j], n_groups) for j in range(exog.shape[1])]
    )
    y_sums = np.bincount(groups, y, n_groups)
    x_within = exog - (x_sums / sizes[:, None])[groups]
    y_within = y - (y_sums / sizes)[groups]
    within_xx = _exact_cross(x_within, x_within)
    within_xy = _exact_cross(x_within, y_within[:, None])[:, 0]
    # Least squares from the normal equations: the intercept's within column is exactly 0, and the
    # minimum-norm solution of the p x p system is the minimum-norm least-squares fit.
    within_beta, _, within_rank, _ = np.linalg.lstsq(within_xx, within_xy, rcond=None)
    within_resid = y_within.copy()
    for j, coefficient in enumerate(within_beta):  # column by column: a fixed order of operations
        within_resid -= x_within[:, j] * coefficient
    patterns, pattern_of = np.unique(x_sums, axis=0, return_inverse=True)
    pattern_of = pattern_of.reshape(-1)
    count = np.bincount(pattern_of, minlength=len(patterns)).astype(float)
    mean_t = np.bincount(pattern_of, y_sums, len(patterns)) / count
    return _Sums(
        n_obs=len(y),
        n_fe=exog.shape[1],
        n_groups=n_groups,
        y_mean=y_mean,
        total_ss=_exact_sum(y * y),
        within_xx=within_xx,
        within_xy=within_xy,
        within_beta=within_beta,
        within_rss=_exact_sum(within_resid * within_resid),
        within_rank=int(within_rank),
        pattern_count=count,
        pattern_x=patterns,
        pattern_t=mean_t,
        pattern_tss=np.bincount(pattern_of, (y_sums - mean_t[pattern_of]) ** 2, len(patterns)),
    )


def _gls(sums: _Sums, gamma: float) -> tuple[np.ndarray, np.ndarray, float]:
    """GLS at variance ratio ``gamma``: (beta for centred y, A = X'V0^-1 X, RSS = r'V0^-1 r)."""
    sizes = sums.pattern_x[:, 0]  # the intercept column sums to n_i
    weights = 1.0 / (sizes * (1.0 + sizes * gamma))
    pooled = sums.pattern_count * weights
    xtvx = sums.within_xx + sums.pattern_x.T @ (pooled[:, None] * sums.pattern_x)
    xtvy = sums.within_xy + sums.pattern_x.T @ (pooled * sums.pattern_t)
    beta = np.linalg.solve(xtvx, xtvy)
    # Within part: the least-squares residual is orthogonal to the within columns of X, so
    # |y_w - X_w beta|^2 = within_rss + |X_w (beta - beta_w)|^2; between part per pattern k:
    # sum_i (t_i - s_k'beta)^2 = tss_k + m_k (t_k - s_k'beta)^2.
    shift = beta - sums.within_beta
    within = sums.within_rss + max(float(shift @ sums.within_xx @ shift), 0.0)
    between = weights @ (
        sums.pattern_tss + sums.pattern_count * (sums.pattern_t - sums.pattern_x @ beta) ** 2
    )
    return beta, xtvx, within + float(between)


def _reml_llf(sums: _Sums, gamma: float, xtvx: np.ndarray, rss: float) -> float:
    """REML log-likelihood with sigma^2 = RSS / (n - p) profiled out, constant included:

    -1/2 [(n - p) log(RSS / (n - p)) + sum_i log(1 + n_i gamma) + log|A| + (n - p)(1 + log 2 pi)],
    the same function of the data as statsmodels' ``MixedLM(reml=True).loglike``.
    """
    sign, logdet = np.linalg.slogdet(xtvx)
    if sign <= 0 or rss <= 0:
        raise np.linalg.LinAlgError(
            "singular fit: X'V^-1X is not positive definite or no residual variance"
        )
    df = sums.n_obs - sums.n_fe
    log_det_v0 = float(sums.pattern_count @ np.log1p(sums.pattern_x[:, 0] * gamma))
    return -0.5 * (
        df * math.log(rss / df) + log_det_v0 + logdet + df * (1.0 + math.log(2 * math.pi))
    )


def _check_residual_variance(sums: _Sums) -> None:
    """Raise LinAlgError when sigma^2 = 0 fits: the REML criterion then grows without bound.

    That happens when every value equals its visit mean (nothing left at gamma = 0) or when the
    visit effects explain all change within participants (nothing left as gamma -> inf, e.g.
    every participant constant over time) while there are within-participant degrees of
    freedom to spare.
    """
    within_df = sums.n_obs - sums.n_groups - sums.within_rank
    if within_df > 0 and sums.within_rss <= _ZERO_SS * sums.total_ss:
        raise np.linalg.LinAlgError(
            "singular fit: no residual variance within participants beyond the visit effects"
        )
    if _gls(sums, 0.0)[2] <= _ZERO_SS * sums.total_ss:
        raise np.linalg.LinAlgError("singular fit: every value equals its visit mean")


def _maximise_rho(sums: _Sums) -> tuple[float, bool]:
    """Intraclass correlation rho that maximises the REML criterion; whether the search converged.

    Grid over ``_RHO_GRID`` (rho = 0, the boundary tau^2 = 0, is a grid point), then bounded
    Brent between the neighbours of the best grid point; Brent never evaluates the ends of its
    interval, so the best grid point is kept if Brent does not beat it. Deterministic: no
    random starts. Converged: Brent reports success (interval narrowed to 1e-10 in rho) and the
    maximum is not the largest rho searched (there sigma^2 is about 0 and the fit degenerate).
    """

    def criterion(rho: float) -> float:
        gamma = rho / (1.0 - rho)
        _, xtvx, rss = _gls(sums, gamma)
        return -_reml_llf(sums, gamma, xtvx, rss)

    values = np.array([criterion(rho) for rho in _RHO_GRID])
    best = int(np.argmin(values))
    low, high = _RHO_GRID[max(best - 1, 0)], _RHO_GRID[min(best + 1, len(_RHO_GRID) - 1)]
    search = optimize.minimize_scalar(
        criterion, bounds=(low, high), method="bounded", options={"xatol": 1e-10, "maxiter": 500}
    )
    rho = float(search.x) if search.fun < values[best] else float(_RHO_GRID[best])
    return rho, bool(search.success and rho < _RHO_GRID[-1])


def _satterthwaite_df(sums: _Sums, gamma: float) -> np.ndarray:
    """Satterthwaite degrees of freedom of each fixed effect, as lmerTest computes them.

    Parameters
    ----------
    sums : _Sums
        The reduced data (see ``_reduce``).
    gamma : float
        Variance ratio tau^2 / sigma^2 at the REML maximum.

    Returns
    -------
    numpy.ndarray
        df_j = 2 (L C L')^2 / (g' (2 H^-1) g) for L the unit vector of fixed effect j, in the
        order of the columns of X; NaN if the Hessian H is not positive definite.

    Notes
    -----
    C(phi) = cov(beta-hat) = s A(gamma)^-1 with A = X'V0^-1X, as a function of the variance
    parameters phi = (s, gamma), s = sigma^2; g = d(L C L')/d phi; 2 H^-1 is the asymptotic
    covariance of phi-hat, H the Hessian in phi of the REML deviance (-2 REML log-likelihood,
    sigma^2 not profiled out; log|X'V^-1X| = log|A| - p log s)

        D(s, gamma) = (n - p) log(2 pi s) + log|V0| + log|A| + R(gamma) / s,

    R(gamma) = r'V0^-1 r at the GLS beta. At an interior maximum the gradient of D is 0, so df
    does not depend on the parametrisation: lmerTest's (tau / sigma, sigma) or (sigma^2,
    tau^2) give the same df as phi. statsmodels has no Satterthwaite df, so this is written
    out here, with exact derivatives instead of lmerTest's numerical ones (numDeriv): with
    w_k = 1 / (n_k (1 + n_k gamma)) the between-participant weight of pattern k (m_k
    participants with n_k rows, sums s_k = rows of S), dw/dgamma = -1 / (1 + n gamma)^2 and
    d2w/dgamma2 = 2 n / (1 + n gamma)^3,

        A' = S' diag(m w') S,  A'' = S' diag(m w'') S,  d(A^-1) = -A^-1 A' A^-1,
        R' = sum_k w'_k q_k,  R'' = sum_k w''_k q_k - 2 b'A^-1 b  (envelope theorem for beta),

    q_k = tss_k + m_k e_k^2, e_k = t_k - s_k'beta, b = sum_k w'_k m_k e_k s_k; and
    log|V0|' = sum m n / (1 + n gamma), log|V0|'' = -sum m n^2 / (1 + n gamma)^2,
    log|A|' = tr(A^-1 A'), log|A|'' = tr(A^-1 A'') - tr(A^-1 A' A^-1 A').

    At the boundary gamma = 0 lmerTest's deviance is even in its parameter tau / sigma, so its
    gradient of C and the Hessian's cross term in that parameter are 0: only sigma counts, and
    df = n - p, the residual df of ordinary least squares (which is the fit there).
    """
    n_obs, n_fe = sums.n_obs, sums.n_fe
    if gamma == 0.0:
        return np.full(n_fe, float(n_obs - n_fe))
    beta, xtvx, rss = _gls(sums, gamma)
    scale = rss / (n_obs - n_fe)
    sizes, count, patterns = sums.pattern_x[:, 0], sums.pattern_count, sums.pattern_x
    spread = 1.0 + sizes * gamma
    w1, w2 = -1.0 / spread**2, 2.0 * sizes / spread**3
    inverse = np.linalg.inv(xtvx)
    a1 = patterns.T @ ((count * w1)[:, None] * patterns)
    a2 = patterns.T @ ((count * w2)[:, None] * patterns)
    errors = sums.pattern_t - patterns @ beta
    q = sums.pattern_tss + count * errors**2
    b = patterns.T @ (w1 * count * errors)
    rss1 = float(w1 @ q)
    rss2 = float(w2 @ q) - 2.0 * float(b @ inverse @ b)
    inv_a1 = inverse @ a1
    logdet2 = (
        -float(count @ (sizes**2 / spread**2))
        + float(np.trace(inverse @ a2))
        - float(np.trace(inv_a1 @ inv_a1))
    )
    hessian = np.array(
        [
            [-(n_obs - n_fe) / scale**2 + 2.0 * rss / scale**3, -rss1 / scale**2],
            [-rss1 / scale**2, logdet2 + rss2 / scale],
        ]
    )
    if not (np.all(np.isfinite(hessian)) and hessian[0, 0] > 0 and np.linalg.det(hessian) > 0):
        return np.full(n_fe, math.nan)
    variance = scale * np.diag(inverse)  # L C L'
    gradient = np.column_stack([np.diag(inverse), -scale * np.diag(inv_a1 @ inverse)])
    quadratic = np.einsum("ji,ik,jk->j", gradient, np.linalg.inv(hessian), gradient)
    return variance**2 / quadratic


def fit_random_intercept(
    exog: np.ndarray, endog: np.ndarray, groups: np.ndarray
) -> RandomInterceptFit:
    """Exact REML fit of ``endog ~ exog`` with a random intercept per group, vectorised over groups.

    Parameters
    ----------
    exog : numpy.ndarray
        (n, p) design whose first column is the intercept (all 1).
    endog : numpy.ndarray
        (n,) outcome without missing values.
    groups : numpy.ndarray
        (n,) integer codes 0..G-1, every code present.

    Returns
    -------
    RandomInterceptFit
        beta is the GLS estimate and sigma^2 = r'V0^-1 r / (n - p) at the variance ratio gamma
        that maximises the REML criterion (see ``_maximise_rho``); ``cov_fe`` = (X'V^-1X)^-1 at
        the estimates, the covariance lme4, nlme and SAS PROC MIXED report (statsmodels' MixedLM
        instead inverts the observed Hessian of the REML criterion in (beta, gamma), which adds
        a beta-gamma cross term when the data are unbalanced); ``df_fe`` the Satterthwaite df
        of each fixed effect, as lmerTest (see ``_satterthwaite_df``).

    Raises
    ------
    ValueError
        If n <= p, values are missing or the first column is not the intercept.
    numpy.linalg.LinAlgError
        If a zero residual variance fits (see ``_check_residual_variance``).

    Notes
    -----
    Written out rather than calling statsmodels' MixedLM because MixedLM was measured too slow
    at the 10,000-participant target of the simulations (4 visits, 20% missing: about 40 s
    per fit with its default settings, against 0.3 s here: one evaluation of the criterion
    costs O(visit patterns), not O(participants)). The fit is tested against MixedLM (same
    REML maximum, estimates and (X'V^-1X)^-1) and against R lmerTest::lmer (estimates, SE,
    Satterthwaite df, t and p).

    Examples
    --------
    Four participants (groups) at three visits, complete and balanced, so the REML fit is the
    two-way ANOVA by hand: visit effects 1.5 and 3 (differences of the visit means),
    sigma^2 = MSE = (2/3) / 6 = 1/9, tau^2 = (MS participants - MSE) / 3 = (25/9 - 1/9) / 3 = 8/9,
    and 6 = (4 - 1)(3 - 1) df for each visit effect.

    >>> import numpy as np
    >>> values = np.array([[1.0, 2.0, 4.0], [2.0, 3.0, 5.0], [3.0, 5.0, 6.0], [2.0, 4.0, 5.0]])
    >>> visit = np.tile([0, 1, 2], 4)
    >>> exog = np.column_stack([np.ones(12), visit == 1, visit == 2]).astype(float)
    >>> fit = fit_random_intercept(exog, values.ravel(), np.repeat(np.arange(4), 3))
    >>> fit.fe_params.round(4).tolist(), round(fit.scale, 4), round(fit.re_variance, 4)
    ([2.0, 1.5, 3.0], 0.1111, 0.8889)
    >>> fit.df_fe[1:].round(4).tolist(), fit.converged
    ([6.0, 6.0], True)
    """
    exog = np.asarray(exog, dtype=float)
    endog = np.asarray(endog, dtype=float)
    if not (np.isfinite(endog).all() and np.isfinite(exog).all()):
        raise ValueError("fit_random_intercept: missing or infinite values; drop them first")
    if not np.all(exog[:, 0] == 1.0):
        raise ValueError(
            "fit_random_intercept: the first column of exog must be the intercept (all 1)"
        )
    if len(endog) <= exog.shape[1]:
        raise ValueError(
            f"fit_random_intercept: {len(endog)} observation(s) for {exog.shape[1]} fixed effects"
        )
    sums = _reduce(exog, endog, np.asarray(groups))
    _check_residual_variance(sums)
    rho, converged = _maximise_rho(sums)
    gamma = rho / (1.0 - rho)
    beta, xtvx, rss = _gls(sums, gamma)
    llf = _reml_llf(sums, gamma, xtvx, rss)
    scale = rss / (sums.n_obs - sums.n_fe)
    fe_params = beta.copy()
    fe_params[0] += sums.y_mean  # undo the centring of y (first column is the intercept)
    return RandomInterceptFit(
        fe_params=fe_params,
        cov_fe=scale * np.linalg.inv(xtvx),
        scale=scale,
        re_variance=gamma * scale,
        llf=float(llf),
        converged=converged,
        df_fe=_satterthwaite_df(sums, gamma),
    )


def mixed_model_change(
    long: pd.DataFrame,
    outcome_col: str = "value",
    subject_col: str = "participant_id",
    visit_col: str = "visit",
    visits: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Change from the first visit by a linear mixed model with a random intercept per participant.

    Parameters
    ----------
    long : pandas.DataFrame
        One row per participant and visit.
    outcome_col, subject_col, visit_col : str
        Column names of the outcome, the participant and the visit.
    visits : sequence of str, optional
        Visits to use, the first is the reference (default: the sorted visit labels); rows at
        other visits are not used.
    confidence : float
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per non-reference visit with columns ``CHANGE_COLUMNS``: estimate (change vs
        the reference visit), se, df (Satterthwaite), t = estimate / se, ci_low/ci_high
        (estimate +- t quantile on df times se), two-sided p_value from t on df, n_visit
        (observations at that visit), n_obs and n_participants (in the model), converged (the
        variance-ratio search narrowed to its tolerance and did not end at its upper limit,
        see ``_maximise_rho``), method.

    Raises
    ------
    ValueError
        A participant-visit pair that occurs twice, a visit without values, too few
        observations.
    numpy.linalg.LinAlgError
        A fit with zero residual variance (e.g. every participant constant over time).

    Notes
    -----
    Model: outcome ~ C(visit, Treatment(reference=visits[0])), groups = participant, random
    intercept, REML, fitted exactly by ``fit_random_intercept`` (the variance ratio by a
    deterministic grid plus bounded Brent search, everything else in closed form). It reaches
    the same REML maximum as statsmodels' MixedLM and lme4, in milliseconds instead of a Python
    loop over participants. Standard errors are from (X'V^-1X)^-1 at the REML estimates;
    degrees of freedom by Satterthwaite's approximation and t-based p-values and intervals,
    as ``lmerTest::lmer`` with ``summary()`` (statsmodels has no such df: they are computed
    by ``_satterthwaite_df``). Rows with a missing outcome are dropped (counted in the method
    text).

    Examples
    --------
    The balanced data of ``fit_random_intercept``'s example in long form: each change is the
    difference of the visit means, with SE sqrt(2 sigma^2 / 4) = sqrt(1/18) = 0.2357 on 6 df.

    >>> import pandas as pd
    >>> long = pd.DataFrame(
    ...     {
    ...         "participant_id": ["p1", "p2", "p3", "p4"] * 3,
    ...         "visit": ["v0"] * 4 + ["v1"] * 4 + ["v2"] * 4,
    ...         "value": [1.0, 2.0, 3.0, 2.0, 2.0, 3.0, 5.0, 4.0, 4.0, 5.0, 6.0, 5.0],
    ...     }
    ... )
    >>> table = mixed_model_change(long)
    >>> columns = ["visit", "estimate", "se", "df", "ci_low", "ci_high", "p_value", "n_obs"]
    >>> print(table[columns].round(4).to_string())
      visit  estimate      se   df  ci_low  ci_high  p_value  n_obs
    0    v1       1.5  0.2357  6.0  0.9233   2.0767   0.0007     12
    1    v2       3.0  0.2357  6.0  2.4233   3.5767   0.0000     12
    """
    confidence = check_confidence(confidence)
    for col in (outcome_col, subject_col, visit_col):
        if col not in long.columns:
            raise ValueError(f"mixed_model_change: column {col!r} not in the table")
    frame = long[[subject_col, visit_col, outcome_col]].copy()
    frame[outcome_col] = pd.to_numeric(frame[outcome_col])
    visits = [
        str(v)
        for v in (sorted(frame[visit_col].astype(str).unique()) if visits is None else visits)
    ]
    if len(visits) < 2 or len(set(visits)) != len(visits):
        raise ValueError(f"mixed_model_change: need at least 2 distinct visits, got {visits}")
    frame[visit_col] = frame[visit_col].astype(str)
    frame = frame[frame[visit_col].isin(visits)]
    duplicated = frame.duplicated([subject_col, visit_col])
    if duplicated.any():
        first = frame[duplicated].iloc[0]
        raise ValueError(
            f"mixed_model_change: {first[subject_col]} has more than one row at {first[visit_col]}"
        )
    n_missing = int(frame[outcome_col].isna().sum())
    frame = frame.dropna(subset=[outcome_col])
    n_visit = frame[visit_col].value_counts()
    empty = [v for v in visits if n_visit.get(v, 0) == 0]
    if empty:
        raise ValueError(f"mixed_model_change: no observed values at visit(s) {empty}")

    if len(frame) <= len(visits):
        raise ValueError(
            f"mixed_model_change: {len(frame)} observation(s) for {len(visits)} fixed effects"
        )

    visit_code = pd.Categorical(frame[visit_col], categories=visits).codes
    exog = np.column_stack(
        [np.ones(len(frame))] + [(visit_code == k).astype(float) for k in range(1, len(visits))]
    )
    groups = pd.factorize(frame[subject_col].astype(str))[0]
    fit = fit_random_intercept(exog, frame[outcome_col].to_numpy(dtype=float), groups)

    n_obs, n_participants = len(frame), int(groups.max()) + 1
    method = (
        f"linear mixed model, random intercept per participant, REML (exact vectorised fit: "
        f"fixed effects by GLS and the residual variance profiled out; intraclass correlation "
        f"tau^2/(tau^2+sigma^2) by a grid over [0, 1) refined with bounded Brent, boundary 0 "
        f"included); SE = sqrt of the diagonal of (X'V^-1X)^-1 at the REML estimates; change vs "
        f"{visits[0]}; Satterthwaite df, t-based p and {100 * confidence:g}% CI, as "
        f"lmerTest::lmer with summary()/confint by Satterthwaite; assumes missing at random; "
        f"n_obs = {n_obs} from {n_participants} participants, {n_missing} missing value(s) "
        f"dropped; visits {', '.join(visits)}"
    )
    if fit.re_variance == 0.0:
        method += (
            "; random-intercept variance estimated at the boundary 0 (df = n_obs - number of "
            "fixed effects, the least-squares residual df, as lmerTest gives there)"
        )
    rows = []
    for k, visit in enumerate(visits[1:], start=1):
        estimate, se = float(fit.fe_params[k]), math.sqrt(fit.cov_fe[k, k])
        df = float(fit.df_fe[k])
        t = estimate / se
        usable = math.isfinite(t) and math.isfinite(df)
        half = float(stats.t.ppf(1 - (1 - confidence) / 2, df)) * se if usable else math.nan
        rows.append(
            {
                "visit": visit,
                "reference_visit": visits[0],
                "estimate": estimate,
                "se": se,
                "df": df,
                "t": t,
                "ci_low": estimate - half,
                "ci_high": estimate + half,
                "p_value": float(2 * stats.t.sf(abs(t), df)) if usable else math.nan,
                "n_visit": int(n_visit[visit]),
                "n_obs": n_obs,
                "n_participants": n_participants,
                "converged": fit.converged,
                "method": method,
            }
        )
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)
