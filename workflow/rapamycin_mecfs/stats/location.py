"""The median with its distribution-free confidence interval.

The interval is scipy's ``quantile_test(...).confidence_interval``: the order-statistic interval
[x_(r), x_(n+1-r)], with r the largest rank whose Binomial(n, 1/2) tail is at most
(1 - confidence) / 2. Its coverage is at least the stated level; nothing is resampled, so nothing
is random. R gives the same interval with ``DescTools::MedianCI(x, method = "exact")``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def median_method(confidence: float) -> str:
    """How `median_with_ci` computes its interval, for a table's ``method`` column.

    Parameters
    ----------
    confidence : float
        Confidence level, e.g. 0.95.

    Returns
    -------
    str
        The method text.

    Examples
    --------
    >>> print(median_method(0.95))  # doctest: +NORMALIZE_WHITESPACE
    median; 95% CI: order-statistic (binomial, distribution-free, coverage >= 95%),
    scipy.stats.quantile_test
    """
    level = f"{100 * confidence:g}%"
    return (
        f"median; {level} CI: order-statistic (binomial, distribution-free, coverage >= {level}), "
        "scipy.stats.quantile_test"
    )


def median_with_ci(values, confidence: float = 0.95) -> dict[str, float | int | str]:
    """n, median and its order-statistic confidence interval.

    Missing values are left out and counted out of n. The CI is NaN when n is too small for
    any order statistic to reach the level (n <= 5 at 95%), and everything but n is NaN
    without values.

    Parameters
    ----------
    values : array-like of float
        The values; NaN means missing.
    confidence : float, optional
        Confidence level of the interval (default 0.95).

    Returns
    -------
    dict
        ``n``, ``median``, ``ci_low``, ``ci_high`` and ``method``.

    Examples
    --------
    Ten values: at 95% the interval is [x_(2), x_(9)], since P(B <= 1) = 11/1024 is the largest
    binomial tail at most 0.025.

    >>> row = median_with_ci([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, float("nan")])
    >>> row["n"], row["median"], row["ci_low"], row["ci_high"]
    (10, 3.5, 1.0, 6.0)
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    row: dict[str, float | int | str] = {
        "n": int(x.size),
        "median": math.nan,
        "ci_low": math.nan,
        "ci_high": math.nan,
        "method": median_method(confidence),
    }
    if x.size == 0:
        return row
    median = float(np.median(x))
    interval = stats.quantile_test(x, q=median, p=0.5).confidence_interval(confidence)
    row.update(median=median, ci_low=float(interval.low), ci_high=float(interval.high))
    return row
