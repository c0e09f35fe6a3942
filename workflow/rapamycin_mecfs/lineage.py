"""Lineage of a results-table row: the participants, supplement cells and config keys behind it.

Every table under ``results/tables/`` is traced from the identity columns of its rows, never from
its file name, by the same definitions the analyses use:

* the **outcomes** a row is about: its ``outcome`` and ``marker`` columns; the responder rule's
  criteria for rows about responders (no outcome of their own, or a marker compared between
  responders and non-responders); the dose outcome for rows with a ``change`` column;
* the **visits**: ``visit`` with ``baseline_visit`` or ``reference_visit``, or ``visits``;
  every visit when the row names none (or ``all``);
* the **participants**: the row's ``analysis_set`` (``SET_RULES``: which participants, which
  of their values, which missing values were filled in), or its groups (``group_1``,
  ``group_2``), or its ``participant_id``.

Rows of other kinds are recognised by one identity column each: ``scenario`` (the null-trial
simulator: the config keys of the scenario, the supplement values its model was calibrated on,
and the observed row it is compared with), ``claim_id`` (a published claim recomputed from a
participant-table column, a responder row, a paired test or a column of a source table: the
claims file and those cells), ``mean_id`` (a published mean: the claims file only).

The values come from the cleaned per-outcome tables (``results/clean/outcomes/<outcome>.csv``),
which carry each value's source file, cell, raw text and correction id; set membership comes
from ``results/clean/participants.csv``. A row no supplement cell enters (a simulation setting)
names the config key it comes from instead.

Example
-------
>>> import pandas as pd
>>> wide = pd.DataFrame({"a": [1.0, None, 3.0], "b": [2.0, 5.0, None]}, index=["p1", "p2", "p3"])
>>> list(complete_rows(wide.notna()))
['p1']
>>> compress_locators(["'S1'!B5", "'S1'!B6", "'S1'!B7", "'S1'!B9", "p 1/row 2", "p 1/row 3"])
["'S1'!B5:B7", "'S1'!B9", 'p 1/rows 2-3']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import SupplementError
from .plan import DISCONTINUATIONS_TABLE, PARTICIPANTS_TABLE, StudyPlan

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

# Analysis sets the responder rule defines (analysis/responders.py, biomarkers/responders.py).
RESPONDER_SETS = ("reached_first_follow_up_locf", "enrolled_worst_case", "responder_evaluable")


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
class _Part:
    """A piece of a lineage: cell keys (participant, outcome, visit, role), participants, notes."""

    keys: list[tuple[str, str, str, str]] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    config: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Cells outside the cleaned outcome tables (roster rows, discontinuation rows): CELL_COLUMNS.
    extra: list[dict[str, str]] = field(default_factory=list)

    def add(self, other: _Part) -> _Part:
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


def _unique(items) -> list:
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
        from .atomic import read_csv

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
        from .analysis.data import Participants

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
        from .analysis.data import outcome_wide

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

    def cells(self, part: _Part) -> pd.DataFrame:
        """The cleaned rows behind the (participant, outcome, visit, role) keys of a part."""
        keys = pd.DataFrame(
            _unique(part.keys), columns=["participant_id", "outcome", "visit", "role"]
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


# --- set rules ------------------------------------------------------------------------------


@dataclass
class RowContext:
    """What a row is about: its outcomes and visits as the plan names them."""

    study: Study
    row: pd.Series
    outcomes: list[str]
    visit: str | None
    explicit_visits: list[str] | None
    criteria: bool = False  # the outcomes are the responder rule's criteria

    @property
    def plan(self) -> StudyPlan:
        return self.study.plan

    @property
    def baseline(self) -> str:
        return self.plan.baseline

    def span(self) -> list[str]:
        """The visits the row compares: baseline and its visit, its visit list, or every visit."""
        if self.criteria and self.plan.responder_rule:
            return _unique([self.baseline, self.plan.responder_rule["visit"]])
        if self.explicit_visits:
            return list(self.explicit_visits)
        if self.visit:
            return _unique([self.baseline, self.visit])
        return list(self.plan.visits)


def _role(visit: str, ctx: RowContext, visits: list[str]) -> str:
    if len(visits) == 2 and visit == ctx.baseline:
        return "baseline"
    if len(visits) == 2:
        return "follow-up"
    return "value"


def _membership_note(study: Study, name: str | None) -> list[str]:
    if name is None:
        return []
    if name == "stopped":
        return [
            f"stopped: the {len(study.members(name))} participants listed in the "
            "discontinuations table (participants.csv column stopped)"
        ]
    definitions = {
        "enrolled": "everyone in the participants table",
        "completers": f"every completion outcome present at {study.plan.final}",
        "reached_first_follow_up": f"any attendance-outcome value at {study.plan.first_follow_up}",
    }
    reason = definitions.get(name, "as the participant table records it")
    return [
        f"{name}: the {len(study.members(name))} participants with set_{name} = True in "
        f"participants.csv ({reason})"
    ]


def complete(ctx: RowContext, members: str | None, visits: list[str], what: str = "") -> _Part:
    """Participants (of ``members``) with a value of every outcome at every visit."""
    present = ctx.study.present(ctx.outcomes, visits)
    chosen = complete_rows(present)
    if members is not None:
        chosen = chosen[chosen.isin(ctx.study.members(members))]
    keys = [(p, o, v, _role(v, ctx, visits)) for p in chosen for o in ctx.outcomes for v in visits]
    note = what or (
        f"{'everyone' if members is None else members} with a value of "
        f"{' and '.join(ctx.outcomes)} at {' and '.join(visits)}"
    )
    return _Part(keys, list(chosen), notes=[note, *_membership_note(ctx.study, members)])


def _true_cells(present: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(participant, outcome, visit) of each True entry of a participant x (outcome, visit) grid."""
    rows, columns = np.nonzero(present.to_numpy(dtype=bool))
    index, labels = present.index, present.columns
    return [(index[r], *labels[c]) for r, c in zip(rows, columns)]


def available(ctx: RowContext, members: str | None, visits: list[str], what: str = "") -> _Part:
    """Every value present (of ``members``) at the visits, whoever has it."""
    present = ctx.study.present(ctx.outcomes, visits)
    if members is not None:
        present = present[present.index.isin(ctx.study.members(members))]
    keys = [(p, o, v, "value") for p, o, v in _true_cells(present)]
    chosen = _unique(k[0] for k in keys)
    note = what or (
        f"every available value of {' and '.join(ctx.outcomes)} at {', '.join(visits)} "
        f"({'everyone' if members is None else members})"
    )
    return _Part(keys, chosen, notes=[note, *_membership_note(ctx.study, members)])


def carried(ctx: RowContext, members: str, later: list[str], missing_role: str, what: str) -> _Part:
    """Everyone (of ``members``) with a baseline; later values where present, else filled in.

    The last of ``later`` is the row's visit: a missing value there is listed with
    ``missing_role``; earlier visits are listed where present.
    """
    visits = _unique([ctx.baseline, *later])
    present = ctx.study.present(ctx.outcomes, visits)
    chosen = complete_rows(present[[(o, ctx.baseline) for o in ctx.outcomes]])
    chosen = chosen[chosen.isin(ctx.study.members(members))]
    present = present.loc[chosen]
    last = later[-1]
    roles = {v: "follow-up" if v == last else f"earlier visit {v}" for v in later}
    roles[ctx.baseline] = "baseline"
    keys = [(p, o, v, roles[v]) for p, o, v in _true_cells(present)]
    missing = ~present[[(o, last) for o in ctx.outcomes]]
    keys += [(p, o, v, missing_role) for p, o, v in _true_cells(missing)]
    return _Part(keys, list(chosen), notes=[what, *_membership_note(ctx.study, members)])


def locf(ctx: RowContext, members: str | None, upto: str, what: str) -> _Part:
    """Baseline and the last value up to ``upto`` (last observation carried forward)."""
    visits = ctx.plan.visits
    follow = visits[1 : visits.index(upto) + 1]
    present = ctx.study.present(ctx.outcomes, visits)
    if members is not None:
        present = present[present.index.isin(ctx.study.members(members))]
    ok = np.ones(len(present), dtype=bool)
    chosen_visit = {}
    for o in ctx.outcomes:
        later = present[[(o, v) for v in follow]].to_numpy(dtype=bool)
        # Position of the last follow-up visit with a value (-1: none).
        last = later.shape[1] - 1 - np.argmax(later[:, ::-1], axis=1)
        position = np.where(later.any(axis=1), last, -1)
        ok &= present[(o, ctx.baseline)].to_numpy(dtype=bool) & (position >= 0)
        chosen_visit[o] = position
    keys = []
    chosen = list(present.index[ok])
    for i in np.flatnonzero(ok):
        participant = present.index[i]
        for o in ctx.outcomes:
            seen = follow[chosen_visit[o][i]]
            role = "follow-up" if seen == upto else f"carried forward to {upto}"
            keys += [(participant, o, ctx.baseline, "baseline"), (participant, o, seen, role)]
    return _Part(keys, chosen, notes=[what, *_membership_note(ctx.study, members)])


def repeated(ctx: RowContext, members: str, visits: list[str], what: str) -> _Part:
    """Participants with every outcome at two or more of the visits; those visits' values."""
    present = ctx.study.present(ctx.outcomes, visits)
    present = present[present.index.isin(ctx.study.members(members))]
    both = pd.DataFrame({v: present[[(o, v) for o in ctx.outcomes]].all(axis=1) for v in visits})
    both = both[both.sum(axis=1) >= 2]
    usable = pd.concat({o: both for o in ctx.outcomes}, axis=1)
    keys = [(p, o, v, "value") for p, o, v in _true_cells(usable)]
    return _Part(keys, list(both.index), notes=[what, *_membership_note(ctx.study, members)])


def every_row(ctx: RowContext, visits: list[str], what: str) -> _Part:
    """Every participant x visit row of the outcomes' cleaned tables, values or not (counts)."""
    keys = []
    for o in ctx.outcomes:
        clean = ctx.study.clean(o)
        rows = clean[clean["visit"].isin(visits)]
        keys += [(p, o, v, "counted") for p, v in zip(rows["participant_id"], rows["visit"])]
    return _Part(keys, _unique(k[0] for k in keys), notes=[what])


def _pairs(members: str | None) -> Callable[[RowContext], _Part]:
    return lambda ctx: complete(ctx, members, ctx.span())


def _bocf(ctx: RowContext) -> _Part:
    visit = ctx.visit or ctx.plan.final
    return carried(
        ctx,
        "enrolled",
        [visit],
        "missing: baseline carried forward",
        f"everyone enrolled with a baseline value; a missing value at {visit} is replaced by "
        "the baseline (no change)",
    )


def _shifted(ctx: RowContext) -> _Part:
    visits = ctx.plan.visits
    visit = ctx.visit or ctx.plan.final
    imputed = ctx.row.get("analysis_set") != "enrolled_shifted" or any(
        str(c).startswith("mi_") for c in ctx.row.index
    )
    later = visits[1 : visits.index(visit) + 1] if imputed else [visit]
    text = (
        f"everyone enrolled with a baseline value; a missing value at {visit} is imputed and "
        "shifted towards worsening by delta"
    )
    if imputed:
        text += "; the earlier visits enter the multiple imputation's regression"
    return carried(ctx, "enrolled", later, "missing: imputed, shifted by delta", text)


def _mixed(ctx: RowContext) -> _Part:
    return available(
        ctx,
        "enrolled",
        list(ctx.plan.visits),
        "every available value of the enrolled at every visit: the model is fitted on all of "
        "them, the row's visit is one of its coefficients",
    )


def _at_visit(ctx: RowContext) -> _Part:
    return complete(ctx, "enrolled", [ctx.visit] if ctx.visit else ctx.span())


def _completers_at_visit(ctx: RowContext) -> _Part:
    return complete(ctx, "completers", [ctx.visit] if ctx.visit else ctx.span())


def _repeated(ctx: RowContext) -> _Part:
    return repeated(
        ctx,
        "enrolled",
        ctx.explicit_visits or list(ctx.plan.visits),
        f"everyone enrolled with {' and '.join(ctx.outcomes)} at two or more of the visits; "
        "the visits with both values",
    )


def _all_rows(ctx: RowContext) -> _Part:
    visits = [ctx.visit] if ctx.visit else list(ctx.plan.visits)
    return every_row(
        ctx, visits, f"every participant x visit row at {', '.join(visits)}, value or not (counts)"
    )


def _locf_responders(ctx: RowContext) -> _Part:
    rule = ctx.plan.responder_rule
    return locf(
        ctx,
        "reached_first_follow_up",
        rule["visit"],
        f"everyone who reached {ctx.plan.first_follow_up} with a baseline and a later value of "
        f"every criterion; the last value up to {rule['visit']} carried forward",
    )


def _worst_case(ctx: RowContext) -> _Part:
    visits = ctx.span()
    part = available(
        ctx,
        "enrolled",
        visits,
        "everyone enrolled; those without every criterion at baseline and "
        f"{visits[-1]} count as non-responders",
    )
    part.participants = list(ctx.study.members("enrolled"))
    return part


def _responder_evaluable(ctx: RowContext) -> _Part:
    """Responder status observed (criteria at baseline and response visit), and the marker."""
    plan = ctx.plan
    markers = [o for o in ctx.outcomes if o in plan.markers] or ctx.outcomes[:1]
    rule_visits = _unique([ctx.baseline, plan.responder_rule["visit"]])
    measure_visits = _unique([ctx.baseline, ctx.visit or ctx.baseline])
    criteria = RowContext(ctx.study, ctx.row, plan.responder_outcomes, None, None, criteria=True)
    marker = RowContext(ctx.study, ctx.row, markers, ctx.visit, None)
    status = complete(criteria, None, rule_visits)
    measure = complete(marker, None, measure_visits)
    chosen = [p for p in status.participants if p in set(measure.participants)]
    keys = [k for k in status.keys + measure.keys if k[0] in set(chosen)]
    keys = [
        (p, o, v, "responder criterion" if o in plan.responder_outcomes else r)
        for p, o, v, r in keys
    ]
    note = (
        f"participants whose responder status is observed at {plan.responder_rule['visit']} "
        f"(every criterion at {' and '.join(rule_visits)}) and with {', '.join(markers)} at "
        f"{' and '.join(measure_visits)}"
    )
    return _Part(keys, chosen, notes=[note])


# Analysis set (as named in the tables) -> which participants and values a row of it uses.
SET_RULES: dict[str, Callable[[RowContext], _Part]] = {
    "available_pairs": _pairs(None),
    "completers": _pairs("completers"),
    "enrolled": _pairs("enrolled"),
    "enrolled_bocf": _bocf,
    "enrolled_shifted": _shifted,
    "enrolled_delta_mi": _shifted,
    "enrolled_available": _mixed,
    "available_at_visit": _at_visit,
    "completers_at_visit": _completers_at_visit,
    "available_changes": _pairs("enrolled"),
    "available_repeated": _repeated,
    "all_rows": _all_rows,
    "responder_evaluable": _responder_evaluable,
    "reached_first_follow_up_locf": _locf_responders,
    "enrolled_worst_case": _worst_case,
}


# --- rows of the analysis tables ------------------------------------------------------------


def _text(row: pd.Series, column: str) -> str:
    value = row.get(column, "")
    return "" if pd.isna(value) else str(value).strip()


def _row_context(study: Study, row: pd.Series) -> RowContext:
    plan = study.plan
    outcomes = [_text(row, c) for c in ("marker", "outcome") if _text(row, c) in plan.outcomes]
    visit = _text(row, "visit")
    visit = visit if visit in plan.visits else None
    listed = [v.strip() for v in _text(row, "visits").split(",") if v.strip() in plan.visits]
    criteria = False
    if not outcomes and plan.responder_rule:
        outcomes, criteria = list(plan.responder_outcomes), True
    return RowContext(study, row, outcomes, visit, listed or None, criteria)


def _groups(ctx: RowContext) -> _Part:
    """Rows comparing two groups (group_1, group_2): each group's values at the row's visits."""
    part = _Part()
    visits = [ctx.visit] if ctx.visit else [ctx.baseline]
    for column in ("group_1", "group_2"):
        name = _text(ctx.row, column)
        if name != "stopped" and f"set_{name}" not in ctx.study.people.table:
            piece = available(ctx, None, visits)
            piece.notes.insert(
                0,
                f"{column} = {name}: not a set of the participant table; every "
                "available value at the row's visits is listed",
            )
            part.add(piece)
            continue
        piece = complete(ctx, name, visits, f"{column} = {name}: value at {', '.join(visits)}")
        piece.keys = [(p, o, v, f"{column}: {name}") for p, o, v, _ in piece.keys]
        part.add(piece)
        if name == "stopped":
            part.extra += _stop_cells(ctx.study, piece.participants)
    return part


def _stop_cells(study: Study, participants: list[str]) -> list[dict[str, str]]:
    """The discontinuations-table row of each participant who stopped."""
    people = study.people.table
    cells = []
    for participant in participants:
        source = str(people.loc[participant, "stop_source_locator"])
        if not source:
            continue
        file, locator = split_source(source, _table_file(study, DISCONTINUATIONS_TABLE))
        cells.append(
            {
                "participant_id": participant,
                "visit": str(people.loc[participant, "stop_after_visit"]),
                "role": "stopped: row of the discontinuations table (its participant ID cell)",
                "value": str(people.loc[participant, "stop_reason"]),
                "source_file": file,
                "source_locator": locator,
            }
        )
    return cells


def _table_file(study: Study, name: str) -> str:
    return str((study.config.get("tables", {}).get(name) or {}).get("file", ""))


def _dose(ctx: RowContext) -> _Part:
    """Dose-response rows (a ``change`` column): the outcome's change and each one's dose."""
    plan = ctx.plan
    change = _text(ctx.row, "change")
    final = plan.final
    at = [v for v in plan.visits if change == f"at_{v}"]
    if at:
        part = complete(ctx, None, _unique([ctx.baseline, at[0]]))
    else:
        part = locf(
            ctx,
            None,
            final,
            f"everyone with a baseline and a later value of {ctx.outcomes[0]}; the last value "
            f"up to {final} carried forward",
        )
    dose = plan.dose_outcome
    if dose is None:
        return part
    doses = ctx.study.wide(dose)
    last = doses.ffill(axis=1).iloc[:, -1]
    chosen = [p for p in part.participants if p in doses.index]
    band = _text(ctx.row, "dose_band")
    if band:
        edges = [0.0, *plan.dose["bands"]]
        labels = {f"{a:g} < dose <= {b:g}": (a, b) for a, b in zip(edges, edges[1:])}
        if band not in labels:
            raise SupplementError(
                f"dose band '{band}': not one of the configured bands (dose_response/bands); "
                f"expected one of {sorted(labels)}"
            )
        low, high = labels[band]
        chosen = [p for p in chosen if low < last.get(p, float("nan")) <= high]
        part.notes.append(f"whose last dose is in {band} (dose_response/bands)")
    elif _text(ctx.row, "dose_measure") != "cumulative_dose":
        chosen = [p for p in chosen if pd.notna(last.get(p))]
    keep = set(chosen)
    keys = [k for k in part.keys if k[0] in keep]
    given = pd.concat({dose: doses.loc[chosen].notna()}, axis=1)
    keys += [(p, o, v, "dose") for p, o, v in _true_cells(given)]
    notes = [*part.notes, f"with each participant's dose at every visit ({dose})"]
    return _Part(keys, chosen, notes=notes)


def analysis_row(study: Study, row: pd.Series) -> _Part:
    """Participants and values behind a row of an outcome, biomarker or responder table."""
    ctx = _row_context(study, row)
    if not ctx.outcomes:
        return _Part(notes=["the row names no outcome and no responder rule is configured"])
    name = _text(row, "analysis_set")
    rule = SET_RULES.get(name)
    if name in RESPONDER_SETS and not study.plan.responder_rule:
        rule = None  # the row's set needs the responder rule, which the config no longer has
    if "change" in row.index and _text(row, "change"):
        part = _dose(ctx)
    elif rule is None and "group_1" in row.index and "group_2" in row.index:
        part = _groups(ctx)
    elif rule is None:
        part = available(ctx, None, ctx.span())
        part.notes.insert(
            0,
            f"analysis set '{name}' has no rule in lineage.SET_RULES: every available value of "
            "the row's outcomes at its visits is listed",
        )
    else:
        part = rule(ctx)
    part.config += _settings_of(ctx, name)
    return part


def _settings_of(ctx: RowContext, name: str) -> list[dict[str, str]]:
    """Config sections that decide how the row's values were used (responder rule, bands, ...)."""
    plan, row, config = ctx.plan, ctx.row, ctx.study.config
    keys = []
    if plan.responder_rule and (ctx.criteria or name in RESPONDER_SETS):
        rule = plan.responder_rule
        criteria = ", ".join(
            f"{c['outcome']} >= {c['min_improvement']:g} {c['unit']}" for c in rule["criteria"]
        )
        keys.append(
            {
                "key": "analysis/responders",
                "value": f"{rule['combine']} of [{criteria}] at {rule['visit']}",
                "note": "the responder rule",
            }
        )
    if _text(row, "dose_band"):
        keys.append(
            {
                "key": "dose_response/bands",
                "value": str(plan.dose["bands"]),
                "note": "upper bounds of the dose bands",
            }
        )
    if name in ("enrolled_shifted", "enrolled_delta_mi") and plan.tipping_point:
        settings = {k: plan.tipping_point.get(k) for k in ("visit", "imputations", "seed")}
        keys.append(
            {
                "key": "analysis/tipping_point",
                "value": str(settings),
                "note": "tipping-point visit, imputations and seed",
            }
        )
    if "bootstrap_seed" in row.index:
        keys.append(
            {
                "key": "biomarker_analysis/bootstrap",
                "value": str(config.get("biomarker_analysis", {}).get("bootstrap")),
                "note": "bootstrap resamples and seed of the AUC interval",
            }
        )
    outcome = _text(row, "outcome")
    if "reference_mean" in row.index or "expected_change" in row.index:
        keys.append(
            {
                "key": f"analysis/regression_to_mean/{outcome}",
                "value": str(config["analysis"].get("regression_to_mean", {}).get(outcome)),
                "note": "reliability and reference mean",
            }
        )
    return keys


def participant_row(study: Study, row: pd.Series) -> _Part:
    """A row about one participant: that participant's values of the outcomes its columns name."""
    plan = study.plan
    participant = _text(row, "participant_id")
    named = [o for o in plan.outcomes if any(str(c).startswith(f"{o}_") for c in row.index)]
    named = [o for o in named if not any(o != n and n.startswith(o) for n in named)]
    outcomes = named or plan.responder_outcomes or plan.analysed_outcomes
    visits = list(plan.visits)
    if plan.responder_rule and set(outcomes) <= set(plan.responder_outcomes):
        visits = visits[: visits.index(plan.responder_rule["visit"]) + 1]
    if participant not in study.people.table.index:
        raise SupplementError(
            f"{study.results / 'clean' / 'participants.csv'}: no participant {participant}; "
            "expected the row's participant_id to be in the participant table"
        )
    keys = []
    for o in outcomes:
        wide = study.wide(o)
        for v in visits:
            has = participant in wide.index and pd.notna(wide.loc[participant, v])
            keys.append(
                (
                    participant,
                    o,
                    v,
                    "baseline" if v == plan.baseline and has else "value" if has else "missing",
                )
            )
    note = f"participant {participant}: {', '.join(outcomes)} at {', '.join(visits)}"
    return _Part(keys, [participant], notes=[note])


# --- rows of the claims audit and the GRIM table -------------------------------------------


def membership_cells(study: Study, column: str) -> _Part:
    """The cells that put participants in a participant-table column (set_*, has_data_*, ...)."""
    plan = study.plan
    people = study.people.table
    if column not in people:
        raise SupplementError(
            f"{study.results / 'clean' / 'participants.csv'}: no column {column}; expected a "
            "participant-table column (set_<name>, has_data_<visit>, stopped)"
        )
    chosen = list(people.index[people[column].astype(bool)])
    if column == "set_reached_first_follow_up":
        column = f"has_data_{plan.first_follow_up}"
    if column == "set_enrolled":
        roster = _table_file(study, PARTICIPANTS_TABLE)
        extra = []
        for participant in chosen:
            file, locator = split_source(str(people.loc[participant, "source_locator"]), roster)
            extra.append(
                {
                    "participant_id": participant,
                    "role": "row of the participant roster",
                    "value": participant,
                    "raw_value": participant,
                    "source_file": file,
                    "source_locator": locator,
                }
            )
        return _Part(
            participants=chosen,
            extra=extra,
            notes=[f"{len(chosen)} participants: one roster row each"],
        )
    if column == "stopped":
        return _Part(
            participants=chosen,
            extra=_stop_cells(study, chosen),
            notes=[f"{len(chosen)} participants listed in the discontinuations table"],
        )
    if column.startswith("has_data_") or column == "set_completers":
        visit = column.removeprefix("has_data_") if column.startswith("has_data_") else plan.final
        outcomes = (
            plan.attendance_outcomes if column.startswith("has_data_") else plan.completion_outcomes
        )
        present = study.present(outcomes, [visit])
        present = present[present.index.isin(chosen)]
        keys = [(p, o, v, "present") for p, o, v in _true_cells(present)]
        what = (
            "any attendance-outcome value"
            if column.startswith("has_data_")
            else "every completion outcome present"
        )
        return _Part(
            keys,
            chosen,
            notes=[f"{len(chosen)} participants with {what} at {visit}; their values there listed"],
        )
    return _Part(
        participants=chosen,
        notes=[f"{len(chosen)} participants with {column} = True in participants.csv"],
    )


def _claim(study: Study, row: pd.Series) -> _Part:
    from .claim_specs import load_claims

    path = study.config.get("claims")
    claim_id = _text(row, "claim_id")
    config = [
        {
            "key": "claims",
            "value": str(path),
            "note": f"published number: claims item id = {claim_id}",
        }
    ]
    claims = load_claims(study.root / str(path))["claims"]
    found = [c for c in claims if str(c["id"]) == claim_id]
    if not found:
        raise SupplementError(
            f"{path}: no claim with id {claim_id}; expected the claims_audit "
            "row's claim_id to be listed under claims"
        )
    spec = found[0]["recompute"]
    kind = spec["kind"]
    if kind == "count":
        part = membership_cells(study, spec["set"])
        part.notes.insert(0, f"recomputed as the number of participants with {spec['set']} = True")
    elif kind == "responders":
        responders = study.table("responders")
        match = responders[responders["analysis_set"] == spec["analysis_set"]]
        if match.empty:
            raise SupplementError(
                f"{study.results / 'tables' / 'responders.csv'}: no row for "
                f"analysis set {spec['analysis_set']}; expected the claim's set"
            )
        part = analysis_row(study, match.iloc[0])
        part.notes.insert(0, f"recomputed from responders.csv, analysis set {spec['analysis_set']}")
    elif kind == "categorical":
        part = source_column(study, spec["table"], spec["column"])
    elif kind == "direction":
        visit = spec.get("visit") or study.plan.final
        pseudo = pd.Series(
            {
                "outcome": spec["outcome"],
                "visit": visit,
                "baseline_visit": study.plan.baseline,
                "analysis_set": spec["analysis_set"],
            }
        )
        part = analysis_row(study, pseudo)
        part.notes.insert(
            0,
            f"recomputed from the paired test of {spec['outcome']} at {visit}, "
            f"analysis set {spec['analysis_set']} (paired_tests.csv)",
        )
    else:
        part = _Part(notes=[f"recompute kind {kind!r}: no rule in lineage; the claims file only"])
    part.config = config + part.config
    return part


def source_column(study: Study, table: str, column: str) -> _Part:
    """Every cell of one column of an extracted source table (one value per participant)."""
    from .clean import id_normaliser

    path = study.results / "extracted" / f"{table}.csv"
    extracted = study.read(path, f"the extracted table '{table}' (tables/{table} in the config)")
    rows = extracted[extracted["outcome"] == column]
    normalise = id_normaliser(study.config) if "participant_ids" in study.config else None
    extra = []
    for cell in rows.itertuples():
        participant = cell.raw_participant_id
        if normalise is not None:
            participant = normalise.try_normalise(participant) or participant
        extra.append(
            {
                "participant_id": participant,
                "outcome": "",
                "visit": "",
                "role": f"{column} (every row of the table counted)",
                "value": cell.raw_value,
                "raw_value": cell.raw_value,
                "source_file": cell.source_file,
                "source_locator": cell.source_locator,
            }
        )
    note = (
        f"column {column} of the source table {table} ({path.name} under extracted/): "
        f"all {len(rows)} rows"
    )
    return _Part(
        participants=_unique(e["participant_id"] for e in extra), extra=extra, notes=[note]
    )


def _grim(study: Study, row: pd.Series) -> _Part:
    path = study.config.get("claims")
    return _Part(
        config=[
            {
                "key": "claims",
                "value": str(path),
                "note": f"means item id = {_text(row, 'mean_id')}: a published mean and its n",
            }
        ],
        notes=["a published mean checked by GRIM: it depends on no supplement cell"],
    )


# --- rows of the simulation tables ----------------------------------------------------------

# Model parameters set by one config key (path under simulation/, a scenario may override it).
SIMULATION_SETTINGS = {
    "description": "description",
    "true_effect": "true_effect",
    "noise_correlation": "noise_correlation",
    "enrol_fraction": "selection/enrol_fraction",
    "dropout_mode": "dropout/mode",
    "dropout_slope": "dropout/slope",
    "dropout_change_at": "dropout/change_at",
}


def _setting(study: Study, scenario: str, path: str) -> dict[str, str]:
    """The config key a scenario's setting comes from (its own, else the default) and its value."""
    from .simulate.scenarios import scenario_settings

    section = study.config["simulation"]
    if scenario not in section.get("scenarios", {}):
        raise SupplementError(
            f"simulation/scenarios: no scenario '{scenario}'; expected one of "
            f"{sorted(section.get('scenarios', {}))}"
        )
    own = section["scenarios"][scenario] or {}
    parts = path.split("/")
    node: Any = own
    for part in parts:
        node = node.get(part) if isinstance(node, dict) else None
    own_key = node is not None or path == "description"
    key = f"simulation/scenarios/{scenario}/{path}" if own_key else f"simulation/{path}"
    value: Any = scenario_settings(study.config, scenario)
    for part in parts:
        value = value.get(part) if isinstance(value, dict) else None
    return {"key": key, "value": str(value), "note": f"scenario {scenario}: {path}"}


def _reliability(study: Study, outcome: str) -> dict[str, str]:
    """The config key of an outcome's test-retest reliability, as the simulator chose it."""
    from .simulate.scenarios import reliability

    value, origin = reliability(study.config, outcome)
    key = origin.split(" (")[0]
    if key.endswith(("by_outcome", "regression_to_mean")):
        key = f"{key}/{outcome}" + ("/reliability" if key.endswith("mean") else "")
    return {"key": key, "value": str(value), "note": f"test-retest reliability of {outcome}"}


def _baseline_of(study: Study, scenario: str, outcomes: list[str]) -> _Part:
    """The simulated baseline: the enrolled's baseline values, or the config's means and SDs."""
    plan = study.plan
    section = study.config["simulation"]["baseline"]
    if section["source"] != "supplement":
        return _Part(
            config=[
                {
                    "key": f"simulation/baseline/outcomes/{o}",
                    "value": str(section["outcomes"].get(o)),
                    "note": "baseline mean and SD (simulation/baseline/source = config)",
                }
                for o in outcomes
            ]
        )
    ctx = RowContext(study, pd.Series(dtype=str), outcomes, None, None)
    part = available(
        ctx,
        "enrolled",
        [plan.baseline],
        f"the enrolled's baseline values of {', '.join(outcomes)} (their mean, SD and "
        "correlations; simulation/baseline/source = supplement)",
    )
    part.keys = [(p, o, v, "simulation baseline") for p, o, v, _ in part.keys]
    part.config.append(
        {
            "key": "simulation/baseline/source",
            "value": "supplement",
            "note": "baseline moments from the supplement",
        }
    )
    return part


def _retention(study: Study, scenario: str, visits: list[str]) -> _Part:
    dropout = _setting(study, scenario, "dropout/mode")
    if dropout["value"] == "none":
        return _Part(config=[dropout])
    retention = _setting(study, scenario, "dropout/retention")
    if retention["value"] != "supplement":
        return _Part(config=[dropout, retention])
    part = _Part(config=[dropout, retention])
    for visit in visits:
        part.add(membership_cells(study, f"has_data_{visit}"))
    part.keys = [(p, o, v, "retention (has data)") for p, o, v, _ in part.keys]
    return part


def _enrolled_count(study: Study, scenario: str) -> _Part:
    setting = _setting(study, scenario, "n_enrolled")
    if setting["value"] not in ("None", ""):
        return _Part(config=[setting])
    part = membership_cells(study, "set_enrolled")
    part.config.append({**setting, "note": "null: as many as the participants table lists"})
    return part


def simulation_model(study: Study, scenario: str) -> _Part:
    """Everything a scenario's model was built and calibrated from."""
    from .simulate.scenarios import simulated_outcomes

    outcomes = simulated_outcomes(study.config, scenario)
    part = _Part(notes=[f"the model of scenario {scenario}, built and calibrated from:"])
    part.add(_baseline_of(study, scenario, outcomes))
    part.add(_retention(study, scenario, list(study.plan.follow_ups)))
    part.add(_enrolled_count(study, scenario))
    for path in (
        "true_effect",
        "noise_correlation",
        "selection/enrol_fraction",
        "selection/recentre",
        "dropout/slope",
        "dropout/change_at",
    ):
        part.config.append(_setting(study, scenario, path))
    for outcome in outcomes:
        part.config.append(_reliability(study, outcome))
    section = study.config["simulation"]
    for key in ("seed", "calibration_size", "shards", "trials_per_shard"):
        part.config.append({"key": f"simulation/{key}", "value": str(section[key]), "note": key})
    return part


def _parameter(study: Study, row: pd.Series) -> _Part:
    scenario, parameter = _text(row, "scenario"), _text(row, "parameter")
    outcome, visit = _text(row, "outcome"), _text(row, "visit")
    if parameter in SIMULATION_SETTINGS:
        return _Part(
            config=[_setting(study, scenario, SIMULATION_SETTINGS[parameter])],
            notes=[f"{parameter}: a setting of the config; no supplement cell"],
        )
    if parameter == "n_enrolled":
        return _enrolled_count(study, scenario)
    if parameter == "reliability" and outcome:
        return _Part(
            config=[_reliability(study, outcome)],
            notes=["reliability: a setting of the config; no supplement cell"],
        )
    if parameter in ("baseline_mean_target", "baseline_sd") and outcome:
        return _baseline_of(study, scenario, [outcome])
    if parameter == "retention_target" and visit:
        return _retention(study, scenario, [visit])
    part = simulation_model(study, scenario)
    part.notes.insert(0, f"{parameter}: calibrated on the whole model")
    return part


def _observed(study: Study, row: pd.Series) -> _Part:
    """The observed row a simulation row is compared with (responders or completers' tests)."""
    plan = study.plan
    simulated = list(study.config["simulation"]["outcomes"])
    outcome, measure = _text(row, "outcome"), _text(row, "measure")
    final = _text(row, "visit") or plan.final
    if outcome or measure.startswith("wilcoxon"):
        outcomes = [outcome] if outcome in plan.outcomes else simulated
        part = _Part()
        for o in outcomes:
            pseudo = pd.Series({"outcome": o, "visit": final, "analysis_set": "completers"})
            part.add(analysis_row(study, pseudo))
        part.notes.insert(
            0,
            f"observed: the completers' paired tests at {final} "
            f"(paired_tests.csv) of {', '.join(outcomes)}",
        )
        return part
    if measure.startswith("responder"):
        pseudo = pd.Series({"analysis_set": _text(row, "analysis_set")})
        part = analysis_row(study, pseudo)
        part.notes.insert(0, f"observed: responders.csv, analysis set {pseudo['analysis_set']}")
        return part
    return _Part()


def _simulation(study: Study, row: pd.Series) -> _Part:
    if "parameter" in row.index:
        return _parameter(study, row)
    scenario = _text(row, "scenario")
    part = simulation_model(study, scenario)
    if any(str(c).startswith("observed") for c in row.index):
        part.add(_observed(study, row))
    return part


# --- entry points ---------------------------------------------------------------------------

# Kinds of row with their own rule, recognised by one identity column; others are analysis rows.
ROW_KINDS: dict[str, Callable[[Study, pd.Series], _Part]] = {
    "scenario": _simulation,
    "claim_id": _claim,
    "mean_id": _grim,
    "participant_id": participant_row,
}


def identity(row: pd.Series) -> dict[str, str]:
    """The row's identity columns (``IDENTITY_COLUMNS``) that hold a value."""
    return {c: _text(row, c) for c in IDENTITY_COLUMNS if c in row.index and _text(row, c)}


def trace_row(study: Study, table: str, row: pd.Series, number: int) -> Lineage:
    """The lineage of one row of a results table.

    Parameters
    ----------
    study : Study
        The run's cleaned tables and plan.
    table : str
        The table's path (for the record).
    row : pandas.Series
        The row, as text (``atomic.read_csv``).
    number : int
        Its number among the data rows (1 = first).

    Returns
    -------
    Lineage
    """
    handler = next((f for c, f in ROW_KINDS.items() if c in row.index), analysis_row)
    part = handler(study, row)
    cells = study.cells(part)
    people = _unique([*part.participants, *cells["participant_id"]])
    people = [p for p in people if p]
    config = list({(e["key"], e["value"]): e for e in part.config}.values())
    return Lineage(table, number, identity(row), cells, people, config, _unique(part.notes))
