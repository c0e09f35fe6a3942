"""Read supplement files into grids of cells that remember where each value came from.

A grid is a list of tables; a table is a list of rows; a row is a list of Cell. An .xlsx sheet is
one table; a PDF yields every ruled table on the chosen pages; a CSV file is one table. Readers
only read: deciding what is header, data or footnote happens in `extract`.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import SupplementError


@dataclass(frozen=True)
class Cell:
    value: object  # str, int, float or None, as stored in the file
    locator: str  # "'Sheet'!B5", "page 1/table 1/row 3/col 2" or "row 5/col 3" (CSV)
    merged_value: object = None  # for a non-anchor cell of a merged range: the anchor's value


Grid = list[list[Cell]]


class FormulaWithoutValue(str):
    """A workbook cell holding a formula but no saved result (files written by scripts, not by a
    spreadsheet program, often lack them): never a silent missing value. The text is the formula."""


def read_tables(
    path: str | Path,
    sheet: str | None = None,
    pages="all",
    config_key: str = "",
    csv_options: dict | None = None,
) -> list[Grid]:
    """Dispatch on the file type; errors name the file (and the config key that points at it).

    `csv_options` (delimiter, decimal, encoding) apply to .csv files only.
    """
    path = Path(path)
    if not path.exists():
        named_by = f" ({config_key} in config.yaml)" if config_key else " in config.yaml"
        raise SupplementError(
            f"{path}: file not found; expected the supplement file named{named_by}"
        )
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return [read_xlsx_sheet(path, sheet)]
    if suffix == ".pdf":
        return read_pdf_tables(path, pages)
    if suffix == ".csv":
        return [read_csv_table(path, **(csv_options or {}))]
    raise SupplementError(f"{path}: unsupported file type '{suffix}'; expected .xlsx, .csv or .pdf")


def read_csv_table(
    path: Path, delimiter: str = ",", decimal: str = ".", encoding: str = "utf-8"
) -> Grid:
    """A CSV file as one grid, locators "row R/col C" (1-based, as a spreadsheet shows the file).

    CSV has no cell types, so a cell that is a whole number or a decimal number written with
    `decimal` (surrounding spaces allowed) is read as a number, as a workbook would store it; any
    other text stays text for cleaning to judge. A byte-order mark is dropped.
    """
    import csv
    import io

    try:
        text = path.read_bytes().decode(encoding)
    except LookupError:
        raise SupplementError(
            f"{path}: unknown text encoding {encoding!r}; expected a codec name such as utf-8 "
            "or cp1252"
        ) from None
    except UnicodeDecodeError as error:
        raise SupplementError(
            f"{path}: byte {error.start}: not valid {encoding} ({error.reason}); expected a CSV "
            f"file in {encoding} (set the table's 'encoding' in the config)"
        ) from None
    text = text.removeprefix("\ufeff")
    number = _csv_number_pattern(decimal)
    grid: Grid = []
    for r, row in enumerate(
        csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1
    ):
        grid.append(
            [
                Cell(_csv_value(value, number, decimal), f"row {r}/col {c}")
                for c, value in enumerate(row, start=1)
            ]
        )
    width = max((len(row) for row in grid), default=0)
    for r, row in enumerate(grid, start=1):
        row += [Cell(None, f"row {r}/col {c}") for c in range(len(row) + 1, width + 1)]
    return grid


def _csv_number_pattern(decimal: str) -> re.Pattern:
    return re.compile(rf"^\s*[+-]?(\d+)(?:{re.escape(decimal)}(\d+))?\s*$")


def _csv_value(text: str, number: re.Pattern, decimal: str) -> object:
    """int or float for a plain number, None for an empty cell, else the text as written."""
    if text == "":
        return None
    match = number.match(text)
    if not match:
        return text
    if match.group(2) is None:
        return int(text.strip())
    return float(text.strip().replace(decimal, "."))


def read_xlsx_sheet(path: Path, sheet: str | None) -> Grid:
    """One worksheet as a rectangular grid from A1, cell for cell as openpyxl's normal mode shows
    it.

    Normal mode parses every sheet of the workbook, and each extraction job wants one (about 27 s
    per table for a 10,000-participant supplement). Read-only mode opens the workbook lazily, so
    only the wanted sheet is parsed.
    """
    import openpyxl
    from openpyxl.chartsheet import Chartsheet
    from openpyxl.utils.exceptions import InvalidFileException

    invalid = (zipfile.BadZipFile, InvalidFileException, KeyError, OSError)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except invalid as error:
        raise _not_a_workbook(path, error) from None
    try:
        if sheet not in workbook.sheetnames:
            raise SupplementError(
                f"{path}: sheet {sheet!r} not found; expected one of the sheets "
                f"{workbook.sheetnames}"
            )
        worksheet = workbook[sheet]
        if isinstance(worksheet, Chartsheet):
            raise SupplementError(
                f"{path}: sheet {sheet!r} is a chart sheet; expected a worksheet with a table"
            )
        try:
            # Read-only mode reads a sheet's part only now, so a damaged part shows up here.
            parsed = _parse_worksheet(workbook, worksheet)
        except invalid as error:
            raise _not_a_workbook(path, error) from None
        except SyntaxError as error:  # xml.etree's ParseError: the sheet's XML is damaged
            raise SupplementError(
                f"{path} sheet {sheet!r}: the sheet's XML is damaged ({error}); expected a "
                "workbook saved intact (open and save it again in a spreadsheet program, or ask "
                "for a fresh copy)"
            ) from None
    finally:
        workbook.close()  # read-only mode keeps the file open until closed
    return _grid_from_cells(parsed, sheet)


def _not_a_workbook(path: Path, error: Exception) -> SupplementError:
    return SupplementError(
        f"{path}: not a valid .xlsx workbook ({error}); expected an Excel 2007+ file"
    )


Coord = tuple[int, int]  # (row, column), 1-based
# (min_col, min_row, max_col, max_row) as openpyxl's range_boundaries gives; None = unbounded
# ("A:A").
Bounds = tuple[int | None, int | None, int | None, int | None]


@dataclass
class _ParsedSheet:
    values: dict[Coord, object]  # every <c> element of the sheet, valueless ones too
    merged: list[Bounds]  # merged ranges, in file order
    links: list[tuple[str, object]]  # (ref, text a link writes into an empty cell), in file order
    comments: list[str]  # refs of cells that carry a comment


def _parse_worksheet(workbook, worksheet) -> _ParsedSheet:
    """Stream the sheet's XML once, with the parser normal mode uses, so values, types and dates
    match.

    Read-only mode's row iterator is not used: it trusts the <dimension> element (often missing or
    wrong), drops cells written out of column order, and cannot see merged ranges, which would then
    take a second pass over the XML. The parser collects merged ranges and hyperlinks on the way.
    This needs private openpyxl names: the version is pinned (workflow/envs/core.yaml) and
    tests/test_xlsx_reader.py compares the result with normal mode.
    """
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    values: dict[Coord, object] = {}
    with worksheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            worksheet._shared_strings,  # the reader's table; workbook.shared_strings is for writing
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        read_cell = parser.parse_cell

        def parse_cell(element):
            cell = read_cell(element)
            if (
                cell["value"] is None
                and element.find(FORMULA_TAG) is not None
                and not element.findtext(VALUE_TAG)
            ):
                cell["value"] = FormulaWithoutValue(f"={element.findtext(FORMULA_TAG) or ''}")
            return cell

        parser.parse_cell = parse_cell
        for _, row in parser.parse():
            for cell in row:
                values[cell["row"], cell["column"]] = cell["value"]
    merged = (
        [range_boundaries(cell.ref) for cell in parser.merged_cells.mergeCell]
        if parser.merged_cells
        else []
    )
    rels = _sheet_relationships(workbook, worksheet)
    links = [
        # As normal mode does: an external link's target comes from the sheet's relationships.
        (link.ref, (rels.get(link.id).Target if link.id else link.target) or link.location)
        for link in parser.hyperlinks.hyperlink
    ]
    return _ParsedSheet(values, merged, links, _comment_refs(workbook, rels))


def _sheet_relationships(workbook, worksheet):
    from openpyxl.packaging.relationship import (
        RelationshipList,
        get_dependents,
        get_rels_path,
    )

    rels_path = get_rels_path(worksheet._worksheet_path)
    if rels_path not in workbook._archive.namelist():
        return RelationshipList()
    return get_dependents(workbook._archive, rels_path)


def _comment_refs(workbook, rels) -> list[str]:
    from openpyxl.comments.comment_sheet import CommentSheet
    from openpyxl.xml.constants import COMMENTS_NS
    from openpyxl.xml.functions import fromstring

    refs = []
    for rel in rels.find(COMMENTS_NS):
        comments = CommentSheet.from_tree(fromstring(workbook._archive.read(rel.target)))
        refs += [ref for ref, _ in comments.comments]
    return refs


def _covered_cells(merged: list[Bounds]) -> dict[Coord, Coord]:
    """Non-anchor cell of a merged range -> the range's anchor (top left)."""
    anchors: dict[Coord, Coord] = {}
    for min_col, min_row, max_col, max_row in merged:
        for row in range(min_row, max_row + 1):
            for col in range(min_col, max_col + 1):
                if (row, col) != (min_row, min_col):
                    anchors[row, col] = (min_row, min_col)
    return anchors


def _apply_links(
    values: dict[Coord, object], links: list[tuple[str, object]], covered: dict[Coord, Coord]
) -> None:
    """Write each link's target into the empty cells it is on, as normal mode's Cell.hyperlink does.

    A link on a covered cell of a merged range lands on the anchor; one over a range skips covered
    cells. A whole-row or whole-column link ("A:A") is left out: normal mode fails on some and they
    never hold table values.
    """
    from openpyxl.utils.cell import range_boundaries

    for ref, text in links:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if None in (min_col, min_row, max_col, max_row):
            continue
        if ":" in ref:
            cells = [
                (r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)
            ]
            cells = [cell for cell in cells if cell not in covered]
        else:
            cells = [covered.get((min_row, min_col), (min_row, min_col))]
        for cell in cells:
            if values.get(cell) is None:
                values[cell] = text


def _grid_size(parsed: _ParsedSheet) -> tuple[int, int]:
    """(rows, columns) normal mode iterates: to the last cell it holds, written in the file or made
    on load.

    Loading also makes every cell of a merged range, every hyperlinked and every commented cell.
    """
    from openpyxl.utils.cell import range_boundaries

    bounds = parsed.merged + [range_boundaries(ref) for ref, _ in parsed.links]
    bounds += [range_boundaries(ref) for ref in parsed.comments]
    rows = [row for row, _ in parsed.values] + [max_row or 0 for _, _, _, max_row in bounds]
    cols = [col for _, col in parsed.values] + [max_col or 0 for _, _, max_col, _ in bounds]
    return max(rows, default=0), max(cols, default=0)


def _grid_from_cells(parsed: _ParsedSheet, sheet: str) -> Grid:
    """Build the grid in normal mode's load order: cells, then merged ranges, then hyperlinks."""
    from openpyxl.utils import get_column_letter

    values = dict(parsed.values)
    covered = _covered_cells(parsed.merged)
    for cell in covered:
        values.pop(
            cell, None
        )  # a covered cell is empty in normal mode, even if the file has a value there
    _apply_links(values, parsed.links, covered)
    merged_fill = {cell: values.get(anchor) for cell, anchor in covered.items()}
    n_rows, n_cols = _grid_size(parsed)
    quoted = "'" + sheet.replace("'", "''") + "'"
    prefixes = [f"{quoted}!{get_column_letter(c)}" for c in range(1, n_cols + 1)]
    return [
        [
            Cell(values.get((r, c)), f"{prefix}{r}", merged_fill.get((r, c)))
            for c, prefix in enumerate(prefixes, start=1)
        ]
        for r in range(1, n_rows + 1)
    ]


def read_pdf_tables(path: Path, pages="all") -> list[Grid]:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    try:
        pdf = pdfplumber.open(path)
    except (PDFSyntaxError, PdfminerException, MalformedPDFException, OSError, ValueError) as error:
        raise SupplementError(
            f"{path}: not a valid PDF ({type(error).__name__}); expected a PDF document"
        ) from None
    with pdf:
        count = len(pdf.pages)
        wanted = range(1, count + 1) if pages == "all" else pages
        tables: list[Grid] = []
        for number in wanted:
            if not 1 <= number <= count:
                raise SupplementError(
                    f"{path}: page {number} not found; expected a page in 1-{count}"
                )
            for t, table in enumerate(pdf.pages[number - 1].extract_tables(), start=1):
                tables.append(
                    [
                        [
                            Cell(value, f"page {number}/table {t}/row {r}/col {c}")
                            for c, value in enumerate(row, start=1)
                        ]
                        for r, row in enumerate(table, start=1)
                    ]
                )
    return tables
