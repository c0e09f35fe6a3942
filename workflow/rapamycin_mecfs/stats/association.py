"""Association and two-group comparisons: Spearman rho with CI, Mann-Whitney U, SMD."""

from __future__ import annotations

import math

import numpy as np
import pingouin

from . import SPEARMAN_CI
from ._validate import as_float_array, check_confidence


def spearman_with_ci(x, y, confidence: float = 0.95) -> dict:
    """Spearman rho with two-sided p and a Fisher-z confidence interval.

    rho and p from ``pingouin.corr(x, y, method="spearman")`` (scipy's spearmanr: t approximation
    with n - 2 df, as R ``cor.test(method = "spearman", exact = FALSE)``); the CI from
    ``pingouin.compute_esci(rho, n, eftype="r")`` unrounded (pingouin's corr rounds it to 2
    decimals): atanh(rho) +/- z / sqrt(n - 3), back-transformed. Pairs with a missing value are
    dropped (counted).

    Parameters
    ----------
    x, y : array-like
        Paired values, the same length; NaN marks a missing value.
    confidence : float
        Two-sided confidence level of the interval.

    Returns
    -------
    dict
        n (complete pairs), n_dropped, rho, p_value, ci_low, ci_high, confidence, method.
        rho and p are NaN with fewer than 3 pairs or a constant variable; the CI needs n >= 4.

    Examples
    --------
    Six pairs whose ranks differ by swapped neighbours: sum d^2 = 6, so
    rho = 1 - 6 * 6 / (6 * 35) = 0.8286 by hand.

    >>> r = spearman_with_ci([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5])
    >>> round(r["rho"], 4), round(r["p_value"], 4)
    (0.8286, 0.0416)
    >>> round(r["ci_low"], 4), round(r["ci_high"], 4), r["n"]
    (0.0519, 0.9807, 6)
    """
    confidence = check_confidence(confidence)
    x = as_float_array(x, "x", allow_nan=True)
    y = as_float_array(y, "y", allow_nan=True)
    if x.size != y.size:
        raise ValueError(f"x and y must have the same length, got {x.size} and {y.size}")
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    n = int(keep.sum())
    result = {
        "n": n,
        "n_dropped": int((~keep).sum()),
        "rho": math.nan,
        "p_value": math.nan,
        "ci_low": math.nan,
        "ci_high": math.nan,
        "confidence": confidence,
    }
    text = (
        "Spearman rank correlation, two-sided p by the t approximation with n - 2 df "
        '(as R cor.test(method = "spearman", exact = FALSE)); '
        f"{100 * confidence:g}% CI by {SPEARMAN_CI}; n = {n} complete pairs"
    )
    if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        result["method"] = f"{text}; not computed: fewer than 3 pairs or a constant variable"
        return result
    test = pingouin.corr(x, y, method="spearman")
    rho = float(test.at["spearman", "r"])
    result.update(rho=rho, p_value=float(test.at["spearman", "p_val"]))
    if n >= 4:
        with np.errstate(divide="ignore"):  # |rho| = 1 gives the interval (rho, rho)
            low, high = pingouin.compute_esci(
                stat=rho, nx=n, ny=n, eftype="r", confidence=confidence, decimals=_UNROUNDED
            )
        result.update(ci_low=float(low), ci_high=float(high))
    else:
        text += "; CI not computed (needs n >= 4)"
    result["method"] = text
    return result


# pingouin rounds intervals to ``decimals``; 15 keeps every digit a table prints.
_UNROUNDED = 15


def mann_whitney(x, y) -> dict:
    """Mann-Whitney U (Wilcoxon rank-sum) test of x against y; missing values dropped per group.

    ``pingouin.mwu(x, y, method="asymptotic", use_continuity=True)``: U for x (pairs with
    x > y, ties counting 1/2), two-sided p by the normal approximation with tie and continuity
    correction (as R ``wilcox.test(x, y, exact = FALSE, correct = TRUE)``, whose W is this U).
    Effect sizes from the same call: prob_superiority = CLES = U / (n1 n2) = P(X > Y) + P(X = Y)/2,
    rank_biserial = RBC = 2 U / (n1 n2) - 1 (positive when x tends to exceed y).

    Parameters
    ----------
    x, y : array-like
        The two groups' values (any lengths); NaN values are dropped.

    Returns
    -------
    dict
        n1, n2, median_x, median_y, U, p_value, rank_biserial, prob_superiority, method.

    Raises
    ------
    ValueError
        If a group has no values.

    Examples
    --------
    Of the 4 x 3 = 12 pairs, x wins 11 and ties 1 (3.0 against 3.0), so U = 11.5 by hand:

    >>> r = mann_whitney([3.0, 4.0, 5.0, 6.0], [1.0, 2.0, 3.0])
    >>> r["U"], round(r["prob_superiority"], 4), round(r["rank_biserial"], 4)
    (11.5, 0.9583, 0.9167)
    >>> round(r["p_value"], 4)
    0.0745
    """
    x = as_float_array(x, "x", allow_nan=True)
    y = as_float_array(y, "y", allow_nan=True)
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    n1, n2 = x.size, y.size
    if n1 == 0 or n2 == 0:
        raise ValueError(f"mann_whitney: both groups need values, got n1={n1}, n2={n2}")
    test = pingouin.mwu(x, y, alternative="two-sided", method="asymptotic", use_continuity=True)
    return {
        "n1": n1,
        "n2": n2,
        "median_x": float(np.median(x)),
        "median_y": float(np.median(y)),
        "U": float(test.at["MWU", "U_val"]),
        "p_value": float(test.at["MWU", "p_val"]),
        "rank_biserial": float(test.at["MWU", "RBC"]),
        "prob_superiority": float(test.at["MWU", "CLES"]),
        "method": (
            "Mann-Whitney U test (U for x), two-sided, normal approximation with tie correction "
            "and continuity correction (as R wilcox.test(exact = FALSE, correct = TRUE), W = U); "
            f"rank-biserial r = 2U/(n1 n2) - 1 (> 0: x tends to exceed y); n1 = {n1}, n2 = {n2}"
        ),
    }


def standardised_mean_difference(x, y) -> float:
    """Standardised mean difference of x against y, with the unweighted average of the variances.

    (mean x - mean y) / sqrt((var x + var y) / 2), variances with ddof=1, missing values dropped.

    Parameters
    ----------
    x, y : array-like
        The two groups' values; NaN values are dropped.

    Returns
    -------
    float
        The SMD; NaN if a group has fewer than 2 values or both variances are 0.

    Notes
    -----
    The usual SMD for baseline balance (Austin 2009: average of the two variances, not weighted by
    n). Hand-written because pingouin's ``compute_effsize(eftype="cohen")`` pools the variances
    weighted by their degrees of freedom, a different quantity.

    Examples
    --------
    Means 4 and 2, variances 4 and 1, so SMD = 2 / sqrt(2.5) = 1.2649 by hand:

    >>> round(standardised_mean_difference([2.0, 4.0, 6.0], [1.0, 2.0, 3.0, float("nan")]), 4)
    1.2649
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
