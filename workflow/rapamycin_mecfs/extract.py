"""Turn one configured source table into a tidy long table with cell-level lineage.

Output columns (one row per value cell): table, raw_participant_id, id_locator, outcome, visit,
raw_value, raw_type, source_file, source_locator. `outcome` holds the field name for
one-value-per-participant tables (whose `visit` is empty).

Layouts (`layout` in the table's config): wide, one row per participant with a column per outcome
and visit (two header rows) or per field (one); long, one row per participant and visit with a
column per outcome, or one row per participant, outcome and visit with the value in one column
(`columns: {visit, outcome, value}` name those columns' headers). In a long table a participant's
`id_locator` is the first cell naming them, so every row of theirs counts as one participant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from .cells import IdNormaliser, normalise_text
from .errors import SupplementError
from .sources import Cell, FormulaWithoutValue, Grid, read_tables

COLUMNS = [
    "table",
    "raw_participant_id",
    "id_locator",
    "outcome",
    "visit",
    "raw_value",
    "raw_type",
    "source_file",
    "source_locator",
]


def format_raw(value: object) -> tuple[str, str]:
    """(text, type) of a cell as stored: type is number, text or empty."""
    if value is None or (isinstance(value, str) and value == ""):
        return "", "empty"
    if isinstance(value, bool):
        return str(value), "text"
    if isinstance(value, int):
        return str(value), "number"
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else repr(value)), "number"
    return str(value), "text"


@dataclass(frozen=True)
class ColumnMap:
    id_column: int
    header_end: int  # index of the last header row
    targets: dict[int, tuple[str, str]]  # column index -> (outcome or field, visit or "")
    ignored: frozenset[int] = frozenset()  # columns left out on purpose (ignore_headers)


def _header_text(cell: Cell) -> str:
    return normalise_text(cell.value if cell.value is not None else cell.merged_value)


def find_header_row(grid: Grid, id_header: str, search_rows: int) -> tuple[int, int] | None:
    """(row index, column index) of the first cell reading `id_header`, within `search_rows`
    rows."""
    wanted = normalise_text(id_header).casefold()
    for r, row in enumerate(grid[:search_rows]):
        for c, cell in enumerate(row):
            if _header_text(cell).casefold() == wanted:
                return r, c
    return None


def map_columns(
    grid: Grid, start: int, id_column: int, spec: dict[str, Any], where: str
) -> ColumnMap:
    """Map every non-ID column of the header to (outcome, visit) or a field; unmapped is an
    error."""
    header_rows = spec.get("header_rows", 1)
    if start + header_rows > len(grid):
        raise SupplementError(f"{where}: header starts at row {start + 1} but the table ends there")
    upper_row = grid[start]
    lower_row = grid[start + header_rows - 1]
    ignored = {normalise_text(h).casefold() for h in spec.get("ignore_headers", [])}
    targets: dict[int, tuple[str, str]] = {}
    ignored_columns: set[int] = set()
    used_keys: set[tuple[str, str]] = set()
    problems = []
    carried_upper = ""
    for c in range(len(upper_row)):
        if c == id_column:
            carried_upper = ""
            continue
        upper = _header_text(upper_row[c])
        lower = _header_text(lower_row[c]) if c < len(lower_row) else ""
        if header_rows == 2:
            # A spanning header written once (merged, or a PDF span read as empty) covers the
            # columns to its right.
            upper = upper or (carried_upper if lower else "")
            carried_upper = upper
        if not upper and not lower:
            continue
        if upper.casefold() in ignored or (header_rows == 2 and lower.casefold() in ignored):
            ignored_columns.add(c)
            continue
        locator = upper_row[c].locator
        if header_rows == 1:
            field = _lookup(spec["fields"], upper)
            if field is None:
                problems.append(_unmapped(where, locator, upper, spec["fields"]))
                continue
            key = (field, "")
        else:
            outcome = _lookup(spec["outcomes"], upper)
            visit = _lookup(spec["visits"], lower)
            if outcome is None or visit is None:
                bad, known, cell = (
                    (upper, spec["outcomes"], locator)
                    if outcome is None
                    else (lower, spec["visits"], lower_row[c].locator)
                )
                problems.append(_unmapped(where, cell, bad, known))
                continue
            key = (outcome, visit)
        if key in used_keys:
            problems.append(
                f"{where} [{locator}]: value {upper!r}: a second column for {key}; expected "
                "each once"
            )
            continue
        used_keys.add(key)
        targets[c] = key
    problems += _unmatched_config_headers(spec, upper_row, lower_row, header_rows, where)
    if problems:
        raise SupplementError(problems)
    return ColumnMap(
        id_column=id_column,
        header_end=start + header_rows - 1,
        targets=targets,
        ignored=frozenset(ignored_columns),
    )


def _unmapped(
    where: str, locator: str, text: str, known: dict[str, str], problem: str = "unmapped column"
) -> str:
    """A header (or, in a long table, an outcome name) the config does not map."""
    return (
        f"{where} [{locator}]: value {text!r}: {problem}; expected one of "
        + ("the headers " if problem == "unmapped column" else "")
        + f"{sorted(known)} (or list it under ignore_headers)"
    )


def _lookup(mapping: dict[str, str], text: str) -> str | None:
    folded = {normalise_text(k).casefold(): v for k, v in mapping.items()}
    return folded.get(text.casefold())


def _unmatched_config_headers(spec, upper_row, lower_row, header_rows, where) -> list[str]:
    """Configured headers that the file does not have: a renamed column must not vanish quietly."""
    present_upper = {_header_text(c).casefold() for c in upper_row}
    present_lower = {_header_text(c).casefold() for c in lower_row}
    problems = []
    groups = (
        [("fields", present_upper)]
        if header_rows == 1
        else [("outcomes", present_upper), ("visits", present_lower)]
    )
    for key, present in groups:
        for header in spec.get(key, {}):
            if normalise_text(header).casefold() not in present:
                problems.append(
                    f"{where}: header {header!r} (configured under {key}) not found in the "
                    "header row; expected the supplement to have it"
                )
    return problems


def _value_cell_problem(where: str, cell: Cell) -> str | None:
    """Why a value cell cannot be read as one value (a formula without its result, a merged cell),
    or None."""
    if isinstance(cell.value, FormulaWithoutValue):
        return (
            f"{where} [{cell.locator}]: value {str(cell.value)!r}: a formula with no saved "
            "result (the file was written by a program that does not calculate formulas); "
            "expected a value: open and save the file in a spreadsheet program, which stores "
            "each formula's result"
        )
    if cell.value is None and cell.merged_value is not None:
        return (
            f"{where} [{cell.locator}]: value {format_raw(cell.merged_value)[0]!r}: a merged "
            "cell in the data area (the value belongs to the merged range's first cell); "
            "expected one value per cell: unmerge the cells and write each participant's value"
        )
    return None


def _is_note(row: list[Cell], ids: IdNormaliser) -> bool:
    """A footnote or caption: one text cell on an otherwise empty row, not a participant ID."""
    filled = [c for c in row if format_raw(c.value)[1] != "empty"]
    return (
        len(filled) == 1
        and format_raw(filled[0].value)[1] == "text"
        and not ids.matches(filled[0].value)
    )


def grid_rows_to_records(
    grid: Grid,
    columns: ColumnMap,
    ids: IdNormaliser,
    spec: dict[str, Any],
    table: str,
    source: str,
    where: str,
) -> list[dict[str, str]]:
    records = []
    problems = []
    id_header = normalise_text(spec["id_header"]).casefold()
    for row in grid[columns.header_end + 1 :]:
        if all(format_raw(c.value)[1] == "empty" for c in row):
            continue
        id_cell = row[columns.id_column] if columns.id_column < len(row) else None
        id_text = normalise_text(id_cell.value) if id_cell else ""
        if id_text.casefold() == id_header:
            continue  # header repeated (e.g. on a new PDF page)
        if not ids.matches(id_text):
            if _is_note(row, ids):
                continue
            locator = id_cell.locator if id_cell else row[0].locator
            problems.append(
                f"{where} [{locator}]: value {id_text!r}: row has values but no participant ID; "
                f"expected an ID matching {ids.pattern.pattern!r}"
            )
            continue
        stray = [
            c
            for i, c in enumerate(row)
            if i != columns.id_column
            and i not in columns.targets
            and i not in columns.ignored
            and format_raw(c.value)[1] != "empty"
        ]
        for cell in stray:
            problems.append(
                f"{where} [{cell.locator}]: value {format_raw(cell.value)[0]!r}: value in a "
                "column without a header; expected every value column to have a mapped header"
            )
        for c, (outcome, visit) in columns.targets.items():
            cell = row[c] if c < len(row) else Cell(None, "")
            problem = _value_cell_problem(where, cell)
            if problem:
                problems.append(problem)
                continue
            text, kind = format_raw(cell.value)
            records.append(
                {
                    "table": table,
                    "raw_participant_id": id_text,
                    "id_locator": id_cell.locator,
                    "outcome": outcome,
                    "visit": visit,
                    "raw_value": text,
                    "raw_type": kind,
                    "source_file": source,
                    "source_locator": cell.locator,
                }
            )
    if problems:
        raise SupplementError(problems)
    return records


def extract_table(
    table: str, spec: dict[str, Any], ids: IdNormaliser, allow_empty: bool = False
) -> pd.DataFrame:
    """Read the configured table and return its long form (see module docstring).

    A table with a header but no data rows is an error unless `allow_empty` (a list of who stopped
    may rightly be empty: nobody stopped).
    """
    source = spec["file"]
    where_file = (
        f"{source}"
        + (f" sheet {spec['sheet']!r}" if "sheet" in spec else "")
        + f" (tables/{table})"
    )
    csv_options = {key: spec[key] for key in ("delimiter", "decimal", "encoding") if key in spec}
    grids = read_tables(
        source,
        spec.get("sheet"),
        spec.get("pages", "all"),
        config_key=f"tables/{table}/file",
        csv_options=csv_options,
    )
    if spec.get("layout", "wide") == "long":
        return _extract_long(table, spec, ids, grids, where_file, allow_empty)
    records: list[dict[str, str]] = []
    columns: ColumnMap | None = None
    for grid in grids:
        found = find_header_row(grid, spec["id_header"], spec.get("search_rows", 20))
        if found is not None:
            columns = map_columns(grid, found[0], found[1], spec, where_file)
        elif columns is None or not grid:
            continue  # a PDF table before the wanted one
        else:
            # A PDF table continued without its header: the same columns, from the first row.
            columns = ColumnMap(columns.id_column, -1, columns.targets, columns.ignored)
        records += grid_rows_to_records(grid, columns, ids, spec, table, source, where_file)
    if columns is None:
        raise _header_not_found(where_file, spec, table)
    if not records and not allow_empty:
        raise SupplementError(
            f"{where_file}: no data rows below the header; expected one row per participant"
        )
    return pd.DataFrame.from_records(records, columns=COLUMNS)


def _header_not_found(where: str, spec: dict[str, Any], table: str) -> SupplementError:
    return SupplementError(
        f"{where}: header not found: no cell reads {spec['id_header']!r} in the first "
        f"{spec.get('search_rows', 20)} rows; expected the participant ID column header "
        f"(tables/{table}/id_header)"
    )


def _extract_long(
    table: str,
    spec: dict[str, Any],
    ids: IdNormaliser,
    grids: list[Grid],
    where: str,
    allow_empty: bool,
) -> pd.DataFrame:
    """A long table: the ID and visit columns, then either an outcome and a value column, or one
    column per outcome."""
    records: list[dict[str, str]] = []
    headers = [
        (grid, find_header_row(grid, spec["id_header"], spec.get("search_rows", 20)))
        for grid in grids
    ]
    if all(found is None for _, found in headers):
        raise _header_not_found(where, spec, table)
    for grid, found in headers:
        if found is not None:
            records += _long_records(grid, found, spec, ids, table, where)
    if not records and not allow_empty:
        raise SupplementError(
            f"{where}: no data rows below the header; expected one row per participant and visit"
        )
    return pd.DataFrame.from_records(records, columns=COLUMNS)


def _long_columns(
    header: list[Cell], id_column: int, spec: dict[str, Any], where: str
) -> tuple[int, int | None, dict[int, str]]:
    """(visit column, outcome column or None, value column -> outcome key or "" when an outcome
    column names it)."""
    names = {
        normalise_text(_header_text(cell)).casefold(): c
        for c, cell in enumerate(header)
        if _header_text(cell)
    }
    wanted = spec["columns"]
    problems = []

    def column(role: str) -> int | None:
        if role not in wanted:
            return None
        c = names.get(normalise_text(wanted[role]).casefold())
        if c is None:
            problems.append(
                f"{where}: header {wanted[role]!r} (tables/.../columns/{role}) not found; "
                f"expected one of {[_header_text(cell) for cell in header if _header_text(cell)]}"
            )
        return c

    visit, outcome, value = column("visit"), column("outcome"), column("value")
    ignored = {normalise_text(h).casefold() for h in spec.get("ignore_headers", [])}
    values: dict[int, str] = {}
    if outcome is not None and value is not None:
        values[value] = ""
    else:
        for c, cell in enumerate(header):
            text = _header_text(cell)
            if c in (id_column, visit) or not text or text.casefold() in ignored:
                continue
            key = _lookup(spec["outcomes"], text)
            if key is None:
                problems.append(_unmapped(where, cell.locator, text, spec["outcomes"]))
            else:
                values[c] = key
    if problems:
        raise SupplementError(problems)
    return visit, outcome, values


def _long_records(
    grid: Grid,
    found: tuple[int, int],
    spec: dict[str, Any],
    ids: IdNormaliser,
    table: str,
    where: str,
) -> list[dict[str, str]]:
    start, id_column = found
    visit_column, outcome_column, value_columns = _long_columns(grid[start], id_column, spec, where)
    ignored = {normalise_text(h).casefold() for h in spec.get("ignore_headers", [])}
    id_header = normalise_text(spec["id_header"]).casefold()
    first_cell: dict[str, str] = {}  # canonical participant -> the first cell naming them
    seen: dict[tuple[str, str, str], str] = {}
    records, problems = [], []
    for row in grid[start + 1 :]:
        if all(format_raw(c.value)[1] == "empty" for c in row):
            continue
        id_cell = row[id_column]
        id_text = normalise_text(id_cell.value)
        if id_text.casefold() == id_header:
            continue
        if not ids.matches(id_text):
            if not _is_note(row, ids):
                problems.append(
                    f"{where} [{id_cell.locator}]: value {id_text!r}: row has values but no "
                    f"participant ID; expected an ID matching {ids.pattern.pattern!r}"
                )
            continue
        participant = ids.try_normalise(id_text)
        first_cell.setdefault(participant, id_cell.locator)
        visit_cell = row[visit_column]
        visit = _lookup(spec["visits"], normalise_text(visit_cell.value))
        if visit is None:
            problems.append(
                f"{where} [{visit_cell.locator}]: value {format_raw(visit_cell.value)[0]!r}: "
                f"unknown visit; expected one of {sorted(spec['visits'])}"
            )
            continue
        for c, key in value_columns.items():
            if not key:
                outcome_cell = row[outcome_column]
                text = normalise_text(outcome_cell.value)
                if text.casefold() in ignored:
                    continue
                key = _lookup(spec["outcomes"], text)
                if key is None:
                    problems.append(
                        _unmapped(
                            where, outcome_cell.locator, text, spec["outcomes"], "unknown outcome"
                        )
                    )
                    continue
            cell = row[c]
            problem = _value_cell_problem(where, cell)
            if problem:
                problems.append(problem)
                continue
            where_before = seen.setdefault((participant, key, visit), cell.locator)
            if where_before != cell.locator:
                problems.append(
                    f"{where} [{cell.locator}]: value {format_raw(cell.value)[0]!r}: a second "
                    f"value for participant {participant}, {key} at {visit} (first at "
                    f"[{where_before}]); expected one"
                )
                continue
            text, kind = format_raw(cell.value)
            records.append(
                {
                    "table": table,
                    "raw_participant_id": id_text,
                    "id_locator": first_cell[participant],
                    "outcome": key,
                    "visit": visit,
                    "raw_value": text,
                    "raw_type": kind,
                    "source_file": spec["file"],
                    "source_locator": cell.locator,
                }
            )
    if problems:
        raise SupplementError(problems)
    return records
