"""Inject the realistic defects into the tables to be written (pure functions, seeded).

Every function takes ``SheetTable`` objects (see ``writers.SheetTable``: ``ids`` and ``cells`` are
object arrays, ``columns`` names what each cell column holds) and returns new ones; nothing
is modified in place and nothing is read or written to disk.

Defects, in the order ``apply_defects`` injects them:

1. below-LLOQ biomarker values are written as the text ``"<0.05"``;
2. about 5 % of numeric cells (every sheet, S1 included) are written as text, e.g. ``"45"``,
   ``" 45 "`` or ``"45 "``;
3. one impossible value: SF-36 physical functioning of participant 23 at T1 written as 850
   (true value 85), with the matching row of the corrections ledger;
4. empty cells (visit not attended, value not collected) get a missing token in about a quarter
   of cases: ``"NA"``, ``"n/a"``, ``"—"`` (U+2014) and, in the SSS and biomarker sheets, ``"ND"``;
   the rest stay empty;
5. three participant IDs written in variant forms in "S4 SSS" only: ``"RAP 12"``,
   ``"rap-031"``, ``"RAP-045 "`` (participants 12, 31, 45; proportionally placed when N < 45).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from ..ledger import LEDGER_COLUMNS
from . import model

TEXT_NUMBER_FRACTION = 0.05
TEXT_NUMBER_STYLES: tuple[tuple[str, float], ...] = (
    ("plain", 0.6),
    ("padded", 0.25),
    ("trailing", 0.15),
)
MISSING_TOKEN_SHARE = 0.25  # share of empty cells given a token instead of staying blank
COMMON_MISSING_TOKENS: tuple[str, ...] = ("NA", "n/a", "\u2014")
NOT_DONE_TOKEN = "ND"
LLOQ_TEXT = "<0.05"
IMPOSSIBLE_FACTOR = 10  # 85 -> 850: an extra digit
ID_VARIANT_SHEET = "S4 SSS"
ID_VARIANT_NUMBERS: tuple[int, ...] = (12, 31, 45)
# The ledger the pipeline reads defines the columns; the generator writes exactly those.
CORRECTION_COLUMNS: tuple[str, ...] = tuple(LEDGER_COLUMNS)


def defect_rng(seed: int) -> np.random.Generator:
    """The defects' own stream, independent of the model's ``default_rng(seed)``."""
    return np.random.default_rng([int(seed), 1])


def format_number(value: float) -> str:
    """Shortest plain text of a cell number: 45, 47.5, 33.3, 1.234."""
    value = float(value)
    if value.is_integer():
        return str(int(value))
    return format(value, ".10g")


def _numeric_mask(cells: np.ndarray) -> np.ndarray:
    flat = cells.reshape(-1)
    mask = np.fromiter(
        (isinstance(v, (int, float)) and not isinstance(v, bool) for v in flat),
        dtype=bool,
        count=flat.size,
    )
    return mask.reshape(cells.shape)


def _empty_mask(cells: np.ndarray) -> np.ndarray:
    flat = cells.reshape(-1)
    return np.fromiter((v is None for v in flat), dtype=bool, count=flat.size).reshape(cells.shape)


def below_lloq_as_text(table, lloq: float = model.BIOMARKER_LLOQ, text: str = LLOQ_TEXT):
    """Numbers below the LLOQ become the text "<0.05"."""
    cells = table.cells.copy()
    numeric = _numeric_mask(cells)
    rows, cols = np.nonzero(numeric)
    for r, c in zip(rows, cols):
        if cells[r, c] < lloq:
            cells[r, c] = text
    return dataclasses.replace(table, cells=cells)


def numbers_as_text(table, rng: np.random.Generator, fraction: float = TEXT_NUMBER_FRACTION):
    """About `fraction` of the numeric cells are written as strings ("45", " 45 ", "45 ")."""
    cells = table.cells.copy()
    numeric = _numeric_mask(cells)
    chosen = numeric & (rng.random(cells.shape) < fraction)
    styles = [s for s, _p in TEXT_NUMBER_STYLES]
    probabilities = np.array([p for _s, p in TEXT_NUMBER_STYLES])
    rows, cols = np.nonzero(chosen)
    picks = rng.choice(len(styles), len(rows), p=probabilities / probabilities.sum())
    for r, c, style in zip(rows, cols, picks):
        text = format_number(cells[r, c])
        cells[r, c] = {"plain": text, "padded": f" {text} ", "trailing": f"{text} "}[styles[style]]
    return dataclasses.replace(table, cells=cells)


def missing_tokens(table, rng: np.random.Generator, share: float = MISSING_TOKEN_SHARE):
    """Empty cells: mostly left blank, a `share` get one of the sheet's missing tokens."""
    cells = table.cells.copy()
    empty = _empty_mask(cells)
    chosen = empty & (rng.random(cells.shape) < share)
    tokens = np.array(table.missing_tokens, dtype=object)
    picks = rng.integers(0, len(tokens), int(chosen.sum()))
    cells[chosen] = tokens[picks]
    return dataclasses.replace(table, cells=cells)


def impossible_value(table, participant_number: int, outcome_key: str, visit: str, seed: int):
    """Write the value at (participant, outcome, visit) with an extra digit; return (table,
    corrections)."""
    row = participant_number - 1
    col = table.columns.index((outcome_key, visit))
    true_value = float(table.true_values[row, col])
    if not np.isfinite(true_value):
        raise ValueError(
            f"participant {participant_number} has no {outcome_key} at {visit} to corrupt"
        )
    wrong = int(round(true_value * IMPOSSIBLE_FACTOR))
    cells = table.cells.copy()
    cells[row, col] = wrong
    corrections = pd.DataFrame(
        [
            {
                "correction_id": "C001",
                "participant_id": table.canonical_ids[row],
                "outcome": outcome_key,
                "visit": visit,
                "expected_current_value": format_number(wrong),
                "new_value": format_number(true_value),
                "reason": "Transcription error: extra digit (SF-36 scales are 0-100)",
                "reference": f"Synthetic defect injected by the generator (seed {seed})",
            }
        ],
        columns=list(CORRECTION_COLUMNS),
    )
    return dataclasses.replace(table, cells=cells), corrections


def id_variant_numbers(n_participants: int) -> tuple[int, ...]:
    """Participants 12, 31 and 45, or the same relative positions when N < 45."""
    if n_participants >= max(ID_VARIANT_NUMBERS):
        return ID_VARIANT_NUMBERS
    numbers = [max(1, round(k * n_participants / model.REFERENCE_N)) for k in ID_VARIANT_NUMBERS]
    for i in range(1, len(numbers)):  # keep them distinct
        numbers[i] = max(numbers[i], numbers[i - 1] + 1)
    return tuple(numbers)


def id_variants(table, n_participants: int):
    """Three IDs written differently: "RAP 12" (space, no padding), "rap-031" (lower case),
    "RAP-045 " (trailing space)."""
    width = model.id_width(n_participants)
    ids = table.ids.copy()
    first, second, third = id_variant_numbers(n_participants)
    ids[first - 1] = f"RAP {first}"
    ids[second - 1] = f"rap-{second:0{width}d}"
    ids[third - 1] = f"RAP-{third:0{width}d} "
    return dataclasses.replace(table, ids=ids)


def apply_defects(
    tables: dict[str, Any], n_participants: int, seed: int
) -> tuple[dict[str, Any], pd.DataFrame, dict]:
    """All defects on all sheets (keyed by sheet name, in workbook order).

    Returns the new tables, the corrections ledger (one row) and a summary of what was injected.
    """
    rng = defect_rng(seed)
    out = dict(tables)
    summary: dict[str, Any] = {}
    lloq_sheet = next(name for name, t in out.items() if t.kind == "biomarkers")
    out[lloq_sheet] = below_lloq_as_text(out[lloq_sheet])
    summary["below_lloq_cells"] = int((out[lloq_sheet].cells == LLOQ_TEXT).sum())
    text_count = 0
    for name in out:
        numeric_before = int(_numeric_mask(out[name].cells).sum())
        out[name] = numbers_as_text(out[name], rng)
        text_count += numeric_before - int(_numeric_mask(out[name].cells).sum())
    summary["numbers_as_text_cells"] = text_count

    sf36_sheet = next(
        name for name, t in out.items() if (model.DEFECT_OUTCOME, model.DEFECT_VISIT) in t.columns
    )
    number = model.defect_participant_number(n_participants)
    out[sf36_sheet], corrections = impossible_value(
        out[sf36_sheet], number, model.DEFECT_OUTCOME, model.DEFECT_VISIT, seed
    )
    summary["impossible_value"] = corrections.iloc[0].to_dict() | {"sheet": sf36_sheet}

    token_count = 0
    for name in out:
        empty_before = int(_empty_mask(out[name].cells).sum())
        out[name] = missing_tokens(out[name], rng)
        token_count += empty_before - int(_empty_mask(out[name].cells).sum())
    summary["missing_token_cells"] = token_count

    out[ID_VARIANT_SHEET] = id_variants(out[ID_VARIANT_SHEET], n_participants)
    changed = out[ID_VARIANT_SHEET].ids != tables[ID_VARIANT_SHEET].ids
    summary["id_variants"] = list(
        zip(
            tables[ID_VARIANT_SHEET].ids[changed].tolist(),
            out[ID_VARIANT_SHEET].ids[changed].tolist(),
        )
    )
    return out, corrections, summary
