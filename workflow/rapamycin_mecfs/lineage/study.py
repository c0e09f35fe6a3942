"""What a lineage is made of, and the run it is read from.

``Lineage`` is the answer for one row; ``Part`` a piece of it while it is built; ``Study``
reads the run's cleaned tables and results tables once and turns (participant, outcome, visit,
role) keys into supplement cells. The helpers format and order locators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import SupplementError
from ..plan import StudyPlan

# Columns of Lineage.cells, one row per supplement cell a table row depends on.
CELL_COLUMNS = [
    "participant_id",
    "outcome",
    "visit",
    "role",
    "value",
    "raw_value",
    "source_file",
    "source_locator",
    "correction_id",
    "correction",
    "flag",
]

# Columns that say what a row is about (the rest are its numbers and method texts), in the order
# they are shown; a row is selected on the command line by any of them.
IDENTITY_COLUMNS = (
    "scenario",
    "claim_id",
    "mean_id",
    "marker",
    "outcome",
    "participant_id",
    "parameter",
    "measure",
    "correlation",
    "change",
    "dose_measure",
    "dose_band",
    "visit",
    "baseline_visit",
    "reference_visit",
    "visits",
    "response_visit",
    "analysis_set",
    "group_1",
    "group_2",
    "test",
    "delta",
    "bin_low",
    "bin_high",
)


@dataclass
class Lineage:
    """What one row of a results table was computed from.

    Attributes
    ----------
    table : str
        The results table, as given.
    row : int
        The row's number among the table's data rows (1 = the first row under the header).
    identity : dict
        The row's identity columns (``IDENTITY_COLUMNS``) and their values.
    cells : pandas.DataFrame
        One row per supplement cell (``CELL_COLUMNS``): participant, outcome, visit, its role in
        the row, the cleaned value, the raw cell text, source file and cell, and the correction
        applied, if any. A missing value that the analysis filled in (or counted) is listed too,
        with an empty value and a role that says so.
    participants : list of str
        Every participant the row depends on.
    config : list of dict
        Config keys the row depends on: key, value, and what it sets.
    notes : list of str
        How the participants and values were chosen, one sentence each.
    """

    table: str
    row: int
    identity: dict[str, str]
    cells: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CELL_COLUMNS))
    participants: list[str] = field(default_factory=list)
    config: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def has_inputs(self) -> bool:
        """Whether the lineage names a supplement cell or a config key."""
        return bool(len(self.cells)) or bool(self.config)

    def to_dict(self) -> dict[str, Any]:
        """The lineage as plain lists and dicts (for JSON)."""
        return {
            "table": self.table,
            "row": self.row,
            "identity": dict(self.identity),
            "participants": list(self.participants),
            "cells": self.cells.to_dict(orient="records"),
            "config": [dict(entry) for entry in self.config],
            "notes": list(self.notes),
        }


@dataclass
class Part:
    """A piece of a lineage: cell keys (participant, outcome, visit, role), participants, notes."""

    keys: list[tuple[str, str, str, str]] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    config: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Cells outside the cleaned outcome tables (roster rows, discontinuation rows): CELL_COLUMNS.
    extra: list[dict[str, str]] = field(default_factory=list)

    def add(self, other: Part) -> Part:
        self.keys += other.keys
        self.participants += other.participants
        self.config += other.config
        self.notes += other.notes
        self.extra += other.extra
        return self


def complete_rows(present: pd.DataFrame) -> pd.Index:
    """Index of the rows where every column is True."""
    return present.index[present.all(axis=1)]


def split_source(text: str, default_file: str = "") -> tuple[str, str]:
    """``"file [locator]"`` -> (file, locator); a bare locator gets ``default_file``.

    >>> split_source("doc.pdf [page 1/table 1/row 2/col 1]")
    ('doc.pdf', 'page 1/table 1/row 2/col 1')
    >>> split_source("'S1'!A4", "book.xlsx")
    ('book.xlsx', "'S1'!A4")
    """
    match = re.fullmatch(r"(.+?) \[(.+)\]", text.strip())
    return (match.group(1), match.group(2)) if match else (default_file, text.strip())


_CELL = re.compile(r"^(?P<head>.+![A-Z]+)(?P<row>\d+)$")  # 'Sheet'!B12
_ROW = re.compile(r"^(?P<head>.*\brow )(?P<row>\d+)(?P<tail>\D.*)?$")  # page 1/table 1/row 4/col 2


def compress_locators(locators: list[str]) -> list[str]:
    """Cells of one column in consecutive rows as one range; other locators as they are.

    A spreadsheet run becomes ``'S'!B5:B9``; a run of PDF table rows
    ``page 1/table 1/rows 2-9/col 3``.
    """
    runs: list[list[Any]] = []
    for locator in locators:
        sheet, pdf = _CELL.match(locator), _ROW.match(locator)
        match = sheet or pdf
        if match is None:
            runs.append([locator, None, None, ""])
            continue
        head, row = match.group("head"), int(match.group("row"))
        tail = "" if sheet else (match.group("tail") or "")
        last = runs[-1] if runs else None
        if last and last[0] == head and last[3] == tail and last[2] == row - 1:
            last[2] = row
        else:
            runs.append([head, row, row, tail])
    shown = []
    for head, first, last, tail in runs:
        if first is None:
            shown.append(head)
        elif first == last:
            shown.append(f"{head}{first}{tail}")
        elif _CELL.match(f"{head}{first}"):
            column = _CELL.match(f"{head}{first}").group("head").rsplit("!", 1)[1]
            shown.append(f"{head}{first}:{column}{last}")
        else:
            shown.append(f"{head[:-4]}rows {first}-{last}{tail}")
    return shown


def natural_key(text: str) -> tuple:
    """Sort key that orders the numbers inside a text by value.

    >>> sorted(["row 10", "row 9"], key=natural_key)
    ['row 9', 'row 10']
    """
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def unique(items) -> list:
    return list(dict.fromkeys(items))


class Study:
    """The cleaned tables and the plan one run's results were computed from (read once, cached).

    Parameters
    ----------
    results : pathlib.Path
        The run's results directory (holding ``clean/`` and ``tables/``).
    config : dict
        The validated config of the run.
    root : pathlib.Path, optional
        The directory the config's file paths are relative to (default: the working directory).
    """

    def __init__(self, results: Path, config: dict[str, Any], root: Path | None = None):
        self.results = Path(results)
        self.config = config
        self.root = Path(root) if root is not None else Path.cwd()
        self.plan = StudyPlan(config)
        self._clean: dict[str, pd.DataFrame] = {}
        self._tables: dict[str, pd.DataFrame] = {}
        self._wide: dict[str, pd.DataFrame] = {}
        self._position: dict[str, dict[tuple[str, str], int]] = {}

    # --- inputs -------------------------------------------------------------------------------

    def read(self, path: Path, expected: str) -> pd.DataFrame:
        from ..atomic import read_csv

        if not path.is_file():
            raise SupplementError(f"{path}: not found; expected {expected}")
        return read_csv(path)

    def clean(self, outcome: str) -> pd.DataFrame:
        """The cleaned table of one outcome (one row per participant x visit)."""
        if outcome not in self._clean:
            path = self.results / "clean" / "outcomes" / f"{outcome}.csv"
            frame = self.read(path, f"the cleaned table of outcome '{outcome}'")
            self._clean[outcome] = frame
        return self._clean[outcome]

    def _positions(self, outcome: str) -> dict[tuple[str, str], int]:
        """(participant_id, visit) -> row position in the outcome's cleaned table."""
        if outcome not in self._position:
            clean = self.clean(outcome)
            pairs = zip(clean["participant_id"], clean["visit"])
            self._position[outcome] = {key: i for i, key in enumerate(pairs)}
        return self._position[outcome]

    def table(self, name: str) -> pd.DataFrame:
        """A results table by name (``tables/<name>.csv``), as text."""
        if name not in self._tables:
            path = self.results / "tables" / f"{name}.csv"
            self._tables[name] = self.read(path, f"the results table {name}.csv of this run")
        return self._tables[name]

    @cached_property
    def people(self):
        from ..analysis.data import Participants

        path = self.results / "clean" / "participants.csv"
        return Participants.from_csv_frame(self.read(path, "the participant table of this run"))

    @cached_property
    def corrections(self) -> dict[str, str]:
        """correction id -> "old -> new (reason)", from the corrections audit."""
        path = self.results / "clean" / "corrections_audit.csv"
        if not path.is_file():
            return {}
        audit = self.read(path, "the corrections audit")
        return {
            row.correction_id: f"{row.old_value} -> {row.new_value} ({row.reason})"
            for row in audit.itertuples()
        }

    def wide(self, outcome: str) -> pd.DataFrame:
        """participant x visit values of one outcome (NaN where missing), visits in plan order."""
        from ..analysis.data import outcome_wide

        if outcome not in self._wide:
            self._wide[outcome] = outcome_wide(self.clean(outcome), self.plan.visits)
        return self._wide[outcome]

    def present(self, outcomes: list[str], visits: list[str]) -> pd.DataFrame:
        """participant x (outcome, visit): whether the cleaned table holds a value."""
        frames = {o: self.wide(o).reindex(columns=visits).notna() for o in outcomes}
        frame = pd.concat(frames, axis=1)
        return frame.fillna(False).astype(bool)

    def members(self, name: str) -> pd.Index:
        """Participants of a set of the participant table (``set_<name>``), or who stopped."""
        if name == "stopped":
            return self.people.stopped
        if f"set_{name}" not in self.people.table:
            raise SupplementError(
                f"{self.results / 'clean' / 'participants.csv'}: no column set_{name}; expected "
                "one set_<name> column per analysis set"
            )
        return self.people.members(name)

    # --- resolving cells ----------------------------------------------------------------------

    def cells(self, part: Part) -> pd.DataFrame:
        """The cleaned rows behind the (participant, outcome, visit, role) keys of a part."""
        keys = pd.DataFrame(
            unique(part.keys), columns=["participant_id", "outcome", "visit", "role"]
        )
        frames = []
        for outcome, wanted in keys.groupby("outcome", sort=False):
            clean, where = self.clean(outcome), self._positions(outcome)
            at = [where.get(k, -1) for k in zip(wanted["participant_id"], wanted["visit"])]
            if min(at) < 0:
                first = wanted.iloc[at.index(-1)]
                raise SupplementError(
                    f"{self.results / 'clean' / 'outcomes' / (outcome + '.csv')}: no row for "
                    f"participant {first['participant_id']} at visit {first['visit']}; expected "
                    "every participant x visit of the plan (the cleaned table is a complete grid)"
                )
            rows = clean.iloc[at].reset_index(drop=True)
            rows["role"] = wanted["role"].to_numpy()
            frames.append(rows)
        if part.extra:
            frames.append(pd.DataFrame(part.extra))
        if not frames:
            return pd.DataFrame(columns=CELL_COLUMNS)
        cells = pd.concat(frames, ignore_index=True).reindex(columns=CELL_COLUMNS, fill_value="")
        cells = cells.astype(object).fillna("")
        cells["correction"] = cells["correction_id"].map(lambda c: self.corrections.get(c, ""))
        return cells.drop_duplicates(CELL_COLUMNS[:4], ignore_index=True)


def row_text(row: pd.Series, column: str) -> str:
    """A cell of a results-table row as stripped text ('' when missing or absent)."""
    value = row.get(column, "")
    return "" if pd.isna(value) else str(value).strip()


def table_file(study: Study, name: str) -> str:
    """The file a configured source table is read from ('' when the config names none)."""
    return str((study.config.get("tables", {}).get(name) or {}).get("file", ""))
