"""biomarkers/trajectory.py: raw change (no sign flip), Wilcoxon and Hodges-Lehmann against scipy
and by hand."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from biomarker_fixtures import people, wide
from rapamycin_mecfs.biomarkers.trajectory import trajectory
from scipy.stats import wilcoxon

# The marker falls at T1 for most participants; P06 has no T2/T3; P07 no baseline.
VALUES = {
    "P01": [1.00, 0.60, 0.70, 0.80],
    "P02": [0.90, 0.70, 0.75, 0.95],
    "P03": [1.20, 0.75, 0.90, 1.00],
    "P04": [0.80, 0.82, 0.60, 0.70],
    "P05": [1.10, 0.50, 0.55, 0.65],
    "P06": [0.70, 0.40, None, None],
    "P07": [None, 0.50, 0.60, 0.70],
    "P08": [0.95, 0.95, 0.90, 1.30],
}
IDS = sorted(VALUES)
COMPLETERS = {"P01", "P02", "P03", "P04", "P05", "P07"}
SETTINGS = {"wilcoxon_method": "approx", "confidence": 0.95}


def table():
    return trajectory(wide(VALUES), people(IDS, COMPLETERS), ["T0", "T1", "T2", "T3"], SETTINGS)


def changes(visit: str, ids=IDS) -> np.ndarray:
    k = ["T0", "T1", "T2", "T3"].index(visit)
    return np.array(
        [
            VALUES[p][k] - VALUES[p][0]
            for p in ids
            if VALUES[p][0] is not None and VALUES[p][k] is not None
        ]
    )


def hand_hodges_lehmann(d: np.ndarray) -> float:
    d = d[d != 0]
    walsh = [(a + b) / 2 for a, b in itertools.combinations_with_replacement(d, 2)]
    return float(np.median(walsh))


def test_rows_visits_sets_and_direction_columns():
    result = table()
    assert len(result) == 3 * 2 * 2  # visits x sets x tests
    assert set(result["visit"]) == {"T1", "T2", "T3"} and (result["baseline_visit"] == "T0").all()
    assert (~result["sign_flipped"]).all()
    assert result["change_scale"].str.contains("no sign flip").all()
    assert set(result["analysis_set"]) == {"available_pairs", "completers"}
    assert result["method"].str.len().gt(0).all()


@pytest.mark.parametrize("visit", ["T1", "T2", "T3"])
def test_wilcoxon_and_hodges_lehmann_on_raw_change(visit):
    result = table()
    row = result[
        (result["visit"] == visit)
        & (result["analysis_set"] == "available_pairs")
        & (result["test"] == "wilcoxon_signed_rank")
    ].iloc[0]
    d = changes(visit)
    assert row["n_pairs"] == d.size
    expected = wilcoxon(
        d, zero_method="wilcox", correction=True, method="approx", alternative="two-sided"
    )
    assert row["p_value"] == pytest.approx(expected.pvalue, rel=1e-12)
    nonzero = d[d != 0]
    ranks = np.argsort(np.argsort(np.abs(nonzero))) + 1  # no ties among |d| here
    assert row["statistic"] == pytest.approx(ranks[nonzero > 0].sum())
    assert row["estimate"] == pytest.approx(hand_hodges_lehmann(d), abs=1e-12)
    assert row["mean_change"] == pytest.approx(d.mean())
    assert row["ci_low"] <= row["estimate"] <= row["ci_high"]
    assert "change (follow-up - baseline)" in row["estimate_name"]


def test_t1_fall_is_negative_not_flipped():
    result = table()
    row = result[
        (result["visit"] == "T1")
        & (result["analysis_set"] == "available_pairs")
        & (result["test"] == "paired_t")
    ].iloc[0]
    assert row["estimate"] == pytest.approx(changes("T1").mean()) and row["estimate"] < 0


def test_completers_subset():
    result = table()
    row = result[
        (result["visit"] == "T3")
        & (result["analysis_set"] == "completers")
        & (result["test"] == "wilcoxon_signed_rank")
    ].iloc[0]
    d = changes("T3", sorted(COMPLETERS))  # P07 has no baseline
    assert row["n_pairs"] == d.size == 5
    assert row["estimate"] == pytest.approx(hand_hodges_lehmann(d), abs=1e-12)
