"""Cleaning one instrument: IDs, missing tokens, text numbers, LLOQ, corrections, range and grid.

The cleaned table has one row per roster participant x outcome x visit, so missing values keep
their lineage too. Columns: CLEAN_COLUMNS.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from .cells import FLAG_ABSENT, CellParser, IdNormaliser
from .config import OutcomeSpec, outcome_specs, visit_days, visit_ids
from .corrections import apply_corrections
from .errors import SupplementError

CLEAN_COLUMNS = [
    "participant_id",
    "site",
    "instrument",
    "outcome",
    "visit",
    "day",
    "value",
    "unit",
    "raw_value",
    "raw_participant_id",
    "source_file",
    "source_locator",
    "correction_id",
    "flag",
]


def id_normaliser(config: dict[str, Any]) -> IdNormaliser:
    return _shared_id_normaliser(
        config["participant_ids"]["pattern"], config["participant_ids"]["canonical"]
    )


@cache
def _shared_id_normaliser(pattern: str, canonical: str) -> IdNormaliser:
    """One normaliser per ID format, so the IDs it has seen in one table are known in the next."""
    return IdNormaliser(pattern, canonical)


def cell_parser(config: dict[str, Any]) -> CellParser:
    return CellParser(config["missing_tokens"], config["below_lloq"]["substitute"])


def distinct_values(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct) with values == distinct[codes]: a long table repeats each ID over every
    outcome x visit and each score or token over thousands of cells, so per-value work done on
    `distinct` is a few hundred calls instead of one per cell."""
    array = values.to_numpy(
        dtype=object
    )  # factorizing plain objects is faster than a string column
    codes, distinct = pd.factorize(array)
    missing = np.flatnonzero(codes == -1)
    if len(missing):
        # factorize folds None and NaN into code -1; keep each such cell as it is (they are rare).
        codes[missing] = len(distinct) + np.arange(len(missing))
        distinct = np.concatenate([np.asarray(distinct, dtype=object), array[missing]])
    return codes, distinct


def map_distinct(values: pd.Series, func: Callable[[Any], Any]) -> np.ndarray:
    """func(value) for every value, as an object array, calling func once per distinct value.

    func must depend on the value alone: messages that name a cell are made per cell, for the
    bad cells only.
    """
    codes, distinct = distinct_values(values)
    results = np.empty(len(distinct), dtype=object)
    for i, value in enumerate(distinct):
        results[i] = func(value)
    return results[codes]


def first_of_pairs(a_codes: np.ndarray, b_codes: np.ndarray) -> np.ndarray:
    """True on the first row of each distinct (a, b) pair of non-negative integer codes.

    Like ~DataFrame.duplicated on the two columns the codes stand for, without hashing two text
    columns of a 300,000-row table together (what made the duplicate-ID check slow).
    """
    pairs = a_codes.astype(np.int64) * (int(b_codes.max(initial=0)) + 1) + b_codes
    return ~pd.Series(pairs).duplicated().to_numpy()


def normalise_ids(extracted: pd.DataFrame, ids: IdNormaliser, what: str) -> pd.DataFrame:
    """Add participant_id; two different rows mapping to one ID is an error naming both cells."""
    codes, raw_ids = distinct_values(extracted["raw_participant_id"])
    canonical = np.array([ids.try_normalise(raw) for raw in raw_ids], dtype=object)
    not_ids = np.equal(canonical, None)
    if not_ids.any():
        # The first cell that is not an ID, in table order, raises with its file and cell named.
        first = extracted.iloc[int(np.flatnonzero(not_ids[codes])[0])]
        ids(first["raw_participant_id"], f"{first['source_file']} [{first['id_locator']}]")
    # assign, not a deep copy: with copy-on-write (pandas 3) the caller's frame is left alone
    # anyway.
    extracted = extracted.assign(participant_id=canonical[codes])
    # Codes rather than text: one code per participant (raw IDs that normalise alike share it) and
    # per ID cell.
    participant_codes = pd.factorize(canonical)[0][codes]
    cell_codes, _ = pd.factorize(
        extracted["id_locator"].to_numpy(dtype=object), use_na_sentinel=False
    )
    rows = extracted[first_of_pairs(participant_codes, cell_codes)]
    clashes = rows[rows["participant_id"].duplicated(keep=False)]
    if not clashes.empty:
        problems = []
        for participant, group in clashes.groupby("participant_id", sort=True):
            cells = ", ".join(
                f"{r.raw_participant_id!r} at [{r.id_locator}]" for r in group.itertuples()
            )
            problems.append(
                f"{group['source_file'].iloc[0]}: value {participant!r}: duplicate participant "
                f"after ID normalisation ({cells}) in {what}; expected one row per participant"
            )
        raise SupplementError(problems)
    return extracted


def roster_sites(roster_extracted: pd.DataFrame, ids: IdNormaliser) -> dict[str, str]:
    """participant_id -> site from the participants table (site may be absent: then empty)."""
    roster = normalise_ids(roster_extracted, ids, "the participants table")
    # tolist() first: iterating a pandas string column directly costs a Python call per cell.
    people = sorted(roster["participant_id"].unique().tolist())
    site_rows = roster[roster["outcome"] == "site"]
    sites = dict(zip(site_rows["participant_id"].tolist(), site_rows["raw_value"].tolist()))
    return {p: sites.get(p, "") for p in people}


def check_value(spec: OutcomeSpec, value: float, tolerance: float) -> str | None:
    """Why `value` is impossible for this outcome, or None."""
    if math.isnan(value):
        return None
    if not spec.min <= value <= spec.max:
        return f"out of range; expected a value in [{spec.min:g}, {spec.max:g}] ({spec.label})"
    if spec.step > 0:
        nearest = round((value - spec.min) / spec.step) * spec.step + spec.min
        if abs(value - nearest) > tolerance:
            start = f"{spec.min:g} plus " if spec.min else ""
            return (
                f"off the scale's grid; expected {start}a multiple of {spec.step_text} "
                f"({spec.label})"
            )
    return None


def off_scale(values: np.ndarray, spec: OutcomeSpec, tolerance: float) -> np.ndarray:
    """check_value over a whole column: True where it would give a reason (same float
    arithmetic)."""
    with np.errstate(invalid="ignore"):
        # NaN compares False both ways: never out of range, never off the grid, as in check_value.
        bad = (values < spec.min) | (values > spec.max)
        if spec.step > 0:
            # np.round, like Python's round, rounds halves to even.
            nearest = np.round((values - spec.min) / spec.step) * spec.step + spec.min
            bad |= np.abs(values - nearest) > tolerance
    return bad


def snap_to_grid(values: pd.DataFrame, specs: dict[str, OutcomeSpec]) -> pd.DataFrame:
    """Each checked value replaced by the exact grid value it stands for: min + k * step.

    A supplement prints 33.3 for 100/3; as stored it would break ties with 33.33 or with the
    100/3 of another source, and the Wilcoxon ranks would differ from the scale's. Every value
    is within the grid tolerance of its grid point (checked before), so only rounding changes;
    ``raw_value`` keeps what the cell says.
    """
    value = values["value"].to_numpy(dtype=float).copy()
    outcome = values["outcome"].to_numpy()
    for key, spec in specs.items():
        rows = (outcome == key) & ~np.isnan(value)
        if spec.step <= 0 or not rows.any():
            continue
        k = np.round((value[rows] - spec.min) / spec.step).astype(np.int64)
        distinct, position = np.unique(k, return_inverse=True)
        value[rows] = np.array([spec.grid_value(int(i)) for i in distinct])[position]
    return values.assign(value=value)


def scale_problems(
    values: pd.DataFrame, specs: dict[str, OutcomeSpec], tolerance: float, ledger: str
) -> list[str]:
    """One message per impossible value, in table order; check_value words each message."""
    value = values["value"].to_numpy(dtype=float)
    outcome = values["outcome"].to_numpy()
    candidates = np.zeros(len(values), dtype=bool)
    for key, spec in specs.items():
        rows = outcome == key
        candidates[rows] = off_scale(value[rows], spec, tolerance)
    problems = []
    for row in values[candidates].itertuples():
        reason = check_value(specs[row.outcome], row.value, tolerance)
        if reason:
            shown = repr(row.raw_value)
            if row.correction_id:
                # The checked value is the ledger's, not the cell's: name both so the user fixes the
                # right file.
                shown += (
                    f" corrected to {row.value:g} by correction {row.correction_id} in {ledger}"
                )
            problems.append(f"{row.source_file} [{row.source_locator}]: value {shown}: {reason}")
    return problems


def parse_values(
    extracted: pd.DataFrame,
    specs: dict[str, OutcomeSpec],
    parser: CellParser,
    problems: list[str] | None = None,
) -> pd.DataFrame:
    """Add value and flag columns; unknown tokens stop cleaning with every bad cell listed.

    With a `problems` list the bad cells' messages are appended to it and their value is left
    missing, so that the caller can report them with the range and grid problems of the same table.

    A cell's parse depends only on its outcome (for the LLOQ), type and text, so the per-cell
    parser runs once per distinct text within each outcome and type; bad cells are parsed again,
    one by one in table order, for messages that name them.
    """
    values = np.full(len(extracted), np.nan)
    flags = np.empty(len(extracted), dtype=object)
    bad = np.zeros(len(extracted), dtype=bool)
    groups = extracted.groupby(["outcome", "raw_type"], sort=False, dropna=False).indices
    for (outcome, raw_type), rows in groups.items():
        codes, distinct = distinct_values(extracted["raw_value"].iloc[rows])
        parsed = [_parse_or_none(parser, raw, raw_type, specs[outcome].lloq) for raw in distinct]
        distinct_bad = np.array([p is None for p in parsed], dtype=bool)
        bad[rows] = distinct_bad[codes]
        values[rows] = np.array([math.nan if p is None else p[0] for p in parsed], dtype=float)[
            codes
        ]
        flags[rows] = np.array(["" if p is None else p[1] for p in parsed], dtype=object)[codes]
    if bad.any():
        if problems is None:
            raise SupplementError(_parse_problems(extracted[bad], specs, parser))
        problems += _parse_problems(extracted[bad], specs, parser)
    return extracted.assign(value=values, flag=flags)


def _parse_or_none(
    parser: CellParser, raw: str, raw_type: str, lloq: float | None
) -> tuple[float, str] | None:
    """(value, flags) of a cell, or None if the parser rejects it (its message is made with the
    cell's location)."""
    try:
        parsed = parser.parse(raw, raw_type, "", lloq)
    except (SupplementError, ValueError):
        return None
    return parsed.value, ";".join(parsed.flags)


def _parse_problems(
    bad: pd.DataFrame, specs: dict[str, OutcomeSpec], parser: CellParser
) -> list[str]:
    """The parser's message for each bad cell, in table order, naming the cell.

    A "number" cell whose text is not a number raises ValueError, as the per-cell loop always did.
    """
    problems = []
    for row in bad.itertuples():
        try:
            parser.parse(
                row.raw_value,
                row.raw_type,
                f"{row.source_file} [{row.source_locator}]",
                specs[row.outcome].lloq,
            )
        except SupplementError as error:
            problems.append(str(error))
    return problems


def complete_grid(
    values: pd.DataFrame, sites: dict[str, str], outcomes: list[str], visits: list[str], source: str
) -> pd.DataFrame:
    """One row per roster participant x outcome x visit; rows not in the table are flagged, not
    dropped."""
    full = pd.MultiIndex.from_product(
        [sorted(sites), outcomes, visits], names=["participant_id", "outcome", "visit"]
    )
    values = values.set_index(["participant_id", "outcome", "visit"]).reindex(full).reset_index()
    absent = values["raw_type"].isna()
    values.loc[absent, ["raw_value", "raw_participant_id", "source_locator"]] = ""
    values.loc[absent, "source_file"] = source
    values.loc[absent, "flag"] = FLAG_ABSENT
    values["site"] = values["participant_id"].map(sites)
    return values


def clean_instrument(
    extracted: pd.DataFrame,
    roster_extracted: pd.DataFrame | None,
    config: dict[str, Any],
    instrument: str,
    corrections: list[dict[str, Any]],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cleaned long table and correction audit for one instrument.

    Without a participants table (`roster_extracted` None) the participants are those the outcome's
    own table lists, with no site.
    """
    ids = id_normaliser(config)
    parser = cell_parser(config)
    specs = {k: s for k, s in outcome_specs(config).items() if s.instrument == instrument}
    source = config["tables"][config["instruments"][instrument]["table"]]["file"]
    visits = visit_ids(config)

    extracted = normalise_ids(extracted, ids, f"the {instrument} table")
    if roster_extracted is None:
        sites = {p: "" for p in sorted(extracted["participant_id"].unique().tolist())}
    else:
        sites = roster_sites(roster_extracted, ids)
    unknown = extracted[~extracted["participant_id"].isin(sites)].drop_duplicates("participant_id")
    if not unknown.empty:
        raise SupplementError(
            [
                f"{r.source_file} [{r.id_locator}]: value {r.raw_participant_id!r}: participant "
                f"{r.participant_id} is not in the participants table; expected every "
                "participant to be enrolled"
                for r in unknown.itertuples()
            ]
        )
    extracted = extracted[extracted["outcome"].isin(specs)]
    # Parse, range and grid problems of this table are reported together, in one list.
    parse_problems: list[str] = []
    values = parse_values(extracted, specs, parser, parse_problems)
    values = complete_grid(values, sites, list(specs), visits, source)
    values["instrument"] = instrument
    values["correction_id"] = ""
    values["flag"] = values["flag"].fillna("")

    values, audit = apply_corrections(
        values,
        corrections,
        instrument,
        ids,
        parser.is_missing,
        visits,
        config.get("corrections", "corrections"),
    )

    problems = parse_problems + scale_problems(
        values, specs, config["grid_tolerance"], config.get("corrections", "corrections")
    )
    if problems:
        raise SupplementError(problems)
    values = snap_to_grid(values, specs)

    values["day"] = values["visit"].map(visit_days(config))
    values["unit"] = values["outcome"].map({k: s.unit for k, s in specs.items()})
    order = {k: i for i, k in enumerate(specs)}
    visit_order = {v: i for i, v in enumerate(visits)}
    values = values.sort_values(
        ["participant_id", "outcome", "visit"],
        key=lambda col: (
            col.map(order)
            if col.name == "outcome"
            else col.map(visit_order)
            if col.name == "visit"
            else col
        ),
    )
    return values[CLEAN_COLUMNS].reset_index(drop=True), audit
