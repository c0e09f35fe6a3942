"""analysis/dose.py: dose exposure, Spearman dose-response and improvement by dose band."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from rapamycin_mecfs.analysis.dose import dose_exposure, dose_response
from scipy import stats
from test_analysis_data import DAYS, MAIN, PEOPLE, SETTINGS, VISITS, people_from, wide_from


def hand_cumulative(doses: list, days: dict[str, int]) -> float:
    """Sum of dose_Tj x weeks to T(j+1) over intervals where both doses are recorded."""
    total = 0.0
    for j in range(len(VISITS) - 1):
        here, after = doses[j], doses[j + 1]
        if here is not None and after is not None:
            total += here * (days[VISITS[j + 1]] - days[VISITS[j]]) / 7
    return total


def test_dose_exposure_by_hand():
    got = dose_exposure(people_from(), VISITS, DAYS)
    # Written out for a few: 30 days = 30/7 weeks per interval.
    assert got.loc["P01", "cumulative_dose"] == pytest.approx((1 + 2 + 2) * 30 / 7)
    assert got.loc["P07", "cumulative_dose"] == pytest.approx(
        (1 + 2) * 30 / 7
    )  # 4 mg at T2, not seen at T3
    assert got.loc["P08", "cumulative_dose"] == pytest.approx(0.5 * 30 / 7)
    assert got.loc["P09", "cumulative_dose"] == pytest.approx(
        2 * 30 / 7
    )  # no dose at T1: T0-T2 not counted
    assert got.loc["P10", "cumulative_dose"] == 0.0
    last = {
        "P01": 3,
        "P02": 6,
        "P03": 1,
        "P04": 0.5,
        "P05": 2,
        "P06": 4,
        "P07": 4,
        "P08": 1,
        "P09": 2,
        "P10": 1,
        "P11": 2,
    }
    for pid, (_, _, _, _, doses) in PEOPLE.items():
        assert got.loc[pid, "last_dose"] == last[pid]
        assert got.loc[pid, "cumulative_dose"] == pytest.approx(hand_cumulative(doses, DAYS))


def test_without_study_days_only_the_last_dose_is_given():
    got = dose_exposure(people_from(), VISITS, None)
    assert list(got.columns) == ["last_dose"]
    assert got.loc["P01", "last_dose"] == 3 and got.loc["P07", "last_dose"] == 4
    rows, _ = dose_response(
        wide_from(MAIN), people_from(), "lower_is_better", VISITS, VISITS[-1], None, SETTINGS
    )
    assert set(rows["dose_measure"]) == {"last_dose"}


def test_dose_exposure_uses_each_interval_length():
    days = {"T0": 0, "T1": 14, "T2": 42, "T3": 91}  # 2, 4 and 7 weeks
    got = dose_exposure(people_from(), VISITS, days)
    assert got.loc["P01", "cumulative_dose"] == pytest.approx(1 * 2 + 2 * 4 + 2 * 7)
    assert got.loc["P02", "cumulative_dose"] == pytest.approx(1 * 2 + 2 * 4 + 4 * 7)
    assert got.loc["P07", "cumulative_dose"] == pytest.approx(1 * 2 + 2 * 4)
    assert got.loc["P09", "cumulative_dose"] == pytest.approx(2 * 7)


def test_equal_cumulative_doses_are_equal_floats():
    # Over 30-day intervals, doses 0.5 then 2 and 1 then 1.5 both total 75 dose-days = 75/7. Summed
    # as dose x (days / 7) terms they round apart and would split a tie in the Spearman ranks.
    people = people_from(
        {
            "A": (True, True, False, False, [0.5, 2, 1, None]),
            "B": (True, True, False, False, [1, 1.5, 1, None]),
        }
    )
    got = dose_exposure(people, VISITS, DAYS)["cumulative_dose"]
    assert 0.5 * 30 / 7 + 2 * 30 / 7 != 1 * 30 / 7 + 1.5 * 30 / 7  # the rounding this avoids
    assert got["A"] == got["B"] == float(Fraction(75, 7))


# Improvement (lower is better: T0 - last follow-up value) with LOCF, P01-P09; P10 has no
# follow-up and P11 no baseline.
LOCF_IMPROVEMENT = {
    "P01": 3,
    "P02": 3,
    "P03": 1,
    "P04": 0,
    "P05": -1,
    "P06": 4,
    "P07": 2,
    "P08": 1,
    "P09": 2,
}
AT_T3 = {p: v for p, v in LOCF_IMPROVEMENT.items() if p not in ("P07", "P08")}


@pytest.fixture(scope="module")
def dose_tables():
    return dose_response(
        wide_from(MAIN), people_from(), "lower_is_better", VISITS, VISITS[-1], DAYS, SETTINGS
    )


@pytest.mark.parametrize(
    "change, improvement", [("last_observation", LOCF_IMPROVEMENT), ("at_T3", AT_T3)]
)
@pytest.mark.parametrize("measure", ["last_dose", "cumulative_dose"])
def test_dose_response_spearman_matches_scipy(dose_tables, change, improvement, measure):
    rows, _ = dose_tables
    got = rows[(rows["change"] == change) & (rows["dose_measure"] == measure)]
    assert len(got) == 1
    got = got.iloc[0]
    ids = sorted(improvement)
    if measure == "last_dose":
        dose = [next(d for d in reversed(PEOPLE[p][4]) if d is not None) for p in ids]
    else:
        dose = [hand_cumulative(PEOPLE[p][4], DAYS) for p in ids]
    reference = stats.spearmanr(dose, [improvement[p] for p in ids])
    assert got["n"] == len(ids)
    assert got["rho"] == pytest.approx(reference.statistic, rel=1e-12)
    assert got["p_value"] == pytest.approx(reference.pvalue, rel=1e-12)
    assert got["ci_low"] < got["rho"] < got["ci_high"]


def test_dose_response_sign_follows_direction():
    lower, _ = dose_response(
        wide_from(MAIN), people_from(), "lower_is_better", VISITS, VISITS[-1], DAYS, SETTINGS
    )
    higher, _ = dose_response(
        wide_from(MAIN), people_from(), "higher_is_better", VISITS, VISITS[-1], DAYS, SETTINGS
    )
    assert np.allclose(higher["rho"], -lower["rho"])
    assert np.allclose(higher["p_value"], lower["p_value"])


def test_dose_bands_by_hand(dose_tables):
    _, bands = dose_tables
    # Last dose (mg/week) -> band (upper bound inclusive), with each participant's improvement:
    #   (0,1]: P03 1 -> 1, P04 0.5 -> 0, P08 1 -> 1 (LOCF only)
    #   (1,2]: P05 2 -> -1, P09 2 -> 2
    #   (2,4]: P01 3 -> 3, P06 4 -> 4, P07 4 -> 2 (LOCF only)
    #   (4,6]: P02 6 -> 3
    expected = {
        "last_observation": {
            "0 < dose <= 1": [1, 0, 1],
            "1 < dose <= 2": [-1, 2],
            "2 < dose <= 4": [3, 4, 2],
            "4 < dose <= 6": [3],
        },
        "at_T3": {
            "0 < dose <= 1": [1, 0],
            "1 < dose <= 2": [-1, 2],
            "2 < dose <= 4": [3, 4],
            "4 < dose <= 6": [3],
        },
    }
    assert len(bands) == 8
    for change, by_band in expected.items():
        got = bands[bands["change"] == change].set_index("dose_band")
        assert list(got.index) == list(by_band)
        for band, values in by_band.items():
            assert got.loc[band, "n"] == len(values)
            assert got.loc[band, "median_improvement"] == pytest.approx(np.median(values))
            assert got.loc[band, "q1"] == pytest.approx(np.percentile(values, 25))
            assert got.loc[band, "q3"] == pytest.approx(np.percentile(values, 75))


def test_empty_dose_band_is_reported_with_nan():
    settings = {**SETTINGS, "dose_response": {"bands": [1, 2, 4, 6, 10], "unit": "mg/week"}}
    _, bands = dose_response(
        wide_from(MAIN), people_from(), "lower_is_better", VISITS, VISITS[-1], DAYS, settings
    )
    top = bands[bands["dose_band"] == "6 < dose <= 10"]
    assert list(top["n"]) == [0, 0] and top["median_improvement"].isna().all()
