"""Aggregation of simulated trials against the observed trial, and the figure."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from rapamycin_mecfs.plots import style
from rapamycin_mecfs.plots.simulation import simulation_figure
from rapamycin_mecfs.simulate import summarise
from simulate_fixtures import make_model, rng

SETTINGS = {
    "outcomes": ["bas", "sss_pem"],
    "final_visit": "T3",
    "alpha": 0.05,
    "confidence": 0.95,
    "quantiles": [0.025, 0.5, 0.975],
    "histogram_bins": 10,
}


@pytest.fixture(scope="module")
def model():
    return make_model(dropout={"mode": "informative"})


def observed(proportion=0.5, p=0.01):
    responders = pd.DataFrame(
        {
            "analysis_set": ["completers", "reached_first_follow_up_locf", "enrolled_worst_case"],
            "proportion": [str(proportion), "0.4", "0.3"],
            "n": ["40", "70", "86"],
        }
    )
    paired = pd.DataFrame(
        {
            "outcome": ["bas", "sss_pem", "sss_pem", "sss_pem"],
            "analysis_set": ["completers", "completers", "available_pairs", "completers"],
            "test": [
                "wilcoxon_signed_rank",
                "wilcoxon_signed_rank",
                "wilcoxon_signed_rank",
                "paired_t",
            ],
            "visit": ["T3", "T3", "T3", "T3"],
            "p_value": ["0.2", str(p), "0.9", "0.9"],
            "mean_improvement": ["3", "1.5", "0", "0"],
        }
    )
    return summarise.observed_results(responders, paired, SETTINGS["outcomes"], "T3", 0.05)


def trials_frame(proportions, p_bas, p_pem):
    n = len(proportions)
    frame = pd.DataFrame({"scenario": "test"}, index=range(n))
    for name in summarise.RESPONDER_SETS:
        frame[f"proportion__{name}"] = proportions
        frame[f"n__{name}"] = 40
    frame["p_value__bas"], frame["p_value__sss_pem"] = p_bas, p_pem
    frame["mean_improvement__bas"] = 1.0
    frame["mean_improvement__sss_pem"] = -1.0
    frame["n_significant"] = (np.array(p_bas) < 0.05).astype(int) + (np.array(p_pem) < 0.05).astype(
        int
    )
    return frame


def test_observed_results_pick_completers_wilcoxon_at_the_final_visit():
    result = observed()
    assert result["p_value"] == {"bas": 0.2, "sss_pem": 0.01}
    assert result["proportion"]["completers"] == 0.5
    assert result["n_significant"] == 1


def test_summary_simulation_p_value_is_share_at_least_as_extreme(model):
    frame = trials_frame([0.1, 0.5, 0.6, 0.2], [0.5, 0.01, 0.3, 0.04], [0.5, 0.5, 0.5, 0.5])
    summary = summarise.summary_table({"test": frame}, {"test": model}, observed(0.5), SETTINGS)
    row = summary[
        (summary["measure"] == "responder_proportion") & (summary["analysis_set"] == "completers")
    ].iloc[0]
    assert row["simulation_p_value"] == 0.5  # 0.5 and 0.6 of four trials
    assert row["q50"] == pytest.approx(0.35) and row["n_trials"] == 4
    count = summary[summary["measure"] == "wilcoxon_significant_outcomes"].iloc[0]
    assert count["observed"] == 1 and count["simulation_p_value"] == 0.5


def test_false_positive_table(model):
    frame = trials_frame([0.1] * 4, [0.5, 0.01, 0.3, 0.04], [0.001, 0.5, 0.5, np.nan])
    table = summarise.false_positive_table(
        {"test": frame}, {"test": model}, observed(p=0.01), SETTINGS
    ).set_index("outcome")
    assert table.loc["bas", "n_significant"] == 2 and table.loc["bas", "rate_significant"] == 0.5
    assert table.loc["bas", "rate_significant_improving"] == 0.5
    assert table.loc["sss_pem", "n_trials"] == 3  # NaN p (no pairs) not counted
    assert table.loc["sss_pem", "rate_significant_improving"] == 0  # significant, but worse
    assert table.loc["sss_pem", "simulation_p_value"] == pytest.approx(1 / 3)
    assert table.loc["any", "n_significant"] == 3
    assert 0 < table.loc["bas", "ci_low"] < 0.5 < table.loc["bas", "ci_high"] < 1


def test_distribution_shares_sum_to_one():
    frame = trials_frame([0.0, 0.15, 0.15, 1.0, np.nan], [0.5] * 5, [0.5] * 5)
    table = summarise.distribution_table({"test": frame}, 10)
    part = table[table["analysis_set"] == "completers"]
    assert part["trials"].sum() == 4 and math.isclose(part["share"].sum(), 1.0)
    assert part.iloc[-1]["trials"] == 1  # 1.0 falls in the last bin


def test_parameter_table_lists_calibration(model):
    table = summarise.parameter_table({"test": model})
    retention = table[table["parameter"] == "retention_expected"]["value"].astype(float)
    assert len(retention) == 3 and retention.iloc[-1] == pytest.approx(46 / 86, abs=1e-6)


def test_figure_is_deterministic(model, tmp_path):
    shard = summarise.run_shard(model, 60, rng(1))
    shard.insert(0, "scenario", "test")
    shards = {"test": shard}
    settings = {**SETTINGS, "outcomes": list(model.analysis["wilcoxon_outcomes"])}
    summary = summarise.summary_table(shards, {"test": model}, observed(), settings)
    distribution = summarise.distribution_table(shards, 20)
    paths = []
    for attempt in range(2):
        png, svg = tmp_path / f"{attempt}.png", tmp_path / f"{attempt}.svg"
        style.save(simulation_figure(summary, distribution, True), png, svg, True, title="t")
        paths.append((png.read_bytes(), svg.read_bytes()))
    assert paths[0] == paths[1]
    assert b"SYNTHETIC" in paths[0][1]
