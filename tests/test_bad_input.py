"""Bad input: one test per kind, each checking that the message says where (file, sheet or page,
cell or row), what value was found, and what was expected."""

from __future__ import annotations

import pytest
import yaml
from conftest import LEDGER_HEADER, build_workbook
from rapamycin_mecfs.clean import clean_instrument, id_normaliser
from rapamycin_mecfs.config import load_config
from rapamycin_mecfs.errors import SupplementError
from rapamycin_mecfs.extract import extract_table
from rapamycin_mecfs.ledger import read_ledger, route
from rapamycin_mecfs.sources import read_tables


def error_of(call, *args) -> str:
    with pytest.raises(SupplementError) as info:
        call(*args)
    return str(info.value)


def workbook_with(tmp_path, config, edits=None, drop_sheets=()):
    """The fixture workbook with some cells changed, and the config pointed at it."""
    path = build_workbook(tmp_path / "edited.xlsx", edits=edits, drop_sheets=drop_sheets)
    for spec in config["tables"].values():
        if spec["file"].endswith(".xlsx"):
            spec["file"] = str(path)
    return path


def extract_and_clean(config, instrument, corrections=()):
    ids = id_normaliser(config)
    roster = extract_table("participants", config["tables"]["participants"], ids)
    table = config["instruments"][instrument]["table"]
    extracted = extract_table(table, config["tables"][table], ids)
    return clean_instrument(extracted, roster, config, instrument, list(corrections))


def test_missing_file(config, tmp_path):
    config["tables"]["bas"]["file"] = str(tmp_path / "supplement_v2.xlsx")
    message = error_of(extract_table, "bas", config["tables"]["bas"], id_normaliser(config))
    assert (
        message
        == f"{tmp_path / 'supplement_v2.xlsx'}: file not found; expected the supplement file "
        "named (tables/bas/file in config.yaml)"
    )


# Workbooks extract_table refuses: table, cell edits, sheets dropped, and the whole message
# ({path}: the edited workbook).
BAD_WORKBOOKS = {
    "missing_sheet": (
        "bas",
        None,
        ["S3 BAS"],
        "{path}: sheet 'S3 BAS' not found; expected one of the sheets "
        "['S1 Participants', 'S6 SF-36', 'S7 Biomarkers']",
    ),
    "header_not_found": (
        "bas",
        {"S3 BAS": {"A3": "Subject"}},
        (),
        "{path} sheet 'S3 BAS' (tables/bas): header not found: no cell reads 'Participant ID' "
        "in the first 20 rows; expected the participant ID column header (tables/bas/id_header)",
    ),
    "unmapped_column": (
        "participants",
        {"S1 Participants": {"F3": "BMI", "F4": 22.1}},
        (),
        "{path} sheet 'S1 Participants' (tables/participants) ['S1 Participants'!F3]: value "
        "'BMI': unmapped column; expected one of the headers ['Age (years)', 'Sex', 'Site', "
        "'Years ill'] (or list it under ignore_headers)",
    ),
}


@pytest.mark.parametrize(
    "table, edits, drop_sheets, message", BAD_WORKBOOKS.values(), ids=BAD_WORKBOOKS.keys()
)
def test_bad_workbook(config, tmp_path, table, edits, drop_sheets, message):
    path = workbook_with(tmp_path, config, edits=edits, drop_sheets=drop_sheets)
    assert error_of(
        extract_table, table, config["tables"][table], id_normaliser(config)
    ) == message.format(path=path)


def test_unmapped_visit_column(config, tmp_path):
    # A renamed visit header: the cell is named, and the configured header that vanished too.
    path = workbook_with(tmp_path, config, edits={"S3 BAS": {"D4": "T2 (day 61)"}})
    with pytest.raises(SupplementError) as info:
        extract_table("bas", config["tables"]["bas"], id_normaliser(config))
    assert info.value.problems == [
        f"{path} sheet 'S3 BAS' (tables/bas) ['S3 BAS'!D4]: value 'T2 (day 61)': unmapped "
        "column; expected one of the headers ['T0 (day 0)', 'T1 (day 30)', 'T2 (day 60)'] (or "
        "list it under ignore_headers)",
        f"{path} sheet 'S3 BAS' (tables/bas): header 'T2 (day 60)' (configured under visits) not "
        "found in the header row; expected the supplement to have it",
    ]


# Cell values clean_instrument refuses: instrument, cell edits, and the whole message ({path}: the
# edited workbook).
BAD_VALUES = {
    # Row 9 should read RAP-04 but reads "RAP 01", which normalises to RAP-001 like row 5.
    "duplicate_participant_after_normalisation": (
        "bas",
        {"S3 BAS": {"A9": "RAP 01"}},
        "{path}: value 'RAP-001': duplicate participant after ID normalisation ('RAP-001' at "
        "['S3 BAS'!A5], 'RAP 01' at ['S3 BAS'!A9]) in the bas table; expected one row per "
        "participant",
    ),
    "value_out_of_range": (
        "bas",
        {"S3 BAS": {"C5": 110}},
        "{path} ['S3 BAS'!C5]: value '110': out of range; expected a value in [0, 100] (Bell "
        "Activity Scale)",
    ),
    # Role-emotional takes 0, 33.3, 66.7, 100 only; 60 is off that grid.
    "value_off_grid": (
        "sf36",
        {"S6 SF-36": {"C5": 60}},
        "{path} ['S6 SF-36'!C5]: value '60': off the scale's grid; expected a multiple of 100/3 "
        "(SF-36 role limitations (emotional))",
    ),
    "unknown_missing_token": (
        "bas",
        {"S3 BAS": {"D6": "n.a."}},
        "{path} ['S3 BAS'!D6]: value 'n.a.': unknown missing token or not a number; expected a "
        "number or one of the missing tokens ['', '.', 'NA', 'ND', 'n/a', '—']",
    ),
}


@pytest.mark.parametrize("instrument, edits, message", BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_bad_value(config, tmp_path, instrument, edits, message):
    path = workbook_with(tmp_path, config, edits=edits)
    assert error_of(extract_and_clean, config, instrument) == message.format(path=path)


def ledger(config, tmp_path, *rows) -> list[dict]:
    """Write a ledger file, read and route it as the Snakefile does; return the bas rows."""
    path = tmp_path / "corrections.csv"
    path.write_text(LEDGER_HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    config["corrections"] = str(path)
    outcomes = {name: list(inst["outcomes"]) for name, inst in config["instruments"].items()}
    return route(read_ledger(path), outcomes, str(path))["bas"]


# Ledger rows that do not match the data (stale, unknown participant, ...):
# tests/test_corrections.py, test_refused_correction_names_row_cell_and_expectation.


def test_dangling_correction_unknown_outcome(config, tmp_path):
    with pytest.raises(SupplementError) as info:
        ledger(
            config,
            tmp_path,
            "C1,RAP-001,bas,T1,40,50,typo,ref",
            "C2,RAP-001,sf36_vitality,T1,40,50,typo,ref",
        )
    assert str(info.value) == (
        f"{tmp_path / 'corrections.csv'} [correction C2]: value 'sf36_vitality': unknown outcome "
        "(dangling correction); expected one of ['bas', 'patg13', 'sf36_pain', "
        "'sf36_role_emotional']"
    )


def test_config_fails_schema(tmp_path, config):
    raw = {k: v for k, v in config.items()}
    raw["tables"]["bas"]["header_rows"] = 3
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    message = error_of(load_config, path)
    assert message == f"{path}: key 'tables/bas/header_rows': 3 is not one of [1, 2]"


# Files of the wrong kind read_tables refuses: file name, content, arguments after the path, and
# the whole message ({path}: the file).
NOT_WHAT_THEY_SAY = {
    "xlsx": (
        "supplement.xlsx",
        b"Participant ID,Site\nRAP-001,Oslo\n",
        ("S1 Participants",),
        "{path}: not a valid .xlsx workbook (File is not a zip file); expected an Excel 2007+ file",
    ),
    "pdf": (
        "discontinuations.pdf",
        b"%PDF-1.7\nthis is not really a PDF\n",
        (None, "all"),
        "{path}: not a valid PDF (PdfminerException); expected a PDF document",
    ),
}


@pytest.mark.parametrize(
    "name, content, args, message", NOT_WHAT_THEY_SAY.values(), ids=NOT_WHAT_THEY_SAY.keys()
)
def test_not_a_valid_file(tmp_path, name, content, args, message):
    path = tmp_path / name
    path.write_bytes(content)
    assert error_of(read_tables, path, *args) == message.format(path=path)
