"""Key findings read cells from the tables they name; nothing is computed, nothing is lost."""

from __future__ import annotations

import pandas as pd
from rapamycin_mecfs.plan import StudyPlan
from rapamycin_mecfs.report.findings import key_findings
from test_plan import two_visit_config


def paired_row(outcome, analysis_set, estimate, low, high):
    return {
        "outcome": outcome,
        "visit": "post",
        "analysis_set": analysis_set,
        "test": "paired_t",
        "estimate": estimate,
        "ci_low": low,
        "ci_high": high,
    }


TABLES = {
    "attrition": pd.DataFrame(
        [
            {"category": "enrolled", "visit": "pre", "n": 30},
            {"category": "data_at_visit", "visit": "post", "n": 24},
            {"category": "completers", "visit": "post", "n": 22},
        ]
    ),
    "paired_tests": pd.DataFrame(
        [
            paired_row("pain", "completers", 1.25, 0.5, 2.0),
            paired_row("pain", "enrolled_bocf", 0.75, 0.25, 1.25),
            paired_row("walk", "completers", -0.5, -1.5, 0.5),
            # the Wilcoxon row of the same set must not be picked
            {**paired_row("pain", "completers", 9.0, 9.0, 9.0), "test": "wilcoxon_signed_rank"},
        ]
    ),
    "mixed_model": pd.DataFrame(
        [
            {
                "outcome": "pain",
                "visit": "post",
                "improvement_estimate": 1.0,
                "improvement_ci_low": 0.5,
                "improvement_ci_high": 1.5,
            }
        ]
    ),
}


def test_each_number_names_its_table_row_and_column():
    findings = key_findings(TABLES, StudyPlan(two_visit_config()))
    flow = dict(findings.flow)
    assert flow["Started"].text == "30" and flow["Started"].source == "clean/attrition.csv"
    assert dict(flow["Started"].row) == {"category": "enrolled"} and flow["Started"].column == "n"
    assert flow["completers at post"].text == "22"
    pain = next(
        row
        for row in findings.change_rows
        if row["label"] == "x" and row["cells"][0][0].text == "1.25"
    )
    completers, bocf, mixed = pain["cells"]
    assert [c.text for c in completers] == ["1.25", "0.5", "2"]
    assert dict(completers[0].row) == {
        "outcome": "pain",
        "visit": "post",
        "analysis_set": "completers",
        "test": "paired_t",
    }
    assert [c.text for c in bocf] == ["0.75", "0.25", "1.25"] and bocf[
        0
    ].source == "tables/paired_tests.csv"
    assert [c.text for c in mixed] == ["1", "0.5", "1.5"] and mixed[
        0
    ].column == "improvement_estimate"


def test_a_missing_row_prints_a_dash_and_names_nothing():
    findings = key_findings(TABLES, StudyPlan(two_visit_config()))
    walk = findings.change_rows[1]
    assert [c.text for c in walk["cells"][1]] == ["–", "–", "–"]  # no BOCF row for walk
    assert walk["cells"][1][0].table == ""


def test_components_that_did_not_run_say_why():
    findings = key_findings(TABLES, StudyPlan(two_visit_config()))
    plan = StudyPlan(two_visit_config())
    assert any(
        line.startswith("simulation: not run: ") and plan.components["simulation"].reason in line
        for line in findings.not_run
    )
    assert findings.simulation == [] and findings.claims == []
