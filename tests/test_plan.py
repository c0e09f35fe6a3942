"""The study plan: visit roles, optional components and outcome kinds, checked on hand-made
configs."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from rapamycin_mecfs.config import load_config, validate_config
from rapamycin_mecfs.plan import COMPONENT_SECTIONS, OUTCOME_TABLES, SECTIONS, StudyPlan
from rapamycin_mecfs.plots import registry

ROOT = Path(__file__).resolve().parents[1]


def outcome(direction="lower_is_better", **extra):
    return {
        "label": "x",
        "unit": "points",
        "min": 0,
        "max": 10,
        "step": 1,
        "direction": direction,
        **extra,
    }


def two_visit_config(**changes) -> dict:
    """Pre/post, no days, one instrument of two scores, no roster, no stops, no dose, no markers."""
    raw = {
        "visits": [{"id": "pre"}, {"id": "post"}],
        "participant_ids": {"pattern": r"^S(\d+)$", "canonical": "S{number}"},
        "tables": {
            "scores": {
                "file": "s.xlsx",
                "sheet": "S",
                "header_rows": 2,
                "id_header": "ID",
                "outcomes": {"Pain": "pain", "Walk": "walk"},
                "visits": {"Before": "pre", "After": "post"},
            }
        },
        "instruments": {
            "scores": {
                "table": "scores",
                "label": "Scores",
                "outcomes": {"pain": outcome(), "walk": outcome("higher_is_better")},
            }
        },
    }
    raw.update(changes)
    return validate_config(raw)


def test_roles_without_days():
    plan = StudyPlan(two_visit_config())
    assert (plan.baseline, plan.first_follow_up, plan.final, plan.follow_ups) == (
        "pre",
        "post",
        "post",
        ["post"],
    )
    assert plan.days is None
    assert plan.visit_positions() == [0.0, 1.0]
    assert [v["tick"] for v in plan.visit_axis()] == ["pre", "post"]


def test_final_is_the_completer_visit_when_set():
    raw = two_visit_config()
    raw["visits"] = [{"id": "a", "day": 0}, {"id": "b", "day": 14}, {"id": "c", "day": 70}]
    raw["analysis_sets"]["completer_visit"] = "b"
    plan = StudyPlan(raw)
    assert plan.final == "b"
    assert plan.days == {"a": 0, "b": 14, "c": 70}
    assert plan.visit_label("c") == "c (day 70)"
    # Change visits default to the first follow-up and the final visit, once each.
    assert plan.change_visits == ["b"]


def test_minimal_study_turns_every_optional_part_off_with_a_reason():
    plan = StudyPlan(two_visit_config())
    off = {c.name for c in plan.not_run()}
    assert off == {
        "participants_table",
        "discontinuations",
        "corrections",
        "friedman",
        "responders",
        "biomarkers",
        "dose_response",
        "simulation",
        "claims",
    }
    assert all(c.reason and not c.reason.endswith(".") for c in plan.not_run())
    assert (
        plan.component("friedman").reason
        == "the Friedman test needs at least 3 visits; this study has 2"
    )
    assert plan.outcome_tables == [
        "visit_medians",
        "paired_tests",
        "mixed_model",
        "tipping_point",
        "tipping_point_mi",
        "regression_to_mean",
    ]
    assert plan.section_runs()["dose_response"] is False and plan.section_runs()["outcomes"] is True
    assert set(COMPONENT_SECTIONS.values()) <= set(SECTIONS)


def test_outcomes_of_any_kind():
    raw = two_visit_config()
    raw["analysis_sets"]["completion_outcomes"] = ["pain"]
    plan = StudyPlan(raw)
    assert plan.analysed_outcomes == ["pain", "walk"]  # every outcome with a direction
    assert plan.completion_outcomes == ["pain"]
    assert plan.attendance_outcomes == ["pain", "walk"]  # default: every outcome with a direction
    assert plan.presence_instruments == ["scores"]


def test_tipping_point_null_switches_it_off():
    raw = two_visit_config()
    raw["analysis"]["tipping_point"] = None
    plan = StudyPlan(raw)
    assert not plan.has("tipping_point") and plan.tipping_point is None
    assert "tipping_point" not in plan.outcome_tables
    assert "tipping_point_mi" not in plan.outcome_tables


def test_simulation_needs_a_responder_rule():
    raw = two_visit_config()
    raw["simulation"]["scenarios"] = {"none": {"description": "no dropout"}}
    plan = StudyPlan(raw)
    assert not plan.has("simulation") and plan.scenarios == []
    assert "responder rule" in plan.component("simulation").reason
    raw["analysis"]["responders"] = {
        "criteria": [{"outcome": "pain", "min_improvement": 1, "unit": "points"}]
    }
    plan = StudyPlan(copy.deepcopy(raw))
    assert plan.has("simulation") and plan.scenarios == ["none"]
    assert plan.responder_rule["visit"] == "post"  # the final visit by default


def test_shipped_study_runs_every_component():
    plan = StudyPlan(load_config(ROOT / "config.yaml"))
    assert plan.not_run() == []
    assert (plan.baseline, plan.first_follow_up, plan.final) == tuple(
        v["id"] for v in plan.config["visits"][:2]
    ) + (plan.config["analysis_sets"]["completer_visit"],)
    assert plan.outcome_tables == list(OUTCOME_TABLES)  # every component on
    # Markers and dose have no direction, so they are neither analysed nor count for completion.
    assert not set(plan.markers) & set(plan.analysed_outcomes)
    assert plan.dose_outcome not in plan.completion_outcomes


@pytest.mark.parametrize("synthetic", [True, False])
def test_every_caption_says_synthetic_only_when_it_is(synthetic):
    raw = two_visit_config(synthetic=synthetic)
    entries = registry.figures(StudyPlan(raw))
    assert [e["name"] for e in entries] == [
        "participant_flow",
        "trajectories_scores",
        "forest_post",
    ]
    assert all((registry.SYNTHETIC_NOTE in e["caption"]) == synthetic for e in entries)
    # No discontinuations table: the flow caption says no one is shown as having stopped.
    assert "no one is shown as having stopped" in entries[0]["caption"]
