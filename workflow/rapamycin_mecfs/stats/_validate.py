"""Input checks shared by the stats modules (numpy only)."""

from __future__ import annotations

import numpy as np


def as_float_array(values, name: str = "values", *, allow_nan: bool = False) -> np.ndarray:
    """1-D float array from a list, numpy array or pandas Series (pd.NA becomes NaN).

    Raises ValueError if ``allow_nan`` is false and a value is missing, or if a value is infinite.
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
    confidence = float(confidence)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence}")
    return confidence


def tie_sizes(values: np.ndarray) -> np.ndarray:
    """Sizes of the groups of equal values (groups of one included)."""
    if values.size == 0:
        return np.zeros(0, dtype=float)
    _, counts = np.unique(values, return_counts=True)
    return counts.astype(float)
