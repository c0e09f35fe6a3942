"""Draft a commented config from supplement files, so a new study starts from its own tables.

    python -m rapamycin_mecfs init FILE [FILE ...] [-o config.draft.yaml]

Every worksheet of a workbook, each CSV file and every ruled table of a PDF is read with
`sources.read_tables`, as extraction reads them. In each table the participant ID column is the
column whose values mostly share one ID shape (letters, an optional separator, digits); the rows
above its first ID are the header: two header rows when the row above the visit headers holds
outcome labels (merged across their columns, or written once followed by empty cells), else one.
Two-row tables hold outcomes by visit; one-row tables hold one value per participant (a roster,
or who stopped when a column names the last visit and another the reason), or, when participants
repeat down the rows and a column names the visit, a long table.

The draft names the files, sheets or pages, header rows, the ID header and an ID pattern with its
canonical form (from the most common way the IDs are written), outcome keys (snake_case of the
header text) with labels and units from the headers, visits with short ids and study days from
the visit headers, the missing-value texts and below-LLOQ limits found in the value cells, and
placeholders for the study's words. Choices the files cannot tell (each outcome's direction, its
scale's min, max and step, and the responder rule) are left unset, so validating the draft lists
exactly them: the checklist at the top of the file. Observed ranges and value grids are written as
comments beside each outcome, never as live min or max.

Before the draft is written, every drafted table is extracted with the drafted spec (the observed
values come from that), and the YAML text is read back and compared with the config it encodes.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import textwrap
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .cells import BELOW_LIMIT, normalise_text
from .errors import SupplementError
from .plan import DISCONTINUATIONS_TABLE as STOPPED
from .plan import PARTICIPANTS_TABLE as ROSTER
from .sources import Cell, Grid, read_tables

# Field names the pipeline reads from the discontinuations table.
STOP_FIELDS = ("last_visit", "reason", "reason_detail")
DEFAULT_OUTPUT = "config.draft.yaml"
SCHEMA_HINT = "workflow/schemas/config.schema.yaml"
CHECKED_PROPERTIES = ("direction", "min", "max", "step")  # left unset: the schema names each one
RESPONDER_PATH = "analysis/responders/criteria"
MAX_LISTED_VALUES = 12  # an outcome with at most this many distinct values has them listed

ID_SHAPE = re.compile(r"^([A-Za-z]+)([ _\-./#]*)(\d+)$")
ID_WORD = re.compile(r"\b(id|ids|participant|patient|subject|case|code|no)\b", re.IGNORECASE)
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
DAY = re.compile(r"\bday\s*(\d+)\b", re.IGNORECASE)
TRAILING_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)\s*$")
UNIT_TEXT = re.compile(r"^(%|[^\W\d_][\w/%.·^µ-]*(?: [\w/%.·^µ-]+)?)$")
TABLE_NUMBER = re.compile(r"^(?:table\s*)?s?\d+[a-z]?(?![a-z0-9])[\s.:_-]*", re.IGNORECASE)
LAST_VISIT_HEADER = re.compile(
    r"\b(last|final|stopp?ed|discontinu\w*|withdr\w*|dropp?ed)\b.*\bvisit\b|\bvisit\b.*\b(last|final|stop\w*)\b",
    re.IGNORECASE,
)
REASON_HEADER = re.compile(r"\b(reasons?|cause|why)\b", re.IGNORECASE)
VISIT_HEADER = re.compile(r"\b(visit|time ?point|occasion|session|week|month|day)\b", re.IGNORECASE)
MEASURE_HEADER = re.compile(
    r"\b(measure|outcome|variable|parameter|item|scale|test|assessment|instrument)\b", re.IGNORECASE
)
VALUE_HEADER = re.compile(r"\b(value|score|result)\b", re.IGNORECASE)
SYNTHETIC_TEXT = re.compile(r"\bsynthetic data\b", re.IGNORECASE)
PAGE = re.compile(r"^page (\d+)/")


# --------------------------------------------------------------------------- small helpers


def snake_key(text: str, prefix: str = "x") -> str:
    """A config key from header text: lower case, ASCII, words joined by underscores.

    The key starts with a letter (``prefix`` + ``_`` is put before a leading digit) and matches the
    schema's identifier pattern ``^[a-z][a-z0-9_]*$``.

    Parameters
    ----------
    text : str
        Header text as written.
    prefix : str
        Put before a key that would start with a digit, or stand for an empty one.

    Returns
    -------
    str

    Examples
    --------
    >>> snake_key("Age (years)"), snake_key("Energy/fatigue"), snake_key("6-minute walk", "outcome")
    ('age_years', 'energy_fatigue', 'outcome_6_minute_walk')
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    key = re.sub(r"[^0-9a-z]+", "_", ascii_text.casefold()).strip("_")
    if not key:
        return prefix
    return f"{prefix}_{key}" if key[0].isdigit() else key


def visit_id(header: str) -> tuple[str, int | None]:
    """Short visit id and study day from a visit header.

    The id is the text before the first bracket, comma, semicolon or colon, with every run of other
    characters than letters and digits turned into one underscore; the day is the number after the
    word "day", when one is written.

    Parameters
    ----------
    header : str
        Visit header (or a long table's visit value) as written.

    Returns
    -------
    tuple of (str, int or None)

    Examples
    --------
    >>> visit_id("V2 (day 28)"), visit_id("Week 12"), visit_id("Day 7"), visit_id("pre-treatment")
    (('V2', 28), ('Week_12', None), ('Day_7', 7), ('pre_treatment', None))
    """
    text = normalise_text(header)
    base = re.split(r"[(\[,;:]", text)[0].strip() or text
    ident = re.sub(r"[^A-Za-z0-9]+", "_", base).strip("_") or "visit"
    day = DAY.search(text)
    return ident, (int(day.group(1)) if day else None)


def id_pattern(ids: list[str]) -> tuple[str, str]:
    """Regular expression (one capture group: the number) and canonical form of participant IDs.

    The pattern accepts the prefix in any case, any separators among those written (spaces,
    underscores, hyphens and any other separator seen) and leading zeros. The canonical form is the
    most common way the IDs are written: its prefix and separator, and zero-padding to the width of
    the padded numbers when any number is written with a leading zero.

    Parameters
    ----------
    ids : list of str
        Participant IDs as written (letters, an optional separator, digits).

    Returns
    -------
    tuple of (str, str)
        ``(pattern, canonical)`` as ``participant_ids`` in the config takes them.

    Examples
    --------
    >>> id_pattern(["P-001", "p 2", "P-013", "P_004"])
    ('^\\\\s*P[\\\\s_-]*0*(\\\\d+)\\\\s*$', 'P-{number:03d}')
    >>> id_pattern(["S.12", "S.7"])[1]
    'S.{number}'
    """
    forms = [m for m in (ID_SHAPE.match(normalise_text(i)) for i in ids) if m]
    if not forms:
        raise ValueError("no ID written as letters then digits")
    prefix_folded = _most_common(m.group(1).casefold() for m in forms)
    forms = [m for m in forms if m.group(1).casefold() == prefix_folded]
    prefix, separator = _most_common((m.group(1), m.group(2)) for m in forms)
    padded = [len(m.group(3)) for m in forms if len(m.group(3)) > 1 and m.group(3).startswith("0")]
    number = f"{{number:0{_most_common(padded)}d}}" if padded else "{number}"
    extra = sorted(
        {ch for m in forms for ch in m.group(2)} - {" ", "_", "-"}
    )  # of ". / #": literal in a class
    separators = r"[\s_" + "".join(extra) + "-]*"
    return rf"^\s*{re.escape(prefix)}{separators}0*(\d+)\s*$", f"{prefix}{separator}{number}"


def _most_common(items):
    """The most frequent item; ties go to the one seen first."""
    counts = Counter(items)
    return max(counts, key=lambda item: counts[item]) if counts else None


def _text(cell: Cell) -> str:
    """Header text as extraction reads it: a merged range's covered cells carry the anchor's
    text."""
    return normalise_text(cell.value if cell.value is not None else cell.merged_value)


def _raw(cell: Cell) -> str:
    return normalise_text(cell.value)


def _cell(row: list[Cell], column: int) -> Cell:
    return row[column] if column < len(row) else Cell(None, "")


def _unique(base: str, taken: set[str]) -> str:
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    taken.add(key)
    return key


def _short(text: str, limit: int = 90) -> str:
    text = normalise_text(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _number_text(value: float) -> str:
    return f"{value:.10g}"


# --------------------------------------------------------------------------- reading files


@dataclass
class Source:
    """One table as read: its grid and where it is (file, sheet, PDF page, CSV options)."""

    path: Path
    grid: Grid
    sheet: str | None = None
    page: int | None = None
    csv_options: dict[str, str] = field(default_factory=dict)


def read_sources(path: str | Path) -> tuple[list[Source], list[str]]:
    """Every table of one supplement file, and notes on what was left out.

    Parameters
    ----------
    path : str or Path
        An .xlsx, .csv or .pdf file.

    Returns
    -------
    tuple of (list of Source, list of str)

    Raises
    ------
    SupplementError
        The file is missing, of another type, or cannot be read; the message names the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "scores.csv").write_text("ID;Score\\nP1;1,5\\n", encoding="utf-8")
    >>> sources, notes = read_sources(folder / "scores.csv")
    >>> sources[0].csv_options, [c.value for c in sources[0].grid[1]]
    ({'delimiter': ';', 'decimal': ','}, ['P1', 1.5])
    """
    path = Path(path)
    if not path.is_file():
        what = "a folder" if path.is_dir() else "file not found"
        raise SupplementError(f"{path}: {what}; expected a supplement file (.xlsx, .csv or .pdf)")
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            return _read_workbook(path)
        if suffix == ".pdf":
            sources = [
                Source(path, grid, page=_page(grid))
                for grid in read_tables(path, pages="all")
                if grid
            ]
            return sources, (
                [] if sources else [f"{path}: no ruled table found on any page; left out"]
            )
        if suffix == ".csv":
            options = csv_options(path)
            return [
                Source(
                    path,
                    read_tables(path, csv_options=options)[0],
                    csv_options=_non_default(options),
                )
            ], []
    except SupplementError:
        raise
    except (
        Exception
    ) as error:  # a reader library failing on a damaged file: name the file, not a traceback
        raise SupplementError(
            f"{path}: cannot be read ({type(error).__name__}: {_short(str(error), 120)}); "
            f"expected an intact {suffix} file"
        ) from None
    hint = (
        " (save it as .xlsx)"
        if suffix in (".xls", ".ods")
        else " (save it as .csv)"
        if suffix in (".tsv", ".txt")
        else ""
    )
    raise SupplementError(
        f"{path}: unsupported file type '{suffix}'; expected .xlsx, .csv or .pdf{hint}"
    )


def _read_workbook(path: Path) -> tuple[list[Source], list[str]]:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True)
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        OSError,
        ValueError,
        EOFError,
    ) as error:
        raise SupplementError(
            f"{path}: not a valid .xlsx workbook ({_short(str(error), 120)}); expected an Excel "
            "2007+ file"
        ) from None
    try:
        names = list(workbook.sheetnames)
    finally:
        workbook.close()
    sources, notes = [], []
    for name in names:
        try:
            grid = read_tables(path, name)[0]
        except SupplementError as error:
            if "chart sheet" not in str(error):
                raise
            notes.append(f"{path} sheet {name!r}: a chart sheet; left out")
            continue
        sources.append(Source(path, grid, sheet=name))
    return sources, notes


def _page(grid: Grid) -> int | None:
    for row in grid:
        for cell in row:
            found = PAGE.match(cell.locator)
            if found:
                return int(found.group(1))
    return None


def csv_options(path: str | Path) -> dict[str, str]:
    """Delimiter, decimal mark and text encoding of a CSV file, as the config's table keys take
    them.

    The encoding is UTF-8 (a byte-order mark allowed), UTF-16 when the file starts with its
    byte-order mark, else cp1252 (Excel's Windows export) when every byte decodes; the delimiter is
    the one of ``,`` ``;`` tab ``|`` that splits most lines into the same number of fields; the
    decimal mark is ``,`` when the delimiter is not a comma and numbers such as ``1,5`` outnumber
    ``1.5``.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    dict
        ``delimiter``, ``decimal`` and ``encoding``.

    Raises
    ------
    SupplementError
        The file is not text in any of those encodings, or holds control characters.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = path.write_bytes("ID\\tSite\\nP1\\tK\\xf8ge\\n".encode("cp1252"))
    >>> csv_options(path)
    {'delimiter': '\\t', 'decimal': '.', 'encoding': 'cp1252'}
    """
    import csv
    import io

    path = Path(path)
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            try:
                data.decode("cp1252")
            except UnicodeDecodeError:
                raise SupplementError(
                    f"{path}: byte {error.start}: not UTF-8 text and not cp1252 either; expected "
                    "a CSV text file (save it from the spreadsheet as 'CSV UTF-8')"
                ) from None
            encoding = "cp1252"
    try:
        text = data.decode(encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise SupplementError(
            f"{path}: byte {error.start}: not valid {encoding}; expected a CSV text file"
        ) from None
    control = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text)
    if control:
        raise SupplementError(
            f"{path}: character {control.start()} is a control character ({control.group()!r}); "
            "expected a CSV text file, not a binary one"
        )
    lines = text.splitlines()[:200]
    best, best_score = ",", 0
    for delimiter in (",", ";", "\t", "|"):
        widths = [
            len(row)
            for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
            if row
        ]
        common = _most_common(w for w in widths if w > 1)
        score = sum(1 for w in widths if w == common) if common else 0
        if score > best_score:
            best, best_score = delimiter, score
    decimal = "."
    if best != ",":
        cells = [
            c.strip()
            for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=best)
            for c in row
        ]
        commas = sum(1 for c in cells if re.fullmatch(r"[+-]?\d+,\d+", c))
        points = sum(1 for c in cells if re.fullmatch(r"[+-]?\d+\.\d+", c))
        decimal = "," if commas > points else "."
    return {"delimiter": best, "decimal": decimal, "encoding": encoding}


def _non_default(options: dict[str, str]) -> dict[str, str]:
    defaults = {"delimiter": ",", "decimal": ".", "encoding": "utf-8"}
    return {key: value for key, value in options.items() if defaults[key] != value}


# --------------------------------------------------------------------------- one table


@dataclass
class _Candidate:
    column: int
    prefix: str  # folded letters of the ID shape
    first_row: int
    ids: list[str]
    distinct: int
    header_like: bool


def _id_candidates(grid: Grid) -> list[_Candidate]:
    """Columns whose filled cells, from the first ID down, are mostly IDs of one prefix."""
    width = max((len(row) for row in grid), default=0)
    found = []
    for column in range(width):
        by_prefix: dict[str, list[tuple[int, str]]] = {}
        for r, row in enumerate(grid):
            value = _cell(row, column).value
            if isinstance(value, str):
                match = ID_SHAPE.match(normalise_text(value))
                if match:
                    by_prefix.setdefault(match.group(1).casefold(), []).append(
                        (r, normalise_text(value))
                    )
        for prefix, hits in by_prefix.items():
            first = hits[0][0]
            filled = sum(1 for row in grid[first:] if _raw(_cell(row, column)))
            if 2 * len(hits) < filled:
                continue
            numbers = {int(ID_SHAPE.match(text).group(3)) for _, text in hits}
            above = next(
                (
                    _text(_cell(row, column))
                    for row in reversed(grid[:first])
                    if _text(_cell(row, column))
                ),
                "",
            )
            found.append(
                _Candidate(
                    column,
                    prefix,
                    first,
                    [text for _, text in hits],
                    len(numbers),
                    bool(ID_WORD.search(above)),
                )
            )
    return found


def _best(candidates: list[_Candidate]) -> _Candidate | None:
    return max(candidates, key=lambda c: (c.distinct, c.header_like, -c.column), default=None)


@dataclass
class TableGuess:
    """What one table looks like: its header, ID column and columns, from its cells alone."""

    source: Source
    name: str  # sheet name or file stem, as written
    title: str  # text rows above the header
    header_row: int  # index of the first header row
    header_rows: int
    id_column: int
    id_header: str
    ids: list[str] = field(default_factory=list)
    kind: str = "fields"  # outcomes (wide, two header rows) | fields | long | by_visit (left out)
    outcomes: list[str] = field(default_factory=list)  # labels (wide: upper headers; long: names)
    visits: list[str] = field(default_factory=list)  # visit headers (wide) or values (long)
    fields: list[str] = field(default_factory=list)  # header texts of a one-header-row table
    columns: dict[str, str] = field(default_factory=dict)  # long: visit, outcome, value headers
    values: dict[str, list[str]] = field(
        default_factory=dict
    )  # field header -> texts of the data rows
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    synthetic: bool = False
    pages: list[int] = field(default_factory=list)

    @property
    def where(self) -> str:
        if self.source.sheet is not None:
            return f"{self.source.path} sheet {self.source.sheet!r}"
        if self.pages:
            return (
                f"{self.source.path} page{'s' if len(self.pages) > 1 else ''} "
                f"{', '.join(map(str, self.pages))}"
            )
        return str(self.source.path)

    def signature(self) -> tuple:
        return (
            self.id_header.casefold(),
            self.header_rows,
            tuple(self.fields),
            tuple(self.outcomes),
        )


def _nonblank(row: list[Cell]) -> bool:
    return any(_text(cell) for cell in row)


def _is_title(row: list[Cell]) -> bool:
    filled = [_raw(cell) for cell in row if _raw(cell)]
    return len(filled) == 1 and (
        len(filled[0]) > 60 or bool(re.match(r"table\b", filled[0], re.IGNORECASE))
    )


def analyse_table(
    source: Source, candidate: _Candidate | None, known_headers: set[str]
) -> TableGuess | None:
    """The header layout and columns of one table, or None when it has no ID column or header.

    ``candidate`` is the chosen ID column; without one (a table with a header but no rows), the
    header row is the first row with a cell reading one of ``known_headers`` (ID headers of the
    other tables, folded).
    """
    grid = source.grid
    if candidate is not None:
        column, first = candidate.column, candidate.first_row
        lower = first - 1
        while lower >= 0 and not _nonblank(grid[lower]):
            lower -= 1
        if lower < 0:
            return None  # rows without a header: a PDF table continued from the page before
    else:
        where = next(
            (
                (r, c)
                for r, row in enumerate(grid[:50])
                for c, cell in enumerate(row)
                if _text(cell).casefold() in known_headers
            ),
            None,
        )
        if where is None:
            return None
        lower, column = where
        first = len(grid)
    upper = grid[lower - 1] if lower >= 1 else None
    two_rows = False
    if upper is not None and not _is_title(upper):
        labels = [k for k, cell in enumerate(upper) if k != column and _raw(cell)]
        below = {k for k, cell in enumerate(grid[lower]) if k != column and _text(cell)}
        two_rows = bool(labels) and any(k in below for k in labels)
    start = lower - 1 if two_rows else lower
    id_header = _text(_cell(grid[start], column))
    name = source.sheet if source.sheet is not None else source.path.stem
    title = " / ".join(_raw(cell) for row in grid[:start] for cell in row if _raw(cell))
    if not id_header:
        # the ID column has no header in the first header row: extraction could not find it
        return None
    guess = TableGuess(
        source=source,
        name=name,
        title=title,
        header_row=start,
        header_rows=2 if two_rows else 1,
        id_column=column,
        id_header=id_header,
        pages=[source.page] if source.page else [],
    )
    guess.synthetic = any(
        SYNTHETIC_TEXT.search(_raw(cell))
        for row in grid
        for cell in row
        if isinstance(cell.value, str)
    )
    data_rows = (
        [row for row in grid[first:] if ID_SHAPE.match(_raw(_cell(row, column)))]
        if candidate
        else []
    )
    guess.ids = [_raw(_cell(row, column)) for row in data_rows]
    if two_rows:
        _wide_columns(guess, grid[start], grid[lower])
    else:
        header = grid[lower]
        for k, cell in enumerate(header):
            text = _text(cell)
            if k != column and text:
                guess.fields.append(text)
                guess.values[text] = [_raw(_cell(row, k)) for row in data_rows]
        _maybe_long(guess)
    return guess


def _wide_columns(guess: TableGuess, upper: list[Cell], lower: list[Cell]) -> None:
    """Outcome labels (a label written once covers the empty cells to its right) and visit
    headers."""
    carried = ""
    for k in range(max(len(upper), len(lower))):
        if k == guess.id_column:
            carried = ""
            continue
        up_cell, low_cell = _cell(upper, k), _cell(lower, k)
        label, visit = _text(up_cell), _text(low_cell)
        label = label or (carried if visit else "")
        carried = label
        if not label and not visit:
            continue
        if label and (not visit or (low_cell.value is None and visit == label)):
            # One header over both rows (or none below it): not an outcome at a visit.
            guess.ignored.append(label)
            guess.notes.append(
                f"{guess.where}: column {label!r} has no visit header below it; drafted under "
                "ignore_headers (left out)"
            )
            continue
        if not label:
            guess.notes.append(
                f"{guess.where} [{low_cell.locator}]: visit header {visit!r} has no outcome "
                "label above it; extraction will stop there (write the outcome label above it)"
            )
            continue
        if label not in guess.outcomes:
            guess.outcomes.append(label)
        if visit not in guess.visits:
            guess.visits.append(visit)
    guess.kind = "outcomes"


def _maybe_long(guess: TableGuess) -> None:
    """A one-header-row table where participants repeat down the rows and a column names the
    visit."""
    numbers = [int(ID_SHAPE.match(i).group(3)) for i in guess.ids]
    if len(numbers) < 2 or len(set(numbers)) == len(numbers):
        return
    visit = next((h for h in guess.fields if VISIT_HEADER.search(h)), None)
    if visit is None:
        guess.notes.append(
            f"{guess.where}: participants repeat down the rows but no column names the visit; "
            "drafted as one row each"
        )
        return
    others = [h for h in guess.fields if h != visit]
    measure = next(
        (h for h in others if MEASURE_HEADER.search(h) and not _mostly_numbers(guess.values[h])),
        None,
    )
    value = next((h for h in others if VALUE_HEADER.search(h) and h != measure), None)
    guess.kind = "long"
    guess.visits = list(dict.fromkeys(v for v in guess.values[visit] if v))
    if measure and value:
        guess.columns = {"visit": visit, "outcome": measure, "value": value}
        guess.outcomes = list(dict.fromkeys(v for v in guess.values[measure] if v))
    else:
        guess.columns = {"visit": visit}
        guess.outcomes = others
    guess.fields = []


_BY_VISIT_NOTE = (
    "{where}: one row of visit headers with numbers below them, but no outcome label above the "
    "visit headers; left out (write the outcome's name in a row above them, then run init again)"
)


def _by_visit(table: TableGuess, known_visits: set[str]) -> bool:
    """A one-header-row table whose every column is a visit of numbers: an outcome without its label
    row."""
    return bool(table.fields) and all(
        (visit_id(h)[0].casefold() in known_visits or VISIT_HEADER.search(h) or DAY.search(h))
        and _mostly_numbers(table.values[h])
        for h in table.fields
    )


def _mostly_numbers(texts: list[str]) -> bool:
    filled = [t for t in texts if t]
    return bool(filled) and sum(1 for t in filled if NUMBER.match(t)) * 2 > len(filled)


def _tables_of(sources: list[Source]) -> tuple[list[TableGuess], list[str]]:
    """Every table of the supplement: ID columns chosen with the study's ID prefix, PDF tables
    joined over pages."""
    candidates = [_id_candidates(source.grid) for source in sources]
    weights: Counter = Counter()
    for found in candidates:
        best = _best(found)
        if best is not None:
            weights[best.prefix] += best.distinct
    prefix = max(weights, key=lambda p: weights[p]) if weights else None
    chosen = [_best([c for c in found if c.prefix == prefix]) for found in candidates]
    known = set()
    guesses: list[TableGuess | None] = [None] * len(sources)
    for i, (source, candidate) in enumerate(zip(sources, chosen)):
        if candidate is not None:
            guesses[i] = analyse_table(source, candidate, known)
            if guesses[i] is not None:
                known.add(guesses[i].id_header.casefold())
    for i, (source, candidate) in enumerate(zip(sources, chosen)):
        if candidate is None and known:
            guesses[i] = analyse_table(source, None, known)
    tables: list[TableGuess] = []
    notes: list[str] = []
    for source, candidate, guess in zip(sources, chosen, guesses):
        continues = tables and source.page is not None and tables[-1].source.path == source.path
        if guess is None and candidate is not None and continues:
            previous = tables[
                -1
            ]  # rows without a header: the PDF table goes on from the page before
            previous.ids += [
                _raw(_cell(row, candidate.column))
                for row in source.grid
                if ID_SHAPE.match(_raw(_cell(row, candidate.column)))
            ]
            if source.page not in previous.pages:
                previous.pages.append(source.page)
            continue
        if guess is None:
            where = f"{source.path}" + (
                f" sheet {source.sheet!r}" if source.sheet is not None else ""
            )
            where += f" page {source.page}" if source.page else ""
            if any(_nonblank(row) for row in source.grid):
                notes.append(
                    f"{where}: no column of participant IDs (letters then digits) under a "
                    "header; left out"
                )
            continue
        if continues and guess.signature() == tables[-1].signature():
            previous = tables[-1]  # the header repeated on a new page
            previous.ids += guess.ids
            for header, texts in guess.values.items():
                previous.values.setdefault(header, []).extend(texts)
            if source.page not in previous.pages:
                previous.pages.append(source.page)
            continue
        tables.append(guess)
    return tables, notes


# --------------------------------------------------------------------------- the whole draft


@dataclass
class Draft:
    """A drafted config, the checklist validation will name, the guesses to confirm, and the
    rendering."""

    config: dict[str, Any]
    checklist: list[tuple[str, tuple[str, ...], str]]  # (key path, properties, hint)
    confirm: list[str]
    comments: dict[str, list[str]]  # key path -> comment lines written above it
    files: list[str]
    output: str
    notes: list[str] = field(default_factory=list)  # what was left out or will stop extraction

    @property
    def text(self) -> str:
        return render(self)


def draft_config(
    paths: list[str | Path], output: str = DEFAULT_OUTPUT, results_dir: str | None = None
) -> Draft:
    """Draft the config of the supplement in ``paths``; file paths in it are as given (from the
    working directory).

    Parameters
    ----------
    paths : list of str or Path
        The supplement's .xlsx, .csv and .pdf files.
    output : str
        Where the draft will be written (named in its header; the default results directory is
        ``results_<its name>``).
    results_dir : str, optional
        The study's results directory.

    Returns
    -------
    Draft

    Raises
    ------
    SupplementError
        A file cannot be read, or no table with a participant ID column is found; every such
        problem, one line each, naming the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "pain.csv").write_text(
    ...     "Table 2. Pain score by visit\\n"
    ...     "Subject,Pain score,,\\n"
    ...     ",Week 0 (day 0),Week 6 (day 42),Week 12 (day 84)\\n"
    ...     "S-01,7,5,4\\nS-02,6,6,NA\\nS-03,8,,3\\n", encoding="utf-8")
    >>> draft = draft_config([folder / "pain.csv"], output="pain.yaml")
    >>> draft.config["participant_ids"]
    {'pattern': '^\\\\s*S[\\\\s_-]*0*(\\\\d+)\\\\s*$', 'canonical': 'S-{number:02d}'}
    >>> draft.config["visits"][2]
    {'id': 'Week_12', 'day': 84}
    >>> table = draft.config["tables"]["pain"]
    >>> table["header_rows"], table["id_header"], table["outcomes"]
    (2, 'Subject', {'Pain score': 'pain_score'})
    >>> draft.config["instruments"]["pain"]["outcomes"]["pain_score"]
    {'label': 'Pain score', 'unit': 'points'}
    >>> draft.config["missing_tokens"]
    ['', 'NA']
    >>> for path, properties, _hint in draft.checklist:
    ...     print(path, properties)
    instruments/pain/outcomes/pain_score ('direction', 'min', 'max', 'step')
    analysis/responders/criteria ('criteria',)
    """
    problems: list[str] = []
    sources: list[Source] = []
    notes: list[str] = []
    for path in paths:
        try:
            found, left_out = read_sources(path)
        except SupplementError as error:
            problems += error.problems
            continue
        sources += found
        notes += left_out
    if problems:
        raise SupplementError(problems)
    tables, left_out = _tables_of(sources)
    notes += left_out
    if not any(t.kind in ("outcomes", "long") for t in tables):
        read = ", ".join(str(p) for p in paths)
        raise SupplementError(
            [
                f"{read}: no table of outcomes by visit found; expected a table with a "
                "participant ID column (IDs such as 'P-001') and outcome labels above visit "
                "headers, or a long table with a visit column"
            ]
            + [_BY_VISIT_NOTE.format(where=t.where) for t in tables if _by_visit(t, set())]
        )
    builder = _Builder(tables, [str(p) for p in paths], output, results_dir, sources)
    builder.notes += notes
    return builder.build()


class _Builder:
    def __init__(
        self,
        tables: list[TableGuess],
        files: list[str],
        output: str,
        results_dir: str | None,
        sources: list[Source],
    ):
        self.tables = tables
        self.sources = sources
        self.files = files
        self.output = output
        self.results_dir = results_dir or _results_dir_for(output)
        self.notes: list[str] = [note for t in tables for note in t.notes]
        self.confirm: list[str] = []
        self.comments: dict[str, list[str]] = {}
        self.token_counts: Counter = Counter()

    # ---- pieces
    def visits(self) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """Visit list and header text -> visit id, over every outcome table in order."""
        order: dict[str, int | None] = {}
        days_seen: dict[str, set] = {}
        headers: dict[str, str] = {}
        for table in self.tables:
            if table.kind not in ("outcomes", "long"):
                continue
            for header in table.visits:
                ident, day = visit_id(header)
                days_seen.setdefault(ident, set()).add(day)
                headers[header] = ident
                order.setdefault(ident, day)
        clashing = {ident for ident, days in days_seen.items() if len(days) > 1}
        if clashing:
            for header, ident in list(headers.items()):
                if ident in clashing:
                    _, day = visit_id(header)
                    headers[header] = f"{ident}_day{day}" if day is not None else ident
            order = {}
            for header, ident in headers.items():
                order.setdefault(ident, visit_id(header)[1])
        with_days = all(day is not None for day in order.values())
        ids = list(order)
        if with_days:
            ids.sort(key=lambda ident: order[ident])  # stable: equal days keep their order
            visits = [{"id": ident, "day": order[ident]} for ident in ids]
        else:
            visits = [{"id": ident} for ident in ids]
            if any(day is not None for day in order.values()):
                self.confirm.append(
                    "visits: only some visit headers state a day, so no study days are drafted "
                    "(add `day:` to every visit or none)"
                )
        return visits, headers

    def build(self) -> Draft:
        visits, visit_of = self.visits()
        visit_ids = [v["id"] for v in visits]
        ids = [i for t in self.tables for i in t.ids]
        if not ids:
            raise SupplementError(
                f"{', '.join(self.files)}: no participant IDs below the headers; expected IDs "
                "written as letters then digits"
            )
        pattern, canonical = id_pattern(ids)
        taken_tables: set[str] = {ROSTER, STOPPED}
        taken_outcomes: set[str] = set()
        tables: dict[str, Any] = {}
        instruments: dict[str, Any] = {}
        roles = self.roles(visit_ids, visit_of)
        outcome_header: dict[str, tuple[str, str]] = {}  # outcome key -> (table key, header text)
        for table in self.tables:
            role = roles.get(id(table))
            if table.kind == "by_visit":
                continue
            if table.kind == "fields" and role is None:
                self.notes.append(
                    f"{table.where}: one value per participant, but a roster is drafted already; "
                    "left out (add it under tables: only if it is the roster instead)"
                )
                continue
            key = role or _unique(
                snake_key(TABLE_NUMBER.sub("", table.name) or table.name, "table"), taken_tables
            )
            spec = self.table_spec(table)
            if table.kind == "fields":
                spec["fields"] = self.fields(table, role, visit_ids)
            else:
                labels = {}
                for label in table.outcomes:
                    bare = TRAILING_PARENTHESIS.sub("", label) or label
                    base = snake_key(bare, "outcome")
                    if base in taken_outcomes:
                        base = snake_key(label, "outcome")
                    if base in taken_outcomes:
                        base = f"{key}_{base}"
                    labels[label] = _unique(base, taken_outcomes)
                    outcome_header[labels[label]] = (key, label)
                spec["outcomes"] = labels
                spec["visits"] = {header: visit_of[header] for header in table.visits}
                instruments[key] = {
                    "table": key,
                    "label": table.name,
                    "outcomes": {
                        k: {"label": label, "unit": _unit(label)} for label, k in labels.items()
                    },
                }
            tables[key] = spec
            self.comments[f"tables/{key}"] = self.table_comment(table, role)
        config: dict[str, Any] = {
            "synthetic": any(t.synthetic for t in self.tables),
            "study": {
                "title": f"Re-analysis of {', '.join(Path(f).name for f in self.files)}",
                "citation": "",
            },
            "results_dir": self.results_dir,
            "corrections": None,
            "claims": None,
            "visits": visits,
            "participant_ids": {"pattern": pattern, "canonical": canonical},
            "missing_tokens": [""],
            "below_lloq": {"substitute": "lloq_half"},
            "tables": tables,
            "instruments": instruments,
            "analysis": {"responders": {"combine": "all", "criteria": []}},
        }
        self.observe(config, outcome_header)
        self.confirm_guesses(config, ids, roles)
        checklist = [
            (f"instruments/{name}/outcomes/{key}", CHECKED_PROPERTIES, "")
            for name, instrument in instruments.items()
            for key in instrument["outcomes"]
        ]
        checklist.append(
            (
                RESPONDER_PATH,
                ("criteria",),
                "the responder rule, or delete analysis/responders for no responder analysis",
            )
        )
        return Draft(
            config, checklist, self.confirm, self.comments, self.files, self.output, self.notes
        )

    def roles(self, visit_ids: list[str], visit_of: dict[str, str]) -> dict[int, str]:
        """Table (by id()) -> participants or discontinuations, for one-value-per-participant
        tables."""
        roles: dict[int, str] = {}
        known_visits = {v.casefold() for v in visit_ids} | {h.casefold() for h in visit_of}
        fields_tables = [t for t in self.tables if t.kind == "fields"]
        for table in fields_tables:
            last = next((h for h in table.fields if LAST_VISIT_HEADER.search(h)), None)
            if last is None:
                last = next(
                    (
                        h
                        for h in table.fields
                        if any(table.values[h])
                        and all(v.casefold() in known_visits for v in table.values[h] if v)
                    ),
                    None,
                )
            reason = next((h for h in table.fields if REASON_HEADER.search(h)), None)
            if last and reason and STOPPED not in roles.values():
                roles[id(table)] = STOPPED
                table.columns = {"last_visit": last, "reason": reason}
        for table in fields_tables:
            if id(table) in roles:
                continue
            if _by_visit(table, known_visits):
                table.kind = "by_visit"
                self.notes.append(_BY_VISIT_NOTE.format(where=table.where))
            elif ROSTER not in roles.values():
                roles[id(table)] = ROSTER
        return roles

    def table_spec(self, table: TableGuess) -> dict[str, Any]:
        source = table.source
        spec: dict[str, Any] = {"file": _config_path(source.path)}
        if source.sheet is not None:
            spec["sheet"] = source.sheet
        if source.page is not None:
            pdf_tables = [t for t in self.tables if t.source.path == source.path]
            if len(pdf_tables) > 1:
                spec["pages"] = sorted(table.pages)
        spec.update(source.csv_options)
        if table.kind == "long":
            spec["layout"] = "long"
            spec["columns"] = dict(table.columns)
        spec["header_rows"] = table.header_rows
        spec["id_header"] = table.id_header
        if table.header_row >= 20:
            spec["search_rows"] = table.header_row + 1
        if table.ignored:
            spec["ignore_headers"] = list(dict.fromkeys(table.ignored))
        return spec

    def fields(self, table: TableGuess, role: str, visit_ids: list[str]) -> dict[str, str]:
        names: dict[str, str] = {}
        taken: set[str] = set()
        if role == STOPPED:
            last, reason = table.columns["last_visit"], table.columns["reason"]
            names[last], names[reason] = STOP_FIELDS[0], STOP_FIELDS[1]
            taken |= {STOP_FIELDS[0], STOP_FIELDS[1]}
            detail = next((h for h in table.fields if h not in names), None)
            if detail is not None:
                names[detail] = STOP_FIELDS[2]
                taken.add(STOP_FIELDS[2])
            unknown = sorted({v for v in table.values.get(last, []) if v} - set(visit_ids))
            if unknown:
                self.notes.append(
                    f"tables/{STOPPED}: last-visit values {unknown} are not visit ids "
                    f"{visit_ids}; the pipeline compares them with the visit ids"
                )
        for header in table.fields:
            if header not in names:
                names[header] = _unique(
                    snake_key(TRAILING_PARENTHESIS.sub("", header) or header, "field"), taken
                )
        return {header: names[header] for header in table.fields}

    def table_comment(self, table: TableGuess, role: str | None) -> list[str]:
        lines = [f"From {table.where}" + (f": {_short(table.title)!r}" if table.title else ".")]
        n = len({int(ID_SHAPE.match(i).group(3)) for i in table.ids})
        if table.kind == "outcomes":
            lines.append(
                f"{n} participants; {len(table.outcomes)} outcome(s) x {len(table.visits)} "
                "visit(s); outcome labels in the first header row, visits in the second."
            )
        elif table.kind == "long":
            lines.append(
                f"{n} participants, one row per participant and visit"
                + (" and outcome." if "outcome" in table.columns else ".")
            )
        elif role == STOPPED:
            lines.append(
                f"Drafted as who stopped ({n} rows): the column {table.columns['last_visit']!r} "
                f"names the last visit and {table.columns['reason']!r} the reason. Confirm."
            )
        else:
            lines.append(
                f"Drafted as the roster: the {n} participants enrolled, one value per "
                "participant. Confirm."
            )
        return lines

    # ---- what the cells hold
    def observe(self, config: dict[str, Any], outcome_header: dict[str, tuple[str, str]]) -> None:
        """Extract every drafted table with its drafted spec; record what the value cells hold."""
        from .cells import IdNormaliser

        ids = IdNormaliser(**config["participant_ids"])
        tokens: Counter = Counter()
        odd: dict[str, Counter] = {}
        for key, spec in config["tables"].items():
            try:
                extracted = extract_read(key, spec, ids, self.sources)
            except SupplementError as error:
                first = error.problems[0]
                more = f" (and {len(error.problems) - 1} more)" if len(error.problems) > 1 else ""
                self.notes.append(
                    f"tables/{key}: extraction with the drafted spec stops: {first}{more}"
                )
                continue
            if key in (ROSTER, STOPPED):
                continue
            instrument = config["instruments"][key]
            for outcome, rows in extracted.groupby("outcome", sort=False):
                stats = _Observed.of(
                    rows["raw_value"].tolist(), rows["raw_type"].tolist(), rows["visit"].nunique()
                )
                tokens.update(stats.tokens)
                for token, count in stats.odd.items():
                    odd.setdefault(token, Counter())[f"tables/{key}"] += count
                definition = instrument["outcomes"][outcome]
                limits = stats.limits
                if limits:
                    definition["lloq"] = _plain_number(_most_common(limits.elements()))
                    if len(limits) > 1:
                        self.notes.append(
                            f"instruments/{key}/outcomes/{outcome}: below-limit cells state "
                            f"different limits {sorted(limits)}; drafted lloq "
                            f"{definition['lloq']} (one limit per outcome)"
                        )
                self.comments[f"instruments/{key}/outcomes/{outcome}"] = stats.describe(
                    outcome_header[outcome][1], definition
                )
        config["missing_tokens"] = [""] + [
            token for token, _ in sorted(tokens.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        self.token_counts = tokens
        for token, where in odd.items():
            self.notes.append(
                f"value cells read {token!r} ({sum(where.values())} cells in "
                f"{', '.join(sorted(where))}): neither a number nor drafted as a missing value; "
                "cleaning will stop there (fix the cell or add a correction)"
            )

    def confirm_guesses(
        self, config: dict[str, Any], ids: list[str], roles: dict[int, str]
    ) -> None:
        pattern = config["participant_ids"]
        styles: dict[tuple, list[str]] = {}
        for written in ids:
            match = ID_SHAPE.match(written)
            digits = match.group(3)
            styles.setdefault(
                (match.group(1), match.group(2), len(digits) if digits.startswith("0") else 0), []
            ).append(written)
        ranked = sorted(styles.values(), key=len, reverse=True)[:4]
        shown = ", ".join(f"{group[0]!r} ({len(group)} cells)" for group in ranked)
        n = len({int(ID_SHAPE.match(i).group(3)) for i in ids})
        self.confirm.insert(
            0,
            f"participant_ids: {n} participants, written as {shown}; canonical form "
            f"{pattern['canonical']!r}",
        )
        described = ", ".join(
            f"{v['id']}" + (f" (day {v['day']})" if "day" in v else "") for v in config["visits"]
        )
        self.confirm.insert(
            1,
            f"visits, in order (the first is baseline, the last the final visit): {described}",
        )
        for table in self.tables:
            if roles.get(id(table)) == STOPPED:
                self.confirm.append(
                    f"tables/{STOPPED}: {table.where} drafted as who stopped and why"
                )
            elif roles.get(id(table)) == ROSTER:
                self.confirm.append(
                    f"tables/{ROSTER}: {table.where} drafted as the roster (who was enrolled)"
                )
        if STOPPED not in config["tables"]:
            self.confirm.append(
                f"tables/{STOPPED}: none found, so no one is recorded as having stopped; add the "
                "table of who stopped if there is one"
            )
        if len(config["missing_tokens"]) > 1:
            shown = ", ".join(
                f"{t!r} ({self.token_counts[t]})" for t in config["missing_tokens"][1:]
            )
            self.confirm.append(
                f"missing_tokens: texts found in value cells, drafted as missing values: {shown}"
            )
        units = [
            key
            for inst in config["instruments"].values()
            for key, spec in inst["outcomes"].items()
            if spec["unit"] == "points"
        ]
        if units:
            listed = ", ".join(units[:6]) + (
                f" and {len(units) - 6} more" if len(units) > 6 else ""
            )
            self.confirm.append(f"unit 'points' where the header states no unit: {listed}")
        if config["synthetic"]:
            self.confirm.append("synthetic: true, because the files say 'synthetic data'")
        self.confirm.append(
            "study: the report title, citation and the words about the intervention"
        )


def extract_read(key: str, spec: dict[str, Any], ids, sources: list[Source]):
    """`extract.extract_table` of a drafted table, on the grids already read where the table is
    wide.

    Reading a large workbook or PDF again would double the time ``init`` takes; this is
    ``extract_table``'s loop over the grids of the file, sheet or pages the spec names, with its
    functions. A long table is extracted by ``extract_table`` itself (from the file).

    Parameters
    ----------
    key : str
        Table key under ``tables``.
    spec : dict
        The drafted table spec.
    ids : IdNormaliser
    sources : list of Source
        Every table ``init`` read.

    Returns
    -------
    pandas.DataFrame
        The extracted cells, as ``extract_table`` returns them (an empty table allowed).

    Raises
    ------
    SupplementError
        What extraction would report.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from rapamycin_mecfs.cells import IdNormaliser
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "roster.csv"
    >>> _ = path.write_text("ID,Age\\nP-1,34\\nP-2,51\\n", encoding="utf-8")
    >>> spec = {"file": str(path), "header_rows": 1, "id_header": "ID", "fields": {"Age": "age"}}
    >>> cells = extract_read(
    ...     "participants", spec, IdNormaliser(r"^P-(\\d+)$", "P{number}"), read_sources(path)[0]
    ... )
    >>> cells[["raw_participant_id", "outcome", "raw_value", "source_locator"]].values.tolist()
    [['P-1', 'age', '34', 'row 2/col 2'], ['P-2', 'age', '51', 'row 3/col 2']]
    """
    import pandas as pd

    from .extract import (
        COLUMNS,
        ColumnMap,
        extract_table,
        find_header_row,
        grid_rows_to_records,
        map_columns,
    )

    if spec.get("layout", "wide") == "long":
        return extract_table(key, spec, ids, allow_empty=True)
    pages = spec.get("pages", "all")
    grids = [
        source.grid
        for source in sources
        if _config_path(source.path) == spec["file"]
        and source.sheet == spec.get("sheet")
        and (source.page is None or pages == "all" or source.page in pages)
    ]
    where = (
        f"{spec['file']}"
        + (f" sheet {spec['sheet']!r}" if "sheet" in spec else "")
        + f" (tables/{key})"
    )
    records: list[dict[str, str]] = []
    columns = None
    for grid in grids:
        found = find_header_row(grid, spec["id_header"], spec.get("search_rows", 20))
        if found is not None:
            columns = map_columns(grid, found[0], found[1], spec, where)
        elif columns is None or not grid:
            continue
        else:
            columns = ColumnMap(columns.id_column, -1, columns.targets, columns.ignored)
        records += grid_rows_to_records(grid, columns, ids, spec, key, spec["file"], where)
    if columns is None:
        raise SupplementError(f"{where}: header not found: no cell reads {spec['id_header']!r}")
    return pd.DataFrame.from_records(records, columns=COLUMNS)


@dataclass
class _Observed:
    """What one outcome's value cells hold."""

    numbers: list[float]
    n_text_numbers: int
    n_empty: int
    n_visits: int
    tokens: Counter  # texts drafted as missing values
    odd: Counter  # texts with digits that are not numbers: likely typos
    limits: Counter  # "<x" limits

    @classmethod
    def of(cls, raw_values: list[str], raw_types: list[str], n_visits: int) -> _Observed:
        numbers, text_numbers, empty = [], 0, 0
        tokens, odd, limits = Counter(), Counter(), Counter()
        for raw, kind in zip(raw_values, raw_types):
            text = normalise_text(raw)
            if kind == "number":
                numbers.append(float(text))
            elif kind == "empty" or text == "":
                empty += 1
            elif BELOW_LIMIT.match(text):
                limits[float(BELOW_LIMIT.match(text).group(1))] += 1
            elif NUMBER.match(text):
                numbers.append(float(text))
                text_numbers += 1
            elif re.search(r"\d", text):
                odd[text] += 1
            else:
                tokens[text] += 1
        return cls(numbers, text_numbers, empty, n_visits, tokens, odd, limits)

    def describe(self, header: str, definition: dict[str, Any]) -> list[str]:
        lines = [f"Header {header!r}."]
        if not self.numbers:
            lines.append(f"No numbers in its {self.n_empty + sum(self.tokens.values())} cells.")
            return lines
        low, high = min(self.numbers), max(self.numbers)
        grid = _grid(self.numbers)
        distinct = sorted(set(self.numbers))
        seen = (
            f"Observed: {len(self.numbers)} values at {self.n_visits} visit(s), "
            f"{_number_text(low)} to {_number_text(high)}"
        )
        seen += f", on a grid of {_number_text(grid)}" if grid else ""
        if len(distinct) <= MAX_LISTED_VALUES:
            seen += f" (values {', '.join(map(_number_text, distinct))})"
        extra = []
        if self.n_empty:
            extra.append(f"{self.n_empty} empty")
        if self.tokens:
            extra.append(
                ", ".join(f"{count} {token!r}" for token, count in self.tokens.most_common())
            )
        if self.limits:
            extra.append(
                ", ".join(
                    f"{count} below '<{_number_text(limit)}'"
                    for limit, count in sorted(self.limits.items())
                )
            )
        if self.n_text_numbers:
            extra.append(f"{self.n_text_numbers} numbers stored as text")
        lines.append(seen + ("; " + "; ".join(extra) if extra else "") + ".")
        if "lloq" in definition:
            lines.append(f"lloq drafted from the '<{_number_text(definition['lloq'])}' cells.")
        return lines


def _grid(numbers: list[float]) -> float | None:
    """The coarsest step every value is a multiple of (over at most 6 decimals), None for zero
    only."""
    decimals = 0
    for value in numbers:
        while decimals < 6 and abs(value * 10**decimals - round(value * 10**decimals)) > 1e-6:
            decimals += 1
    scaled = [abs(round(value * 10**decimals)) for value in numbers]
    step = 0
    for value in scaled:
        step = math.gcd(step, value)
    return step / 10**decimals if step else None


def _plain_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _unit(label: str) -> str:
    """The unit a header states in a trailing parenthesis ('Dose (mg/day)' -> 'mg/day'), else
    'points'."""
    found = TRAILING_PARENTHESIS.search(label)
    if found:
        text = found.group(1).strip()
        if 0 < len(text) <= 15 and UNIT_TEXT.match(text):
            return text
    return "points"


def _config_path(path: Path) -> str:
    """The file as the config names it: relative to the working directory when inside it."""
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return path.as_posix()
    return path.as_posix()


def _results_dir_for(output: str) -> str:
    words = [
        w
        for w in snake_key(Path(output).name.rsplit(".", 1)[0], "study").split("_")
        if w not in ("config", "draft")
    ]
    return "results_" + ("_".join(words) or "draft")


# ----------------------------------------------------------------------- writing YAML with comments


def _scalar(value: Any, flow: bool = False) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if flow:
        return _yaml_text(text, f"[{text}]", [text])
    return _yaml_text(text, f"k: {text}", {"k": text})


def _key(key: str) -> str:
    return _yaml_text(key, f"{key}: 0", {key: 0})


def _yaml_text(text: str, probe: str, expected: Any) -> str:
    """`text` as written when YAML reads `probe` back as `expected`, else quoted (JSON for control
    characters)."""
    try:
        plain = text == text.strip() and text != "" and yaml.safe_load(probe) == expected
    except yaml.YAMLError:
        plain = False
    if plain:
        return text
    if re.search(r"[\x00-\x1f\x7f]", text):
        return json.dumps(text, ensure_ascii=False)
    return "'" + text.replace("'", "''") + "'"


def _flow_list(values: list[Any]) -> str:
    return "[" + ", ".join(_scalar(v, flow=True) for v in values) + "]"


class _Text:
    def __init__(self):
        self.lines: list[str] = []

    def comment(self, indent: int, text: str) -> None:
        prefix = " " * indent + "# "
        for line in textwrap.wrap(
            normalise_text(text), width=max(40, 110 - len(prefix)), break_on_hyphens=False
        ) or [""]:
            self.lines.append(prefix + line)

    def raw_comment(self, indent: int, text: str) -> None:
        self.lines.append(" " * indent + "# " + text)

    def pair(self, indent: int, key: str, value: Any = ..., flow: bool = False) -> None:
        if value is ...:
            self.lines.append(" " * indent + f"{_key(key)}:")
        elif isinstance(value, list):
            self.lines.append(" " * indent + f"{_key(key)}: {_flow_list(value)}")
        elif isinstance(value, dict) and not value:
            self.lines.append(" " * indent + f"{_key(key)}: {{}}")
        else:
            self.lines.append(" " * indent + f"{_key(key)}: {_scalar(value)}")

    def blank(self) -> None:
        self.lines.append("")


def render(draft: Draft) -> str:
    """The draft as commented YAML: the checklist and the guesses to confirm at the top.

    The text is read back with ``yaml.safe_load`` and must give ``draft.config`` exactly.

    Parameters
    ----------
    draft : Draft

    Returns
    -------
    str

    Examples
    --------
    >>> config = {"results_dir": "results_x", "visits": [{"id": "pre"}, {"id": "post", "day": 7}]}
    >>> rule = [("analysis/responders/criteria", ("criteria",), "the rule")]
    >>> text = render(Draft(config, rule, [], {}, ["x.csv"], "x.yaml"))
    >>> yaml.safe_load(text) == config, "[ ] analysis/responders/criteria: the rule" in text
    (True, True)
    """
    config = draft.config
    out = _Text()
    out.raw_comment(
        0,
        "DRAFT configuration written by `python -m rapamycin_mecfs init` from "
        f"{', '.join(draft.files)}.",
    )
    out.raw_comment(
        0, "File paths are relative to the directory init ran in: run the pipeline from there,"
    )
    out.raw_comment(0, f"    snakemake --cores 4 --configfile {draft.output}")
    out.raw_comment(
        0, f"Every key is described in {SCHEMA_HINT}; config.yaml is a complete, commented example."
    )
    out.raw_comment(0, "")
    out.raw_comment(
        0,
        f"CHECKLIST: {len(draft.checklist)} item(s) the files cannot tell. The pipeline refuses "
        "this file until each is",
    )
    out.raw_comment(
        0,
        "filled in: each is one validation problem now (snakemake -n lists them). Observed "
        "values are in",
    )
    out.raw_comment(0, "the comments beside each outcome.")
    for path, properties, hint in draft.checklist:
        what = hint or ", ".join(properties)
        out.raw_comment(0, f"  [ ] {path}: {what}")
    if draft.confirm or draft.notes:
        out.raw_comment(0, "")
        out.raw_comment(
            0,
            "CONFIRM: drafted from the files; the pipeline uses them as they are unless you "
            "change them.",
        )
        for note in draft.confirm + draft.notes:
            wrapped = textwrap.wrap(normalise_text(note), width=104, break_on_hyphens=False)
            out.raw_comment(0, "  - " + wrapped[0])
            for line in wrapped[1:]:
                out.raw_comment(0, "    " + line)
    out.blank()
    _render_body(out, config, draft.comments)
    text = "\n".join(out.lines) + "\n"
    if yaml.safe_load(text) != config:
        raise AssertionError(
            "the drafted YAML does not read back as the drafted config"
        )  # a bug here, not bad input
    return text


def _render_body(out: _Text, config: dict[str, Any], comments: dict[str, list[str]]) -> None:
    def note(indent: int, path: str) -> None:
        for line in comments.get(path, []):
            out.comment(indent, line)

    sections = {
        "synthetic": "True while the input is a generated synthetic supplement; every output then "
        "says so.",
        "study": "Words about the study for headings, captions and the participant flow (left out: "
        "generic wording).",
        "results_dir": "Where the pipeline writes this study's outputs; its own, so another "
        "study's results stay as they are.",
        "corrections": "Corrections ledger (CSV), one row per value changed after extraction; "
        "null = none.",
        "claims": "The paper's published numbers and how to recompute each (YAML); null = no "
        "claims audit.",
        "visits": "Visits in order (first = baseline, second = first follow-up, last = final), "
        "from the visit headers; `day` is the study day where the header states one.",
        "participant_ids": "How participant IDs are written (case-insensitive regular "
        "expression, one capture group for the number) and their canonical form.",
        "missing_tokens": "Cell texts that mean 'no value' (found in the value cells); any "
        "other text that is not a number stops cleaning.",
        "below_lloq": "Values below an assay's limit ('<0.05'): lloq_half, lloq or missing.",
        "tables": "Source tables: header text -> key. Headers must match the file's text (case and "
        "spaces aside).",
        "instruments": "Outcomes grouped by source table, with each outcome's scale.",
        "analysis": "The analysis plan; everything not written here takes the schema's defaults.",
    }
    for key, value in config.items():
        out.comment(0, sections.get(key, ""))
        if key == "study":
            out.pair(0, key)
            out.comment(2, "Report title.")
            out.pair(2, "title", value["title"])
            out.comment(
                2, "The publication re-analysed (authors, journal, year, doi); empty = none."
            )
            out.pair(2, "citation", value["citation"])
            out.comment(
                2,
                "What participants received, as a noun phrase; the design and what it cannot "
                "show; the first box of the participant flow. Uncomment and write them:",
            )
            out.raw_comment(2, "intervention: <what participants received>")
            out.raw_comment(2, "design: <single arm, no control group: ...>")
            out.raw_comment(2, "arm_label: <Started treatment>")
        elif key == "visits":
            out.pair(0, key)
            for visit in value:
                first = True
                for name, item in visit.items():
                    out.lines.append(
                        ("  - " if first else "    ") + f"{_key(name)}: {_scalar(item)}"
                    )
                    first = False
        elif key == "participant_ids":
            out.pair(0, key)
            out.pair(2, "pattern", value["pattern"])
            out.pair(2, "canonical", value["canonical"])
        elif key == "below_lloq":
            out.pair(0, key)
            out.pair(2, "substitute", value["substitute"])
        elif key == "tables":
            out.pair(0, key)
            for name, spec in value.items():
                note(2, f"tables/{name}")
                out.pair(2, name)
                for item, setting in spec.items():
                    if isinstance(setting, dict):
                        out.pair(4, item)
                        for header, target in setting.items():
                            out.pair(6, header, target)
                    else:
                        out.pair(4, item, setting)
        elif key == "instruments":
            out.pair(0, key)
            for name, instrument in value.items():
                out.pair(2, name)
                out.comment(4, "Source table key under tables.")
                out.pair(4, "table", instrument["table"])
                out.comment(4, "Human-readable name (drafted: the sheet or file name).")
                out.pair(4, "label", instrument["label"])
                out.pair(4, "outcomes")
                for outcome, definition in instrument["outcomes"].items():
                    out.pair(6, outcome)
                    note(8, f"instruments/{name}/outcomes/{outcome}")
                    out.comment(8, "Name in tables and figures (drafted: the header).")
                    out.pair(8, "label", definition["label"])
                    out.comment(
                        8, "Unit of the value (drafted: the header's parenthesis, else points)."
                    )
                    out.pair(8, "unit", definition["unit"])
                    if "lloq" in definition:
                        out.comment(8, "Lower limit of quantification.")
                        out.pair(8, "lloq", definition["lloq"])
                    out.raw_comment(
                        8,
                        "TODO direction: higher_is_better, lower_is_better or none (not an "
                        "outcome: a dose, a marker)",
                    )
                    out.raw_comment(
                        8,
                        "TODO min: smallest possible value of the scale (not the smallest "
                        "observed)",
                    )
                    out.raw_comment(8, "TODO max: largest possible value of the scale")
                    out.raw_comment(8, "TODO step: values must be multiples of it (0 = continuous)")
            _suggestions(out, config)
        elif key == "analysis":
            out.pair(0, key)
            out.comment(2, "The responder rule. TODO: write at least one criterion, for example")
            out.raw_comment(
                2,
                "  - {outcome: <outcome key>, min_improvement: 1, unit: points}   # unit: "
                "points or percent",
            )
            out.comment(
                2,
                "or delete `responders:` and its lines: no responder tables, no marker ROC, no "
                "simulator.",
            )
            out.pair(2, "responders")
            out.comment(
                4, "Visit at which response is judged against baseline (left out: the final visit)."
            )
            out.raw_comment(4, "visit: <visit id>")
            out.comment(4, "How criteria combine: all, any or at_least (with k).")
            out.pair(4, "combine", value["responders"]["combine"])
            out.comment(4, "Why this rule; printed with every responder result.")
            out.raw_comment(4, "assumption: <why this threshold>")
            out.pair(4, "criteria", value["responders"]["criteria"])
        else:
            out.pair(0, key, value)
        out.blank()


def _suggestions(out: _Text, config: dict[str, Any]) -> None:
    """Optional parts the tables suggest, as comments: the dose and the markers."""
    outcomes = {
        key: spec
        for inst in config["instruments"].values()
        for key, spec in inst["outcomes"].items()
    }
    dose = [
        key
        for key, spec in outcomes.items()
        if re.search(r"\bdose\b", spec["label"], re.IGNORECASE)
    ]
    markers = [
        key
        for inst in config["instruments"].values()
        if any("lloq" in spec for spec in inst["outcomes"].values())
        for key in inst["outcomes"]
    ]
    if dose:
        out.blank()
        out.comment(
            0,
            f"A dose by visit ({dose[0]}; give it direction none) enables the dose-response "
            "analysis:",
        )
        out.raw_comment(
            0,
            f"dose_response: {{dose_outcome: {dose[0]}, bands: [<upper bound of each dose band>]}}",
        )
    if markers:
        out.blank()
        out.comment(
            0, "Tables with below-limit cells look like assay markers (give them direction none):"
        )
        out.raw_comment(0, f"biomarker_analysis: {{markers: {_flow_list(markers)}}}")


# --------------------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help="the supplement's .xlsx, .csv and .pdf files"
    )
    parser.add_argument(
        "-o",
        "--output",
        default=DEFAULT_OUTPUT,
        metavar="PATH",
        help=f"draft to write (default {DEFAULT_OUTPUT})",
    )
    parser.add_argument(
        "--results-dir",
        default=None,
        metavar="DIR",
        help="the study's results directory (default results_<output name>)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite the output if it exists")


def run(args: argparse.Namespace) -> int:
    from .atomic import atomic_path

    output = Path(args.output)
    if output.exists() and not args.force:
        print(
            f"error: {output}: exists; expected a new file (pass --force to overwrite it)",
            file=sys.stderr,
        )
        return 1
    try:
        draft = draft_config(args.files, output=output.as_posix(), results_dir=args.results_dir)
        text = draft.text
    except SupplementError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    with atomic_path(output) as tmp:
        tmp.write_text(text, encoding="utf-8")
    config = draft.config
    n_outcomes = sum(len(inst["outcomes"]) for inst in config["instruments"].values())
    print(
        f"wrote {output}: {len(config['tables'])} tables ({', '.join(config['tables'])}), "
        f"{n_outcomes} outcomes, {len(config['visits'])} visits "
        f"({', '.join(v['id'] for v in config['visits'])})"
    )
    items = sum(
        len(properties) if path != RESPONDER_PATH else 1 for path, properties, _ in draft.checklist
    )
    print(
        f"checklist: fill in {items} values ({len(draft.checklist)} items, listed at the top of "
        f"{output}); confirm {len(draft.confirm)} drafted guesses"
    )
    for note in draft.notes:
        print(f"note: {note}")
    print(f"then: snakemake --cores 4 --configfile {output}")
    return 0
