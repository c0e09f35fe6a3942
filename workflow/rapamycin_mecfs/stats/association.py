"""Association and two-group comparisons: Spearman rho with CI, Mann-Whitney U, SMD."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from ._validate import as_float_array, check_confidence


def spearman_with_ci(x, y, confidence: float = 0.95) -> dict:
    """Spearman rho, two-sided p (scipy.stats.spearmanr: t approximation with n - 2 df), and a CI.

    Pairs with a missing x or y are dropped (counted). CI: Fisher z = atanh(rho) +/- z_crit * SE
    with SE = sqrt((1 + rho^2 / 2) / (n - 3)) (Bonett & Wright 2000), back-transformed by tanh;
    NaN for n < 4.

    Returns n, n_dropped, rho, p_value, ci_low, ci_high, confidence, method.
    """
    confidence = check_confidence(confidence)
    x = as_float_array(x, "x", allow_nan=True)
    y = as_float_array(y, "y", allow_nan=True)
    if x.size != y.size:
        raise ValueError(f"x and y must have the same length, got {x.size} and {y.size}")
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    n = int(keep.sum())
    result = {"n": n, "n_dropped": int((~keep).sum()), "rho": math.nan, "p_value": math.nan,
              "ci_low": math.nan, "ci_high": math.nan, "confidence": confidence}
    text = (f"Spearman rank correlation, two-sided p from scipy.stats.spearmanr (t approximation, n - 2 df); "
            f"{100 * confidence:g}% CI by Fisher z with SE = sqrt((1 + rho^2/2)/(n - 3)) (Bonett & Wright 2000); "
            f"n = {n} complete pairs")
    if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        result["method"] = f"{text}; not computed: fewer than 3 pairs or a constant variable"
        return result
    rho, p = stats.spearmanr(x, y)
    result.update(rho=float(rho), p_value=float(p))
    if n >= 4:
        se = math.sqrt((1 + rho**2 / 2) / (n - 3))
        z_crit = stats.norm.ppf(1 - (1 - confidence) / 2)
        with np.errstate(divide="ignore"):
            centre = np.arctanh(rho)  # +/-inf when |rho| = 1, giving the interval (rho, rho)
        result.update(ci_low=float(np.tanh(centre - z_crit * se)), ci_high=float(np.tanh(centre + z_crit * se)))
    else:
        text += "; CI not computed (needs n >= 4)"
    result["method"] = text
    return result


def mann_whitney(x, y) -> dict:
    """Mann-Whitney U (Wilcoxon rank-sum) test of x against y; missing values dropped per group.

    U is the statistic for x (scipy convention: pairs with x > y, ties counting 1/2). p is
    two-sided, asymptotic normal with tie correction and continuity correction
    (``scipy.stats.mannwhitneyu(x, y, alternative="two-sided", use_continuity=True,
    method="asymptotic")``). Effect sizes: prob_superiority = U / (n1 n2) = P(X > Y) + P(X = Y)/2,
    and rank_biserial = 1 - 2 U_y / (n1 n2) = 2 U / (n1 n2) - 1, where U_y = n1 n2 - U is y's
    statistic: positive when x tends to exceed y (pingouin.mwu's RBC convention).

    Returns n1, n2, median_x, median_y, U, p_value, rank_biserial, prob_superiority, method.
    """
    x = as_float_array(x, "x", allow_nan=True)
    y = as_float_array(y, "y", allow_nan=True)
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    n1, n2 = x.size, y.size
    if n1 == 0 or n2 == 0:
        raise ValueError(f"mann_whitney: both groups need values, got n1={n1}, n2={n2}")
    u, p = stats.mannwhitneyu(x, y, alternative="two-sided", use_continuity=True, method="asymptotic")
    u = float(u)
    return {
        "n1": n1,
        "n2": n2,
        "median_x": float(np.median(x)),
        "median_y": float(np.median(y)),
        "U": u,
        "p_value": float(p),
        "rank_biserial": 1 - 2 * (n1 * n2 - u) / (n1 * n2),
        "prob_superiority": u / (n1 * n2),
        "method": (
            "Mann-Whitney U test (U for x), two-sided, normal approximation with tie correction and "
            "continuity correction; rank-biserial r = 2U/(n1 n2) - 1 (> 0: x tends to exceed y); "
            f"n1 = {n1}, n2 = {n2}"
        ),
    }


def standardised_mean_difference(x, y) -> float:
    """(mean x - mean y) / sqrt((var x + var y) / 2), variances with ddof=1, missing values dropped.

    The usual SMD for baseline balance (average of the two variances, not weighted by n).
    NaN if a group has fewer than 2 values or both variances are 0.
    """
    x = as_float_array(x, "x", allow_nan=True)
    y = as_float_array(y, "y", allow_nan=True)
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    if x.size < 2 or y.size < 2:
        return math.nan
    pooled = math.sqrt((x.var(ddof=1) + y.var(ddof=1)) / 2)
    if pooled == 0:
        return math.nan
    return float((x.mean() - y.mean()) / pooled)
