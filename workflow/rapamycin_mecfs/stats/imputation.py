"""Multiple imputation of a missing follow-up value and Rubin's rules (numpy and scipy only).

The delta-adjusted (missing-not-at-random) sensitivity analysis of a change from baseline:

1. ``impute_by_pattern``: proper Bayesian draws from a normal linear regression of the follow-up
   value on baseline and the earlier visits a participant has (van Buuren's ``norm`` method as
   R mice implements it; Rubin 1987, p. 167), one model per pattern of earlier visits.
2. ``delta_adjusted_mean_change``: each imputed value shifted by delta, the mean change analysed
   in every completed set and the m results pooled by ``pool_rubin`` (Rubin's rules with the
   Barnard-Rubin 1999 degrees of freedom as R ``mice::pool`` computes them).

Every function is pure: the random draws come from the ``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from ._validate import as_float_array, check_confidence

# mice's barnard.rubin() floors lambda at this value before computing the degrees of freedom.
LAMBDA_FLOOR = 1e-4


def draw_regression_parameters(
    x: np.ndarray, y: np.ndarray, rng: np.random.Generator, size: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Draws of (beta, sigma) from their posterior under a normal linear model, flat prior.

    As mice's ``.norm.draw``: with beta_hat the least-squares fit, RSS its residual sum of
    squares, df = n - p and V = (X'X)^-1, each draw is sigma* = sqrt(RSS / g) with
    g ~ chi-square(df), and beta* = beta_hat + sigma* L z with L L' = V and z ~ N(0, I_p).

    Parameters
    ----------
    x : numpy.ndarray
        Design matrix, n x p, intercept column included; full column rank and n > p.
    y : numpy.ndarray
        Responses, length n.
    rng : numpy.random.Generator
        Source of the draws: per call, ``size`` chi-square values, then a size x p normal array.
    size : int
        Number of draws.

    Returns
    -------
    beta : numpy.ndarray
        size x p.
    sigma : numpy.ndarray
        Length size.

    Examples
    --------
    Five points close to y = 2 x (least squares: intercept 0.05, slope 1.99); the draws scatter
    around the least-squares fit:

    >>> import numpy as np
    >>> x = np.column_stack([np.ones(5), [1.0, 2.0, 3.0, 4.0, 5.0]])
    >>> y = np.array([2.1, 3.9, 6.2, 7.8, 10.1])
    >>> beta, sigma = draw_regression_parameters(x, y, np.random.default_rng(1), size=2000)
    >>> beta.shape, sigma.shape
    ((2000, 2), (2000,))
    >>> beta.mean(axis=0).round(1).tolist()
    [0.0, 2.0]
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n, p = x.shape
    if n <= p or np.linalg.matrix_rank(x) < p:
        raise ValueError(
            f"the regression needs full column rank and more rows than columns ({n} x {p})"
        )
    xtx_inv = np.linalg.inv(x.T @ x)
    beta_hat = xtx_inv @ (x.T @ y)
    residuals = y - x @ beta_hat
    rss = float(residuals @ residuals)
    sigma = np.sqrt(rss / rng.chisquare(n - p, size=size))
    chol = np.linalg.cholesky(xtx_inv)
    z = rng.standard_normal((size, p))
    beta = beta_hat + sigma[:, None] * (z @ chol.T)
    return beta, sigma


def _usable(x: np.ndarray) -> bool:
    """At least 2 residual degrees of freedom and full column rank."""
    return x.shape[0] >= x.shape[1] + 2 and np.linalg.matrix_rank(x) == x.shape[1]


def impute_by_pattern(
    baseline,
    earlier: np.ndarray,
    follow_up,
    m: int,
    rng: np.random.Generator,
    earlier_names: list[str] | None = None,
) -> dict:
    """m proper imputations of the missing follow-up values, one regression per pattern.

    The participants whose follow-up is missing are grouped by which earlier visits they have.
    Each group's model regresses the follow-up on an intercept, baseline and those earlier
    visits, fitted on the participants with an observed follow-up who have all of them. When
    that fit has fewer than 2 residual degrees of freedom or is rank-deficient, the group falls
    back to baseline only, then to the intercept only. Imputed value = x' beta* + sigma* e with
    (beta*, sigma*) from ``draw_regression_parameters`` and e ~ N(0, 1): no rounding, no
    clipping to a scale. Groups are drawn in sorted pattern order, each with m chi-square
    values, an m x p normal array and an m x (number missing) normal array, so the result
    depends only on the data and the generator's state.

    Parameters
    ----------
    baseline : array-like
        Baseline values, length n, none missing.
    earlier : numpy.ndarray
        n x k values at the k visits between baseline and the follow-up (NaN = missing); k may be 0.
    follow_up : array-like
        Follow-up values, length n, NaN where missing (these are imputed).
    m : int
        Number of imputations (at least 2).
    rng : numpy.random.Generator
        Source of every draw.
    earlier_names : list of str, optional
        Names of the earlier visits, for the model descriptions.

    Returns
    -------
    dict
        ``values``: m x n completed follow-up values (observed ones repeated); ``missing``:
        boolean mask of the imputed participants; ``models``: one dict per pattern with
        ``predictors`` (names), ``n_missing``, ``n_fitted`` and ``fallback`` (bool).

    Examples
    --------
    Eight participants, the last two missing at follow-up; one earlier visit "v1", which the
    last participant also misses. Two patterns, so two models (drawn in that order):

    >>> import numpy as np
    >>> baseline = [10, 12, 9, 14, 11, 13, 8, 15]
    >>> earlier = np.array([[11], [13], [10], [16], [12], [15], [9], [np.nan]])
    >>> follow_up = [12, 15, 11, 18, 14, 17, np.nan, np.nan]
    >>> r = impute_by_pattern(
    ...     baseline, earlier, follow_up, m=3, rng=np.random.default_rng(1), earlier_names=["v1"]
    ... )
    >>> r["values"].shape, r["missing"].tolist()[-3:]
    ((3, 8), [False, True, True])
    >>> for model in r["models"]:
    ...     print(model)
    {'predictors': ['baseline', 'v1'], 'n_missing': 1, 'n_fitted': 6, 'fallback': False}
    {'predictors': ['baseline'], 'n_missing': 1, 'n_fitted': 6, 'fallback': False}
    >>> r["values"][:, r["missing"]].round(1).tolist()
    [[9.6, 21.0], [9.7, 19.2], [9.3, 19.5]]
    """
    base = as_float_array(baseline, "baseline")
    follow = as_float_array(follow_up, "follow_up", allow_nan=True)
    earlier = np.asarray(earlier, dtype=float).reshape(base.size, -1)
    if not base.size == follow.size:
        raise ValueError("baseline and follow_up must have the same length")
    if m < 2:
        raise ValueError(f"m must be at least 2, got {m}")
    names = [f"visit {i + 1}" for i in range(earlier.shape[1])]
    names = list(earlier_names) if earlier_names is not None else names
    missing = np.isnan(follow)
    observed = ~missing
    values = np.tile(follow, (m, 1))
    models = []
    present = ~np.isnan(earlier)
    patterns = sorted({tuple(row) for row in present[missing]}, reverse=True)
    for pattern in patterns:
        rows = missing & (present == np.array(pattern, dtype=bool)).all(axis=1)
        wanted = [j for j, has in enumerate(pattern) if has]
        # The pattern's own model, then baseline only, then the intercept only.
        for cols, with_baseline in ((wanted, True), ([], True), ([], False)):
            donors = observed & present[:, cols].all(axis=1)
            parts = [np.ones(base.size)] + ([base] if with_baseline else [])
            parts += [earlier[:, j] for j in cols]
            design = np.column_stack(parts)
            if _usable(design[donors]):
                break
        else:
            raise ValueError(
                f"too few observed follow-up values to impute ({int(observed.sum())} observed; "
                "an intercept-only model needs 3)"
            )
        beta, sigma = draw_regression_parameters(design[donors], follow[donors], rng, size=m)
        noise = rng.standard_normal((m, int(rows.sum())))
        values[:, rows] = beta @ design[rows].T + sigma[:, None] * noise
        predictors = (["baseline"] if with_baseline else []) + [names[j] for j in cols]
        models.append(
            {
                "predictors": predictors,
                "n_missing": int(rows.sum()),
                "n_fitted": int(donors.sum()),
                "fallback": cols != wanted or not with_baseline,
            }
        )
    return {"values": values, "missing": missing, "models": models}


def barnard_rubin_df(m: int, b: float, t: float, dfcom: float = math.inf) -> float:
    """Degrees of freedom of a pooled scalar (Barnard & Rubin 1999), as R ``mice:::barnard.rubin``.

    lambda = (1 + 1/m) B / T, floored at 1e-4 as mice does; nu_old = (m - 1) / lambda^2;
    nu_obs = (dfcom + 1) / (dfcom + 3) dfcom (1 - lambda); nu = nu_old nu_obs / (nu_old + nu_obs),
    or nu_old when dfcom is infinite.

    Parameters
    ----------
    m : int
        Number of imputations.
    b : float
        Between-imputation variance.
    t : float
        Total variance.
    dfcom : float
        Complete-data degrees of freedom.

    Returns
    -------
    float
        The degrees of freedom.

    Examples
    --------
    m = 5, B = 0.5, T = 2: lambda = 1.2 x 0.5 / 2 = 0.3 and nu_old = 4 / 0.09 = 44.44 by hand;
    a finite dfcom lowers it:

    >>> round(barnard_rubin_df(5, 0.5, 2.0), 4)
    44.4444
    >>> round(barnard_rubin_df(5, 0.5, 2.0, dfcom=19), 4)
    9.5051
    """
    lam = max((1 + 1 / m) * b / t, LAMBDA_FLOOR)
    nu_old = (m - 1) / lam**2
    if math.isinf(dfcom):
        return nu_old
    nu_obs = (dfcom + 1) / (dfcom + 3) * dfcom * (1 - lam)
    return nu_old * nu_obs / (nu_old + nu_obs)


def pool_rubin(estimates, variances, dfcom: float = math.inf) -> dict:
    """Rubin's rules for one scalar, with the Barnard-Rubin degrees of freedom.

    Qbar = mean of the m estimates; Ubar = mean of their variances; B = variance of the
    estimates (ddof 1); T = Ubar + (1 + 1/m) B; riv = (1 + 1/m) B / Ubar; lambda = (1 + 1/m) B / T;
    df by ``barnard_rubin_df``; fmi = (riv + 2 / (df + 3)) / (riv + 1). Equals R
    ``mice::pool.scalar(Q, U, n = dfcom + 1, k = 1)`` and ``mice::pool`` of fits whose residual
    degrees of freedom are dfcom.

    Parameters
    ----------
    estimates : array-like
        The m complete-data estimates.
    variances : array-like
        Their m squared standard errors.
    dfcom : float
        Complete-data degrees of freedom (n - 1 for a mean).

    Returns
    -------
    dict
        m, qbar, ubar, b, t, riv, lambda, df, fmi.

    Examples
    --------
    Five estimates with mean 1 and variance 0.025, each with variance 0.04: by hand
    T = 0.04 + 1.2 x 0.025 = 0.07, riv = 0.03 / 0.04 = 0.75 and lambda = 0.03 / 0.07.

    >>> r = pool_rubin([1.0, 1.2, 0.8, 1.1, 0.9], [0.04] * 5, dfcom=19)
    >>> {key: round(r[key], 4) for key in ("qbar", "b", "t", "riv", "lambda", "df", "fmi")}
    {'qbar': 1.0, 'b': 0.025, 't': 0.07, 'riv': 0.75, 'lambda': 0.4286, 'df': 6.7919, 'fmi': 0.5453}
    """
    q = as_float_array(estimates, "estimates")
    u = as_float_array(variances, "variances")
    if q.size != u.size or q.size < 2:
        raise ValueError("need the same number (at least 2) of estimates and variances")
    m = q.size
    qbar = float(q.mean())
    ubar = float(u.mean())
    b = float(q.var(ddof=1))
    t = ubar + (1 + 1 / m) * b
    riv = (1 + 1 / m) * b / ubar if ubar > 0 else math.inf
    lam = (1 + 1 / m) * b / t if t > 0 else math.nan
    df = barnard_rubin_df(m, b, t, dfcom) if t > 0 else math.nan
    finite = math.isfinite(riv) and math.isfinite(df)
    fmi = (riv + 2 / (df + 3)) / (riv + 1) if finite else math.nan
    return {
        "m": m,
        "qbar": qbar,
        "ubar": ubar,
        "b": b,
        "t": t,
        "riv": riv,
        "lambda": lam,
        "df": df,
        "fmi": fmi,
    }


def t_inference(estimate: float, variance: float, df: float, confidence: float) -> dict:
    """se, t, two-sided p and t-based confidence interval of an estimate with df degrees of freedom.

    Parameters
    ----------
    estimate, variance, df : float
        The estimate, its variance and its degrees of freedom.
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    dict
        se, t, p_value, ci_low, ci_high (NaN when the variance is 0 or df is not finite).

    Examples
    --------
    Estimate 2 with variance 0.25 (se 0.5), so t = 4, on 10 df:

    >>> r = t_inference(2.0, 0.25, df=10, confidence=0.95)
    >>> {key: round(float(value), 4) for key, value in r.items()}
    {'se': 0.5, 't': 4.0, 'p_value': 0.0025, 'ci_low': 0.8859, 'ci_high': 3.1141}
    """
    check_confidence(confidence)
    se = math.sqrt(variance) if variance >= 0 else math.nan
    if not (se > 0 and math.isfinite(df) and df > 0):
        nan = math.nan
        return {"se": se, "t": nan, "p_value": nan, "ci_low": nan, "ci_high": nan}
    t = estimate / se
    half = stats.t.ppf((1 + confidence) / 2, df) * se
    p = float(2 * stats.t.sf(abs(t), df))
    return {"se": se, "t": t, "p_value": p, "ci_low": estimate - half, "ci_high": estimate + half}


def mean_change(baseline: np.ndarray, follow_up: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean of follow-up - baseline and its variance s^2 / n, for each row of ``follow_up``.

    Parameters
    ----------
    baseline : numpy.ndarray
        Length n.
    follow_up : numpy.ndarray
        m x n completed sets (or length n).

    Returns
    -------
    estimates, variances : numpy.ndarray
        Length m each.

    Examples
    --------
    Changes [1, 2, 1, 2] (mean 1.5, s^2 = 1/3) and [0, 1, 2, 1] (mean 1, s^2 = 2/3), n = 4:

    >>> import numpy as np
    >>> completed = np.array([[2.0, 4.0, 4.0, 6.0], [1.0, 3.0, 5.0, 5.0]])
    >>> estimates, variances = mean_change(np.array([1.0, 2.0, 3.0, 4.0]), completed)
    >>> estimates.tolist(), variances.round(4).tolist()
    ([1.5, 1.0], [0.0833, 0.1667])
    """
    change = np.atleast_2d(follow_up) - np.asarray(baseline, dtype=float)
    n = change.shape[1]
    return change.mean(axis=1), change.var(axis=1, ddof=1) / n


def delta_adjusted_mean_change(
    baseline,
    completed: np.ndarray,
    missing,
    deltas,
    worsening: float,
    confidence: float = 0.95,
) -> list[dict]:
    """Pooled mean change from baseline with the imputed values shifted by each delta.

    For each delta, every completed set's imputed values (``missing`` true) get ``worsening *
    delta`` added (observed values never change); each set is analysed as the mean change over
    all n with variance s^2 / n, and the m results pooled by ``pool_rubin`` with dfcom = n - 1;
    ``t_inference`` gives the t-based interval and two-sided p.

    Parameters
    ----------
    baseline : array-like
        Length n.
    completed : numpy.ndarray
        m x n completed follow-up values at delta = 0 (``impute_by_pattern(...)["values"]``).
    missing : array-like of bool
        Length n: the imputed participants.
    deltas : array-like
        Shifts, in points (the same units as the values).
    worsening : float
        -1 when higher is better, +1 when lower is better: the direction of the shift.
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    list of dict
        Per delta: delta, m, estimate (Qbar), ubar, b, total_variance (T), riv, lambda, df, fmi,
        se (sqrt T), t, p_value, ci_low, ci_high.

    Examples
    --------
    Four participants, the last one imputed (m = 2 completed sets); higher is better, so
    ``worsening = -1``. The two sets' mean changes are 1.5 and 1.0 (Qbar 1.25); shifting the one
    imputed value of four by delta = 1 lowers every mean change, and Qbar, by 1/4:

    >>> import numpy as np
    >>> import pandas as pd
    >>> completed = np.array([[2.0, 4.0, 4.0, 6.0], [2.0, 4.0, 4.0, 4.0]])
    >>> rows = delta_adjusted_mean_change(
    ...     [1.0, 2.0, 3.0, 4.0], completed, [False, False, False, True], [0.0, 1.0], -1.0
    ... )
    >>> table = pd.DataFrame(rows)[["delta", "estimate", "total_variance", "df", "p_value"]]
    >>> print(table.round(4).to_string())
       delta  estimate  total_variance      df  p_value
    0    0.0      1.25          0.3125  0.6211   0.3712
    1    1.0      1.00          0.4167  0.8996   0.3840
    """
    if worsening not in (-1.0, 1.0):
        raise ValueError(f"worsening must be -1 or +1, got {worsening}")
    base = as_float_array(baseline, "baseline")
    completed = np.atleast_2d(np.asarray(completed, dtype=float))
    mask = np.asarray(missing, dtype=bool).ravel()
    n = base.size
    rows = []
    for delta in as_float_array(deltas, "deltas"):
        shifted = completed + np.where(mask, worsening * delta, 0.0)
        estimates, variances = mean_change(base, shifted)
        pooled = pool_rubin(estimates, variances, dfcom=n - 1)
        inference = t_inference(pooled["qbar"], pooled["t"], pooled["df"], confidence)
        rows.append(
            {
                "delta": float(delta),
                "m": pooled["m"],
                "estimate": pooled["qbar"],
                "ubar": pooled["ubar"],
                "b": pooled["b"],
                "total_variance": pooled["t"],
                "riv": pooled["riv"],
                "lambda": pooled["lambda"],
                "df": pooled["df"],
                "fmi": pooled["fmi"],
                **inference,
            }
        )
    return rows
