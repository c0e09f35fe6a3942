"""Multiplicity adjustment of p-values that leaves missing p-values missing."""

from __future__ import annotations

import numpy as np
import pingouin

from ._validate import as_float_array

METHODS = {
    "holm": "Holm step-down (family-wise error rate)",
    "fdr_bh": "Benjamini-Hochberg step-up (false discovery rate)",
}
# The p.adjust method that gives the same values.
R_METHODS = {"holm": "holm", "fdr_bh": "BH"}


def adjust(p_values, method: str) -> np.ndarray:
    """Adjusted p-values (same order and length) for method "holm" or "fdr_bh".

    ``pingouin.multicomp(p, method=method)``: NaN entries stay NaN and do not count towards the
    number of tests. Equal to R ``p.adjust(p[!is.na(p)], method = "holm" | "BH")``.
    ``describe_adjustment(method, n_tests)`` gives the method text for a report.

    Examples
    --------
    >>> adjust([0.01, 0.04, float("nan"), 0.03], "holm").tolist()
    [0.03, 0.06, nan, 0.06]
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, got {method!r}")
    p = as_float_array(p_values, "p_values", allow_nan=True)
    present = ~np.isnan(p)
    if ((p[present] < 0) | (p[present] > 1)).any():
        raise ValueError("p-values must lie in [0, 1]")
    if not present.any():
        return np.full(p.shape, np.nan)
    _, adjusted = pingouin.multicomp(p, method=method)
    return np.asarray(adjusted, dtype=float)


def describe_adjustment(method: str, n_tests: int) -> str:
    """Method text for ``adjust``: the procedure and the number of tests in the family."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, got {method!r}")
    return (
        f"p-values adjusted by {METHODS[method]} over a family of {n_tests} tests "
        f'(R p.adjust(method = "{R_METHODS[method]}"))'
    )
