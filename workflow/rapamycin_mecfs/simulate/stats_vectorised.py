"""The pipeline's statistics over many trials at once (one row per trial).

Each function is a vectorised twin of a function the main analysis uses, and tests assert they agree
on the same simulated data:

* ``wilcoxon_rows`` = ``stats.paired.wilcoxon_signed_rank(d, method, correction=True,
  zero_method="wilcox")`` per row (p to 1e-10; V exactly);
* ``responder_counts`` = ``analysis.responders.responder_status`` + ``responder_proportions`` (k,
  n).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special


def average_ranks(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row-wise average ranks of `keys` (m, n) as scipy rankdata(method="average") gives them.

    Returns (order, ranks of the sorted values, tie-group size of each sorted value).
    +inf sorts last and forms its own group(s); callers mask it out.
    """
    m, n = keys.shape
    order = np.argsort(keys, axis=1, kind="stable")
    s = np.take_along_axis(keys, order, axis=1)
    pos = np.broadcast_to(np.arange(n), (m, n))
    starts = np.ones((m, n), dtype=bool)
    starts[:, 1:] = s[:, 1:] != s[:, :-1]
    ends = np.ones((m, n), dtype=bool)
    ends[:, :-1] = s[:, :-1] != s[:, 1:]
    first = np.maximum.accumulate(np.where(starts, pos, 0), axis=1)
    last = np.minimum.accumulate(np.where(ends, pos, n - 1)[:, ::-1], axis=1)[:, ::-1]
    return order, (first + last) / 2 + 1, (last - first + 1).astype(float)


# Largest |d| / step handled by counting (beyond it, or off the grid, ranks come from sorting).
MAX_GRID_CODES = 4096


def _grid_rank_sums(
    d: np.ndarray, used: np.ndarray, step: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(n, V, sum of t^3 - t) per row by counting, when every used |d| is a whole multiple of
    `step`.

    The average rank of code c is (number of smaller codes) + (count of c + 1) / 2, exactly the
    half-integers sorting gives, so the statistics are identical; None when not on the grid.
    """
    magnitude = np.where(used, np.abs(d), 0.0)
    codes = np.rint(magnitude / step)
    if not np.all(np.abs(codes * step - magnitude) <= 1e-9 * np.maximum(1.0, magnitude)):
        return None
    top = int(codes.max()) if codes.size else 0
    if top > MAX_GRID_CODES:
        return None
    m, width = d.shape[0], top + 1
    index = np.arange(m)[:, None] * width + codes.astype(np.int64)
    counts = np.bincount(index[used], minlength=m * width).reshape(m, width).astype(float)
    positive = np.bincount(index[used & (d > 0)], minlength=m * width).reshape(m, width)
    ranks = np.cumsum(counts, axis=1) - counts + (counts + 1) / 2
    return counts.sum(axis=1), (positive * ranks).sum(axis=1), (counts**3 - counts).sum(axis=1)


def wilcoxon_rows(
    d: np.ndarray, method: str = "approx", step: float | None = None
) -> dict[str, np.ndarray]:
    """Two-sided Wilcoxon signed-rank test of each row of `d` (m, n); NaN marks an absent pair.

    Zero differences are dropped before ranking (R's default), ranks of |d| averaged over ties,
    V = sum of ranks of positive d, p from the normal approximation with tie-corrected variance and
    continuity correction. ``method="exact"``: rows with no ties and no zeros get the exact p from
    ``stats.paired.wilcoxon_signed_rank`` itself (as the pipeline does); the rest the approximation.
    Rows with no non-zero difference get V = 0 and p = NaN, as the scalar function returns.
    ``step``: the differences' grid step, if any; ranks then come from counting instead of sorting
    (same values; faster), falling back to sorting when a difference is off the grid.
    """
    if method not in ("approx", "exact"):
        raise ValueError(f"method must be 'approx' or 'exact', got {method!r}")
    d = np.atleast_2d(np.asarray(d, dtype=float))
    present = ~np.isnan(d)
    used = present & (d != 0)
    counted = _grid_rank_sums(d, used, step) if step else None
    if counted is not None:
        n, v, tie_term = counted
    else:
        order, ranks, sizes = average_ranks(np.where(used, np.abs(d), np.inf))
        in_use = np.take_along_axis(used, order, axis=1)
        positive = np.take_along_axis(np.where(used, d, 0.0) > 0, order, axis=1)
        n = used.sum(axis=1).astype(float)
        v = np.where(in_use & positive, ranks, 0.0).sum(axis=1)
        tie_term = np.where(in_use, sizes**2 - 1, 0.0).sum(
            axis=1
        )  # = sum over tie groups of t^3 - t
    mean = n * (n + 1) / 4
    var24 = n * (n + 1) * (2 * n + 1) - tie_term / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.sqrt(var24 / 24)
        centred = v - mean
        z = (centred - 0.5 * np.sign(centred)) / sigma
        p = np.minimum(1.0, 2 * special.ndtr(-np.abs(z)))
    none = n == 0
    z[none], p[none] = np.nan, np.nan
    n_zero = (present & (d == 0)).sum(axis=1)
    if method == "exact":
        # Imported here: scipy.stats costs a shard job about a second to import, and only this
        # branch needs it.
        from ..stats.paired import wilcoxon_signed_rank

        exact_rows = np.flatnonzero(~none & (tie_term == 0) & (n_zero == 0))
        for row in exact_rows:
            result = wilcoxon_signed_rank(
                d[row][present[row]], method="exact", correction=True, zero_method="wilcox"
            )
            p[row], z[row] = result["p_value"], np.nan
    return {
        "n_pairs": present.sum(axis=1),
        "n_nonzero": n.astype(int),
        "n_zero": n_zero,
        "V": v,
        "z": z,
        "p_value": p,
    }


def last_observation(values: list[np.ndarray]) -> np.ndarray:
    """LOCF: the last non-missing value over the arrays (one per visit, in order)."""
    carried = values[0].copy()
    for current in values[1:]:
        np.copyto(carried, current, where=~np.isnan(current))
    return carried


def criterion_met(
    improvement: np.ndarray, baseline: np.ndarray, criterion: dict[str, Any]
) -> np.ndarray:
    """1.0 / 0.0 where evaluable, NaN where not (as analysis.responders.criterion_met)."""
    if criterion["unit"] == "percent":
        scale = np.abs(baseline)
        with np.errstate(invalid="ignore", divide="ignore"):
            size = 100 * improvement / np.where(scale == 0, np.nan, scale)
    else:
        size = improvement
    met = (size >= criterion["min_improvement"] - 1e-9).astype(float)
    met[np.isnan(size)] = np.nan
    return met


def combine(met: list[np.ndarray], rule: dict[str, Any]) -> np.ndarray:
    """One array per criterion -> responder 1.0 / 0.0, NaN when a criterion is not evaluable
    (as analysis.responders.combine)."""
    needed = {"all": len(met), "any": 1, "at_least": rule["k"]}[rule["combine"]]
    count = np.zeros(met[0].shape)
    missing = np.zeros(met[0].shape, dtype=bool)
    for one in met:
        count += one == 1.0
        missing |= np.isnan(one)
    status = (count >= needed).astype(float)
    status[missing] = np.nan
    return status


def responder_status(
    values: np.ndarray, sign: np.ndarray, index: dict[str, int], rule: dict[str, Any], visit: int
) -> tuple[np.ndarray, np.ndarray]:
    """Observed and LOCF responder status (trials, n) from values (trials, n, visits, outcomes):
    1.0 responder, 0.0 not, NaN not evaluable (as analysis.responders.responder_status)."""
    observed, carried = [], []
    for criterion in rule["criteria"]:
        k = index[criterion["outcome"]]
        base = values[:, :, 0, k]
        change = sign[k] * (values[:, :, visit, k] - base)
        locf = sign[k] * (
            last_observation([values[:, :, v, k] for v in range(1, visit + 1)]) - base
        )
        observed.append(criterion_met(change, base, criterion))
        carried.append(criterion_met(locf, base, criterion))
    return combine(observed, rule), combine(carried, rule)


def responder_counts(
    observed: np.ndarray, locf: np.ndarray, completers: np.ndarray, reached: np.ndarray
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(responders, denominator) per trial under the three denominators of analysis.responders.

    completers: evaluable completers; reached_first_follow_up_locf: reached the first follow-up and
    evaluable with LOCF;
    enrolled_worst_case: everyone, anyone without an evaluable responder visit a non-responder.
    """
    in_completers = completers & ~np.isnan(observed)
    in_reached = reached & ~np.isnan(locf)
    return {
        "completers": (np.where(in_completers, observed, 0).sum(axis=1), in_completers.sum(axis=1)),
        "reached_first_follow_up_locf": (
            np.where(in_reached, locf, 0).sum(axis=1),
            in_reached.sum(axis=1),
        ),
        "enrolled_worst_case": (
            np.where(observed == 1.0, 1.0, 0.0).sum(axis=1),
            np.full(observed.shape[0], observed.shape[1]),
        ),
    }
