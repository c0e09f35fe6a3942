"""Participant table: analysis sets, stop records, status flags and the attrition table.

Hand-derived from the fixture (conftest.py); questionnaire outcomes are bas, sf36_role_emotional
and sf36_pain; the completer visit is T2:
    RAP-001  data at T0, T1, T2 (all present at T2)        -> completer
    RAP-002  data at T0, T1; all NA at T2; stopped after T1 (Adverse event, page 1)
    RAP-003  data at T0, T1; empty at T2; stopped after T1 (Adverse event, page 2)
    RAP-004  data at T0 only; stopped after T0 (Withdrew consent)
    RAP-005  data at T0, T1, T2 (all present at T2)        -> completer
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import DISCONTINUATION_PAGES, build_pdf
from rapamycin_mecfs.clean import cell_parser, id_normaliser
from rapamycin_mecfs.errors import SupplementError
from rapamycin_mecfs.extract import extract_table
from rapamycin_mecfs.participants import (
    ATTRITION_COLUMNS,
    _correct_presence,
    _last_visit_with_data,
    _presence_grid,
    _status_flags,
    build_participants,
)

QUESTIONNAIRE_OUTCOMES = ["bas", "sf36_role_emotional", "sf36_pain"]
PEOPLE = ["RAP-001", "RAP-002", "RAP-003", "RAP-004", "RAP-005"]


def build(config, extracted, presence_corrections=(), dose=None, discontinuations=None):
    return build_participants(
        extracted["participants"],
        extracted["discontinuations"] if discontinuations is None else discontinuations,
        {"bas": extracted["bas"], "sf36": extracted["sf36"]},
        QUESTIONNAIRE_OUTCOMES,
        QUESTIONNAIRE_OUTCOMES,
        dose,
        config,
        list(presence_corrections),
    )


def column(people, name):
    return dict(zip(people["participant_id"], people[name]))


def members(people, name):
    return [p for p, inside in zip(people["participant_id"], people[name]) if inside]


def test_analysis_sets(config, extracted):
    people, _ = build(config, extracted)
    assert list(people["participant_id"]) == PEOPLE
    assert members(people, "set_enrolled") == PEOPLE
    assert members(people, "set_reached_first_follow_up") == [
        "RAP-001",
        "RAP-002",
        "RAP-003",
        "RAP-005",
    ]
    assert members(people, "set_completers") == ["RAP-001", "RAP-005"]
    assert members(people, "has_data_T0") == PEOPLE
    assert members(people, "has_data_T2") == ["RAP-001", "RAP-005"]
    assert column(people, "last_visit_with_data") == {
        "RAP-001": "T2",
        "RAP-002": "T1",
        "RAP-003": "T1",
        "RAP-004": "T0",
        "RAP-005": "T2",
    }


def test_roster_fields_and_locators(config, extracted):
    people, _ = build(config, extracted)
    assert column(people, "site") == {
        "RAP-001": "Oslo",
        "RAP-002": "Bergen",
        "RAP-003": "Oslo",
        "RAP-004": "Bergen",
        "RAP-005": "Oslo",
    }
    assert column(people, "age") == {
        "RAP-001": 34,
        "RAP-002": 41,
        "RAP-003": 29,
        "RAP-004": 52,
        "RAP-005": 38,
    }
    # The text "3" joins the numbers: the whole column is numeric.
    assert column(people, "years_ill") == {
        "RAP-001": 5.0,
        "RAP-002": 12.0,
        "RAP-003": 3.0,
        "RAP-004": 20.0,
        "RAP-005": 7.5,
    }
    assert column(people, "sex") == {
        "RAP-001": "F",
        "RAP-002": "F",
        "RAP-003": "M",
        "RAP-004": "F",
        "RAP-005": "M",
    }
    assert column(people, "source_locator")["RAP-005"] == "'S1 Participants'!A8"


def test_stop_records(config, extracted):
    people, _ = build(config, extracted)
    pdf = config["tables"]["discontinuations"]["file"]
    assert members(people, "stopped") == ["RAP-002", "RAP-003", "RAP-004"]
    assert column(people, "stop_after_visit") == {
        "RAP-001": "",
        "RAP-002": "T1",
        "RAP-003": "T1",
        "RAP-004": "T0",
        "RAP-005": "",
    }
    assert column(people, "stop_reason")["RAP-004"] == "Withdrew consent"
    assert column(people, "stop_reason_detail")["RAP-003"] == "Headache"
    assert column(people, "stop_reason_detail")["RAP-004"] == ""
    assert column(people, "stop_source_locator") == {
        "RAP-001": "",
        "RAP-002": f"{pdf} [page 1/table 1/row 2/col 1]",
        "RAP-003": f"{pdf} [page 2/table 1/row 2/col 1]",
        "RAP-004": f"{pdf} [page 1/table 1/row 3/col 1]",
        "RAP-005": "",
    }
    assert set(people["status_flag"]) == {""}


def test_attrition_table(config, extracted):
    _, attrition = build(config, extracted)
    assert list(attrition.columns) == ATTRITION_COLUMNS
    assert list(
        zip(attrition["category"], attrition["visit"], attrition["reason"], attrition["n"])
    ) == [
        ("enrolled", "T0", "", 5),
        ("data_at_visit", "T0", "", 5),
        ("data_at_visit", "T1", "", 4),
        ("data_at_visit", "T2", "", 2),
        ("completers", "T2", "", 2),
        ("stopped", "", "", 3),
        ("stopped_after_visit", "T0", "Withdrew consent", 1),
        ("stopped_after_visit", "T1", "Adverse event", 2),
    ]


def test_completer_visit_from_config(config, extracted):
    config["analysis_sets"]["completer_visit"] = "T1"
    people, attrition = build(config, extracted)
    # At T1 every questionnaire outcome is present for all but RAP-004 (—, ND, ND).
    assert members(people, "set_completers") == ["RAP-001", "RAP-002", "RAP-003", "RAP-005"]
    assert attrition[attrition["category"] == "completers"][["visit", "n"]].values.tolist() == [
        ["T1", 4]
    ]


def test_presence_correction_removes_a_completer(config, extracted):
    # Ledger turns RAP-001's BAS at T2 into missing: no longer every outcome present at T2.
    fix = {
        "correction_id": "C1",
        "participant_id": "rap 1",
        "outcome": "bas",
        "visit": "T2",
        "new_value": "NA",
    }
    people, attrition = build(config, extracted, [fix])
    assert members(people, "set_completers") == ["RAP-005"]
    assert members(people, "has_data_T2") == ["RAP-001", "RAP-005"]  # SF-36 still present at T2
    assert attrition[attrition["category"] == "completers"]["n"].tolist() == [1]


def test_presence_correction_adds_data_and_flags_disagreement(config, extracted):
    # RAP-004 stopped after T0, but a correction supplies a BAS value at T1.
    fix = {
        "correction_id": "C2",
        "participant_id": "RAP-004",
        "outcome": "bas",
        "visit": "T1",
        "new_value": "20",
    }
    people, _ = build(config, extracted, [fix])
    assert members(people, "set_reached_first_follow_up") == [
        "RAP-001",
        "RAP-002",
        "RAP-003",
        "RAP-004",
        "RAP-005",
    ]
    assert column(people, "last_visit_with_data")["RAP-004"] == "T1"
    assert column(people, "status_flag") == {
        "RAP-001": "",
        "RAP-002": "",
        "RAP-003": "",
        "RAP-004": "data_after_stated_last_visit",
        "RAP-005": "",
    }


def test_no_final_data_and_no_stop_record_is_flagged(config, extracted):
    stops = extracted["discontinuations"]
    stops = stops[stops["raw_participant_id"] != "RAP_003"]
    people, attrition = build(config, extracted, discontinuations=stops)
    assert column(people, "status_flag")["RAP-003"] == "no_final_visit_data_and_no_stop_record"
    assert not column(people, "stopped")["RAP-003"]
    assert attrition[attrition["category"] == "stopped"]["n"].tolist() == [2]


def test_dose_by_visit(config, extracted):
    dose = pd.DataFrame(
        {
            "participant_id": ["RAP-001", "RAP-001", "RAP-001", "RAP-002", "RAP-002"],
            "visit": ["T0", "T1", "T2", "T0", "T1"],
            "value": [6.0, 6.0, 5.5, 3.0, math.nan],
        }
    )
    people, _ = build(config, extracted, dose=dose)
    assert column(people, "dose_T0")["RAP-001"] == 6.0
    assert column(people, "dose_T2")["RAP-001"] == 5.5
    assert column(people, "dose_T0")["RAP-002"] == 3.0
    assert math.isnan(column(people, "dose_T1")["RAP-002"])
    assert math.isnan(column(people, "dose_T2")["RAP-002"])  # no row: missing, not dropped
    assert math.isnan(column(people, "dose_T0")["RAP-005"])


def test_discontinuation_of_unknown_participant(config, extracted):
    stops = extracted["discontinuations"].copy()
    stops.loc[stops["raw_participant_id"] == "RAP_003", "raw_participant_id"] = "RAP-009"
    with pytest.raises(SupplementError) as info:
        build(config, extracted, discontinuations=stops)
    assert str(info.value) == (
        f"{config['tables']['discontinuations']['file']} [page 2/table 1/row 2/col 1]: value "
        "'RAP-009': participant RAP-009 is not in the participants table; expected every "
        "participant who stopped to be enrolled"
    )


def test_discontinuation_with_unknown_visit(config, extracted, tmp_path):
    pages = [list(DISCONTINUATION_PAGES[0]), [["RAP_003", "Week 4", "Adverse event", "Headache"]]]
    pdf = build_pdf(tmp_path / "bad_visit.pdf", pages=pages)
    spec = dict(config["tables"]["discontinuations"], file=str(pdf))
    stops = extract_table("discontinuations", spec, id_normaliser(config))
    with pytest.raises(SupplementError) as info:
        build(config, extracted, discontinuations=stops)
    assert str(info.value) == (
        f"{pdf} [page 2/table 1/row 2/col 2]: value 'Week 4': unknown visit; expected one of "
        "['T0', 'T1', 'T2']"
    )


def test_presence_correction_of_a_cell_not_in_table(config, extracted):
    # RAP-004's BAS T1 cell is absent from the table (cleaning flags it not_in_table); the ledger
    # fills it in. A non-questionnaire correction (biomarker) must not join the completer
    # definition.
    bas = extracted["bas"]
    bas = bas[~((bas["raw_participant_id"] == "RAP-04") & (bas["visit"] == "T1"))]
    fixes = [
        {
            "correction_id": "C2",
            "participant_id": "RAP-004",
            "outcome": "bas",
            "visit": "T1",
            "new_value": "20",
        },
        {
            "correction_id": "C3",
            "participant_id": "RAP-001",
            "outcome": "patg13",
            "visit": "T2",
            "new_value": "NA",
        },
    ]
    people, _ = build(config, dict(extracted, bas=bas), fixes)
    assert column(people, "has_data_T1")["RAP-004"]
    assert column(people, "last_visit_with_data")["RAP-004"] == "T1"
    assert members(people, "set_completers") == ["RAP-001", "RAP-005"]


# --- the whole-table paths, checked against a cell-by-cell reading ---------------------------


def test_presence_grid_agrees_with_grouping_cell_by_cell():
    rng = np.random.default_rng(3)
    people = pd.Index([f"RAP-{n:03d}" for n in range(1, 31)], name="participant_id")
    outcomes, visits = ["bas", "sf36_pain", "sss_pem"], ["T0", "T1", "T2", "T3"]
    n = 600
    cells = pd.DataFrame(
        {
            # RAP-031..033 are not on the roster, and W9 is not a configured visit: both are
            # ignored.
            "participant_id": [f"RAP-{k:03d}" for k in rng.integers(1, 34, n)],
            "outcome": rng.choice(outcomes, n),
            "visit": rng.choice(visits + ["W9"], n),
            "present": rng.random(n) < 0.5,
        }
    )
    grid = _presence_grid(cells, people, visits)
    expected = np.zeros((len(people), len(outcomes), len(visits)), dtype=bool)
    for row in cells.itertuples():
        if row.present and row.participant_id in people and row.visit in visits:
            expected[
                people.get_loc(row.participant_id),
                outcomes.index(row.outcome),
                visits.index(row.visit),
            ] = True
    assert (grid == expected).all()
    assert grid.any() and not grid.all()


def test_last_visit_with_data():
    by_visit = pd.DataFrame(
        [
            [True, False, True, False],
            [False, False, False, False],
            [False, False, False, True],
            [True, True, False, False],
        ],
        index=["a", "b", "c", "d"],
        columns=["T0", "T1", "T2", "T3"],
    )
    assert _last_visit_with_data(by_visit).to_dict() == {"a": "T2", "b": "", "c": "T3", "d": "T1"}


def test_status_flags_every_case():
    people = pd.DataFrame(
        [
            (True, "T1", "T2"),  # stopped after T1, data at T2: disagreement
            (True, "T1", "T1"),  # stopped after T1, last data T1: consistent
            (True, "T2", "T0"),  # stopped after T2, data only until T0: consistent
            (True, "T0", ""),  # stopped, no data at all: consistent
            (False, "", "T3"),  # not stopped, data at the final visit: consistent
            (False, "", "T2"),  # not stopped, no final data: flagged
            (False, "", ""),  # not stopped, no data: flagged
        ],
        columns=["stopped", "stop_after_visit", "last_visit_with_data"],
    )
    assert list(_status_flags(people, ["T0", "T1", "T2", "T3"], "T3")) == [
        "data_after_stated_last_visit",
        "",
        "",
        "",
        "",
        "no_final_visit_data_and_no_stop_record",
        "no_final_visit_data_and_no_stop_record",
    ]


def test_presence_corrections_applied_in_ledger_order(config):
    cells = pd.DataFrame(
        {
            "participant_id": ["RAP-001", "RAP-001", "RAP-002", "RAP-003"],
            "outcome": ["bas", "bas", "bas", "sf36_pain"],
            "visit": ["T0", "T1", "T0", "T2"],
            "present": [True, True, False, True],
        }
    )

    def fix(cid, participant, outcome, visit, new):
        return {
            "correction_id": cid,
            "participant_id": participant,
            "outcome": outcome,
            "visit": visit,
            "new_value": new,
        }

    corrections = [
        fix("C1", "rap 1", "bas", "T1", "NA"),  # an existing cell turned missing
        fix("C2", "RAP-002", "bas", "T0", "30"),  # an existing cell turned present
        fix("C3", "RAP-002", "bas", "T2", "20"),  # a cell not in the table, filled in
        fix("C4", "RAP_2", "bas", "T2", "ND"),  # ... and that added cell corrected again
        fix("C5", "RAP-004", "sf36_pain", "T1", "35"),  # a participant with no cells at all
        fix("C6", "RAP-003", "patg13", "T2", "NA"),  # not a questionnaire outcome: ignored
    ]
    out = _correct_presence(
        cells, corrections, id_normaliser(config), cell_parser(config), {"bas", "sf36_pain"}
    )
    assert list(out.itertuples(index=False, name=None)) == [
        ("RAP-001", "bas", "T0", True),
        ("RAP-001", "bas", "T1", False),
        ("RAP-002", "bas", "T0", True),
        ("RAP-003", "sf36_pain", "T2", True),
        ("RAP-002", "bas", "T2", False),
        ("RAP-004", "sf36_pain", "T1", True),
    ]
    assert cells["present"].tolist() == [True, True, False, True]  # input left alone


def test_presence_correction_with_a_bad_participant_id(config):
    cells = pd.DataFrame(
        {"participant_id": ["RAP-001"], "outcome": ["bas"], "visit": ["T0"], "present": [True]}
    )
    corrections = [
        {
            "correction_id": "C1",
            "participant_id": "RAP-001",
            "outcome": "bas",
            "visit": "T0",
            "new_value": "NA",
        },
        {
            "correction_id": "C2",
            "participant_id": "Patient 2",
            "outcome": "bas",
            "visit": "T0",
            "new_value": "NA",
        },
    ]
    with pytest.raises(SupplementError) as info:
        _correct_presence(cells, corrections, id_normaliser(config), cell_parser(config), {"bas"})
    assert str(info.value).startswith("correction C2: value 'Patient 2': not a participant ID")


def test_several_discontinuations_with_unknown_visits(config, extracted):
    stops = extracted["discontinuations"].copy()
    last = stops["outcome"] == "last_visit"
    stops.loc[last & (stops["raw_participant_id"] == "rap 2"), "raw_value"] = "Week 2"
    stops.loc[last & (stops["raw_participant_id"] == "RAP_003"), "raw_value"] = "T9"
    with pytest.raises(SupplementError) as info:
        build(config, extracted, discontinuations=stops)
    pdf = config["tables"]["discontinuations"]["file"]
    expected = "unknown visit; expected one of ['T0', 'T1', 'T2']"
    assert info.value.problems == [
        f"{pdf} [page 1/table 1/row 2/col 2]: value 'Week 2': {expected}",
        f"{pdf} [page 2/table 1/row 2/col 2]: value 'T9': {expected}",
    ]
