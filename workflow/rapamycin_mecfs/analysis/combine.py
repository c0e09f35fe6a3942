"""Stack per-outcome tables and adjust p-values within families of tests."""

from __future__ import annotations

import pandas as pd

from ..stats.multiplicity import METHODS, adjust
from ..table_types import to_numbers
from .registry import OUTCOME_TABLES


def adjust_within_families(
    table: pd.DataFrame, family_by: list[str], methods: list[str]
) -> pd.DataFrame:
    """Add family, family_size and p_<method> columns; rows without a p-value get NaN.

    A family is every row sharing the `family_by` columns (by default one analysis set and one
    test, across all outcomes and visits), so the adjustment matches what was tested together.

    Parameters
    ----------
    table : pandas.DataFrame
        Stacked result rows with a ``p_value`` column (NaN where not computed).
    family_by : list of str
        Columns whose values define a family; names not in the table are ignored, and with none
        left the whole table is one family.
    methods : list of str
        Adjustment methods of ``stats.multiplicity.adjust`` ("holm", "fdr_bh").

    Returns
    -------
    pandas.DataFrame
        A copy with family (label), family_size (p-values present in the family), one
        ``p_<method>`` column per method and adjustment (method text); the table unchanged if it
        is empty or has no ``p_value``.

    Examples
    --------
    Two families by test; the NaN row does not count, so t2 is a family of one (p unchanged)
    and t1 gets the values of ``stats.multiplicity.adjust``'s example:

    >>> import pandas as pd
    >>> table = pd.DataFrame(
    ...     {
    ...         "outcome": ["a", "b", "c", "a", "b"],
    ...         "test": ["t1", "t1", "t1", "t2", "t2"],
    ...         "p_value": [0.01, 0.04, 0.03, 0.02, float("nan")],
    ...     }
    ... )
    >>> out = adjust_within_families(table, ["test"], ["holm", "fdr_bh"])
    >>> print(out[["outcome", "test", "family_size", "p_holm", "p_fdr_bh"]].to_string())
      outcome test  family_size  p_holm  p_fdr_bh
    0       a   t1            3    0.03      0.03
    1       b   t1            3    0.06      0.04
    2       c   t1            3    0.06      0.04
    3       a   t2            1    0.02      0.02
    4       b   t2            1     NaN       NaN
    >>> out.loc[0, "family"]
    'test=t1 (over outcomes x visits)'
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


def combine_outcome_table(
    name: str, parts: list[pd.DataFrame], family_by: list[str], methods: list[str]
) -> pd.DataFrame:
    """One per-outcome table stacked over outcomes, p adjusted as its registry line says.

    The configured family columns (`family_by`) are joined by the table's own
    (``OutcomeTable.family_by``); a table registered with ``adjust=False`` (a sensitivity grid:
    one test under different assumptions) keeps its p-values unadjusted.

    Parameters
    ----------
    name : str
        The table's name in ``analysis.registry.OUTCOME_TABLES``.
    parts : list of pandas.DataFrame
        The table of each outcome, as read from the CSVs (text cells).
    family_by : list of str
        Columns that define a family (config analysis/multiplicity/family_by).
    methods : list of str
        Adjustment methods (config analysis/multiplicity/methods).

    Returns
    -------
    pandas.DataFrame
        The stacked table, with family, family_size, p_<method> and adjustment columns when
        the table has p-values and is adjusted.

    Examples
    --------
    >>> part = pd.DataFrame({"analysis_set": ["s", "s"], "test": ["t", "t"],
    ...                      "p_value": ["0.01", "0.04"]})
    >>> combined = combine_outcome_table("paired_tests", [part], ["analysis_set", "test"], ["holm"])
    >>> combined["p_holm"].tolist()
    [0.02, 0.04]
    """
    spec = OUTCOME_TABLES[name]
    table = pd.concat(parts, ignore_index=True)
    if "p_value" not in table or not spec.adjust:
        return table
    table["p_value"] = to_numbers(table["p_value"], name, "p_value")
    return adjust_within_families(table, [*family_by, *spec.family_by], methods)
