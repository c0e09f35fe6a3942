"""Checks that a figure draws the very points its table was computed from.

Kept to numpy and pandas: the figure jobs would otherwise import scipy.stats (about a second)
only to recompute one coefficient.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def spearman_rho(x, y) -> float:
    """Spearman's rho: Pearson's r of the average ranks (ties share their mean rank), as scipy
    defines it.

    NaN when either variable is constant (no ranks to correlate).
    """
    rx = pd.Series(np.asarray(x, dtype=float)).rank(method="average").to_numpy()
    ry = pd.Series(np.asarray(y, dtype=float)).rank(method="average").to_numpy()
    dx, dy = rx - rx.mean(), ry - ry.mean()
    denominator = np.sqrt((dx @ dx) * (dy @ dy))
    return float(dx @ dy / denominator) if denominator > 0 else float("nan")
