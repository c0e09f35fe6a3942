"""One table at a time: the participant ID column, the header rows and what the columns hold
(outcomes by visit, one value per participant, or a long table) as a `TableGuess`, and every table
of the supplement with PDF tables joined over pages.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..cells import normalise_text
from ..sources import Cell, Grid
from .files import Source
from .headers import (
    DAY,
    ID_SHAPE,
    ID_WORD,
    MEASURE_HEADER,
    NUMBER,
    SYNTHETIC_TEXT,
    VALUE_HEADER,
    VISIT_HEADER,
    visit_id,
)


def _text(cell: Cell) -> str:
    """Header text as extraction reads it: a merged range's covered cells carry the anchor's
    text."""
    return normalise_text(cell.value if cell.value is not None else cell.merged_value)


def _raw(cell: Cell) -> str:
    return normalise_text(cell.value)


def _cell(row: list[Cell], column: int) -> Cell:
    return row[column] if column < len(row) else Cell(None, "")


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


BY_VISIT_NOTE = (
    "{where}: one row of visit headers with numbers below them, but no outcome label above the "
    "visit headers; left out (write the outcome's name in a row above them, then run init again)"
)


def by_visit(table: TableGuess, known_visits: set[str]) -> bool:
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


def tables_of(sources: list[Source]) -> tuple[list[TableGuess], list[str]]:
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
