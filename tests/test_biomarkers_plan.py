"""biomarkers/plan.py and the biomarker_analysis config section: what each marker job receives."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from rapamycin_mecfs.biomarkers import plan
from rapamycin_mecfs.config import load_config
from rapamycin_mecfs.errors import SupplementError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def project():
    return load_config(ROOT / "config.yaml")


def test_project_section_passes_the_plan_check(project):
    plan.check(project)  # raises SupplementError naming each problem


def test_defaults_filled_when_section_absent(project):
    from rapamycin_mecfs.config import validate_config

    raw = {k: v for k, v in copy.deepcopy(project).items() if k != "biomarker_analysis"}
    filled = validate_config(raw)["biomarker_analysis"]
    # No marker unless named: a study without biomarkers needs no section at all.
    assert filled == {
        "markers": [],
        "correlate_with": [],
        "scatter_outcomes": [],
        "change_visits": [],
        "bootstrap": {"resamples": 2000, "seed": 20250523},
    }
    assert plan.final_outputs(validate_config(raw), "results") == []


def test_empty_correlate_with_means_every_outcome_with_a_direction(project):
    outcomes = plan.correlated_outcomes(project)
    expected = [
        o
        for inst in project["instruments"].values()
        for o, spec in inst["outcomes"].items()
        if spec["direction"] != "none"
    ]
    assert outcomes == expected
    assert {
        f"mfi_{d}"
        for d in (
            "general_fatigue",
            "physical_fatigue",
            "reduced_activity",
            "reduced_motivation",
            "mental_fatigue",
        )
    } <= set(outcomes)
    assert "patg13" not in outcomes and "dose_mg_week" not in outcomes
    chosen = copy.deepcopy(project)
    chosen["biomarker_analysis"]["correlate_with"] = ["mfi_general_fatigue"]
    assert plan.correlated_outcomes(chosen) == ["mfi_general_fatigue"]


def test_each_job_gets_only_its_marker_definition(project):
    definition = plan.marker_definition(project, "patg13")
    assert definition == {
        "key": "patg13",
        "instrument": "autophagy_markers",
        "label": "pSer258-ATG13",
        "unit": "ng/mL",
        "direction": "none",
        "lloq": 0.05,
    }
    edited = copy.deepcopy(project)
    edited["instruments"]["autophagy_markers"]["outcomes"]["beclin1"]["lloq"] = 0.1
    assert plan.marker_definition(edited, "patg13") == definition
    assert plan.marker_settings(edited) == plan.marker_settings(project)


def test_correlations_do_not_depend_on_the_responder_rule_or_bootstrap(project):
    edited = copy.deepcopy(project)
    edited["biomarker_analysis"]["bootstrap"]["resamples"] += 1
    edited["analysis"]["responders"]["k"] = 2
    assert plan.marker_settings(edited) != plan.marker_settings(project)
    assert plan.correlation_settings(edited) == plan.correlation_settings(project)
    assert set(plan.correlation_settings(project)) == {
        "visits",
        "confidence",
        "below_lloq_substitute",
        "change_visits",
        "synthetic",
    }


def test_inputs_and_outputs(project):
    alone = plan.marker_job_inputs(project, "beclin1", "results", ["code.py"])
    correlations = plan.correlation_job_inputs(project, "beclin1", "results", ["code.py"])
    for inputs in (alone, correlations):
        assert inputs["marker"] == "results/clean/outcomes/beclin1.csv"
        assert inputs["participants"] == "results/clean/participants.csv"
        assert inputs["code"] == ["code.py"]
    # The marker's own tables do not read the correlated outcomes, nor the correlations the
    # criteria.
    assert alone["criteria"] == [
        f"results/clean/outcomes/{o}.csv" for o in ("sss_pem", "sss_fatigue", "sss_oi")
    ]
    assert "outcomes" not in alone and "criteria" not in correlations
    assert "results/clean/outcomes/mfi_mental_fatigue.csv" in correlations["outcomes"]
    assert sorted(plan.MARKER_TABLES + plan.CORRELATION_TABLES) == sorted(plan.TABLES)
    combined = plan.combine_inputs(project, "results", "roc_auc", [])
    assert combined["parts"] == [
        "results/tables/biomarkers/patg13/roc_auc.csv",
        "results/tables/biomarkers/beclin1/roc_auc.csv",
    ]
    assert plan.final_outputs(project, "results") == [
        f"results/tables/biomarkers/{t}.csv" for t in plan.TABLES
    ]
    assert (
        plan.report_tables(project, "results")["biomarkers/rm_corr"]
        == "results/tables/biomarkers/rm_corr.csv"
    )
    none = copy.deepcopy(project)
    none["biomarker_analysis"]["markers"] = []
    assert plan.final_outputs(none, "results") == [] and plan.report_tables(none, "results") == {}


@pytest.mark.parametrize(
    "key, value, fragment",
    [
        ("markers", ["patg99"], "unknown outcome 'patg99'"),
        ("markers", ["bas"], "direction 'higher_is_better'"),
        ("correlate_with", ["nope"], "correlate_with: unknown outcome 'nope'"),
        ("change_visits", ["T0"], "'T0' is not a follow-up visit"),
    ],
)
def test_check_names_the_bad_key(project, key, value, fragment):
    bad = copy.deepcopy(project)
    bad["biomarker_analysis"][key] = value
    with pytest.raises(SupplementError, match=fragment):
        plan.check(bad)
