"""Sensitivity of a paired result to participants who stopped, and regression to the mean."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ._validate import as_float_array
from .paired import wilcoxon_signed_rank

DIRECTIONS = ("higher_is_better", "lower_is_better")


def _wilcoxon_p(d: np.ndarray) -> float:
    return wilcoxon_signed_rank(d, method="approx", correction=True, zero_method="wilcox")[
        "p_value"
    ]


def _p_value(test: Callable, d: np.ndarray) -> float:
    out = test(d)
    return float(out["p_value"] if isinstance(out, dict) else out)


def shifted_differences(
    follow_minus_baseline, stopped_mask, direction: str, delta: float
) -> np.ndarray:
    """Paired differences, each stopped participant's set to delta towards worsening.

    The imputed differences are built directly as -delta (higher is better) or +delta (lower is
    better), never as (baseline +- delta) - baseline: that subtraction is not exact in floating
    point, so the imputed differences would stop being tied and the tie correction would wobble.

    Parameters
    ----------
    follow_minus_baseline : array-like
        Observed differences (follow-up - baseline); ignored (may be NaN) where stopped.
    stopped_mask : array-like of bool
        The participants whose difference is imputed.
    direction : str
        "higher_is_better" or "lower_is_better".
    delta : float
        Shift towards worsening, in the outcome's units (0: no change).

    Returns
    -------
    numpy.ndarray
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    sign = -1.0 if direction == "higher_is_better" else 1.0
    observed = np.asarray(follow_minus_baseline, dtype=float)
    return np.where(np.asarray(stopped_mask, dtype=bool), sign * delta, observed)


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
    """Smallest worsening shift, one value for all the stopped, at which significance is lost.

    Every enrolled participant is analysed. Stopped participants (``stopped_mask`` true; their
    ``follow_up`` must be NaN) get the difference follow-up - baseline = -delta if ``direction``
    is "higher_is_better", +delta if "lower_is_better" (delta = 0: no change), built exactly (see
    ``shifted_differences``). Everyone else must have an observed follow-up.

    Search: delta = step, 2 step, ... up to max_delta; in the first grid cell where p >= alpha,
    bisection to ``tol``. The result is the smallest such delta to grid resolution: a p-value
    that is not monotone in delta could tip and untip within one cell.

    Parameters
    ----------
    baseline, follow_up : array-like
        Values per participant; follow_up NaN exactly where stopped.
    stopped_mask : array-like of bool
        The participants whose follow-up is imputed.
    direction : str
        "higher_is_better" or "lower_is_better".
    alpha : float
        Significance level.
    test : callable, optional
        Maps the differences to a p-value or to a dict with "p_value". Default: Wilcoxon
        signed-rank, normal approximation with tie and continuity correction, zeros dropped.
    max_delta, step : float
        Largest delta tried and grid step (both positive).
    tol : float, optional
        Bisection tolerance (default step / 1000).

    Returns
    -------
    dict
        delta (NaN if p >= alpha already at delta 0; inf if it never tips up to max_delta),
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
        test = _wilcoxon_p
        label = "Wilcoxon signed-rank, normal approximation with tie and continuity correction"
    else:
        label = getattr(test, "__name__", "user-supplied test")
    observed = follow - base  # NaN where stopped; replaced below

    def p_at(delta: float) -> float:
        return _p_value(test, shifted_differences(observed, stopped, direction, delta))

    p_zero = p_at(0.0)
    result = {
        "delta": math.nan,
        "p_at_zero": p_zero,
        "p_at_delta": math.nan,
        "n_enrolled": int(base.size),
        "n_stopped": int(stopped.sum()),
        "direction": direction,
        "alpha": alpha,
    }
    text = (
        f"tipping point: stopped participants imputed as baseline shifted by delta toward worsening "
        f"({direction}; imputed differences built exactly as the shift), all n = {base.size} "
        f"enrolled analysed ({int(stopped.sum())} imputed); test: {label}; "
        f"grid step {step:g} up to {max_delta:g}, bisection to {tol:g}; alpha = {alpha:g}"
    )
    if not p_zero < alpha:
        result["method"] = (
            f"{text}; not significant at delta = 0 (p = {p_zero:.4g}), no tipping point"
        )
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
            result.update(
                delta=high, p_at_delta=p_high, method=f"{text}; tips at delta = {high:.6g}"
            )
            return result
        low = high
    result.update(
        delta=math.inf,
        method=f"{text}; still significant at max_delta = {max_delta:g} (never tips)",
    )
    return result


def regression_to_mean_expected_change(
    baseline_mean: float, population_mean: float, reliability: float
) -> float:
    """Expected change from regression to the mean alone: (1 - reliability) (population_mean - baseline_mean).

    For a group selected on its baseline score (here: severity at entry), with ``reliability``
    the test-retest reliability of the measure (0..1). Positive means an expected rise.
    """
    if not 0 <= reliability <= 1:
        raise ValueError(f"reliability must be in [0, 1], got {reliability}")
    return (1 - reliability) * (population_mean - baseline_mean)
