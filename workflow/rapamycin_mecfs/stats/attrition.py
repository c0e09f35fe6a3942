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
        The observed differences, with -delta (higher is better) or +delta (lower is better)
        where ``stopped_mask`` is true.

    Examples
    --------
    >>> d = shifted_differences(
    ...     [2.0, 1.0, float("nan")], [False, False, True], "higher_is_better", delta=1.5
    ... )
    >>> d.tolist()
    [2.0, 1.0, -1.5]
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

    Examples
    --------
    Ten participants, higher is better, the last two stopped. With the default Wilcoxon test the
    eight observed improvements (1 to 5 points) are significant at delta = 0; significance is
    lost as soon as the two imputed worsenings exceed 2 points and so outrank the observed
    improvements of 2 (the result is 2 up to the bisection tolerance, step / 1000):

    >>> baseline = [10, 12, 9, 14, 11, 13, 8, 15, 10, 12]
    >>> change = [2, 3, 2, 4, 3, 4, 1, 5]
    >>> follow_up = [b + c for b, c in zip(baseline, change)] + [float("nan")] * 2
    >>> stopped = [False] * 8 + [True] * 2
    >>> r = tipping_point_delta(
    ...     baseline, follow_up, stopped, "higher_is_better", max_delta=10, step=1
    ... )
    >>> round(r["p_at_zero"], 4), round(r["delta"], 2), round(r["p_at_delta"], 4)
    (0.0139, 2.0, 0.0658)
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
        "tipping point: stopped participants imputed as baseline shifted by delta toward "
        "worsening "
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
    """Expected change from regression to the mean alone.

    (1 - reliability) (population_mean - baseline_mean), for a group selected on its baseline
    score (here: severity at entry), with ``reliability`` the test-retest reliability of the
    measure (0..1).

    Parameters
    ----------
    baseline_mean : float
        Mean baseline score of the selected group.
    population_mean : float
        Mean of the population the group was selected from (a reference mean).
    reliability : float
        Test-retest reliability of the measure, in [0, 1].

    Returns
    -------
    float
        Expected change in the measure's units; positive means an expected rise.

    Examples
    --------
    A group entering at 30 on a measure whose population mean is 50, reliability 0.8: by hand
    (1 - 0.8) x (50 - 30) = 4 points of rise without any treatment.

    >>> round(regression_to_mean_expected_change(30.0, 50.0, 0.8), 4)
    4.0
    """
    if not 0 <= reliability <= 1:
        raise ValueError(f"reliability must be in [0, 1], got {reliability}")
    return (1 - reliability) * (population_mean - baseline_mean)
