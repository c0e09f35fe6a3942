"""ROC AUC of a score for a binary outcome, as the Mann-Whitney U, with a seeded bootstrap CI (numpy only)."""

from __future__ import annotations

import numpy as np

from ..stats._validate import as_float_array, check_confidence

BOOTSTRAP_SCHEME = (
    "stratified: responders and non-responders resampled separately with replacement, group sizes fixed "
    "(so every resample has both classes)"
)


def auc_from_u(u: float, n1: int, n2: int) -> float:
    """AUC = U / (n1 n2): U counts (positive, negative) pairs with the positive scoring higher, ties 1/2."""
    if n1 < 1 or n2 < 1:
        raise ValueError(f"auc_from_u: both groups need values, got n1={n1}, n2={n2}")
    return float(u) / (n1 * n2)


def _weighted_u(positives: np.ndarray, negatives: np.ndarray, w_pos: np.ndarray, w_neg: np.ndarray) -> np.ndarray:
    """U of each weighted resample: sum_ij w_pos[b, i] w_neg[b, j] ([p_i > n_j] + [p_i = n_j] / 2).

    Vectorised over resamples b without the n1 x n2 pair matrix: negatives sorted once, weights
    cumulated along them, and each positive's count of lower and equal negatives read off with
    searchsorted (the same positions for every resample).
    """
    order = np.argsort(negatives, kind="stable")
    sorted_neg = negatives[order]
    cumulative = np.concatenate([np.zeros((w_neg.shape[0], 1)), np.cumsum(w_neg[:, order], axis=1)], axis=1)
    below = cumulative[:, np.searchsorted(sorted_neg, positives, side="left")]
    at_or_below = cumulative[:, np.searchsorted(sorted_neg, positives, side="right")]
    return np.sum(w_pos * (below + 0.5 * (at_or_below - below)), axis=1)


def _counts(index: np.ndarray, n: int) -> np.ndarray:
    """Per resample (row), how often each of the n items was drawn."""
    resamples = index.shape[0]
    offsets = (index + n * np.arange(resamples)[:, None]).ravel()
    return np.bincount(offsets, minlength=resamples * n).reshape(resamples, n).astype(float)


def bootstrap_auc_replicates(positives, negatives, resamples: int, seed: int) -> np.ndarray:
    """AUC of each of ``resamples`` stratified bootstrap resamples.

    Draws, in this order, from ``numpy.random.default_rng(seed)``: ``integers(0, n1, size=(resamples, n1))``
    (indices of the resampled positives), then ``integers(0, n2, size=(resamples, n2))``
    (negatives). Row b of each is resample b. The same seed gives the same replicates.
    """
    pos = as_float_array(positives, "positives")
    neg = as_float_array(negatives, "negatives")
    n1, n2 = pos.size, neg.size
    if n1 < 1 or n2 < 1:
        raise ValueError(f"bootstrap_auc_replicates: both groups need values, got n1={n1}, n2={n2}")
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1, got {resamples}")
    rng = np.random.default_rng(seed)
    pos_index = rng.integers(0, n1, size=(resamples, n1))
    neg_index = rng.integers(0, n2, size=(resamples, n2))
    u = _weighted_u(pos, neg, _counts(pos_index, n1), _counts(neg_index, n2))
    return u / (n1 * n2)


def bootstrap_auc_ci(positives, negatives, resamples: int, seed: int, confidence: float = 0.95) -> dict:
    """Percentile bootstrap CI of the AUC (stratified resampling, fresh default_rng(seed)).

    Percentiles by numpy's default linear interpolation (R quantile type 7). Returns ci_low,
    ci_high, confidence, resamples, seed, ci_spans_0_5, scheme, method.
    """
    confidence = check_confidence(confidence)
    replicates = bootstrap_auc_replicates(positives, negatives, resamples, seed)
    low, high = np.quantile(replicates, [(1 - confidence) / 2, 1 - (1 - confidence) / 2])
    return {
        "ci_low": float(low),
        "ci_high": float(high),
        "confidence": confidence,
        "resamples": int(resamples),
        "seed": int(seed),
        "ci_spans_0_5": bool(low <= 0.5 <= high),
        "scheme": BOOTSTRAP_SCHEME,
        "method": (
            f"{100 * confidence:g}% percentile bootstrap CI of the AUC, {resamples} resamples, "
            f"numpy default_rng({seed}) (fresh for this AUC); {BOOTSTRAP_SCHEME}; percentiles by linear "
            "interpolation (numpy default, R type 7)"
        ),
    }
