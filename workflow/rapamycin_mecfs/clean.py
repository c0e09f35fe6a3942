"""Cleaning one instrument: IDs, missing tokens, text numbers, LLOQ, corrections, range and grid.

The cleaned table has one row per roster participant x outcome x visit, so missing values keep
their lineage too. Columns: CLEAN_COLUMNS.
"""

from __future__ import annotations

import math
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
    return IdNormaliser(config["participant_ids"]["pattern"], config["participant_ids"]["canonical"])


def cell_parser(config: dict[str, Any]) -> CellParser:
    return CellParser(config["missing_tokens"], config["below_lloq"]["substitute"])


def normalise_ids(extracted: pd.DataFrame, ids: IdNormaliser, what: str) -> pd.DataFrame:
    """Add participant_id; two different rows mapping to one ID is an error naming both cells."""
    extracted = extracted.copy()
    extracted["participant_id"] = [
        ids(raw, f"{f} [{loc}]")
        for raw, f, loc in zip(extracted["raw_participant_id"], extracted["source_file"], extracted["id_locator"])
    ]
    rows = extracted.drop_duplicates(["participant_id", "id_locator"])
    clashes = rows[rows["participant_id"].duplicated(keep=False)]
    if not clashes.empty:
        problems = []
        for participant, group in clashes.groupby("participant_id", sort=True):
            cells = ", ".join(f"{r.raw_participant_id!r} at [{r.id_locator}]" for r in group.itertuples())
            problems.append(
                f"{group['source_file'].iloc[0]}: value {participant!r}: duplicate participant after ID "
                f"normalisation ({cells}) in {what}; expected one row per participant"
            )
        raise SupplementError(problems)
    return extracted


def roster_sites(roster_extracted: pd.DataFrame, ids: IdNormaliser) -> dict[str, str]:
    """participant_id -> site from the participants table (site may be absent: then empty)."""
    roster = normalise_ids(roster_extracted, ids, "the participants table")
    people = sorted(roster["participant_id"].unique())
    sites = roster[roster["outcome"] == "site"].set_index("participant_id")["raw_value"].to_dict()
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
            return f"off the scale's grid; expected a multiple of {spec.step:g} ({spec.label})"
    return None


def parse_values(extracted: pd.DataFrame, specs: dict[str, OutcomeSpec], parser: CellParser) -> pd.DataFrame:
    """Add value and flag columns; unknown tokens stop cleaning with every bad cell listed."""
    values, flags, problems = [], [], []
    for row in extracted.itertuples():
        where = f"{row.source_file} [{row.source_locator}]"
        try:
            parsed = parser.parse(row.raw_value, row.raw_type, where, specs[row.outcome].lloq)
        except SupplementError as error:
            problems.append(str(error))
            continue
        values.append(parsed.value)
        flags.append(";".join(parsed.flags))
    if problems:
        raise SupplementError(problems)
    extracted = extracted.copy()
    extracted["value"] = np.asarray(values, dtype=float)
    extracted["flag"] = flags
    return extracted


def complete_grid(
    values: pd.DataFrame, sites: dict[str, str], outcomes: list[str], visits: list[str], source: str
) -> pd.DataFrame:
    """One row per roster participant x outcome x visit; rows not in the table are flagged, not dropped."""
    full = pd.MultiIndex.from_product([sorted(sites), outcomes, visits], names=["participant_id", "outcome", "visit"])
    values = values.set_index(["participant_id", "outcome", "visit"]).reindex(full).reset_index()
    absent = values["raw_type"].isna()
    values.loc[absent, ["raw_value", "raw_participant_id", "source_locator"]] = ""
    values.loc[absent, "source_file"] = source
    values.loc[absent, "flag"] = FLAG_ABSENT
    values["site"] = values["participant_id"].map(sites)
    return values


def clean_instrument(
    extracted: pd.DataFrame,
    roster_extracted: pd.DataFrame,
    config: dict[str, Any],
    instrument: str,
    corrections: list[dict[str, Any]],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cleaned long table and correction audit for one instrument."""
    ids = id_normaliser(config)
    parser = cell_parser(config)
    specs = {k: s for k, s in outcome_specs(config).items() if s.instrument == instrument}
    source = config["tables"][config["instruments"][instrument]["table"]]["file"]
    visits = visit_ids(config)

    sites = roster_sites(roster_extracted, ids)
    extracted = normalise_ids(extracted, ids, f"the {instrument} table")
    unknown = extracted[~extracted["participant_id"].isin(sites)].drop_duplicates("participant_id")
    if not unknown.empty:
        raise SupplementError(
            [
                f"{r.source_file} [{r.id_locator}]: value {r.raw_participant_id!r}: participant {r.participant_id} "
                "is not in the participants table; expected every participant to be enrolled"
                for r in unknown.itertuples()
            ]
        )
    extracted = extracted[extracted["outcome"].isin(specs)]
    values = parse_values(extracted, specs, parser)
    values = complete_grid(values, sites, list(specs), visits, source)
    values["instrument"] = instrument
    values["correction_id"] = ""
    values["flag"] = values["flag"].fillna("")

    values, audit = apply_corrections(
        values, corrections, instrument, ids, parser.is_missing, visits, config.get("corrections", "corrections")
    )

    problems = []
    for row in values.itertuples():
        reason = check_value(specs[row.outcome], row.value, config["grid_tolerance"])
        if reason:
            shown = repr(row.raw_value)
            if row.correction_id:
                # The checked value is the ledger's, not the cell's: name both so the user fixes the right file.
                shown += f" corrected to {row.value:g} by correction {row.correction_id} in {config.get('corrections', 'corrections')}"
            problems.append(f"{row.source_file} [{row.source_locator}]: value {shown}: {reason}")
    if problems:
        raise SupplementError(problems)

    values["day"] = values["visit"].map(visit_days(config))
    values["unit"] = values["outcome"].map({k: s.unit for k, s in specs.items()})
    order = {k: i for i, k in enumerate(specs)}
    visit_order = {v: i for i, v in enumerate(visits)}
    values = values.sort_values(
        ["participant_id", "outcome", "visit"],
        key=lambda col: col.map(order) if col.name == "outcome" else col.map(visit_order) if col.name == "visit" else col,
    )
    return values[CLEAN_COLUMNS].reset_index(drop=True), audit
