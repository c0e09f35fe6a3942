"""Multiplicity adjustment of p-values that leaves missing p-values missing."""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array

METHODS = {
    "holm": "Holm step-down (family-wise error rate)",
    "fdr_bh": "Benjamini-Hochberg step-up (false discovery rate)",
}


def _holm(p_sorted: np.ndarray) -> np.ndarray:
    """Holm on ascending p: running maximum of (m - i) p_(i), capped at 1 (statsmodels' arithmetic)."""
    m = p_sorted.size
    return np.minimum(np.maximum.accumulate(p_sorted * np.arange(m, 0, -1)), 1.0)


def _fdr_bh(p_sorted: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg on ascending p: running minimum from the top of p_(i) m / i, capped at 1."""
    m = p_sorted.size
    raw = p_sorted / (np.arange(1, m + 1) / float(m))
    return np.minimum(np.minimum.accumulate(raw[::-1])[::-1], 1.0)


_PROCEDURES = {"holm": _holm, "fdr_bh": _fdr_bh}


def adjust(p_values, method: str) -> np.ndarray:
    """Adjusted p-values (same order and length) for method "holm" or "fdr_bh".

    NaN entries stay NaN and do not count towards the number of tests (statsmodels'
    ``multipletests`` would return all-NaN). The arithmetic is statsmodels' own, written out in
    numpy so a job that adjusts p-values does not import statsmodels and scipy.stats (about a
    second); tests compare both. Tied p-values get the same adjusted value whatever their order.
    ``describe_adjustment(method, n_tests)`` gives the method text for a report.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, got {method!r}")
    p = as_float_array(p_values, "p_values", allow_nan=True)
    present = ~np.isnan(p)
    if ((p[present] < 0) | (p[present] > 1)).any():
        raise ValueError("p-values must lie in [0, 1]")
    adjusted = np.full(p.shape, np.nan)
    if present.any():
        values = p[present]
        order = np.argsort(values, kind="stable")
        result = np.empty_like(values)
        result[order] = _PROCEDURES[method](values[order])
        adjusted[present] = result
    return adjusted


def describe_adjustment(method: str, n_tests: int) -> str:
    """Method text for ``adjust``: the procedure and the number of tests in the family."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, got {method!r}")
    return f"p-values adjusted by {METHODS[method]} over a family of {n_tests} tests"
