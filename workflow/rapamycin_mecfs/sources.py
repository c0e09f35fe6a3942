"""Read supplement files into grids of cells that remember where each value came from.

A grid is a list of tables; a table is a list of rows; a row is a list of Cell. An .xlsx sheet is
one table; a PDF yields every ruled table on the chosen pages. Readers only read: deciding what is
header, data or footnote happens in `extract`.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import SupplementError


@dataclass(frozen=True)
class Cell:
    value: object  # str, int, float or None, as stored in the file
    locator: str  # "'Sheet'!B5" or "page 1/table 1/row 3/col 2"
    merged_value: object = None  # for a non-anchor cell of a merged range: the anchor's value


Grid = list[list[Cell]]


def read_tables(path: str | Path, sheet: str | None = None, pages="all", config_key: str = "") -> list[Grid]:
    """Dispatch on the file type; errors name the file (and the config key that points at it)."""
    path = Path(path)
    if not path.exists():
        named_by = f" ({config_key} in config.yaml)" if config_key else " in config.yaml"
        raise SupplementError(f"{path}: file not found; expected the supplement file named{named_by}")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return [read_xlsx_sheet(path, sheet)]
    if suffix == ".pdf":
        return read_pdf_tables(path, pages)
    raise SupplementError(f"{path}: unsupported file type '{suffix}'; expected .xlsx or .pdf")


def read_xlsx_sheet(path: Path, sheet: str | None) -> Grid:
    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # Not read-only: merged ranges are only visible in the normal mode.
        workbook = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise SupplementError(f"{path}: not a valid .xlsx workbook ({error}); expected an Excel 2007+ file") from None
    if sheet not in workbook.sheetnames:
        raise SupplementError(
            f"{path}: sheet {sheet!r} not found; expected one of the sheets {workbook.sheetnames}"
        )
    worksheet = workbook[sheet]
    merged_fill = {}
    for merged in worksheet.merged_cells.ranges:
        anchor = worksheet.cell(merged.min_row, merged.min_col).value
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                if (row, col) != (merged.min_row, merged.min_col):
                    merged_fill[(row, col)] = anchor
    quoted = "'" + sheet.replace("'", "''") + "'"
    grid: Grid = []
    for r, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
        grid.append(
            [
                Cell(value, f"{quoted}!{get_column_letter(c)}{r}", merged_fill.get((r, c)))
                for c, value in enumerate(row, start=1)
            ]
        )
    return grid


def read_pdf_tables(path: Path, pages="all") -> list[Grid]:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    try:
        pdf = pdfplumber.open(path)
    except (PDFSyntaxError, PdfminerException, MalformedPDFException, OSError, ValueError) as error:
        raise SupplementError(f"{path}: not a valid PDF ({type(error).__name__}); expected a PDF document") from None
    with pdf:
        count = len(pdf.pages)
        wanted = range(1, count + 1) if pages == "all" else pages
        tables: list[Grid] = []
        for number in wanted:
            if not 1 <= number <= count:
                raise SupplementError(f"{path}: page {number} not found; expected a page in 1-{count}")
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
