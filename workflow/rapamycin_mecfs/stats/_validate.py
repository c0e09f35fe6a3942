"""Input checks shared by the stats modules (numpy only)."""

from __future__ import annotations

import numpy as np


def as_float_array(values, name: str = "values", *, allow_nan: bool = False) -> np.ndarray:
    """1-D float array from a list, numpy array or pandas Series (pd.NA becomes NaN).

    Parameters
    ----------
    values : array-like
        List, numpy array or pandas Series (nullable dtypes included); flattened to 1-D.
    name : str
        What the values are, for the error messages.
    allow_nan : bool
        Whether missing values (NaN, None, pd.NA) are allowed.

    Returns
    -------
    numpy.ndarray
        1-D float array, NaN where a value is missing.

    Raises
    ------
    ValueError
        If ``allow_nan`` is false and a value is missing, or if a value is infinite.

    Examples
    --------
    >>> import pandas as pd
    >>> as_float_array(pd.Series([1, None, 3], dtype="Float64"), allow_nan=True).tolist()
    [1.0, nan, 3.0]
    >>> as_float_array([1.0, None], "d")
    Traceback (most recent call last):
    ...
    ValueError: d: 1 missing value(s); drop incomplete pairs first
    """
    if hasattr(values, "to_numpy"):
        array = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        array = np.asarray(values, dtype=float)
    array = np.atleast_1d(array).ravel()
    if np.isinf(array).any():
        raise ValueError(f"{name}: infinite values are not allowed")
    if not allow_nan and np.isnan(array).any():
        raise ValueError(
            f"{name}: {int(np.isnan(array).sum())} missing value(s); drop incomplete pairs first"
        )
    return array


def check_confidence(confidence: float) -> float:
    """Check a two-sided confidence level and return it as a float.

    Parameters
    ----------
    confidence : float
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the level is not strictly between 0 and 1 (e.g. 95 given for 0.95).

    Examples
    --------
    >>> check_confidence(0.9)
    0.9
    >>> check_confidence(95)
    Traceback (most recent call last):
    ...
    ValueError: confidence must be between 0 and 1 (exclusive), got 95.0
    """
    confidence = float(confidence)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence}")
    return confidence


def tie_sizes(values: np.ndarray) -> np.ndarray:
    """Sizes of the groups of equal values (groups of one included).

    Parameters
    ----------
    values : numpy.ndarray
        Values, in any order.

    Returns
    -------
    numpy.ndarray
        Float counts, one per distinct value in sorted order of the values; empty for no values.
        The tie corrections use sum(t^3 - t), to which groups of one add 0.

    Examples
    --------
    >>> import numpy as np
    >>> tie_sizes(np.array([3.0, 1.0, 2.0, 2.0, 3.0, 3.0])).tolist()
    [1.0, 2.0, 3.0]
    """
    if values.size == 0:
        return np.zeros(0, dtype=float)
    _, counts = np.unique(values, return_counts=True)
    return counts.astype(float)
