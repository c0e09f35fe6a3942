"""Confidence intervals for a proportion."""

from __future__ import annotations

from statsmodels.stats import proportion

from ._validate import check_confidence


def _check_counts(k, n) -> tuple[int, int]:
    if int(k) != k or int(n) != n:
        raise ValueError(f"k and n must be whole numbers, got k={k}, n={n}")
    k, n = int(k), int(n)
    if n < 1 or not 0 <= k <= n:
        raise ValueError(f"need n >= 1 and 0 <= k <= n, got k={k}, n={n}")
    return k, n


def wilson_ci(k, n, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval (no continuity correction) for k successes out of n.

    ``statsmodels.stats.proportion.proportion_confint(k, n, alpha, method="wilson")``; the same
    limits as R ``prop.test(k, n, correct = FALSE)$conf.int``.

    Parameters
    ----------
    k : int
        Number of successes (a whole number, 0 <= k <= n).
    n : int
        Number of trials (at least 1).
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    tuple of float
        (low, high); exactly 0 when k = 0 and exactly 1 when k = n.

    Examples
    --------
    >>> [round(limit, 4) for limit in wilson_ci(29, 40)]
    [0.5717, 0.8389]
    >>> [round(limit, 4) for limit in wilson_ci(0, 10)]
    [0.0, 0.2775]
    """
    k, n = _check_counts(k, n)
    confidence = check_confidence(confidence)
    low, high = proportion.proportion_confint(k, n, alpha=1 - confidence, method="wilson")
    # The exact limits are 0 when k = 0 and 1 when k = n, as R returns them; statsmodels'
    # arithmetic can leave 1 - 1e-16 there.
    return (0.0 if k == 0 else float(low)), (1.0 if k == n else float(high))


def proportion_with_ci(k, n, confidence: float = 0.95) -> dict:
    """A proportion with its Wilson score interval and a method text.

    Parameters
    ----------
    k : int
        Number of successes.
    n : int
        Number of trials.
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    dict
        k, n, proportion, ci_low, ci_high, confidence, method (limits from ``wilson_ci``).

    Examples
    --------
    >>> r = proportion_with_ci(29, 40)
    >>> r["proportion"], round(r["ci_low"], 4), round(r["ci_high"], 4)
    (0.725, 0.5717, 0.8389)
    >>> print(r["method"])  # doctest: +NORMALIZE_WHITESPACE
    proportion 29/40 with 95% Wilson score interval (approximate, no continuity correction;
    as R prop.test(correct = FALSE))
    """
    low, high = wilson_ci(k, n, confidence)
    return {
        "k": int(k),
        "n": int(n),
        "proportion": int(k) / int(n),
        "ci_low": low,
        "ci_high": high,
        "confidence": confidence,
        "method": f"proportion {int(k)}/{int(n)} with {100 * confidence:g}% Wilson score interval "
        "(approximate, no continuity correction; as R prop.test(correct = FALSE))",
    }
