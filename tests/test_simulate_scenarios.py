"""Scenario settings from config: defaults, overrides, seeds, checks and paths."""

from __future__ import annotations

import copy

import pytest
from rapamycin_mecfs.config import load_config, validate_config
from rapamycin_mecfs.errors import SupplementError
from rapamycin_mecfs.simulate import scenarios
from simulate_fixtures import ROOT, project_config


@pytest.fixture(scope="module")
def config():
    return load_config(ROOT / "config.yaml")


def test_project_scenarios(config):
    assert scenarios.scenario_names(config) == [
        "no_attrition",
        "random_attrition",
        "informative_attrition",
        "informative_attrition_with_selection",
    ]
    scenarios.check(config)


def test_scenario_overrides_merge_one_level_deep(config):
    merged = scenarios.scenario_settings(config, "informative_attrition_with_selection")
    assert merged["dropout"]["mode"] == "informative"
    assert merged["dropout"]["slope"] == config["simulation"]["dropout"]["slope"]  # default kept
    assert merged["selection"]["enrol_fraction"] == 0.5
    assert merged["selection"]["recentre"] is True
    assert merged["true_effect"] == 0
    plain = scenarios.scenario_settings(config, "no_attrition")
    assert plain["dropout"]["mode"] == "none" and plain["selection"]["enrol_fraction"] == 1


def test_defaults_fill_a_missing_section(config):
    raw = copy.deepcopy(config)
    del raw["simulation"]
    section = validate_config(raw)["simulation"]
    assert section["scenarios"] == {}
    assert section["dropout"]["mode"] == "none" and section["reliability"]["default"] == 0.7
    assert scenarios.final_outputs(validate_config(raw), "results") == []


def test_seeds_are_stable_and_distinct():
    assert scenarios.stable_hash("no_attrition") == scenarios.stable_hash("no_attrition")
    assert (
        scenarios.stable_hash("no_attrition") == 4611998445434750676
    )  # SHA-256, not the salted built-in hash
    assert scenarios.shard_entropy(5, "a", 0) != scenarios.shard_entropy(5, "a", 1)
    assert scenarios.shard_entropy(5, "a", 0) != scenarios.shard_entropy(5, "b", 0)
    assert scenarios.calibration_entropy(5, "a")[1] != scenarios.shard_entropy(5, "a", 0)[1]


def test_simulated_outcomes_put_responder_criteria_first(config):
    outcomes = scenarios.simulated_outcomes(config, "no_attrition")
    assert outcomes[:3] == ["sss_pem", "sss_fatigue", "sss_oi"]
    assert set(config["simulation"]["outcomes"]) <= set(outcomes)
    assert len(outcomes) == len(set(outcomes))


def test_model_settings_carry_the_analysis(config):
    settings = scenarios.model_settings(config, "informative_attrition")
    assert settings["analysis"]["responders"]["visit"] == "T3"
    assert settings["analysis"]["wilcoxon_method"] == config["analysis"]["wilcoxon_method"]
    assert settings["scenario"]["dropout"]["outcomes"] == ["sss_pem", "sss_fatigue", "sss_oi"]
    assert settings["outcomes"]["sss_pem"]["reliability"] == 0.7


def test_reliability_falls_back_to_regression_to_mean_then_default():
    config = project_config()
    config["analysis"]["regression_to_mean"] = {
        "bas": {"reliability": 0.8, "reference_mean": 50, "source": "x"}
    }
    config["simulation"]["reliability"]["by_outcome"] = {"sss_pem": 0.6}
    assert scenarios.reliability(config, "sss_pem") == (0.6, "simulation/reliability/by_outcome")
    assert scenarios.reliability(config, "bas")[0] == 0.8
    assert (
        scenarios.reliability(config, "sss_oi")[0] == config["simulation"]["reliability"]["default"]
    )


@pytest.mark.parametrize(
    "edit, fragment",
    [
        (lambda s: s["outcomes"].append("nope"), "simulation/outcomes: unknown outcome 'nope'"),
        (lambda s: s["outcomes"].append("patg13"), "direction 'none'"),
        (
            lambda s: s["scenarios"]["test"].update(dropout={"retention": [0.8, 0.9, 0.5]}),
            "must not increase",
        ),
        (
            lambda s: s["scenarios"]["test"].update(dropout={"retention": [0.8]}),
            "one per follow-up visit",
        ),
        (
            lambda s: s["scenarios"]["test"].update(selection={"outcomes": ["nope"]}),
            "selection/outcomes",
        ),
        (lambda s: s["baseline"]["outcomes"].pop("bas"), "no mean and sd for ['bas']"),
    ],
)
def test_check_reports_bad_settings(edit, fragment):
    config = project_config()
    edit(config["simulation"])
    with pytest.raises(
        SupplementError, match=fragment.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")
    ):
        scenarios.check(config)


def test_paths_and_report_entries(config):
    outputs = scenarios.final_outputs(config, "results")
    assert "results/tables/simulation_summary.csv" in outputs
    assert "results/figures/simulation_null.png" in outputs
    assert len(scenarios.shard_paths(config, "results")) == 4 * config["simulation"]["shards"]
    assert (
        scenarios.report_tables(config, "results")["simulation_summary"]
        == "results/tables/simulation_summary.csv"
    )
    no_rule = {
        **config,
        "analysis": {k: v for k, v in config["analysis"].items() if k != "responders"},
    }
    assert (
        scenarios.final_outputs(no_rule, "results") == []
    )  # the simulator judges response: no rule, no run


def test_model_inputs_need_the_clean_outcomes_only_for_a_supplement_baseline(config):
    inputs = scenarios.model_inputs(config, "no_attrition", "results", ["code.py"])
    assert inputs["participants"] == "results/clean/participants.csv"
    assert "results/clean/outcomes/sss_pem.csv" in inputs["clean"] and inputs["code"] == ["code.py"]
    assert scenarios.model_inputs(project_config(), "test", "results", [])["clean"] == []
