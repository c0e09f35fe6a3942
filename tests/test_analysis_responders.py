"""analysis/responders.py: criteria, combination rules and the three denominators."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rapamycin_mecfs.analysis.responders import (
    combine,
    criterion_met,
    describe_rule,
    responder_proportions,
    responder_status,
)
from statsmodels.stats.proportion import proportion_confint
from test_analysis_data import VISITS, clean_table, people_from

# Three outcomes, values T0..T3 per participant (participants and sets as in test_analysis_data):
#   a: lower is better,  criterion >= 1 point
#   b: lower is better,  criterion >= 20 % of baseline
#   c: higher is better, criterion >= 2 points
A = {
    "P01": [8, 7, 6, 5],
    "P02": [7, 7, 6, 4],
    "P03": [9, 9, 9, 8],
    "P04": [6, 6, 6, 6],
    "P05": [8, 9, 9, 9],
    "P06": [7, 5, 4, 3],
    "P07": [9, 8, 7, None],
    "P08": [8, 8, None, None],
    "P09": [6, 5, 5, 4],
    "P10": [7, None, None, None],
    "P11": [None, 6, 5, 5],
}
B = {
    "P01": [10, 9, 8, 7],
    "P02": [10, 10, 9, 9],
    "P03": [3.3, 3.3, 3.0, 2.64],
    "P04": [0, 0, 0, 0],
    "P05": [10, 11, 12, 12],
    "P06": [10, 8, 6, 5],
    "P07": [10, 9, 8, None],
    "P08": [10, 10, None, None],
    "P09": [10, 8, 7, 7],
    "P10": [10, None, None, None],
    "P11": [10, 9, 8, 8],
}
C = {
    "P01": [50, 52, 54, 55],
    "P02": [50, 50, 51, 51],
    "P03": [40, 40, 40, 41],
    "P04": [30, 35, 38, 40],
    "P05": [60, 59, 58, 58],
    "P06": [20, 25, 28, 30],
    "P07": [40, 41, 43, None],
    "P08": [40, 40, None, None],
    "P09": [50, 51, 51, 52],
    "P10": [40, None, None, None],
    "P11": [50, 52, 54, 55],
}
DIRECTIONS = {"a": "lower_is_better", "b": "lower_is_better", "c": "higher_is_better"}
LABELS = {"a": "Outcome A", "b": "Outcome B", "c": "Outcome C"}
CRITERIA = [
    {"outcome": "a", "min_improvement": 1, "unit": "points"},
    {"outcome": "b", "min_improvement": 20, "unit": "percent"},
    {"outcome": "c", "min_improvement": 2, "unit": "points"},
]
# Met at T3, observed (a, b, c); None = not evaluable. P03's b: (3.3 - 2.64) / 3.3 = 20 % up to
# rounding; P04's b has baseline 0 (percent undefined); P07, P08, P10 lack T3, P11 lacks a at T0.
#                 P01  P02  P03  P04  P05  P06  P07  P08  P09  P10  P11
EXPECTED = {
    "all": [1.0, 0.0, 0.0, None, 0.0, 1.0, None, None, 1.0, None, None],
    "any": [1.0, 1.0, 1.0, None, 0.0, 1.0, None, None, 1.0, None, None],
    "at_least": [1.0, 0.0, 1.0, None, 0.0, 1.0, None, None, 1.0, None, None],  # k = 2
}
# LOCF differs only for P07 (T2 carried: a 2, b 20 %, c 3 -> all met) and P08 (T1 carried: none
# met).
LOCF_CHANGES = {"all": (1.0, 0.0), "any": (1.0, 0.0), "at_least": (1.0, 0.0)}
IDS = [f"P{i:02d}" for i in range(1, 12)]


def rule(how: str) -> dict:
    return {"visit": "T3", "combine": how, "k": 2, "criteria": CRITERIA, "assumption": "test rule"}


def clean() -> pd.DataFrame:
    return pd.concat(
        [clean_table(A, "a"), clean_table(B, "b"), clean_table(C, "c")], ignore_index=True
    )


def as_series(values: list) -> pd.Series:
    return pd.Series([np.nan if v is None else v for v in values], index=IDS, dtype=float)


def test_criterion_met_points_and_percent():
    improvement = pd.Series([2.0, 0.999, 1.0, np.nan, 1.0, -3.0])
    baseline = pd.Series([5.0, 5.0, 5.0, 5.0, 0.0, -10.0])
    points = criterion_met(improvement, baseline, {"min_improvement": 1, "unit": "points"})
    assert points.tolist()[:3] == [True, False, True] and pd.isna(points[3])
    assert points[4] == True and points[5] == False  # noqa: E712 (object dtype holds bools)
    percent = criterion_met(improvement, baseline, {"min_improvement": 20, "unit": "percent"})
    # 100 * improvement / |baseline|: 40 %, 19.98 %, 20 %, missing, baseline 0 (undefined), -30 %.
    assert percent.tolist()[:3] == [True, False, True]
    assert pd.isna(percent[3]) and pd.isna(percent[4])
    assert percent[5] == False  # noqa: E712


def test_combine_rules():
    met = pd.DataFrame(
        {
            "x": [True, True, False, True, np.nan],
            "y": [True, False, False, np.nan, True],
            "z": [True, False, True, True, True],
        },
        dtype=object,
    )
    all_ = combine(met, {"combine": "all", "k": 1})
    any_ = combine(met, {"combine": "any", "k": 1})
    two = combine(met, {"combine": "at_least", "k": 2})
    assert all_.tolist()[:3] == [1.0, 0.0, 0.0] and all_[3:].isna().all()
    assert any_.tolist()[:3] == [1.0, 1.0, 1.0] and any_[3:].isna().all()
    assert two.tolist()[:3] == [1.0, 0.0, 0.0] and two[3:].isna().all()


@pytest.mark.parametrize("how", ["all", "any", "at_least"])
def test_responder_status_observed_and_locf(how):
    status = responder_status(clean(), people_from(), VISITS, rule(how), DIRECTIONS)
    assert list(status.index) == IDS
    pd.testing.assert_series_equal(
        status["responder_observed"], as_series(EXPECTED[how]), check_names=False
    )
    locf = list(EXPECTED[how])
    locf[IDS.index("P07")], locf[IDS.index("P08")] = LOCF_CHANGES[how]
    pd.testing.assert_series_equal(status["responder_locf"], as_series(locf), check_names=False)


def test_responder_status_improvement_columns():
    status = responder_status(clean(), people_from(), VISITS, rule("all"), DIRECTIONS)
    assert status.loc["P01", "a_improvement"] == 3.0  # lower is better: 8 -> 5
    assert status.loc["P01", "c_improvement"] == 5.0  # higher is better: 50 -> 55
    assert (
        np.isnan(status.loc["P07", "a_improvement"])
        and status.loc["P07", "a_improvement_locf"] == 2.0
    )
    assert status.loc["P08", "c_improvement_locf"] == 0.0
    assert np.isnan(
        status.loc["P10", "b_improvement_locf"]
    )  # no follow-up: baseline is not carried


# (responders, n) per denominator, counted by hand from EXPECTED:
#   completers = P01-P06, P11 evaluable on every criterion (P04, P11 are not)
#   reached_first_follow_up_locf = everyone but P10, LOCF, evaluable (P04, P11 are not)
#   enrolled_worst_case = all 11, anyone not evaluable observed at T3 is a non-responder
COUNTS = {
    "all": {
        "completers": (2, 5),
        "reached_first_follow_up_locf": (4, 8),
        "enrolled_worst_case": (3, 11),
    },
    "any": {
        "completers": (4, 5),
        "reached_first_follow_up_locf": (6, 8),
        "enrolled_worst_case": (5, 11),
    },
    "at_least": {
        "completers": (3, 5),
        "reached_first_follow_up_locf": (5, 8),
        "enrolled_worst_case": (4, 11),
    },
}


@pytest.mark.parametrize("how", ["all", "any", "at_least"])
def test_responder_proportions_denominators_and_wilson(how):
    people = people_from()
    status = responder_status(clean(), people, VISITS, rule(how), DIRECTIONS)
    table = responder_proportions(status, people, rule(how), 0.95, LABELS).set_index("analysis_set")
    assert list(table.index) == [
        "completers",
        "reached_first_follow_up_locf",
        "enrolled_worst_case",
    ]
    for name, (k, n) in COUNTS[how].items():
        got = table.loc[name]
        assert (got["responders"], got["n"]) == (k, n)
        assert got["proportion"] == pytest.approx(k / n)
        low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
        assert got["ci_low"] == pytest.approx(low, rel=1e-10) and got["ci_high"] == pytest.approx(
            high, rel=1e-10
        )
        assert got["assumption"] == "test rule"


def test_describe_rule():
    text = describe_rule(rule("at_least"), LABELS)
    assert text == (
        "responder at T3 vs baseline: at least 2 of [Outcome A improves by >= 1 points; "
        "Outcome B improves by >= 20 %; Outcome C improves by >= 2 points]"
    )
