"""Stack per-outcome tables and adjust p-values within families of tests."""

from __future__ import annotations

import pandas as pd

from ..stats.multiplicity import METHODS, adjust


def adjust_within_families(
    table: pd.DataFrame, family_by: list[str], methods: list[str]
) -> pd.DataFrame:
    """Add family, family_size and p_<method> columns; rows without a p-value get NaN.

    A family is every row sharing the `family_by` columns (by default one analysis set and one
    test, across all outcomes and visits), so the adjustment matches what was tested together.
    """
    table = table.copy()
    if "p_value" not in table or table.empty:
        return table
    keys = [c for c in family_by if c in table.columns]
    groups = (
        table.groupby(keys if len(keys) > 1 else keys[0], sort=False, dropna=False).groups.values()
        if keys
        else [table.index]
    )
    table["family"] = ""
    table["family_size"] = 0
    for method in methods:
        table[f"p_{method}"] = float("nan")
    for index in groups:
        family = table.loc[index]
        label = ", ".join(f"{k}={family[k].iloc[0]}" for k in keys) or "all rows"
        n_tests = int(family["p_value"].notna().sum())
        table.loc[index, "family"] = f"{label} (over outcomes x visits)"
        table.loc[index, "family_size"] = n_tests
        for method in methods:
            table.loc[index, f"p_{method}"] = adjust(
                family["p_value"].to_numpy(dtype=float), method
            )
    table["adjustment"] = "; ".join(f"p_{m}: {METHODS[m]} within the family" for m in methods)
    return table
