"""Confidence intervals for a proportion."""

from __future__ import annotations

import math

from scipy import stats

from ._validate import check_confidence


def _check_counts(k, n) -> tuple[int, int]:
    if int(k) != k or int(n) != n:
        raise ValueError(f"k and n must be whole numbers, got k={k}, n={n}")
    k, n = int(k), int(n)
    if n < 1 or not 0 <= k <= n:
        raise ValueError(f"need n >= 1 and 0 <= k <= n, got k={k}, n={n}")
    return k, n


def wilson_ci(k, n, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval (no continuity correction) for k successes out of n."""
    k, n = _check_counts(k, n)
    confidence = check_confidence(confidence)
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    p = k / n
    denominator = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    # The exact limits are 0 when k = 0 and 1 when k = n; set them so rounding cannot move them.
    low = 0.0 if k == 0 else float(centre - half)
    high = 1.0 if k == n else float(centre + half)
    return low, high


def proportion_with_ci(k, n, confidence: float = 0.95) -> dict:
    """k, n, proportion, ci_low, ci_high, confidence, method (Wilson score interval)."""
    low, high = wilson_ci(k, n, confidence)
    return {
        "k": int(k),
        "n": int(n),
        "proportion": int(k) / int(n),
        "ci_low": low,
        "ci_high": high,
        "confidence": confidence,
        "method": f"proportion {int(k)}/{int(n)} with {100 * confidence:g}% Wilson score interval "
        "(approximate, no continuity correction)",
    }
