"""Checking the drafted tables against their cells: `extract_read` extracts a drafted table on the
grids already read, and `Observed` is what one outcome's value cells hold (numbers, their range
and grid, missing-value texts, below-limit cells), written as comments beside the outcome.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..cells import BELOW_LIMIT, normalise_text
from ..errors import SupplementError
from .files import Source, config_path
from .headers import NUMBER

MAX_LISTED_VALUES = 12  # an outcome with at most this many distinct values has them listed


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
    >>> from rapamycin_mecfs.draft.files import read_sources
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

    from ..extract import (
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
        if config_path(source.path) == spec["file"]
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
class Observed:
    """What one outcome's value cells hold."""

    numbers: list[float]
    n_text_numbers: int
    n_empty: int
    n_visits: int
    tokens: Counter  # texts drafted as missing values
    odd: Counter  # texts with digits that are not numbers: likely typos
    limits: Counter  # "<x" limits

    @classmethod
    def of(cls, raw_values: list[str], raw_types: list[str], n_visits: int) -> Observed:
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


def _number_text(value: float) -> str:
    return f"{value:.10g}"
