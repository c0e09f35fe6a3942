"""Multiplicity for the biomarker tables: Benjamini-Hochberg within stated families.

A family never spans markers, so adjusting one marker's table (in its own job) and adjusting
the table stacked over markers (in the combining job) give the same adjusted p-values.
"""

from __future__ import annotations

import pandas as pd

from ..analysis.combine import adjust_within_families
from ..table_types import to_numbers

METHODS = ("fdr_bh",)

# table -> (columns defining a family, what the family runs over)
FAMILIES: dict[str, tuple[list[str], str]] = {
    "trajectory": (["marker", "analysis_set", "test"], "over follow-up visits"),
    "spearman_cross_sectional": (["marker", "correlation"], "over outcomes x visits"),
    "spearman_change": (["marker", "correlation"], "over outcomes x change intervals"),
    "rm_corr": (["marker", "correlation"], "over outcomes"),
    "responders_compare": (["marker", "test"], "over baseline level and changes"),
}

ADDED_COLUMNS = ("family", "family_size", "adjustment", *(f"p_{m}" for m in ("holm", "fdr_bh")))


def adjust_table(
    name: str, table: pd.DataFrame, methods: tuple[str, ...] = METHODS
) -> pd.DataFrame:
    """Add family, family_size, p_fdr_bh and adjustment to a biomarker table with p-values.

    Tables without a family (lloq_counts, roc_auc) come back unchanged. Earlier adjustment
    columns are dropped first, so a stacked table is adjusted afresh.
    """
    if name not in FAMILIES or "p_value" not in table or table.empty:
        return table
    family_by, scope = FAMILIES[name]
    table = table.drop(columns=[c for c in ADDED_COLUMNS if c in table.columns])
    table["p_value"] = to_numbers(table["p_value"], name, "p_value")
    adjusted = adjust_within_families(table, family_by, list(methods))
    keys = adjusted[family_by].astype(str)
    adjusted["family"] = (
        keys.apply(lambda row: ", ".join(f"{k}={row[k]}" for k in family_by), axis=1)
        + f" ({scope})"
    )
    return adjusted
