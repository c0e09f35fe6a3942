"""Reading the supplement files and turning configured tables into long tables with lineage.

Expected values come from the fixture layout documented in conftest.py.
"""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest
from conftest import build_pdf
from rapamycin_mecfs.cells import IdNormaliser
from rapamycin_mecfs.errors import SupplementError
from rapamycin_mecfs.extract import (
    COLUMNS,
    extract_table,
    find_header_row,
    format_raw,
    grid_rows_to_records,
    map_columns,
)
from rapamycin_mecfs.sources import Cell, read_tables

IDS = IdNormaliser(r"^\s*RAP[\s_-]*0*(\d+)\s*$", "RAP-{number:03d}")


def record(frame, raw_id, outcome, visit=""):
    rows = frame[
        (frame["raw_participant_id"] == raw_id)
        & (frame["outcome"] == outcome)
        & (frame["visit"] == visit)
    ]
    assert len(rows) == 1, f"expected one record for {raw_id} {outcome} {visit}, got {len(rows)}"
    return rows.iloc[0]


# --- sources: xlsx -------------------------------------------------------------------------


def test_xlsx_sheet_cells_carry_locators(xlsx_path):
    [grid] = read_tables(xlsx_path, "S3 BAS")
    # Rows are read from row 1 and column A, so list positions map straight onto cell names.
    assert grid[0][0] == Cell("Table S3. Bell Activity Scale by visit", "'S3 BAS'!A1", None)
    assert grid[5][2].value == "30"  # C6: rap 2, T1, a number stored as text
    assert grid[5][2].locator == "'S3 BAS'!C6"
    assert grid[4][1].value == 30
    assert grid[4][1].locator == "'S3 BAS'!B5"
    assert grid[7][3].value is None and grid[7][3].locator == "'S3 BAS'!D8"


def test_xlsx_merged_cells_expanded_to_non_anchor_cells(xlsx_path):
    [grid] = read_tables(xlsx_path, "S6 SF-36")
    upper = grid[2]  # row 3
    # Anchor keeps its value; the cells it covers are empty but know the anchor's text.
    assert (
        upper[1].value == "Role limitations due to emotional problems"
        and upper[1].merged_value is None
    )
    assert (
        upper[2].value is None
        and upper[2].merged_value == "Role limitations due to emotional problems"
    )
    assert upper[3].merged_value == "Role limitations due to emotional problems"
    assert upper[4].value == "Pain"
    assert upper[5].merged_value == "Pain" and upper[6].merged_value == "Pain"
    # Vertical merge of the ID header over both header rows.
    assert grid[3][0].value is None and grid[3][0].merged_value == "Participant ID"
    # A cell outside every merged range has no merged value.
    assert grid[4][2].merged_value is None


def test_sheet_name_with_apostrophe_is_quoted_in_locators(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Dr O'Neil"
    workbook.active["B2"] = 5
    workbook.save(tmp_path / "q.xlsx")
    [grid] = read_tables(tmp_path / "q.xlsx", "Dr O'Neil")
    assert grid[1][1].locator == "'Dr O''Neil'!B2"


def test_unsupported_suffix(tmp_path):
    path = tmp_path / "table.ods"
    path.write_text("a,b\n")
    with pytest.raises(
        SupplementError,
        match=r"table\.ods: unsupported file type '\.ods'; expected \.xlsx, \.csv or \.pdf",
    ):
        read_tables(path)


# --- sources: csv --------------------------------------------------------------------------


def test_csv_cells_keep_row_and_column_and_read_numbers_as_numbers(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(
        '\ufeffID;Score;Note\r\nS1;12,5;\r\nS2; 7 ;"two\r\nlines"\r\nS3;NA\r\n'.encode("utf-8")
    )
    (grid,) = read_tables(path, csv_options={"delimiter": ";", "decimal": ","})
    assert [[c.value for c in row] for row in grid] == [
        ["ID", "Score", "Note"],
        ["S1", 12.5, None],
        ["S2", 7, "two\r\nlines"],
        ["S3", "NA", None],
    ]
    assert (
        grid[2][1].locator == "row 3/col 2" and grid[3][2].locator == "row 4/col 3"
    )  # padded to the widest row


def test_csv_in_another_encoding_names_the_byte(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("ID,Site\nS1,Malm\u00f6\n".encode("cp1252"))
    with pytest.raises(
        SupplementError, match=r"t\.csv: byte 15: not valid utf-8 .*set the table's 'encoding'"
    ):
        read_tables(path)
    (grid,) = read_tables(path, csv_options={"encoding": "cp1252"})
    assert grid[1][1].value == "Malm\u00f6"


# --- long tables ---------------------------------------------------------------------------

LONG_SPEC = {
    "file": "",
    "id_header": "Participant ID",
    "layout": "long",
    "outcomes": {"Pain": "pain", "Walk (m)": "walk"},
    "visits": {"Baseline": "T0", "Week 12": "T1"},
}


def test_long_table_with_an_outcome_column(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(
        "Participant ID,Visit,Measure,Value\nRAP-001,Baseline,Pain,7\nrap 1,Week 12,Pain,5\n"
        "RAP-002,Baseline,Walk (m),410.5\n",
        encoding="utf-8",
    )
    spec = {
        **LONG_SPEC,
        "file": str(path),
        "columns": {"visit": "Visit", "outcome": "Measure", "value": "Value"},
    }
    table = extract_table("scores", spec, IDS)
    assert table[
        [
            "raw_participant_id",
            "id_locator",
            "outcome",
            "visit",
            "raw_value",
            "raw_type",
            "source_locator",
        ]
    ].values.tolist() == [
        ["RAP-001", "row 2/col 1", "pain", "T0", "7", "number", "row 2/col 4"],
        [
            "rap 1",
            "row 2/col 1",
            "pain",
            "T1",
            "5",
            "number",
            "row 3/col 4",
        ],  # one participant: their first ID cell
        ["RAP-002", "row 4/col 1", "walk", "T0", "410.5", "number", "row 4/col 4"],
    ]


def test_long_table_with_a_column_per_outcome_and_its_mistakes(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(
        "Participant ID,Visit,Pain,Walk (m)\nRAP-001,Baseline,7,400\nRAP-001,Week 9,6,420\n"
        "RAP-001,Baseline,8,\n",
        encoding="utf-8",
    )
    spec = {**LONG_SPEC, "file": str(path), "columns": {"visit": "Visit"}}
    with pytest.raises(SupplementError) as info:
        extract_table("scores", spec, IDS)
    assert info.value.problems == [
        f"{path} (tables/scores) [row 3/col 2]: value 'Week 9': unknown visit; expected one of "
        "['Baseline', 'Week 12']",
        f"{path} (tables/scores) [row 4/col 3]: value '8': a second value for participant "
        "RAP-001, pain at T0 (first at [row 2/col 3]); expected one",
        f"{path} (tables/scores) [row 4/col 4]: value '': a second value for participant "
        "RAP-001, walk at T0 (first at [row 2/col 4]); expected one",
    ]


# --- sources: pdf --------------------------------------------------------------------------


def test_pdf_tables_over_two_pages(pdf_path):
    tables = read_tables(pdf_path, pages="all")
    assert len(tables) == 2
    first, second = tables
    assert [c.value for c in first[0]] == ["Participant ID", "Last visit", "Reason", "Details"]
    assert [c.value for c in first[1]] == ["rap 2", "T1", "Adverse event", "Mouth ulcers"]
    assert first[2][0].locator == "page 1/table 1/row 3/col 1"
    assert [c.value for c in second[0]] == ["Participant ID", "Last visit", "Reason", "Details"]
    assert second[1][2].value == "Adverse event"
    assert second[1][2].locator == "page 2/table 1/row 2/col 3"


def test_pdf_selected_pages(pdf_path):
    tables = read_tables(pdf_path, pages=[2])
    assert len(tables) == 1
    assert tables[0][1][0].value == "RAP_003"
    assert tables[0][1][0].locator == "page 2/table 1/row 2/col 1"


def test_pdf_page_out_of_range(pdf_path):
    with pytest.raises(SupplementError) as info:
        read_tables(pdf_path, pages=[3])
    assert str(info.value) == f"{pdf_path}: page 3 not found; expected a page in 1-2"


# --- format_raw and header search ----------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, ("", "empty")),
        ("", ("", "empty")),
        (30, ("30", "number")),
        (30.0, ("30", "number")),
        (33.3, ("33.3", "number")),
        (0.1, ("0.1", "number")),
        ("30", ("30", "text")),
        (" 40 ", (" 40 ", "text")),
        ("<0.05", ("<0.05", "text")),
        (True, ("True", "text")),
    ],
)
def test_format_raw(value, expected):
    assert format_raw(value) == expected


def test_header_found_below_title_and_blank_rows(xlsx_path):
    [grid] = read_tables(xlsx_path, "S1 Participants")
    assert find_header_row(grid, "Participant ID", 20) == (2, 0)  # row 3, column A
    assert find_header_row(grid, "  participant   id ", 20) == (
        2,
        0,
    )  # case and spacing do not matter
    assert find_header_row(grid, "Participant ID", 3) == (2, 0)
    assert find_header_row(grid, "Participant ID", 2) is None  # only title and blank row searched


def grid_of(rows, page=1):
    """A hand-made PDF-like grid: rows of values with page/row/col locators."""
    return [
        [Cell(v, f"page {page}/table 1/row {r}/col {c}") for c, v in enumerate(row, start=1)]
        for r, row in enumerate(rows, start=1)
    ]


SPEC2 = {
    "header_rows": 2,
    "id_header": "Participant ID",
    "outcomes": {"Fatigue": "sss_fatigue", "Sleep": "sss_sleep"},
    "visits": {"T0": "T0", "T1": "T1"},
}


def test_two_row_header_spanning_cells_read_as_empty_carry_over():
    # In a PDF a spanning upper header is read once, the cells it covers as None.
    grid = grid_of(
        [["Participant ID", "Fatigue", None, "Sleep", None], [None, "T0", "T1", "T0", "T1"]]
    )
    columns = map_columns(grid, 0, 0, SPEC2, "s.pdf")
    assert columns.id_column == 0
    assert columns.header_end == 1
    assert columns.targets == {
        1: ("sss_fatigue", "T0"),
        2: ("sss_fatigue", "T1"),
        3: ("sss_sleep", "T0"),
        4: ("sss_sleep", "T1"),
    }


def test_ignore_headers_leaves_a_column_out():
    spec = dict(SPEC2, ignore_headers=["Change T0-T1"])
    grid = grid_of(
        [
            ["Participant ID", "Fatigue", None, "Change T0-T1", "Sleep", None],
            [None, "T0", "T1", None, "T0", "T1"],
        ]
    )
    columns = map_columns(grid, 0, 0, spec, "s.pdf")
    assert columns.targets == {
        1: ("sss_fatigue", "T0"),
        2: ("sss_fatigue", "T1"),
        4: ("sss_sleep", "T0"),
        5: ("sss_sleep", "T1"),
    }
    # A value in the ignored column is left out, not reported as a column without a header.
    data = grid_of([["RAP-1", "7", "5", "-2", "3", "4"]], page=2)
    records = grid_rows_to_records(
        data, replace(columns, header_end=-1), IDS, spec, "sss", "s.pdf", "s.pdf"
    )
    assert [(r["outcome"], r["visit"], r["raw_value"], r["source_locator"]) for r in records] == [
        ("sss_fatigue", "T0", "7", "page 2/table 1/row 1/col 2"),
        ("sss_fatigue", "T1", "5", "page 2/table 1/row 1/col 3"),
        ("sss_sleep", "T0", "3", "page 2/table 1/row 1/col 5"),
        ("sss_sleep", "T1", "4", "page 2/table 1/row 1/col 6"),
    ]


def test_second_column_for_same_outcome_and_visit_is_an_error():
    grid = grid_of(
        [
            ["Participant ID", "Fatigue", None, "Sleep", None, "Fatigue"],
            [None, "T0", "T1", "T0", "T1", "T1"],
        ]
    )
    with pytest.raises(SupplementError) as info:
        map_columns(grid, 0, 0, SPEC2, "s.pdf")
    message = str(info.value)
    assert "s.pdf [page 1/table 1/row 1/col 6]" in message
    assert "a second column for ('sss_fatigue', 'T1'); expected each once" in message


def test_configured_header_missing_from_file_is_an_error():
    grid = grid_of([["Participant ID", "Fatigue", None], [None, "T0", "T1"]])
    with pytest.raises(SupplementError) as info:
        map_columns(grid, 0, 0, SPEC2, "s.pdf")
    assert "header 'Sleep' (configured under outcomes) not found in the header row" in str(
        info.value
    )


def test_header_at_last_row_is_an_error():
    grid = grid_of([["Title"], ["Participant ID", "Fatigue"]])
    with pytest.raises(SupplementError, match=r"header starts at row 2 but the table ends there"):
        map_columns(grid, 1, 0, SPEC2, "s.pdf")


# --- extract_table on the fixture workbook -------------------------------------------------


def test_one_row_header_table(config):
    frame = extract_table("participants", config["tables"]["participants"], IDS)
    assert list(frame.columns) == COLUMNS
    assert (
        len(frame) == 5 * 4
    )  # five participants, four fields; title, blank and footnote rows skipped
    assert list(dict.fromkeys(frame["raw_participant_id"])) == [
        "RAP-001",
        "rap 2",
        "RAP_003",
        "RAP-04",
        "RAP 5",
    ]
    assert set(frame["visit"]) == {""}
    age = record(frame, "RAP-001", "age")
    assert (age.raw_value, age.raw_type, age.source_locator, age.id_locator) == (
        "34",
        "number",
        "'S1 Participants'!C4",
        "'S1 Participants'!A4",
    )
    years = record(frame, "RAP_003", "years_ill")
    assert (years.raw_value, years.raw_type, years.source_locator) == (
        "3",
        "text",
        "'S1 Participants'!E6",
    )
    assert record(frame, "RAP 5", "years_ill").raw_value == "7.5"
    assert record(frame, "rap 2", "site").raw_value == "Bergen"
    assert (frame["table"] == "participants").all()
    assert (frame["source_file"] == config["tables"]["participants"]["file"]).all()


def test_two_row_header_with_merged_outcome_over_visits(config):
    frame = extract_table("bas", config["tables"]["bas"], IDS)
    assert len(frame) == 5 * 3
    assert set(frame["outcome"]) == {"bas"}
    text_number = record(frame, "rap 2", "bas", "T1")
    assert (text_number.raw_value, text_number.raw_type, text_number.source_locator) == (
        "30",
        "text",
        "'S3 BAS'!C6",
    )
    assert text_number.id_locator == "'S3 BAS'!A6"
    empty = record(frame, "RAP_003", "bas", "T2")
    assert (empty.raw_value, empty.raw_type, empty.source_locator) == ("", "empty", "'S3 BAS'!D8")
    assert record(frame, "RAP_003", "bas", "T1").raw_value == " 40 "  # kept as stored
    assert record(frame, "RAP-04", "bas", "T1").raw_value == "—"
    # Footnote rows under the table produce no records.
    assert set(frame["raw_participant_id"]) == {"RAP-001", "rap 2", "RAP 5", "RAP_003", "RAP-04"}


def test_two_outcomes_each_merged_over_three_visits(config):
    frame = extract_table("sf36", config["tables"]["sf36"], IDS)
    assert len(frame) == 5 * 2 * 3
    first = frame[frame["raw_participant_id"] == "RAP-001"]
    assert list(
        zip(first["outcome"], first["visit"], first["source_locator"], first["raw_value"])
    ) == [
        ("sf36_role_emotional", "T0", "'S6 SF-36'!B5", "33.3"),
        ("sf36_role_emotional", "T1", "'S6 SF-36'!C5", "66.7"),
        ("sf36_role_emotional", "T2", "'S6 SF-36'!D5", "100"),
        ("sf36_pain", "T0", "'S6 SF-36'!E5", "22.5"),
        ("sf36_pain", "T1", "'S6 SF-36'!F5", "45"),
        ("sf36_pain", "T2", "'S6 SF-36'!G5", "55"),
    ]


def test_pdf_table_over_two_pages_with_repeated_header(config):
    frame = extract_table("discontinuations", config["tables"]["discontinuations"], IDS)
    assert len(frame) == 3 * 3
    assert list(dict.fromkeys(frame["raw_participant_id"])) == ["rap 2", "RAP-04", "RAP_003"]
    reason = record(frame, "RAP_003", "reason")
    assert reason.raw_value == "Adverse event"
    assert reason.source_locator == "page 2/table 1/row 2/col 3"
    assert reason.id_locator == "page 2/table 1/row 2/col 1"
    assert record(frame, "RAP-04", "last_visit").source_locator == "page 1/table 1/row 3/col 2"
    detail = record(frame, "RAP-04", "reason_detail")
    assert (detail.raw_value, detail.raw_type) == ("", "empty")
    # The repeated header is not read as a participant.
    assert "Participant ID" not in set(frame["raw_participant_id"])


def test_pdf_table_continued_without_header(config, supplement_dir):
    spec = dict(
        config["tables"]["discontinuations"],
        file=str(supplement_dir / "discontinuations_continued.pdf"),
    )
    frame = extract_table("discontinuations", spec, IDS)
    assert len(frame) == 9
    last = record(frame, "RAP_003", "last_visit")
    assert last.raw_value == "T1"
    assert last.source_locator == "page 2/table 1/row 1/col 2"  # first row of the continued table


def test_pdf_pages_subset_with_repeated_header(config):
    spec = dict(config["tables"]["discontinuations"], pages=[2])
    frame = extract_table("discontinuations", spec, IDS)
    assert list(frame["raw_participant_id"].unique()) == ["RAP_003"]


def test_pdf_two_row_header_with_spans_over_two_pages(tmp_path):
    """A spanning PDF header (read as one cell and empties) over visit columns, repeated on page
    2."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=10)
    for rows in ([["RAP-1", "7", "5"], ["RAP-2", "NA", "6"]], [["RAP-3", "4", ""]]):
        pdf.add_page()
        with pdf.table(col_widths=(40, 25, 25), first_row_as_headings=False) as table:
            row = table.row()
            row.cell("Participant ID", rowspan=2)
            row.cell("Fatigue", colspan=2)
            row = table.row()
            row.cell("T0")
            row.cell("T1")
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(value)
    pdf.output(str(tmp_path / "span.pdf"))
    spec = {
        "file": str(tmp_path / "span.pdf"),
        "header_rows": 2,
        "id_header": "Participant ID",
        "outcomes": {"Fatigue": "sss_fatigue"},
        "visits": {"T0": "T0", "T1": "T1"},
    }
    frame = extract_table("sss", spec, IDS)
    assert list(
        zip(
            frame["raw_participant_id"], frame["visit"], frame["raw_value"], frame["source_locator"]
        )
    ) == [
        ("RAP-1", "T0", "7", "page 1/table 1/row 3/col 2"),
        ("RAP-1", "T1", "5", "page 1/table 1/row 3/col 3"),
        ("RAP-2", "T0", "NA", "page 1/table 1/row 4/col 2"),
        ("RAP-2", "T1", "6", "page 1/table 1/row 4/col 3"),
        ("RAP-3", "T0", "4", "page 2/table 1/row 3/col 2"),
        ("RAP-3", "T1", "", "page 2/table 1/row 3/col 3"),
    ]
    assert set(frame["outcome"]) == {"sss_fatigue"}


def test_upper_header_written_once_without_merge(tmp_path):
    """Excel's "centre across selection": the outcome is in the first cell only, no merged range."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "S4 SSS"
    sheet.append(["Table S4"])
    sheet.append([])
    sheet.append(["Participant ID", "Fatigue", None, "Sleep", None])
    sheet.append([None, "T0", "T1", "T0", "T1"])
    sheet.append(["RAP-9", 7, 6, 5, 4])
    workbook.save(tmp_path / "s.xlsx")
    spec = dict(SPEC2, file=str(tmp_path / "s.xlsx"), sheet="S4 SSS")
    frame = extract_table("sss", spec, IDS)
    assert list(
        zip(frame["outcome"], frame["visit"], frame["raw_value"], frame["source_locator"])
    ) == [
        ("sss_fatigue", "T0", "7", "'S4 SSS'!B5"),
        ("sss_fatigue", "T1", "6", "'S4 SSS'!C5"),
        ("sss_sleep", "T0", "5", "'S4 SSS'!D5"),
        ("sss_sleep", "T1", "4", "'S4 SSS'!E5"),
    ]


def test_ignored_column_in_workbook(config, tmp_path):
    from conftest import build_workbook

    path = build_workbook(tmp_path / "s.xlsx", edits={"S1 Participants": {"F3": "BMI", "F4": 22.1}})
    spec = dict(config["tables"]["participants"], file=str(path), ignore_headers=["bmi"])
    frame = extract_table("participants", spec, IDS)
    assert set(frame["outcome"]) == {"site", "age", "sex", "years_ill"}
    assert "'S1 Participants'!F4" not in set(frame["source_locator"])


@pytest.mark.parametrize(
    "edits, expected",
    [
        (
            {"E6": 70},
            "['S3 BAS'!E6]: value '70': value in a column without a header",
        ),
        # A summary row: text in the ID column and values beside it.
        (
            {"A10": "Mean", "B10": 26, "C10": 33},
            "['S3 BAS'!A10]: value 'Mean': row has values but no participant ID",
        ),
    ],
    ids=["value_without_header", "values_without_id"],
)
def test_value_outside_the_table_is_an_error(config, tmp_path, edits, expected):
    from conftest import build_workbook

    path = build_workbook(tmp_path / "s.xlsx", edits={"S3 BAS": edits})
    spec = dict(config["tables"]["bas"], file=str(path))
    with pytest.raises(SupplementError) as info:
        extract_table("bas", spec, IDS)
    assert f"{path} sheet 'S3 BAS' (tables/bas) {expected}" in str(info.value)


def test_footnote_in_a_value_column_is_skipped(config, tmp_path):
    from conftest import build_workbook

    path = build_workbook(
        tmp_path / "s.xlsx", edits={"S3 BAS": {"C13": "a Values at T1 were self-reported."}}
    )
    spec = dict(config["tables"]["bas"], file=str(path))
    assert len(extract_table("bas", spec, IDS)) == 15


def test_header_only_table_is_an_error(tmp_path):
    pdf = build_pdf(tmp_path / "empty.pdf", pages=[[]])
    spec = {
        "file": str(pdf),
        "id_header": "Participant ID",
        "fields": {"Last visit": "last_visit", "Reason": "reason", "Details": "reason_detail"},
    }
    with pytest.raises(
        SupplementError, match="no data rows below the header; expected one row per participant"
    ):
        extract_table("discontinuations", spec, IDS)


def test_spec_is_not_modified(config):
    spec = config["tables"]["bas"]
    before = copy.deepcopy(spec)
    extract_table("bas", spec, IDS)
    assert spec == before


def test_header_only_list_of_who_stopped_means_nobody_stopped(tmp_path):
    pdf = build_pdf(tmp_path / "empty.pdf", pages=[[]])
    spec = {
        "file": str(pdf),
        "id_header": "Participant ID",
        "fields": {"Last visit": "last_visit", "Reason": "reason", "Details": "reason_detail"},
    }
    table = extract_table("discontinuations", spec, IDS, allow_empty=True)
    assert table.empty and "raw_participant_id" in table.columns


# --- damaged or script-written workbooks ----------------------------------------------------


def test_formula_without_a_saved_result_is_an_error_not_a_missing_value(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "S1"
    sheet.append(["Participant ID", "Site"])
    sheet.append(["RAP-001", '=CONCAT("Os","lo")'])  # openpyxl stores the formula, never its result
    sheet.append(["RAP-002", "Bergen"])
    book.save(tmp_path / "s.xlsx")
    spec = {
        "file": str(tmp_path / "s.xlsx"),
        "sheet": "S1",
        "id_header": "Participant ID",
        "fields": {"Site": "site"},
    }
    with pytest.raises(SupplementError) as info:
        extract_table("participants", spec, IDS)
    assert info.value.problems == [
        f"{tmp_path / 's.xlsx'} sheet 'S1' (tables/participants) ['S1'!B2]: value "
        '\'=CONCAT("Os","lo")\': a formula with no saved result (the file was written by a '
        "program that does not calculate formulas); expected a value: open and save the file in "
        "a spreadsheet program, which stores each formula's result"
    ]


def test_damaged_sheet_xml_names_the_file_and_sheet(tmp_path, xlsx_path):
    import zipfile

    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(xlsx_path) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[:200] + b"<<not xml" + data[200:]
            target.writestr(item, data)
    first_sheet = __import__("openpyxl").load_workbook(xlsx_path, read_only=True).sheetnames[0]
    with pytest.raises(
        SupplementError,
        match=rf"damaged\.xlsx sheet '{first_sheet}': the sheet's XML is damaged \(not well-formed",
    ):
        read_tables(damaged, first_sheet)


def test_merged_cells_in_the_data_area_are_an_error(config, tmp_path):
    import openpyxl
    from conftest import build_workbook

    path = build_workbook(tmp_path / "s.xlsx")
    book = openpyxl.load_workbook(path)
    book["S3 BAS"].merge_cells(
        "B5:C5"
    )  # RAP-001's T0 and T1 merged: one value shown across two visits
    book.save(path)
    spec = dict(config["tables"]["bas"], file=str(path))
    with pytest.raises(SupplementError) as info:
        extract_table("bas", spec, IDS)
    assert info.value.problems == [
        f"{path} sheet 'S3 BAS' (tables/bas) ['S3 BAS'!C5]: value '30': a merged cell in the "
        "data area (the value belongs to the merged range's first cell); expected one value per "
        "cell: unmerge the cells and write each participant's value"
    ]
