"""The one-sheet .xlsx reader gives exactly the grid openpyxl's normal mode gave.

`normal_mode_grid` below is the reader as it was before it parsed only the wanted sheet (it loaded
the whole workbook in normal mode, where merged ranges are visible). Every comparison is typed, so
30, 30.0 and True are told apart, and row lengths (padding) must match too.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import build_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import Font
from rapamycin_mecfs.errors import SupplementError
from rapamycin_mecfs.sources import Cell, FormulaWithoutValue, read_tables, read_xlsx_sheet

SHIPPED = (
    Path(__file__).resolve().parents[1]
    / "resources"
    / "supplementary"
    / "supplementary_tables.xlsx"
)


def normal_mode_grid(path: Path, sheet: str) -> list[list[Cell]]:
    """Reference: the previous reader, which loaded every sheet in normal mode."""
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.load_workbook(path, data_only=True)
    worksheet = workbook[sheet]
    # A formula with no saved result reads None in normal mode; the reader marks it
    # (FormulaWithoutValue).
    formulas = openpyxl.load_workbook(path, data_only=False)[sheet]
    merged_fill = {}
    for merged in worksheet.merged_cells.ranges:
        anchor = worksheet.cell(merged.min_row, merged.min_col).value
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                if (row, col) != (merged.min_row, merged.min_col):
                    merged_fill[(row, col)] = anchor
    quoted = "'" + sheet.replace("'", "''") + "'"

    def value_of(value, r, c):
        formula = formulas.cell(r, c).value
        if value is None and isinstance(formula, str) and formula.startswith("="):
            return FormulaWithoutValue(formula)
        return value

    return [
        [
            Cell(
                value_of(value, r, c),
                f"{quoted}!{get_column_letter(c)}{r}",
                merged_fill.get((r, c)),
            )
            for c, value in enumerate(row, start=1)
        ]
        for r, row in enumerate(worksheet.iter_rows(values_only=True), start=1)
    ]


def sheet_names(path: Path) -> list[str]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    workbook.close()
    return workbook.sheetnames


def typed(grid: list[list[Cell]]) -> list[list[tuple]]:
    """Cells as tuples that tell 30 from 30.0 and True, and None from ''."""
    return [
        [
            (
                type(c.value).__name__,
                c.value,
                c.locator,
                type(c.merged_value).__name__,
                c.merged_value,
            )
            for c in row
        ]
        for row in grid
    ]


def assert_same_as_normal_mode(path: Path, sheet: str) -> list[list[Cell]]:
    grid = read_xlsx_sheet(path, sheet)
    assert typed(grid) == typed(normal_mode_grid(path, sheet))
    return grid


def rewrite_part(path: Path, part: str, edit) -> None:
    """Rewrite one XML part of a saved workbook (to make files openpyxl's writer would not)."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    before = parts[part].decode()
    after = edit(before)
    assert after != before, f"the edit did not change {part}"
    parts[part] = after.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def crafted_workbook(path: Path) -> Path:
    """Merged headers both ways, gaps, trailing empties, mixed types, dates, errors, formulas."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Table"
    sheet["A1"] = "Title merged over the table"
    sheet.merge_cells("A1:F1")
    sheet.append([])
    sheet.append(["Participant ID", "Fatigue", None, None, "Sleep", None])
    sheet.merge_cells("A3:A4")  # vertical
    sheet.merge_cells("B3:D3")  # horizontal
    sheet.merge_cells("E3:F3")
    sheet.append([None, "T0", "T1", "T2", "T0", "T1"])
    sheet.append(["RAP-1", 7, 6.5, None, "NA", True])  # a gap inside the row
    sheet.append(["RAP-2", 0, -3, 1e-7, " 40 ", None])  # an empty cell at the end of the row
    sheet.append(
        ["RAP-3", datetime.datetime(2024, 5, 1, 8, 30), datetime.date(2024, 6, 1), "#DIV/0!"]
    )
    sheet.append(["RAP-4", datetime.timedelta(hours=30), "=B5+1", 12345678901234, "—", ""])
    sheet.append([])
    sheet["A11"] = "Footnote merged over a wider range than the table"
    sheet.merge_cells("A11:H12")  # widens and lengthens the grid beyond any written cell
    sheet["J2"].font = Font(
        bold=True
    )  # a styled cell without a value is written, and widens the grid
    workbook.save(path)
    return path


# --- the shipped supplement -------------------------------------------------------------------


@pytest.mark.parametrize("sheet", sheet_names(SHIPPED))
def test_every_shipped_sheet_as_in_normal_mode(sheet):
    grid = assert_same_as_normal_mode(SHIPPED, sheet)
    assert len({len(row) for row in grid}) == 1  # rectangular: every row padded to the same width


def test_fixture_workbook_as_in_normal_mode(tmp_path):
    path = build_workbook(tmp_path / "fixture.xlsx")
    for sheet in sheet_names(path):
        assert_same_as_normal_mode(path, sheet)


# --- crafted workbooks ------------------------------------------------------------------------


def test_crafted_sheet_as_in_normal_mode(tmp_path):
    grid = assert_same_as_normal_mode(crafted_workbook(tmp_path / "c.xlsx"), "Table")
    assert len(grid) == 12 and {len(row) for row in grid} == {10}  # J2 and A11:H12 set the size
    assert grid[3][0].value is None and grid[3][0].merged_value == "Participant ID"
    assert grid[2][3].merged_value == "Fatigue" and grid[2][5].merged_value == "Sleep"
    assert grid[4][2].value == 6.5 and type(grid[6][1].value) is datetime.datetime
    assert grid[11][7].merged_value == "Footnote merged over a wider range than the table"


@pytest.mark.parametrize(
    "edit",
    [
        lambda xml: re.sub(
            r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:B2"/>', xml
        ),  # too small
        lambda xml: re.sub(
            r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:Z400"/>', xml
        ),  # too large
        lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', "", xml),  # missing
    ],
    ids=["too-small", "too-large", "missing"],
)
def test_wrong_or_missing_dimension_element(tmp_path, edit):
    path = crafted_workbook(tmp_path / "c.xlsx")
    rewrite_part(path, "xl/worksheets/sheet1.xml", edit)
    grid = assert_same_as_normal_mode(path, "Table")
    assert len(grid) == 12 and {len(row) for row in grid} == {10}


def test_value_stored_under_a_merged_range_is_hidden(tmp_path):
    # Normal mode shows a covered cell as empty even when the file holds a value there (LibreOffice
    # keeps them).
    path = crafted_workbook(tmp_path / "c.xlsx")
    hidden = '<c r="C3"><v>99</v></c><c r="E3"'
    rewrite_part(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace('<c r="E3"', hidden))
    grid = assert_same_as_normal_mode(path, "Table")
    assert grid[2][2] == Cell(None, "'Table'!C3", "Fatigue")


SHARED_STRINGS = (
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    ' count="3" uniqueCount="3">'
    "<si><t>Participant ID</t></si>"
    '<si><r><rPr><b/></rPr><t>Rich</t></r><r><t xml:space="preserve"> text</t></r></si>'
    '<si><t xml:space="preserve"> RAP 7 </t></si>'
    "</sst>"
)


def test_hand_written_sheet_xml_with_shared_strings(tmp_path):
    """As Excel writes it: shared strings. And what it should not: no dimension, rows out of order,
    cells without references, cells out of column order."""
    path = tmp_path / "raw.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Raw"
    workbook.save(path)
    sheet_xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="3"><c r="D3" t="inlineStr"><is><t>late</t></is></c>'
        '<c r="A3" t="s"><v>2</v></c></row>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>'
        '<row><c><v>7</v></c><c t="b"><v>1</v></c><c t="str"><v>text</v></c>'
        '<c t="e"><v>#N/A</v></c></row>'
        '</sheetData><mergeCells count="1"><mergeCell ref="B1:B2"/></mergeCells></worksheet>'
    )
    rewrite_part(path, "xl/worksheets/sheet1.xml", lambda _: sheet_xml)
    add_part(path, "xl/sharedStrings.xml", SHARED_STRINGS, "sharedStrings")
    grid = assert_same_as_normal_mode(path, "Raw")
    assert [c.value for c in grid[0]] == ["Participant ID", None, "Rich text", None]
    assert [c.value for c in grid[2]] == [" RAP 7 ", None, None, "late"]


def add_part(path: Path, part: str, xml: str, kind: str) -> None:
    """Add a workbook-level part (e.g. shared strings) with its content type and relationship."""
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(part, xml)
    content_type = f"application/vnd.openxmlformats-officedocument.spreadsheetml.{kind}+xml"
    rewrite_part(
        path,
        "[Content_Types].xml",
        lambda xml: xml.replace(
            "</Types>", f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>'
        ),
    )
    relationship = f"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}"
    rewrite_part(
        path,
        "xl/_rels/workbook.xml.rels",
        lambda xml: xml.replace(
            "</Relationships>",
            f'<Relationship Id="rIdAdded" Type="{relationship}" Target="/{part}"/></Relationships>',
        ),
    )


def test_hyperlinks_and_comments_as_in_normal_mode(tmp_path):
    # Normal mode makes every hyperlinked or commented cell, and writes a link's target into an
    # empty cell it is on: the grid widens and such cells read as the link.
    path = tmp_path / "h.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Linked"
    sheet.append(["Participant ID", "BAS"])
    sheet.append(["RAP-1", 30])
    sheet["B2"].hyperlink = "https://example.org/kept-value"  # a cell with a value keeps it
    sheet["G3"].hyperlink = "https://example.org/empty-cell"
    sheet["B9"].comment = Comment("checked", "editor")
    sheet.merge_cells("D5:E6")
    workbook.save(path)
    internal = (
        # on a covered cell: lands on the anchor D5
        '<hyperlink ref="E6" location="\'Linked\'!A1"/>'
        '<hyperlink ref="A11:C12" location="Sheet2!A1"/>'  # a range
    )

    def edit(xml: str) -> str:
        # Drop the written G3 and B9 so only the link and the comment name them.
        xml = re.sub(r'<row r="(3|9)"[^>]*>.*?</row>', "", xml)
        return xml.replace("</hyperlinks>", internal + "</hyperlinks>")

    rewrite_part(path, "xl/worksheets/sheet1.xml", edit)
    grid = assert_same_as_normal_mode(path, "Linked")
    assert len(grid) == 12 and len(grid[0]) == 7
    assert grid[1][1].value == 30 and grid[2][6].value == "https://example.org/empty-cell"
    assert grid[4][3].value == "'Linked'!A1" and grid[5][4].merged_value == "'Linked'!A1"
    assert grid[11][2].value == "Sheet2!A1" and grid[8][1].value is None


@pytest.mark.parametrize(
    "fill, expected_rows",
    [(lambda sheet: None, 0), (lambda sheet: sheet.merge_cells("B2:C3"), 3)],
    ids=["empty", "only-a-merged-range"],
)
def test_sheet_without_values(tmp_path, fill, expected_rows):
    path = tmp_path / "e.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Empty"
    fill(workbook.active)
    workbook.save(path)
    assert len(assert_same_as_normal_mode(path, "Empty")) == expected_rows


def test_sheet_names_with_quotes_and_other_sheets_untouched(tmp_path):
    path = tmp_path / "q.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "First"
    workbook.active["A1"] = "not this one"
    other = workbook.create_sheet("Dr O'Neil's table")
    other["C2"] = 5
    workbook.save(path)
    grid = assert_same_as_normal_mode(path, "Dr O'Neil's table")
    assert grid[1][2] == Cell(5, "'Dr O''Neil''s table'!C2", None)


# --- errors and the open file -----------------------------------------------------------------


def closed_after(monkeypatch, action):
    """Run `action` and return whether every workbook it opened was closed (read-only keeps the file
    open)."""
    opened = []
    load = openpyxl.load_workbook

    def recording_load(*args, **kwargs):
        opened.append(load(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(openpyxl, "load_workbook", recording_load)
    try:
        action()
    except SupplementError:
        pass
    assert opened
    return all(workbook._archive.fp is None for workbook in opened)


def test_workbook_closed_after_reading_and_after_an_error(tmp_path, monkeypatch):
    path = crafted_workbook(tmp_path / "c.xlsx")
    assert closed_after(monkeypatch, lambda: read_xlsx_sheet(path, "Table"))
    assert closed_after(monkeypatch, lambda: read_xlsx_sheet(path, "No such sheet"))


def test_missing_sheet_lists_the_sheets(tmp_path):
    path = crafted_workbook(tmp_path / "c.xlsx")
    with pytest.raises(SupplementError) as info:
        read_tables(path, "S3 BAS")
    assert (
        str(info.value) == f"{path}: sheet 'S3 BAS' not found; expected one of the sheets ['Table']"
    )


def test_chart_sheet_is_an_error(tmp_path):
    path = tmp_path / "chart.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append([1, 2, 3])
    chart = BarChart()
    chart.add_data(Reference(workbook.active, min_col=1, max_col=3, min_row=1))
    workbook.create_chartsheet("Chart").add_chart(chart)
    workbook.save(path)
    with pytest.raises(
        SupplementError, match=r"sheet 'Chart' is a chart sheet; expected a worksheet with a table"
    ):
        read_tables(path, "Chart")


def test_damaged_sheet_part_is_not_a_valid_workbook(tmp_path, monkeypatch):
    # Read-only mode reads a sheet only when asked, so damage inside it must still give the usual
    # message.
    # The sheet is made longer than the first block openpyxl reads on opening, so the damage is met
    # later.
    path = crafted_workbook(tmp_path / "c.xlsx")
    workbook = openpyxl.load_workbook(path)
    for number in range(2000):
        workbook["Table"].append([f"RAP-{number + 10}", number])
    workbook.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    data = path.read_bytes()
    # Change a stored digit: the XML stays valid but the CRC no longer matches.
    position = data.index(b"<v>1999</v>") + 3
    path.write_bytes(data[:position] + b"8" + data[position + 1 :])
    assert closed_after(monkeypatch, lambda: read_tables(path, "Table"))
    with pytest.raises(SupplementError) as info:
        read_tables(path, "Table")
    assert str(info.value) == (
        f"{path}: not a valid .xlsx workbook (Bad CRC-32 for file 'xl/worksheets/sheet1.xml'); "
        "expected an Excel 2007+ file"
    )
