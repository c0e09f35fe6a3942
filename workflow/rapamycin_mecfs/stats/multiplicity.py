"""Multiplicity adjustment of p-values that leaves missing p-values missing."""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array

METHODS = {
    "holm": "Holm step-down (family-wise error rate)",
    "fdr_bh": "Benjamini-Hochberg step-up (false discovery rate)",
}


def adjust(p_values, method: str) -> np.ndarray:
    """Adjusted p-values (same order and length) for method "holm" or "fdr_bh".

    NaN entries stay NaN and do not count towards the number of tests (statsmodels'
    ``multipletests`` would return all-NaN, so they are removed first and put back).
    ``describe_adjustment(method, n_tests)`` gives the method text for a report.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, got {method!r}")
    from statsmodels.stats.multitest import multipletests

    p = as_float_array(p_values, "p_values", allow_nan=True)
    present = ~np.isnan(p)
    if ((p[present] < 0) | (p[present] > 1)).any():
        raise ValueError("p-values must lie in [0, 1]")
    adjusted = np.full(p.shape, np.nan)
    if present.any():
        adjusted[present] = multipletests(p[present], method=method, is_sorted=False, returnsorted=False)[1]
    return adjusted


def describe_adjustment(method: str, n_tests: int) -> str:
    """Method text for ``adjust``: the procedure and the number of tests in the family."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, got {method!r}")
    return f"p-values adjusted by {METHODS[method]} over a family of {n_tests} tests (statsmodels multipletests)"
