"""The median and its confidence interval at every visit: what the trajectory figures draw."""

from __future__ import annotations

import pandas as pd

from ..stats.location import median_with_ci
from .data import SET_DEFINITIONS, Participants

# Analysis sets of the table, in its row order: completers only, then everyone with a value.
MEDIAN_SETS = {"completers_at_visit": "completers", "available_at_visit": "enrolled"}


def visit_medians(wide: pd.DataFrame, people: Participants, confidence: float) -> pd.DataFrame:
    """One row per analysis set and visit: n, median and its order-statistic CI.

    The sets are those of `MEDIAN_SETS`: the completers with a value at the visit, and everyone
    enrolled with a value at the visit. A figure draws these rows as they are.

    Parameters
    ----------
    wide : pandas.DataFrame
        participant x visit values of one outcome, NaN where missing, visits in order.
    people : Participants
        The participant table; its ``set_<name>`` columns name each set's members.
    confidence : float
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        Columns analysis_set, analysis_set_definition, visit, n, median, ci_low, ci_high,
        confidence and method (see `stats.location.median_with_ci`).

    Examples
    --------
    >>> import pandas as pd
    >>> people = Participants(pd.DataFrame(
    ...     {"set_completers": [True, True, False], "set_enrolled": [True, True, True]},
    ...     index=pd.Index(["p1", "p2", "p3"], name="participant_id")))
    >>> wide = pd.DataFrame({"V0": [10.0, 20.0, 30.0], "V1": [12.0, 24.0, None]},
    ...                     index=people.table.index)
    >>> visit_medians(wide, people, 0.95)[["analysis_set", "visit", "n", "median"]]
              analysis_set visit  n  median
    0  completers_at_visit    V0  2    15.0
    1  completers_at_visit    V1  2    18.0
    2   available_at_visit    V0  3    20.0
    3   available_at_visit    V1  2    18.0
    """
    rows = []
    for set_name, members in MEDIAN_SETS.items():
        subset = wide[wide.index.isin(people.members(members))]
        for visit in wide.columns:
            rows.append(
                {
                    "analysis_set": set_name,
                    "analysis_set_definition": SET_DEFINITIONS[set_name],
                    "visit": visit,
                    **median_with_ci(subset[visit].to_numpy(dtype=float), confidence),
                    "confidence": confidence,
                }
            )
    columns = ["analysis_set", "analysis_set_definition", "visit", "n", "median", "ci_low"]
    columns += ["ci_high", "confidence", "method"]
    return pd.DataFrame(rows, columns=columns)
