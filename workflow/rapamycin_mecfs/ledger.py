"""Reading and routing the corrections ledger (standard library only: Snakemake reads it while
planning).

Each instrument's clean job receives only its own rows as a param, so adding or editing a
correction replans that instrument's jobs and nothing else.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .errors import SupplementError

LEDGER_COLUMNS = [
    "correction_id",
    "participant_id",
    "outcome",
    "visit",
    "expected_current_value",
    "new_value",
    "reason",
    "reference",
]


def read_ledger(path: str | Path) -> list[dict[str, str]]:
    """Ledger rows as dicts of stripped text; an empty ledger (header only) is valid."""
    path = Path(path)
    if not path.exists():
        raise SupplementError(
            f"{path}: corrections ledger not found; expected a CSV with columns {LEDGER_COLUMNS}"
        )
    data = path.read_bytes()
    if not data.strip():
        raise SupplementError(
            f"{path}: the file is empty ({len(data)} bytes); expected at least the header line "
            f"{','.join(LEDGER_COLUMNS)} (a header alone means no corrections)"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SupplementError(
            f"{path}: byte {error.start} (value {data[error.start : error.start + 1]!r}): not "
            f"UTF-8 text; the file looks {_encoding_guess(data)}-encoded; expected UTF-8 (save "
            "the ledger as 'CSV UTF-8')"
        ) from None
    with io.StringIO(text, newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in LEDGER_COLUMNS if c not in header]
        if missing:
            raise SupplementError(
                f"{path} [line 1]: columns {missing} missing; expected columns {LEDGER_COLUMNS}"
            )
        rows, lines = [], []
        for row in reader:
            rows.append({c: (row[c] or "").strip() for c in LEDGER_COLUMNS})
            # The file line the row ends on: blank lines and quoted line breaks make it differ from
            # the row count.
            lines.append(reader.line_num)
    problems = []
    seen: dict[str, int] = {}
    for line, row in zip(lines, rows):
        for column in ("correction_id", "participant_id", "outcome", "visit"):
            if not row[column]:
                problems.append(f"{path} [line {line}]: column {column} is empty; expected a value")
        if row["correction_id"] in seen:
            problems.append(
                f"{path} [line {line}]: value {row['correction_id']!r}: duplicate correction_id "
                f"(also line {seen[row['correction_id']]}); expected unique ids"
            )
        seen.setdefault(row["correction_id"], line)
    if problems:
        raise SupplementError(problems)
    return rows


def _encoding_guess(data: bytes) -> str:
    """The likely encoding of text that is not UTF-8: Windows-1252 when it decodes, else Latin-1."""
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "Latin-1"
    return "Windows-1252 (cp1252)"


def route(
    rows: list[dict[str, str]], outcomes_by_instrument: dict[str, list[str]], source: str
) -> dict[str, list[dict[str, str]]]:
    """instrument -> its ledger rows. A row naming no configured outcome is dangling and stops
    planning."""
    owner = {o: name for name, outcomes in outcomes_by_instrument.items() for o in outcomes}
    problems = [
        f"{source} [correction {row['correction_id']}]: value {row['outcome']!r}: unknown "
        f"outcome (dangling correction); expected one of {sorted(owner)}"
        for row in rows
        if row["outcome"] not in owner
    ]
    if problems:
        raise SupplementError(problems)
    routed: dict[str, list[dict[str, str]]] = {name: [] for name in outcomes_by_instrument}
    for row in rows:
        routed[owner[row["outcome"]]].append(row)
    return routed


def presence_changes(rows: list[dict[str, str]], is_missing) -> list[dict[str, str]]:
    """Rows that turn a missing value into a present one or back.

    Only these can change who counts as a completer, so only these are passed to the participants
    job.
    """
    return [
        {k: row[k] for k in ("correction_id", "participant_id", "outcome", "visit", "new_value")}
        for row in rows
        if is_missing(row["expected_current_value"]) != is_missing(row["new_value"])
    ]
