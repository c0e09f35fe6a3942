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

The modules: ``study`` (``Lineage``, and ``Study``, which reads the run's tables and resolves
cells), ``sets`` (``SET_RULES``), ``rows`` (outcome, biomarker, responder and participant rows),
``claims`` (the claims audit and GRIM rows) and ``simulation``; ``trace_row`` here sends each row
to its rule.

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

from collections.abc import Callable

import pandas as pd

from .claims import claim_row, grim_row, membership_cells, source_column
from .rows import analysis_row, participant_row
from .sets import RESPONDER_SETS, SET_RULES, RowContext
from .simulation import SIMULATION_SETTINGS, simulation_model, simulation_row
from .study import (
    CELL_COLUMNS,
    IDENTITY_COLUMNS,
    Lineage,
    Part,
    Study,
    complete_rows,
    compress_locators,
    natural_key,
    row_text,
    split_source,
    unique,
)

__all__ = [
    "analysis_row",
    "CELL_COLUMNS",
    "claim_row",
    "complete_rows",
    "compress_locators",
    "grim_row",
    "identity",
    "IDENTITY_COLUMNS",
    "Lineage",
    "membership_cells",
    "natural_key",
    "Part",
    "participant_row",
    "RESPONDER_SETS",
    "ROW_KINDS",
    "row_text",
    "RowContext",
    "SET_RULES",
    "simulation_model",
    "simulation_row",
    "SIMULATION_SETTINGS",
    "source_column",
    "split_source",
    "Study",
    "trace_row",
    "unique",
]

# Kinds of row with their own rule, recognised by one identity column; others are analysis rows.
ROW_KINDS: dict[str, Callable[[Study, pd.Series], Part]] = {
    "scenario": simulation_row,
    "claim_id": claim_row,
    "mean_id": grim_row,
    "participant_id": participant_row,
}


def identity(row: pd.Series) -> dict[str, str]:
    """The row's identity columns (``IDENTITY_COLUMNS``) that hold a value."""
    return {c: row_text(row, c) for c in IDENTITY_COLUMNS if c in row.index and row_text(row, c)}


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
    people = unique([*part.participants, *cells["participant_id"]])
    people = [p for p in people if p]
    config = list({(e["key"], e["value"]): e for e in part.config}.values())
    return Lineage(table, number, identity(row), cells, people, config, unique(part.notes))
