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

    Parameters
    ----------
    p_values : array-like
        Unadjusted p-values in [0, 1]; NaN for a test that was not computed.
    method : str
        "holm" (family-wise error rate) or "fdr_bh" (false discovery rate), see ``METHODS``.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, NaN where the input is NaN (all NaN if no p-value is present).

    Examples
    --------
    Three tests (the NaN does not count). Holm by hand: sorted p 0.01, 0.03, 0.04 times 3, 2, 1
    = 0.03, 0.06, 0.04, made non-decreasing: 0.03, 0.06, 0.06. Benjamini-Hochberg: times 3/1,
    3/2, 3/3 = 0.03, 0.045, 0.04, made non-increasing from the top: 0.03, 0.04, 0.04.

    >>> adjust([0.01, 0.04, float("nan"), 0.03], "holm").tolist()
    [0.03, 0.06, nan, 0.06]
    >>> adjust([0.01, 0.04, float("nan"), 0.03], "fdr_bh").tolist()
    [0.03, 0.04, nan, 0.04]
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
    """Method text for ``adjust``: the procedure and the number of tests in the family.

    Parameters
    ----------
    method : str
        "holm" or "fdr_bh", as given to ``adjust``.
    n_tests : int
        Number of tests in the family (the p-values present).

    Returns
    -------
    str
        The procedure, the family size and the R ``p.adjust`` method that gives the same values.

    Examples
    --------
    >>> print(describe_adjustment("holm", 3))  # doctest: +NORMALIZE_WHITESPACE
    p-values adjusted by Holm step-down (family-wise error rate) over a family of 3 tests
    (R p.adjust(method = "holm"))
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, got {method!r}")
    return (
        f"p-values adjusted by {METHODS[method]} over a family of {n_tests} tests "
        f'(R p.adjust(method = "{R_METHODS[method]}"))'
    )
