"""biomarkers/rmcorr.py against pingouin.rm_corr and the within-participant Pearson correlation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin
import pytest
from biomarker_fixtures import VISITS, simulated, wide
from pingouin.correlation import compute_esci
from rapamycin_mecfs.biomarkers.rmcorr import repeated_measures_correlation, rm_corr_rows
from scipy.stats import t as t_dist

DATA = simulated()


def long_frame(n_participants: int | None = None) -> pd.DataFrame:
    marker, score = wide(DATA["marker"]), wide(DATA["score"])
    if n_participants:
        marker, score = marker.iloc[:n_participants], score.iloc[:n_participants]
    frame = pd.DataFrame(
        {
            "participant_id": np.repeat(marker.index, len(VISITS)),
            "x": marker.to_numpy().ravel(),
            "y": score.to_numpy().ravel(),
        }
    )
    return frame


@pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")  # inside pingouin 0.7
def test_matches_pingouin_and_within_participant_pearson():
    frame = long_frame()
    result = repeated_measures_correlation(frame, "x", "y", confidence=0.9)
    expected = pingouin.rm_corr(data=frame.dropna(), x="x", y="y", subject="participant_id")
    assert result["r"] == pytest.approx(float(expected["r"].iloc[0]), abs=1e-12)
    assert result["dof"] == int(expected["dof"].iloc[0])
    assert result["p_value"] == pytest.approx(float(expected["pval"].iloc[0]), rel=1e-9)
    # Independently: Pearson r of participant-centred values; dof = observations - participants - 1.
    data = frame.dropna()
    data = data[data.groupby("participant_id")["x"].transform("size") >= 2]
    centred = data[["x", "y"]] - data.groupby("participant_id")[["x", "y"]].transform("mean")
    r = float(
        np.sum(centred["x"] * centred["y"])
        / math.sqrt(np.sum(centred["x"] ** 2) * np.sum(centred["y"] ** 2))
    )
    dof = len(data) - data["participant_id"].nunique() - 1
    assert result["r"] == pytest.approx(r, abs=1e-10)
    assert result["dof"] == dof
    t = r * math.sqrt(dof / (1 - r**2))
    assert result["p_value"] == pytest.approx(2 * t_dist.sf(abs(t), dof), rel=1e-8)
    assert (result["n_participants"], result["n_obs"]) == (
        data["participant_id"].nunique(),
        len(data),
    )
    low, high = compute_esci(
        stat=result["r"], nx=dof + 2, eftype="pearson", confidence=0.9, decimals=12
    )
    assert (result["ci_low"], result["ci_high"]) == (
        pytest.approx(low, abs=1e-10),
        pytest.approx(high, abs=1e-10),
    )


def test_participants_with_one_visit_change_nothing():
    frame = long_frame()
    extra = pd.DataFrame({"participant_id": ["Z1", "Z2"], "x": [0.4, 0.9], "y": [10.0, 15.0]})
    base = repeated_measures_correlation(frame, "x", "y")
    more = repeated_measures_correlation(pd.concat([frame, extra]), "x", "y")
    assert (
        more["r"] == pytest.approx(base["r"], abs=1e-12)
        and more["n_participants"] == base["n_participants"]
    )


def test_not_computed_with_fewer_than_three_participants():
    result = repeated_measures_correlation(long_frame(2), "x", "y")
    assert math.isnan(result["r"]) and "fewer than 3" in result["method"]


def test_no_within_participant_variation_is_reported_not_raised():
    frame = long_frame()
    frame["y"] = frame.groupby("participant_id")["y"].transform("mean")
    result = repeated_measures_correlation(frame, "x", "y")
    assert math.isnan(result["r"]) and "no within-participant variation" in result["method"]


def test_rows_one_per_outcome():
    marker = wide(DATA["marker"])
    outcomes = {"score": wide(DATA["score"]), "symptom": wide(DATA["symptom"])}
    table = rm_corr_rows(
        marker,
        outcomes,
        {"score": "lower_is_better", "symptom": "lower_is_better"},
        marker.index,
        VISITS,
        0.95,
    )
    assert list(table["outcome"]) == ["score", "symptom"]
    assert (table["correlation"] == "rm_corr").all() and (
        table["analysis_set"] == "available_repeated"
    ).all()
    direct = repeated_measures_correlation(long_frame(), "x", "y")
    assert table.loc[0, "r"] == pytest.approx(direct["r"], abs=1e-12)
    assert table[["n", "r", "ci_low", "ci_high", "p_value"]].notna().all().all()


@pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")  # inside pingouin 0.7
@pytest.mark.parametrize("seed", range(4))
def test_random_unbalanced_data_match_pingouin(seed):
    """Participants with 1-4 visits, and a participant effect much larger than the within slope."""
    rng = np.random.default_rng(seed)
    rows = []
    for person in range(int(rng.integers(5, 40))):
        offset = rng.normal(0, 10)
        for _ in range(int(rng.integers(1, 5))):
            x = rng.normal(offset, 1)
            rows.append(
                {
                    "participant_id": f"P{person:02d}",
                    "x": x,
                    "y": 3 * offset + 0.5 * x + rng.normal(),
                }
            )
    frame = pd.DataFrame(rows)
    result = repeated_measures_correlation(frame, "x", "y")
    kept = frame[frame.groupby("participant_id")["x"].transform("size") >= 2]
    if kept["participant_id"].nunique() < 3:
        assert math.isnan(result["r"])
        return
    expected = pingouin.rm_corr(data=kept, x="x", y="y", subject="participant_id")
    assert result["r"] == pytest.approx(float(expected["r"].iloc[0]), abs=1e-10)
    assert result["dof"] == int(expected["dof"].iloc[0])
    assert result["p_value"] == pytest.approx(float(expected["pval"].iloc[0]), rel=1e-7, abs=1e-300)


def test_perfect_within_participant_line_gives_r_one_and_p_zero():
    frame = pd.DataFrame(
        {
            "participant_id": ["A"] * 3 + ["B"] * 3 + ["C"] * 3,
            "x": [1.0, 2.0, 3.0, 5.0, 6.0, 7.0, 0.0, 1.0, 2.0],
            "y": [2.0, 4.0, 6.0, 0.0, 2.0, 4.0, 9.0, 11.0, 13.0],
        }
    )
    result = repeated_measures_correlation(frame, "x", "y")
    assert result["r"] == 1.0 and result["dof"] == 5 and result["p_value"] == 0.0
