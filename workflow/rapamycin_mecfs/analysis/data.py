"""Shaping cleaned tables for analysis: participant x visit values, analysis sets, improvement."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..table_types import as_types

# Analysis sets, as named in every output row.
SET_DEFINITIONS = {
    "available_pairs": "every participant with this outcome at baseline and at the visit",
    "available_at_visit": "everyone enrolled with a value of this outcome at the visit",
    "completers_at_visit": "completers (every completion outcome present at the final visit) "
    "with a value of this outcome at the visit",
    "completers": (
        "completers (every completion outcome present at the final visit) "
        "with this outcome at both visits"
    ),
    "enrolled_bocf": (
        "everyone enrolled with a baseline value; "
        "missing follow-up replaced by baseline (no change)"
    ),
    "enrolled_worst_case": "everyone enrolled; those who stopped counted as non-responders",
    "reached_first_follow_up_locf": (
        "everyone with data at the first follow-up visit; "
        "last observation carried forward to the responder visit"
    ),
}


def outcome_wide(clean: pd.DataFrame, visits: list[str]) -> pd.DataFrame:
    """participant x visit table of values (NaN when missing), visits in config order.

    Parameters
    ----------
    clean : pandas.DataFrame
        Long cleaned table of one outcome with columns participant_id, visit and value (text as
        the cleaned CSV holds it, "" for missing; numbers work too), one row per participant
        and visit.
    visits : list of str
        The visits, in order; a visit without rows becomes a column of NaN.

    Returns
    -------
    pandas.DataFrame
        Float values, index participant_id (sorted), one column per visit.

    Examples
    --------
    >>> import pandas as pd
    >>> clean = pd.DataFrame(
    ...     {
    ...         "participant_id": ["p2", "p1", "p1", "p2"],
    ...         "visit": ["v1", "v1", "v0", "v0"],
    ...         "value": ["5", "4", "3", ""],
    ...     }
    ... )
    >>> outcome_wide(clean, ["v0", "v1"])  # doctest: +NORMALIZE_WHITESPACE
    visit            v0   v1
    participant_id
    p1              3.0  4.0
    p2              NaN  5.0
    """
    values = as_types(clean[["participant_id", "visit", "value"]], "clean")
    wide = values.pivot(index="participant_id", columns="visit", values="value")
    return wide.reindex(columns=visits).astype(float).sort_index()


def improvement_sign(direction: str) -> float:
    """+1 when higher is better, -1 when lower is better.

    Improvement = sign x (follow-up - baseline), so a positive improvement is always better.

    Parameters
    ----------
    direction : str
        "higher_is_better" or "lower_is_better".

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For any other direction (an outcome without a direction of improvement).

    Examples
    --------
    >>> improvement_sign("higher_is_better"), improvement_sign("lower_is_better")
    (1.0, -1.0)
    """
    if direction == "higher_is_better":
        return 1.0
    if direction == "lower_is_better":
        return -1.0
    raise ValueError(f"outcome direction {direction!r} has no improvement direction")


@dataclass(frozen=True)
class Participants:
    """The participant table as the analyses use it.

    Attributes
    ----------
    table : pandas.DataFrame
        Index participant_id; boolean ``set_<name>`` columns (membership of each analysis set),
        ``stopped`` and ``has_data_<visit>``; float ``dose_<visit>`` columns.

    Examples
    --------
    >>> import pandas as pd
    >>> people = Participants(
    ...     pd.DataFrame(
    ...         {"set_completers": [True, False, True], "stopped": [False, True, False]},
    ...         index=pd.Index(["p1", "p2", "p3"], name="participant_id"),
    ...     )
    ... )
    >>> list(people.members("completers")), list(people.stopped)
    (['p1', 'p3'], ['p2'])
    """

    table: pd.DataFrame

    @classmethod
    def from_csv_frame(cls, frame: pd.DataFrame) -> Participants:
        """Participants from the participant table as read from CSV (every cell text).

        Parameters
        ----------
        frame : pandas.DataFrame
            Columns participant_id, ``set_<name>``, ``has_data_<visit>`` and stopped ("True" or
            "False", or bool) and ``dose_<visit>`` (number as text, "" for missing); other
            columns are kept as they are.

        Returns
        -------
        Participants
            The table indexed by participant_id (sorted), flags as bool, doses as float.

        Examples
        --------
        >>> import pandas as pd
        >>> frame = pd.DataFrame(
        ...     {
        ...         "participant_id": ["p2", "p1"],
        ...         "set_enrolled": ["True", "True"],
        ...         "stopped": ["True", "False"],
        ...         "dose_v0": ["", "1.5"],
        ...     }
        ... )
        >>> people = Participants.from_csv_frame(frame)
        >>> people.table  # doctest: +NORMALIZE_WHITESPACE
                        set_enrolled  stopped  dose_v0
        participant_id
        p1                      True    False      1.5
        p2                      True     True      NaN
        >>> people.table.dtypes.astype(str).tolist()
        ['bool', 'bool', 'float64']
        """
        frame = as_types(frame, "participants", "participants.csv")
        return cls(frame.set_index("participant_id").sort_index())

    def members(self, name: str) -> pd.Index:
        """The participants in analysis set ``name`` (its ``set_<name>`` column is true).

        Parameters
        ----------
        name : str
            Analysis set, e.g. "enrolled" or "completers".

        Returns
        -------
        pandas.Index
            Participant ids, in table order.

        Examples
        --------
        >>> import pandas as pd
        >>> table = pd.DataFrame({"set_completers": [True, False, True]}, index=["p1", "p2", "p3"])
        >>> list(Participants(table).members("completers"))
        ['p1', 'p3']
        """
        return self.table.index[self.table[f"set_{name}"].astype(bool)]

    @property
    def stopped(self) -> pd.Index:
        """The participants who stopped (``stopped`` column true), in table order.

        Returns
        -------
        pandas.Index

        Examples
        --------
        >>> import pandas as pd
        >>> table = pd.DataFrame({"stopped": [False, True]}, index=["p1", "p2"])
        >>> list(Participants(table).stopped)
        ['p2']
        """
        return self.table.index[self.table["stopped"].astype(bool)]


def pairs(
    wide: pd.DataFrame, visit: str, baseline: str, members: pd.Index | None = None
) -> pd.DataFrame:
    """baseline and follow-up columns for participants with both values (optionally within a set).

    Parameters
    ----------
    wide : pandas.DataFrame
        participant x visit values of one outcome (``outcome_wide``).
    visit : str
        The follow-up visit.
    baseline : str
        The baseline visit.
    members : pandas.Index, optional
        Keep only these participants (an analysis set, see ``Participants.members``).

    Returns
    -------
    pandas.DataFrame
        Columns baseline and follow_up, complete pairs only, in the order of ``wide``.

    Examples
    --------
    >>> import pandas as pd
    >>> wide = pd.DataFrame(
    ...     {"v0": [3.0, 5.0, None, 2.0], "v1": [4.0, None, 6.0, 2.5]},
    ...     index=["p1", "p2", "p3", "p4"],
    ... )
    >>> pairs(wide, "v1", "v0")
        baseline  follow_up
    p1       3.0        4.0
    p4       2.0        2.5
    >>> pairs(wide, "v1", "v0", members=pd.Index(["p4"]))
        baseline  follow_up
    p4       2.0        2.5
    """
    frame = wide[[baseline, visit]].dropna()
    if members is not None:
        frame = frame[frame.index.isin(members)]
    return frame.set_axis(["baseline", "follow_up"], axis=1)


def bocf_pairs(wide: pd.DataFrame, visit: str, baseline: str, enrolled: pd.Index) -> pd.DataFrame:
    """Everyone enrolled with a baseline; a missing follow-up becomes the baseline value.

    Baseline observation carried forward (BOCF): a participant without a follow-up value
    counts as unchanged.

    Parameters
    ----------
    wide : pandas.DataFrame
        participant x visit values of one outcome.
    visit : str
        The follow-up visit.
    baseline : str
        The baseline visit.
    enrolled : pandas.Index
        The enrolled participants.

    Returns
    -------
    pandas.DataFrame
        Columns baseline, follow_up and imputed (bool: follow_up is the carried baseline), one
        row per enrolled participant with a baseline value.

    Examples
    --------
    >>> import pandas as pd
    >>> wide = pd.DataFrame(
    ...     {"v0": [3.0, 5.0, None], "v1": [4.0, None, 6.0]}, index=["p1", "p2", "p3"]
    ... )
    >>> bocf_pairs(wide, "v1", "v0", enrolled=pd.Index(["p1", "p2", "p3"]))
        baseline  follow_up  imputed
    p1       3.0        4.0    False
    p2       5.0        5.0     True
    """
    frame = wide.loc[wide.index.isin(enrolled), [baseline, visit]]
    frame = frame[frame[baseline].notna()]
    follow = frame[visit].fillna(frame[baseline])
    return pd.DataFrame(
        {"baseline": frame[baseline], "follow_up": follow, "imputed": frame[visit].isna()}
    )


def last_observation(wide: pd.DataFrame, upto: str) -> pd.Series:
    """Each participant's last non-missing value up to and including `upto` (LOCF).

    Parameters
    ----------
    wide : pandas.DataFrame
        participant x visit values, visits in order; only columns up to ``upto`` are used, so
        pass the follow-up columns alone to keep the baseline from being carried.
    upto : str
        The visit (a column of ``wide``) at which the last observation is taken.

    Returns
    -------
    pandas.Series
        Named ``upto``; NaN for a participant without any value up to it.

    Examples
    --------
    >>> import pandas as pd
    >>> wide = pd.DataFrame(
    ...     {"v1": [4.0, 6.0, None], "v2": [None, 7.0, None], "v3": [None, 8.0, 1.0]},
    ...     index=["p1", "p2", "p3"],
    ... )
    >>> last_observation(wide, "v2").tolist()
    [4.0, 7.0, nan]
    """
    columns = list(wide.columns[: list(wide.columns).index(upto) + 1])
    return wide[columns].ffill(axis=1)[upto]


def nan_if_empty(values) -> float:
    """Mean of the values, NaN (without numpy's empty-slice warning) when there are none.

    Parameters
    ----------
    values : array-like
        Numbers; a NaN among them makes the mean NaN.

    Returns
    -------
    float

    Examples
    --------
    >>> nan_if_empty([1, 2]), nan_if_empty([])
    (1.5, nan)
    """
    values = np.asarray(values, dtype=float)
    return float(values.mean()) if values.size else float("nan")
