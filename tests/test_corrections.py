"""The corrections ledger: reading, routing, presence changes, and applying it while cleaning."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from conftest import LEDGER_HEADER
from rapamycin_mecfs.cells import CellParser
from rapamycin_mecfs.clean import clean_instrument, id_normaliser
from rapamycin_mecfs.corrections import AUDIT_COLUMNS, apply_corrections, same_value
from rapamycin_mecfs.errors import SupplementError
from rapamycin_mecfs.ledger import LEDGER_COLUMNS, presence_changes, read_ledger, route

TOKENS = ["", "NA", "n/a", "—", "ND", "."]


def correction(
    cid="C1", participant="RAP-001", outcome="bas", visit="T1", expected="40", new="50", **extra
):
    return {
        "correction_id": cid,
        "participant_id": participant,
        "outcome": outcome,
        "visit": visit,
        "expected_current_value": expected,
        "new_value": new,
        "reason": extra.get("reason", "transcription error"),
        "reference": extra.get("reference", "CRF page 3"),
    }


def cell(frame, participant, outcome, visit):
    rows = frame[
        (frame["participant_id"] == participant)
        & (frame["outcome"] == outcome)
        & (frame["visit"] == visit)
    ]
    assert len(rows) == 1
    return rows.iloc[0]


# --- read_ledger ---------------------------------------------------------------------------


def test_read_ledger_strips_and_keeps_only_ledger_columns(tmp_path):
    path = tmp_path / "corrections.csv"
    path.write_text(
        "\ufeff" + LEDGER_HEADER.rstrip("\n") + ",note\n"
        " C1 , rap 1 ,bas, T1 ,40,50, typo ,CRF p3,ignored\n"
        'C2,RAP-002,sf36_pain,T2,NA,"12.5","re-keyed, checked",email 2024-01-02,\n',
        encoding="utf-8",
    )
    rows = read_ledger(path)
    assert rows == [
        {
            "correction_id": "C1",
            "participant_id": "rap 1",
            "outcome": "bas",
            "visit": "T1",
            "expected_current_value": "40",
            "new_value": "50",
            "reason": "typo",
            "reference": "CRF p3",
        },
        {
            "correction_id": "C2",
            "participant_id": "RAP-002",
            "outcome": "sf36_pain",
            "visit": "T2",
            "expected_current_value": "NA",
            "new_value": "12.5",
            "reason": "re-keyed, checked",
            "reference": "email 2024-01-02",
        },
    ]


def test_empty_ledger_is_valid(tmp_path):
    path = tmp_path / "corrections.csv"
    path.write_text(LEDGER_HEADER, encoding="utf-8")
    assert read_ledger(path) == []


def test_ledger_not_found(tmp_path):
    with pytest.raises(SupplementError) as info:
        read_ledger(tmp_path / "nope.csv")
    assert str(info.value) == (
        f"{tmp_path / 'nope.csv'}: corrections ledger not found; expected a CSV with columns "
        f"{LEDGER_COLUMNS}"
    )


# Ledger files read_ledger refuses, and the whole message ({path}: the ledger's path).
BAD_LEDGERS = {
    "missing_columns": (
        "correction_id,participant_id,outcome,visit,new_value\n",
        "{path} [line 1]: columns ['expected_current_value', 'reason', 'reference'] missing; "
        f"expected columns {LEDGER_COLUMNS}",
    ),
    "empty_required_value": (
        LEDGER_HEADER + "C1,RAP-001,bas,T1,40,50,typo,ref\nC2,RAP-002,bas,,40,50,typo,ref\n",
        "{path} [line 3]: column visit is empty; expected a value",
    ),
    "duplicate_correction_id": (
        LEDGER_HEADER
        + "C1,RAP-001,bas,T1,40,50,typo,ref\nC2,RAP-002,bas,T1,30,40,typo,ref\n"
        + "C1,RAP-003,bas,T0,40,30,typo,ref\n",
        "{path} [line 4]: value 'C1': duplicate correction_id (also line 2); expected unique ids",
    ),
}


@pytest.mark.parametrize("text, message", BAD_LEDGERS.values(), ids=BAD_LEDGERS.keys())
def test_bad_ledger_names_line_and_expectation(tmp_path, text, message):
    path = tmp_path / "corrections.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SupplementError) as info:
        read_ledger(path)
    assert str(info.value) == message.format(path=path)


def test_ledger_line_numbers_count_file_lines(tmp_path):
    # A blank line and a reason with a line break: errors name the line in the file, not the row
    # count.
    path = tmp_path / "corrections.csv"
    path.write_text(
        LEDGER_HEADER
        + 'C1,RAP-001,bas,T1,40,50,"checked\nagainst CRF",ref\n'  # lines 2-3
        + "\n"  # line 4
        + "C2,RAP-002,bas,,40,50,typo,ref\n"  # line 5
        + "C1,RAP-003,bas,T0,40,30,typo,ref\n",  # line 6
        encoding="utf-8",
    )
    with pytest.raises(SupplementError) as info:
        read_ledger(path)
    assert info.value.problems == [
        f"{path} [line 5]: column visit is empty; expected a value",
        f"{path} [line 6]: value 'C1': duplicate correction_id (also line 3); expected unique ids",
    ]


# --- route and presence_changes ------------------------------------------------------------

OUTCOMES = {"bas": ["bas"], "sf36": ["sf36_role_emotional", "sf36_pain"], "biomarkers": ["patg13"]}


def test_route_by_outcome():
    rows = [
        correction("C1", outcome="sf36_pain"),
        correction("C2", outcome="bas"),
        correction("C3", outcome="sf36_role_emotional"),
    ]
    routed = route(rows, OUTCOMES, "corrections.csv")
    assert {name: [r["correction_id"] for r in rs] for name, rs in routed.items()} == {
        "bas": ["C2"],
        "sf36": ["C1", "C3"],
        "biomarkers": [],
    }


def test_route_dangling_outcome():
    rows = [correction("C1", outcome="bas"), correction("C7", outcome="sf36_vitality")]
    with pytest.raises(SupplementError) as info:
        route(rows, OUTCOMES, "resources/corrections.csv")
    assert str(info.value) == (
        "resources/corrections.csv [correction C7]: value 'sf36_vitality': unknown outcome "
        "(dangling correction); expected one of ['bas', 'patg13', 'sf36_pain', "
        "'sf36_role_emotional']"
    )


def test_presence_changes():
    is_missing = CellParser(TOKENS).is_missing
    rows = [
        correction("C1", expected="40", new="50"),  # number -> number: no presence change
        correction("C2", expected="NA", new="30"),  # missing -> present
        correction("C3", expected="30", new="ND"),  # present -> missing
        correction("C4", expected="", new="n/a"),  # missing -> missing
    ]
    assert presence_changes(rows, is_missing) == [
        {
            "correction_id": "C2",
            "participant_id": "RAP-001",
            "outcome": "bas",
            "visit": "T1",
            "new_value": "30",
        },
        {
            "correction_id": "C3",
            "participant_id": "RAP-001",
            "outcome": "bas",
            "visit": "T1",
            "new_value": "ND",
        },
    ]


def test_same_value():
    assert same_value(math.nan, math.nan)
    assert same_value(33.3, 33.3 + 1e-12)
    assert not same_value(33.3, 33.4)
    assert not same_value(math.nan, 0.0)


# --- applied while cleaning ----------------------------------------------------------------


def test_correction_applied_with_audit(config, extracted):
    rows = [
        correction(
            "C1", participant="rap 1", expected="40", new="50", reason="typo", reference="CRF p3"
        )
    ]
    cleaned, audit = clean_instrument(
        extracted["bas"], extracted["participants"], config, "bas", rows
    )
    corrected = cell(cleaned, "RAP-001", "bas", "T1")
    assert corrected.value == 50.0
    assert corrected.correction_id == "C1"
    assert corrected.flag == "corrected"
    assert corrected.raw_value == "40"  # the supplement's text is kept for lineage
    assert corrected.source_locator == "'S3 BAS'!C5"
    # Nothing else changed.
    assert cell(cleaned, "RAP-001", "bas", "T0").value == 30.0
    assert (cleaned["correction_id"] != "").sum() == 1
    assert list(audit.columns) == AUDIT_COLUMNS
    assert audit.to_dict("records") == [
        {
            "correction_id": "C1",
            "participant_id": "RAP-001",
            "instrument": "bas",
            "outcome": "bas",
            "visit": "T1",
            "source_file": config["tables"]["bas"]["file"],
            "source_locator": "'S3 BAS'!C5",
            "raw_value": "40",
            "old_value": 40.0,
            "new_value": 50.0,
            "reason": "typo",
            "reference": "CRF p3",
        }
    ]


def test_corrections_keep_existing_flags_and_handle_missing(config, extracted):
    rows = [
        correction("C2", participant="RAP-002", visit="T1", expected="30", new="40"),  # text number
        correction(
            "C3", participant="RAP-002", visit="T2", expected="NA", new="30"
        ),  # missing -> value
        correction(
            "C4", participant="RAP-005", visit="T0", expected="30", new="ND"
        ),  # value -> missing
    ]
    cleaned, audit = clean_instrument(
        extracted["bas"], extracted["participants"], config, "bas", rows
    )
    text = cell(cleaned, "RAP-002", "bas", "T1")
    assert (text.value, text.flag, text.correction_id) == (
        40.0,
        "number_stored_as_text;corrected",
        "C2",
    )
    filled = cell(cleaned, "RAP-002", "bas", "T2")
    assert (filled.value, filled.flag, filled.raw_value) == (30.0, "missing;corrected", "NA")
    emptied = cell(cleaned, "RAP-005", "bas", "T0")
    assert math.isnan(emptied.value) and emptied.flag == "corrected"
    assert list(audit["correction_id"]) == ["C2", "C3", "C4"]
    assert math.isnan(audit.loc[1, "old_value"]) and audit.loc[1, "new_value"] == 30.0
    assert audit.loc[2, "old_value"] == 30.0 and math.isnan(audit.loc[2, "new_value"])


def test_correction_on_role_emotional_rounded_value(config, extracted):
    rows = [
        correction(
            "C5",
            participant="RAP-005",
            outcome="sf36_role_emotional",
            visit="T1",
            expected="33.3",
            new="66.7",
        )
    ]
    cleaned, _ = clean_instrument(
        extracted["sf36"], extracted["participants"], config, "sf36", rows
    )
    # The corrected 66.7 stands for the scale's 200/3, like any printed two-thirds.
    assert cell(cleaned, "RAP-005", "sf36_role_emotional", "T1").value == float(Fraction(200, 3))


def test_correction_of_a_cell_not_in_table(config, extracted):
    bas = extracted["bas"][extracted["bas"]["raw_participant_id"] != "RAP-04"]
    rows = [correction("C6", participant="RAP-004", visit="T0", expected="", new="10")]
    cleaned, audit = clean_instrument(bas, extracted["participants"], config, "bas", rows)
    added = cell(cleaned, "RAP-004", "bas", "T0")
    assert (added.value, added.flag, added.source_locator) == (10.0, "not_in_table;corrected", "")
    assert audit.loc[0, "source_locator"] == ""


# Ledger rows clean_instrument refuses, and the whole message: {ledger} is the ledger's path, {bas}
# the workbook's, {pattern} the participant ID pattern (all from the config).
REFUSED = {
    "stale": (
        [correction("C1", participant="RAP-001", visit="T1", expected="45", new="50")],
        "{ledger} [correction C1]: stale correction: expects '45' at {bas} ['S3 BAS'!C5] (RAP-001 "
        "bas T1) but the supplement has '40'; expected the ledger to match the data",
    ),
    "stale_expecting_missing": (
        [correction("C1", participant="RAP-001", visit="T1", expected="NA", new="50")],
        "{ledger} [correction C1]: stale correction: expects 'NA' at {bas} ['S3 BAS'!C5] (RAP-001 "
        "bas T1) but the supplement has '40'; expected the ledger to match the data",
    ),
    "unknown_participant": (
        [correction("C8", participant="RAP-099")],
        "{ledger} [correction C8]: value 'RAP-099': unknown participant; expected a participant of "
        "the roster",
    ),
    "participant_that_is_not_an_id": (
        [correction("C8", participant="Patient 1")],
        "{ledger} [correction C8]: value 'Patient 1': not a participant ID; expected text matching "
        "{pattern!r}",
    ),
    "unknown_visit": (
        [correction("C8", visit="T9")],
        "{ledger} [correction C8]: value 'T9': unknown visit; expected one of ['T0', 'T1', 'T2']",
    ),
    "outcome_of_another_instrument": (
        [correction("C8", outcome="sf36_pain")],
        "{ledger} [correction C8]: no value for ('RAP-001', 'sf36_pain', 'T1') in the cleaned "
        "table; expected an existing cell",
    ),
    "values_not_numbers": (
        [correction("C8", expected="40", new="fifty")],
        "{ledger} [correction C8]: value ('40', 'fifty'): not numbers; expected numbers or missing "
        "tokens in expected_current_value and new_value",
    ),
    "second_correction_of_same_value": (
        [correction("C1", expected="40", new="50"), correction("C2", expected="50", new="60")],
        "{ledger} [correction C2]: a second correction of ('RAP-001', 'bas', 'T1') (first: C1); "
        "expected one per value",
    ),
    "corrected_value_is_range_checked_and_named": (
        [correction("C9", expected="40", new="150")],
        "{bas} ['S3 BAS'!C5]: value '40' corrected to 150 by correction C9 in {ledger}: out of "
        "range; expected a value in [0, 100] (Bell Activity Scale)",
    ),
}


@pytest.mark.parametrize("rows, message", REFUSED.values(), ids=REFUSED.keys())
def test_refused_correction_names_row_cell_and_expectation(config, extracted, rows, message):
    with pytest.raises(SupplementError) as info:
        clean_instrument(extracted["bas"], extracted["participants"], config, "bas", rows)
    assert str(info.value) == message.format(
        ledger=config["corrections"],
        bas=config["tables"]["bas"]["file"],
        pattern=config["participant_ids"]["pattern"],
    )


def test_correction_can_fix_an_off_grid_value(config, extracted):
    bas = extracted["bas"].copy()
    bas.loc[bas["source_locator"] == "'S3 BAS'!C5", "raw_value"] = "45"
    rows = [correction("C1", expected="45", new="40")]
    cleaned, _ = clean_instrument(bas, extracted["participants"], config, "bas", rows)
    assert cell(cleaned, "RAP-001", "bas", "T1").value == 40.0


def test_all_problems_reported_together(config, extracted):
    rows = [
        correction("C1", participant="RAP-099"),
        correction("C2", visit="T7"),
        correction("C3", expected="41"),
    ]
    with pytest.raises(SupplementError) as info:
        clean_instrument(extracted["bas"], extracted["participants"], config, "bas", rows)
    assert [p.split("]")[0] for p in info.value.problems] == [
        f"{config['corrections']} [correction C1",
        f"{config['corrections']} [correction C2",
        f"{config['corrections']} [correction C3",
    ]


def test_apply_corrections_does_not_modify_input(config, extracted):
    import pandas as pd

    values = pd.DataFrame(
        {
            "participant_id": ["RAP-001"],
            "outcome": ["bas"],
            "visit": ["T1"],
            "value": [40.0],
            "raw_value": ["40"],
            "source_file": ["s.xlsx"],
            "source_locator": ["'S3 BAS'!C5"],
            "correction_id": [""],
            "flag": [""],
        }
    )
    before = values.copy()
    out, audit = apply_corrections(
        values,
        [correction()],
        "bas",
        id_normaliser(config),
        CellParser(TOKENS).is_missing,
        ["T0", "T1"],
        "c.csv",
    )
    pd.testing.assert_frame_equal(values, before)
    assert out.loc[0, "value"] == 50.0 and len(audit) == 1


def test_apply_no_corrections_returns_a_copy_and_an_empty_audit(config):
    import pandas as pd

    values = pd.DataFrame(
        {"participant_id": ["RAP-001"], "outcome": ["bas"], "visit": ["T1"], "value": [40.0]}
    )
    out, audit = apply_corrections(
        values, [], "bas", id_normaliser(config), CellParser(TOKENS).is_missing, ["T1"], "c.csv"
    )
    pd.testing.assert_frame_equal(out, values)
    assert out is not values
    assert list(audit.columns) == AUDIT_COLUMNS and audit.empty


def test_ledger_saved_by_excel_in_cp1252_names_the_byte_and_the_encoding(tmp_path):
    path = tmp_path / "corrections.csv"
    head = ",".join(LEDGER_COLUMNS) + "\n"
    row = "C1,RAP-001,bas,T1,30,40,Caf\u00e9 note,ref\n"
    path.write_bytes((head + row).encode("cp1252"))
    offset = len((head + "C1,RAP-001,bas,T1,30,40,Caf").encode("cp1252"))
    with pytest.raises(SupplementError) as info:
        read_ledger(path)
    assert str(info.value) == (
        f"{path}: byte {offset} (value b'\\xe9'): not UTF-8 text; the file looks Windows-1252 "
        "(cp1252)-encoded; expected UTF-8 (save the ledger as 'CSV UTF-8')"
    )


def test_zero_byte_ledger_is_named_as_empty(tmp_path):
    path = tmp_path / "corrections.csv"
    path.write_bytes(b"")
    with pytest.raises(
        SupplementError,
        match=r"corrections\.csv: the file is empty \(0 bytes\); expected at least the header line",
    ):
        read_ledger(path)


def test_ledger_with_bom_and_crlf_is_read(tmp_path):
    path = tmp_path / "corrections.csv"
    path.write_bytes(
        ("\ufeff" + ",".join(LEDGER_COLUMNS) + "\r\nC1,RAP-001,bas,T1,30,40,typo,email\r\n").encode(
            "utf-8"
        )
    )
    assert read_ledger(path) == [
        dict(zip(LEDGER_COLUMNS, ["C1", "RAP-001", "bas", "T1", "30", "40", "typo", "email"]))
    ]
