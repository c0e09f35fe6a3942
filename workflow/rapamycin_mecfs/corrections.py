"""Applying the corrections ledger to a cleaned table, with checks for stale and dangling rows."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from .errors import SupplementError

AUDIT_COLUMNS = [
    "correction_id",
    "participant_id",
    "instrument",
    "outcome",
    "visit",
    "source_file",
    "source_locator",
    "raw_value",
    "old_value",
    "new_value",
    "reason",
    "reference",
]


def _as_number(text: str, parse_missing) -> float:
    if parse_missing(text):
        return math.nan
    return float(text)


def same_value(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def apply_corrections(
    values: pd.DataFrame,
    corrections: list[dict[str, Any]],
    instrument: str,
    normalise_id,
    is_missing,
    visit_ids: list[str],
    source: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply ledger rows to a cleaned-value table (participant_id, outcome, visit, value, ...).

    Every row must name an existing participant, outcome and visit and match the current value,
    otherwise the correction is stale or dangling and cleaning stops.
    Returns the corrected table and the audit rows.
    """
    values = values.copy()
    if not corrections:
        # Most outcomes have no ledger rows: skip indexing every cell of the table.
        return values, pd.DataFrame.from_records([], columns=AUDIT_COLUMNS)
    audit = []
    problems = []
    # tolist() first: iterating a pandas string column directly costs a Python call per cell.
    participants, outcomes, visits = (
        values[c].tolist() for c in ("participant_id", "outcome", "visit")
    )
    index = {key: i for i, key in enumerate(zip(participants, outcomes, visits))}
    known_participants = set(participants)
    for row in corrections:
        label = f"{source} [correction {row['correction_id']}]"
        try:
            participant = normalise_id(row["participant_id"], label)
        except SupplementError as error:
            problems.append(str(error))
            continue
        if participant not in known_participants:
            problems.append(
                f"{label}: value {row['participant_id']!r}: unknown participant; expected a "
                "participant of the roster"
            )
            continue
        if row["visit"] not in visit_ids:
            problems.append(
                f"{label}: value {row['visit']!r}: unknown visit; expected one of {visit_ids}"
            )
            continue
        key = (participant, row["outcome"], row["visit"])
        if key not in index:
            problems.append(
                f"{label}: no value for {key} in the cleaned table; expected an existing cell"
            )
            continue
        try:
            expected = _as_number(row["expected_current_value"], is_missing)
            new = _as_number(row["new_value"], is_missing)
        except ValueError:
            problems.append(
                f"{label}: value ({row['expected_current_value']!r}, {row['new_value']!r}): not "
                "numbers; expected numbers or missing tokens in expected_current_value and "
                "new_value"
            )
            continue
        i = index[key]
        current = values.at[i, "value"]
        if not same_value(current, expected):
            problems.append(
                f"{label}: stale correction: expects {row['expected_current_value']!r} at "
                f"{values.at[i, 'source_file']} [{values.at[i, 'source_locator']}] "
                f"({participant} {row['outcome']} {row['visit']}) but the supplement has "
                f"{values.at[i, 'raw_value']!r}; expected the ledger to match the data"
            )
            continue
        if values.at[i, "correction_id"]:
            problems.append(
                f"{label}: a second correction of {key} (first: "
                f"{values.at[i, 'correction_id']}); expected one per value"
            )
            continue
        values.at[i, "value"] = new
        values.at[i, "correction_id"] = row["correction_id"]
        values.at[i, "flag"] = ";".join(filter(None, [values.at[i, "flag"], "corrected"]))
        audit.append(
            {
                "correction_id": row["correction_id"],
                "participant_id": participant,
                "instrument": instrument,
                "outcome": row["outcome"],
                "visit": row["visit"],
                "source_file": values.at[i, "source_file"],
                "source_locator": values.at[i, "source_locator"],
                "raw_value": values.at[i, "raw_value"],
                "old_value": current,
                "new_value": new,
                "reason": row["reason"],
                "reference": row["reference"],
            }
        )
    if problems:
        raise SupplementError(problems)
    return values, pd.DataFrame.from_records(audit, columns=AUDIT_COLUMNS)
