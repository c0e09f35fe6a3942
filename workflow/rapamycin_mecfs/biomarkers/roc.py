"""ROC AUC of a score for a binary outcome, as the Mann-Whitney U, with a seeded bootstrap CI."""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..stats._validate import as_float_array, check_confidence

BOOTSTRAP_SCHEME = (
    "stratified: responders and non-responders resampled separately with replacement, group "
    "sizes fixed (so every resample has both classes)"
)


def auc_from_u(u: float, n1: int, n2: int) -> float:
    """AUC = U / (n1 n2): U counts (positive, negative) pairs with the positive scoring higher, ties
    1/2."""
    if n1 < 1 or n2 < 1:
        raise ValueError(f"auc_from_u: both groups need values, got n1={n1}, n2={n2}")
    return float(u) / (n1 * n2)


def _auc(positives: np.ndarray, negatives: np.ndarray, axis: int = -1) -> np.ndarray:
    """AUC = U / (n1 n2) along ``axis``, U from ``scipy.stats.mannwhitneyu`` (vectorised)."""
    u = stats.mannwhitneyu(positives, negatives, axis=axis, method="asymptotic").statistic
    return u / (positives.shape[axis] * negatives.shape[axis])


def bootstrap_auc_ci(
    positives, negatives, resamples: int, seed: int, confidence: float = 0.95
) -> dict:
    """Percentile bootstrap CI of the AUC by ``scipy.stats.bootstrap``.

    Two independent samples, so scipy resamples responders and non-responders separately with
    group sizes fixed (stratified); ``method="percentile"``, ``rng=numpy.random.default_rng(seed)``
    fresh for each AUC, so the same seed gives the same interval. Returns ci_low, ci_high,
    confidence, resamples, seed, ci_spans_0_5, scheme, method.

    Examples
    --------
    >>> ci = bootstrap_auc_ci([3.0, 4.0, 5.0, 6.0], [1.0, 2.0, 3.5], resamples=200, seed=1)
    >>> ci["ci_high"]
    1.0
    """
    confidence = check_confidence(confidence)
    pos = as_float_array(positives, "positives")
    neg = as_float_array(negatives, "negatives")
    if pos.size < 1 or neg.size < 1:
        raise ValueError(
            f"bootstrap_auc_ci: both groups need values, got n1={pos.size}, n2={neg.size}"
        )
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1, got {resamples}")
    result = stats.bootstrap(
        (pos, neg),
        _auc,
        n_resamples=resamples,
        confidence_level=confidence,
        method="percentile",
        vectorized=True,
        paired=False,
        batch=_BATCH,
        rng=np.random.default_rng(seed),
    )
    low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
    return {
        "ci_low": low,
        "ci_high": high,
        "confidence": confidence,
        "resamples": int(resamples),
        "seed": int(seed),
        "ci_spans_0_5": bool(low <= 0.5 <= high),
        "scheme": BOOTSTRAP_SCHEME,
        "method": (
            f"{100 * confidence:g}% percentile bootstrap CI of the AUC (scipy.stats.bootstrap), "
            f"{resamples} resamples, numpy default_rng({seed}) (fresh for this AUC); "
            f"{BOOTSTRAP_SCHEME}"
        ),
    }


# Resamples evaluated at once: bounds memory at 10,000 participants (batch x n floats).
_BATCH = 500
