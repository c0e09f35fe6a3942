"""analysis/repeated.py: Friedman row on complete completers and the mixed model rows."""

from __future__ import annotations

import numpy as np
import pytest
from rapamycin_mecfs.analysis import repeated
from rapamycin_mecfs.analysis.repeated import friedman_row, mixed_model_rows
from scipy import stats
from test_analysis_data import MAIN, SETTINGS, VISITS, people_from, wide_from

# Completers with the outcome at every visit: P01-P06 (P11 has no baseline).
COMPLETE = {p: MAIN[p] for p in ("P01", "P02", "P03", "P04", "P05", "P06")}


def test_friedman_matches_scipy_and_hand_computed_kendall_w():
    got = friedman_row(wide_from(MAIN), people_from()).iloc[0]
    columns = np.array(list(COMPLETE.values()), dtype=float).T
    reference = stats.friedmanchisquare(*columns)
    assert got["n"] == 6 and got["k_visits"] == 4 and got["df"] == 3
    assert got["statistic"] == pytest.approx(reference.statistic, rel=1e-12)
    assert got["p_value"] == pytest.approx(reference.pvalue, rel=1e-12)

    # By hand: within-row ranks
    #   P01 8 7 6 5 -> 4 3 2 1          P02 7 7 6 4 -> 3.5 3.5 2 1
    #   P03 9 8 8 8 -> 4 2 2 2          P04 6 6 6 6 -> 2.5 2.5 2.5 2.5
    #   P05 8 9 9 9 -> 1 3 3 3          P06 7 5 4 3 -> 4 3 2 1
    # rank sums R = 19, 17, 13.5, 10.5; S = sum (R - n(k+1)/2)^2 = 4^2 + 2^2 + 1.5^2 + 4.5^2 = 42.5;
    # ties sum(t^3 - t) = 6 (P02) + 24 (P03) + 60 (P04) + 24 (P05) = 114;
    # W = 12 S / (n^2 (k^3 - k) - n sum(t^3 - t)) = 510 / (36 * 60 - 6 * 114) = 510 / 1476.
    assert got["effect_size"] == pytest.approx(510 / 1476, rel=1e-12)
    assert got["statistic"] == pytest.approx(510 / 1476 * 6 * 3, rel=1e-12)
    assert [got[f"mean_rank_{v}"] for v in VISITS] == pytest.approx(
        [19 / 6, 17 / 6, 13.5 / 6, 10.5 / 6]
    )
    assert got["analysis_set"] == "completers"


def test_friedman_with_fewer_than_two_complete_cases():
    values = {p: (s if p == "P01" else [s[0], s[1], s[2], None]) for p, s in MAIN.items()}
    got = friedman_row(wide_from(values), people_from()).iloc[0]
    assert got["n"] == 1
    assert got["method"].startswith("not computed")


# Balanced, complete data (everyone enrolled, all visits): with a random intercept the fixed
# effects are the differences of visit means from the baseline mean, whatever the variance fit.
BALANCED = {
    "Q1": [10.0, 12.5, 13.0, 15.5],
    "Q2": [20.0, 19.0, 24.0, 22.0],
    "Q3": [15.0, 18.0, 17.5, 21.0],
    "Q4": [12.0, 11.0, 16.0, 14.5],
    "Q5": [18.0, 21.5, 20.0, 25.0],
    "Q6": [25.0, 24.0, 29.5, 30.0],
}
BALANCED_PEOPLE = {p: (True, True, True, False, [1, 1, 1, 1]) for p in BALANCED}


@pytest.mark.parametrize("direction, sign", [("higher_is_better", 1.0), ("lower_is_better", -1.0)])
def test_mixed_model_on_balanced_data_is_difference_of_means(direction, sign):
    table = mixed_model_rows(
        wide_from(BALANCED), people_from(BALANCED_PEOPLE), direction, VISITS, SETTINGS
    )
    assert list(table["visit"]) == ["T1", "T2", "T3"]
    assert (table["analysis_set"] == "enrolled_available").all() and (
        table["test"] == "mixed_model"
    ).all()
    data = np.array(list(BALANCED.values()))
    for i, visit in enumerate(["T1", "T2", "T3"], start=1):
        got = table[table["visit"] == visit].iloc[0]
        change = data[:, i].mean() - data[:, 0].mean()
        assert got["estimate"] == pytest.approx(change, abs=1e-6)
        assert got["improvement_estimate"] == pytest.approx(sign * change, abs=1e-6)
        assert got["n_obs"] == 24 and got["n_participants"] == 6
        # Improvement CI is the change CI mapped through the sign, low <= high.
        expected = sorted([sign * got["ci_low"], sign * got["ci_high"]])
        assert [got["improvement_ci_low"], got["improvement_ci_high"]] == pytest.approx(expected)
        assert got["improvement_ci_low"] < got["improvement_estimate"] < got["improvement_ci_high"]


def test_mixed_model_uses_only_enrolled_and_drops_missing_values():
    people = dict(BALANCED_PEOPLE)
    people["Q6"] = (False, False, False, False, [1, 1, 1, 1])  # screened, never enrolled
    values = dict(BALANCED)
    values["Q5"] = [18.0, 21.5, None, None]
    table = mixed_model_rows(
        wide_from(values), people_from(people), "higher_is_better", VISITS, SETTINGS
    )
    assert (table["n_participants"] == 5).all()
    assert (table["n_obs"] == 5 * 4 - 2).all()
    assert list(table["n_visit"]) == [5, 4, 4]


def test_mixed_model_singular_data_gives_nan_rows():
    # Every participant constant over time: no residual variance, the fit's matrix is singular.
    values = {f"Q{i}": [float(i)] * 4 for i in range(1, 7)}
    people = {p: (True, True, True, False, [1, 1, 1, 1]) for p in values}
    table = mixed_model_rows(
        wide_from(values), people_from(people), "lower_is_better", VISITS, SETTINGS
    )
    assert list(table["visit"]) == ["T1", "T2", "T3"]
    nan_columns = ["estimate", "df", "t", "ci_low", "ci_high", "p_value", "improvement_estimate"]
    assert table[nan_columns].isna().all().all()
    assert table["method"].str.contains("did not fit").all()
    assert (table["n_obs"] == 24).all() and (table["n_participants"] == 6).all()


def test_mixed_model_linalg_error_is_reported_not_raised(monkeypatch):
    def broken(*args, **kwargs):
        raise np.linalg.LinAlgError("Singular matrix (test)")

    monkeypatch.setattr(repeated, "mixed_model_change", broken)
    wide = wide_from(MAIN)
    table = mixed_model_rows(wide, people_from(), "higher_is_better", VISITS, SETTINGS)
    assert list(table["visit"]) == ["T1", "T2", "T3"]
    assert (table["reference_visit"] == "T0").all()
    assert (
        table[["estimate", "improvement_estimate", "improvement_ci_low", "improvement_ci_high"]]
        .isna()
        .all()
        .all()
    )
    assert table["method"].str.endswith("did not fit: Singular matrix (test)").all()
    n_values = sum(v is not None for s in MAIN.values() for v in s)
    assert (table["n_obs"] == n_values).all() and (table["n_participants"] == 11).all()


def test_mixed_model_with_a_visit_nobody_attended_estimates_the_others():
    # The last visit has no values at all: the fit on the other visits equals the fit without that
    # visit.
    values = {p: [*series[:3], None] for p, series in BALANCED.items()}
    table = mixed_model_rows(
        wide_from(values), people_from(BALANCED_PEOPLE), "higher_is_better", VISITS, SETTINGS
    )
    without = mixed_model_rows(
        wide_from(values)[VISITS[:3]],
        people_from(BALANCED_PEOPLE),
        "higher_is_better",
        VISITS[:3],
        SETTINGS,
    )
    assert list(table["visit"]) == ["T1", "T2", "T3"]
    assert table["estimate"].iloc[:2].tolist() == pytest.approx(
        without["estimate"].tolist(), abs=1e-12
    )
    last = table.iloc[2]
    assert (
        np.isnan(last["estimate"])
        and last["n_visit"] == 0
        and last["method"] == "not estimable: no values at this visit"
    )
