"""How many values of a marker were below the LLOQ or missing, per visit, and what entered the
analysis."""

from __future__ import annotations

import math

import pandas as pd

from ..cells import FLAG_ABSENT, FLAG_BELOW_LLOQ
from ..table_types import as_types

SUBSTITUTES = {
    "lloq_half": "replaced by LLOQ/2",
    "lloq": "replaced by the LLOQ",
    "missing": "treated as missing (left out)",
}


def substituted_value(substitute: str, lloq: float | None) -> float:
    """The number a below-LLOQ value becomes in the analysis (NaN when treated as missing)."""
    if substitute not in SUBSTITUTES:
        raise ValueError(f"substitute must be one of {sorted(SUBSTITUTES)}, got {substitute!r}")
    if lloq is None or substitute == "missing":
        return math.nan
    return lloq / 2 if substitute == "lloq_half" else float(lloq)


def describe_handling(substitute: str, lloq: float | None, unit: str) -> str:
    """One sentence on how below-LLOQ and missing values enter every analysis of the marker."""
    if lloq is None:
        return "no LLOQ configured; missing values left out (complete cases per analysis)"
    value = substituted_value(substitute, lloq)
    shown = f" = {value:g} {unit}" if not math.isnan(value) else ""
    return (
        f"below-LLOQ values (LLOQ {lloq:g} {unit}) {SUBSTITUTES[substitute]}{shown} and flagged "
        f"below_lloq (config below_lloq/substitute = {substitute}); missing values left out "
        "(complete cases per analysis)"
    )


def _flags(clean: pd.DataFrame) -> pd.Series:
    return clean["flag"].fillna("").astype(str).str.split(";")


def lloq_counts(
    clean: pd.DataFrame, visits: list[str], substitute: str, lloq: float | None, unit: str
) -> pd.DataFrame:
    """One row per visit and one for all visits: rows, quantified, below LLOQ, missing.

    ``clean`` is the cleaned outcome table of one marker (text cells as read_csv returns them;
    ``flag`` holds flags joined with ';'). A below-LLOQ value counts as below LLOQ whatever its
    substitute; "missing" counts cells without a value for another reason (missing token, empty
    cell, or the participant absent from the table: ``n_not_in_table``).
    """
    flags = _flags(clean)
    below = flags.map(lambda f: FLAG_BELOW_LLOQ in f)
    absent = flags.map(lambda f: FLAG_ABSENT in f)
    value = as_types(clean, "clean")["value"]
    frame = pd.DataFrame(
        {
            "visit": clean["visit"].to_numpy(),
            "below": below.to_numpy(),
            "absent": absent.to_numpy(),
            "present": value.notna().to_numpy(),
        }
    )
    handling = describe_handling(substitute, lloq, unit)
    rows = []
    groups = [(visit, frame[frame["visit"] == visit]) for visit in visits] + [
        ("all", frame[frame["visit"].isin(visits)])
    ]
    for visit, group in groups:
        n_below = int(group["below"].sum())
        n_missing = int((~group["present"] & ~group["below"]).sum())
        n_quantified = int((group["present"] & ~group["below"]).sum())
        measured = n_quantified + n_below
        rows.append(
            {
                "visit": visit,
                "analysis_set": "all_rows",
                "analysis_set_definition": "every participant x visit row of the cleaned "
                "marker table",
                "n_rows": int(len(group)),
                "n_quantified": n_quantified,
                "n_below_lloq": n_below,
                "n_below_lloq_analysed": int((group["present"] & group["below"]).sum()),
                "n_missing": n_missing,
                "n_not_in_table": int(group["absent"].sum()),
                "n_analysed": int(group["present"].sum()),
                "pct_below_lloq_of_measured": 100 * n_below / measured if measured else math.nan,
                "lloq": math.nan if lloq is None else float(lloq),
                "below_lloq_substitute": substitute,
                "below_lloq_value_used": substituted_value(substitute, lloq),
                "method": (
                    "counts of cleaned values by flag: below_lloq = flagged below the LLOQ "
                    "(whatever the substitute); missing = no value for another reason (missing "
                    "token, empty cell, not in the table); quantified = a value at or above the "
                    f"LLOQ; {handling}"
                ),
            }
        )
    return pd.DataFrame(rows)
