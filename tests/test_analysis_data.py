"""Hand-made fixtures for the analysis tests, and tests of analysis/data.py.

The other tests/test_analysis_*.py files import the builders from here, so the fixture layout
is documented once. Every expected value in those tests is computed by hand or with
scipy/statsmodels from the raw dicts below, never with the functions under test.

Main fixture (one outcome, 0-10 scale, lower is better; None = missing value, "" in the table):

    id    T0  T1  T2  T3    enrolled reached_T1 completers stopped   doses T0..T3 (mg/week)
    P01   8   7   6   5     yes      yes        yes        no        1   2   2   3
    P02   7   7   6   4     yes      yes        yes        no        1   2   4   6
    P03   9   8   8   8     yes      yes        yes        no        0.5 1   1   1
    P04   6   6   6   6     yes      yes        yes        no        0.5 0.5 0.5 0.5
    P05   8   9   9   9     yes      yes        yes        no        1   1   2   2
    P06   7   5   4   3     yes      yes        yes        no        1   2   3   4
    P07   9   8   7   -     yes      yes        no         after T2  1   2   4   -
    P08   8   7   -   -     yes      yes        no         after T1  0.5 1   -   -
    P09   6   5   5   4     yes      yes        no         no        1   -   2   2
    P10   7   -   -   -     yes      no         no         after T0  1   -   -   -
    P11   -   6   5   5     yes      yes        yes        no        1   2   2   2

P09 is neither a completer nor stopped (another questionnaire missing at T3); P11 is a
completer without a baseline value for this outcome.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rapamycin_mecfs.analysis.data import (
    Participants,
    bocf_pairs,
    improvement_sign,
    last_observation,
    outcome_wide,
    pairs,
)

VISITS = ["T0", "T1", "T2", "T3"]
DAYS = {"T0": 0, "T1": 30, "T2": 60, "T3": 90}

MAIN = {
    "P01": [8, 7, 6, 5],
    "P02": [7, 7, 6, 4],
    "P03": [9, 8, 8, 8],
    "P04": [6, 6, 6, 6],
    "P05": [8, 9, 9, 9],
    "P06": [7, 5, 4, 3],
    "P07": [9, 8, 7, None],
    "P08": [8, 7, None, None],
    "P09": [6, 5, 5, 4],
    "P10": [7, None, None, None],
    "P11": [None, 6, 5, 5],
}

# id: (enrolled, reached_T1, completers, stopped, doses T0..T3)
PEOPLE = {
    "P01": (True, True, True, False, [1, 2, 2, 3]),
    "P02": (True, True, True, False, [1, 2, 4, 6]),
    "P03": (True, True, True, False, [0.5, 1, 1, 1]),
    "P04": (True, True, True, False, [0.5, 0.5, 0.5, 0.5]),
    "P05": (True, True, True, False, [1, 1, 2, 2]),
    "P06": (True, True, True, False, [1, 2, 3, 4]),
    "P07": (True, True, False, True, [1, 2, 4, None]),
    "P08": (True, True, False, True, [0.5, 1, None, None]),
    "P09": (True, True, False, False, [1, None, 2, 2]),
    "P10": (True, False, False, True, [1, None, None, None]),
    "P11": (True, True, True, False, [1, 2, 2, 2]),
}

SETTINGS = {
    "confidence": 0.95,
    "alpha": 0.05,
    "wilcoxon_method": "approx",
    "final_visit": "T3",
    "tipping_point": {"visit": "T3", "max_shift_sd": 3},
    "dose_response": {"bands": [1, 2, 4, 6], "unit": "mg/week"},
    "regression_to_mean": {},
}


def text(value) -> str:
    """A value as the cleaned CSV tables write it ("" for missing)."""
    return "" if value is None else f"{value:g}"


def clean_table(
    values: dict[str, list], outcome: str = "score", visits: list[str] = VISITS
) -> pd.DataFrame:
    """Long cleaned-outcome table as read_csv returns it: every cell text, "" for missing."""
    rows = [
        {
            "participant_id": pid,
            "outcome": outcome,
            "visit": visit,
            "day": str(DAYS.get(visit, "")),
            "value": text(v),
        }
        for pid, series in values.items()
        for visit, v in zip(visits, series)
    ]
    return pd.DataFrame(rows, dtype=str)


def participant_frame(
    people: dict[str, tuple] = PEOPLE, visits: list[str] = VISITS
) -> pd.DataFrame:
    """Participant table as read_csv returns it (text "True"/"False", "" for a missing dose)."""
    rows = []
    for pid, (enrolled, reached, completer, stopped, doses) in people.items():
        row = {
            "participant_id": pid,
            "set_enrolled": str(enrolled),
            "set_reached_first_follow_up": str(reached),
            "set_completers": str(completer),
            "stopped": str(stopped),
        }
        row.update({f"dose_{v}": text(d) for v, d in zip(visits, doses)})
        row.update({f"has_data_{v}": str(d is not None) for v, d in zip(visits, doses)})
        rows.append(row)
    return pd.DataFrame(rows, dtype=str)


def people_from(people: dict[str, tuple] = PEOPLE) -> Participants:
    return Participants.from_csv_frame(participant_frame(people))


def wide_from(values: dict[str, list]) -> pd.DataFrame:
    return outcome_wide(clean_table(values), VISITS)


# ---------------------------------------------------------------- tests of analysis/data.py


def test_outcome_wide_parses_text_and_orders_visits():
    clean = clean_table(MAIN)
    shuffled = clean.sample(frac=1, random_state=3)  # row order must not matter
    wide = outcome_wide(shuffled, ["T0", "T1", "T2", "T3"])
    assert list(wide.columns) == VISITS
    assert list(wide.index) == sorted(MAIN)
    assert wide.dtypes.eq(float).all()
    assert wide.loc["P02"].tolist() == [7.0, 7.0, 6.0, 4.0]
    assert np.isnan(wide.loc["P07", "T3"]) and np.isnan(wide.loc["P11", "T0"])
    assert int(wide.isna().sum().sum()) == sum(
        v is None for series in MAIN.values() for v in series
    )


def test_outcome_wide_missing_rows_become_nan():
    clean = clean_table({"A": [1, 2, 3, 4], "B": [5, 6, 7, 8]})
    clean = clean[~((clean["participant_id"] == "B") & (clean["visit"] == "T2"))]
    wide = outcome_wide(clean, VISITS)
    assert np.isnan(wide.loc["B", "T2"]) and wide.loc["B", "T3"] == 8.0


def test_improvement_sign():
    assert improvement_sign("higher_is_better") == 1.0
    assert improvement_sign("lower_is_better") == -1.0
    with pytest.raises(ValueError):
        improvement_sign("none")


def test_participants_sets_and_doses():
    people = people_from()
    assert list(people.members("completers")) == ["P01", "P02", "P03", "P04", "P05", "P06", "P11"]
    assert list(people.members("reached_first_follow_up")) == [
        p for p in sorted(PEOPLE) if p != "P10"
    ]
    assert len(people.members("enrolled")) == 11
    assert list(people.stopped) == ["P07", "P08", "P10"]
    assert people.table.loc["P02", "dose_T3"] == 6.0
    assert np.isnan(people.table.loc["P09", "dose_T1"])


def test_pairs_and_bocf_pairs():
    wide = wide_from(MAIN)
    available = pairs(wide, "T3", "T0")
    assert list(available.index) == ["P01", "P02", "P03", "P04", "P05", "P06", "P09"]
    within = pairs(wide, "T3", "T0", pd.Index(["P01", "P09", "P11", "P07"]))
    assert list(within.index) == ["P01", "P09"]
    bocf = bocf_pairs(wide, "T3", "T0", pd.Index(sorted(MAIN)))
    assert list(bocf.index) == [f"P{i:02d}" for i in range(1, 11)]  # P11 has no baseline
    assert bocf["imputed"].sum() == 3
    assert bocf.loc["P07", "follow_up"] == 9.0 and bocf.loc["P10", "follow_up"] == 7.0
    assert bocf.loc["P01", "follow_up"] == 5.0


def test_last_observation_carries_forward_within_the_given_columns():
    wide = wide_from(MAIN)
    locf = last_observation(wide[VISITS[1:]], "T3")
    assert locf["P07"] == 7.0 and locf["P08"] == 7.0 and locf["P01"] == 5.0
    assert np.isnan(locf["P10"])  # baseline is not carried: only follow-up columns were given
    assert last_observation(wide, "T1")["P10"] == 7.0
    assert last_observation(wide, "T2")["P01"] == 6.0  # later visits are ignored
