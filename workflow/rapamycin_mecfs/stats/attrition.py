"""Sensitivity of a paired result to participants who stopped, and regression to the mean."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ._validate import as_float_array
from .paired import wilcoxon_signed_rank

DIRECTIONS = ("higher_is_better", "lower_is_better")


def _wilcoxon_p(d: np.ndarray) -> float:
    return wilcoxon_signed_rank(d, method="approx", correction=True, zero_method="wilcox")["p_value"]


def _p_value(test: Callable, d: np.ndarray) -> float:
    out = test(d)
    return float(out["p_value"] if isinstance(out, dict) else out)


def tipping_point_delta(
    baseline,
    follow_up,
    stopped_mask,
    direction: str,
    *,
    alpha: float = 0.05,
    test: Callable | None = None,
    max_delta: float,
    step: float,
    tol: float | None = None,
) -> dict:
    """Smallest worsening delta imputed for stopped participants at which the paired test loses significance.

    Every enrolled participant is analysed. Stopped participants (``stopped_mask`` true; their
    ``follow_up`` must be NaN) get follow-up = baseline - delta if ``direction`` is
    "higher_is_better", baseline + delta if "lower_is_better" (delta = 0: no change). Everyone
    else must have an observed follow-up. ``test`` maps the differences (follow-up - baseline) to
    a p-value or to a dict with "p_value"; default: Wilcoxon signed-rank, normal approximation
    with tie and continuity correction, zeros dropped.

    Search: delta = step, 2 step, ... up to max_delta; in the first grid cell where p >= alpha,
    bisection to ``tol`` (default step / 1000). The result is the smallest such delta to grid
    resolution: a p-value that is not monotone in delta could tip and untip within one cell.

    Returns delta (NaN if p >= alpha already at delta 0; inf if it never tips up to max_delta),
    p_at_zero, p_at_delta, n_enrolled, n_stopped, direction, alpha, method.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    if not (step > 0 and max_delta > 0):
        raise ValueError("step and max_delta must be positive")
    tol = step / 1000 if tol is None else tol
    base = as_float_array(baseline, "baseline")
    follow = as_float_array(follow_up, "follow_up", allow_nan=True)
    stopped = np.asarray(stopped_mask, dtype=bool).ravel()
    if not base.size == follow.size == stopped.size:
        raise ValueError("baseline, follow_up and stopped_mask must have the same length")
    if np.isnan(follow[~stopped]).any():
        raise ValueError("follow_up is missing for participants not marked as stopped")
    if not np.isnan(follow[stopped]).all():
        raise ValueError("follow_up has values for participants marked as stopped")
    if test is None:
        test, label = _wilcoxon_p, "Wilcoxon signed-rank, normal approximation with tie and continuity correction"
    else:
        label = getattr(test, "__name__", "user-supplied test")
    sign = -1.0 if direction == "higher_is_better" else 1.0

    def p_at(delta: float) -> float:
        imputed = np.where(stopped, base + sign * delta, follow)
        return _p_value(test, imputed - base)

    p_zero = p_at(0.0)
    result = {"delta": math.nan, "p_at_zero": p_zero, "p_at_delta": math.nan, "n_enrolled": int(base.size),
              "n_stopped": int(stopped.sum()), "direction": direction, "alpha": alpha}
    text = (
        f"tipping point: stopped participants imputed as baseline shifted by delta toward worsening "
        f"({direction}), all n = {base.size} enrolled analysed ({int(stopped.sum())} imputed); "
        f"test: {label}; "
        f"grid step {step:g} up to {max_delta:g}, bisection to {tol:g}; alpha = {alpha:g}"
    )
    if not p_zero < alpha:
        result["method"] = f"{text}; not significant at delta = 0 (p = {p_zero:.4g}), no tipping point"
        return result
    n_steps = math.ceil(max_delta / step - 1e-9)
    low = 0.0
    for i in range(1, n_steps + 1):
        high = min(i * step, max_delta)
        p_high = p_at(high)
        if p_high >= alpha:
            while high - low > tol:
                mid = (low + high) / 2
                p_mid = p_at(mid)
                if p_mid >= alpha:
                    high, p_high = mid, p_mid
                else:
                    low = mid
            result.update(delta=high, p_at_delta=p_high, method=f"{text}; tips at delta = {high:.6g}")
            return result
        low = high
    result.update(delta=math.inf, method=f"{text}; still significant at max_delta = {max_delta:g} (never tips)")
    return result


def regression_to_mean_expected_change(baseline_mean: float, population_mean: float, reliability: float) -> float:
    """Expected change from regression to the mean alone: (1 - reliability) (population_mean - baseline_mean).

    For a group selected on its baseline score (here: severity at entry), with ``reliability``
    the test-retest reliability of the measure (0..1). Positive means an expected rise.
    """
    if not 0 <= reliability <= 1:
        raise ValueError(f"reliability must be in [0, 1], got {reliability}")
    return (1 - reliability) * (population_mean - baseline_mean)
