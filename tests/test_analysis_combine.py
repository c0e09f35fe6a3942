"""analysis/combine.py: p-value adjustment within families of (analysis_set, test)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rapamycin_mecfs.analysis.combine import adjust_within_families
from statsmodels.stats.multitest import multipletests

NAN = float("nan")


def stacked() -> pd.DataFrame:
    """Rows as combine_outcome_tables stacks them: families interleaved, one p-value missing."""
    return pd.DataFrame(
        [
            ("o1", "T1", "A", "wilcoxon", 0.01),
            ("o1", "T1", "A", "t", 0.02),
            ("o1", "T1", "B", "wilcoxon", 0.001),
            ("o2", "T1", "A", "wilcoxon", 0.04),
            ("o2", "T1", "A", "t", 0.5),
            ("o3", "T1", "A", "wilcoxon", 0.03),
            ("o4", "T1", "A", "wilcoxon", NAN),
        ],
        columns=["outcome", "visit", "analysis_set", "test", "p_value"],
    )


# By hand.
# Family A/wilcoxon, m = 3 (the NaN row does not count): sorted 0.01, 0.03, 0.04.
#   Holm: 3 x 0.01 = 0.03; max(0.03, 2 x 0.03) = 0.06; max(0.06, 1 x 0.04) = 0.06.
#   BH:   0.04 x 3/3 = 0.04; min(0.04, 0.03 x 3/2 = 0.045) = 0.04; min(0.04, 0.01 x 3/1) = 0.03.
# Family A/t, m = 2: 0.02, 0.5. Holm: 0.04, 0.5. BH: min(0.5, 0.02 x 2) = 0.04, 0.5.
# Family B/wilcoxon, m = 1: unchanged.
HOLM = [0.03, 0.04, 0.001, 0.06, 0.5, 0.06, NAN]
BH = [0.03, 0.04, 0.001, 0.04, 0.5, 0.04, NAN]
SIZE = [3, 2, 1, 3, 2, 3, 3]


def test_holm_and_bh_by_hand():
    table = adjust_within_families(stacked(), ["analysis_set", "test"], ["holm", "fdr_bh"])
    np.testing.assert_allclose(table["p_holm"], HOLM, rtol=1e-12)
    np.testing.assert_allclose(table["p_fdr_bh"], BH, rtol=1e-12)
    assert table["family_size"].tolist() == SIZE
    assert table.loc[0, "family"] == "analysis_set=A, test=wilcoxon (over outcomes x visits)"
    assert table.loc[2, "family"] == "analysis_set=B, test=wilcoxon (over outcomes x visits)"
    assert np.isnan(table.loc[6, "p_holm"]) and np.isnan(table.loc[6, "p_fdr_bh"])
    # Input columns untouched, row order kept.
    pd.testing.assert_frame_equal(table[stacked().columns], stacked())


def test_matches_statsmodels_per_family():
    table = adjust_within_families(stacked(), ["analysis_set", "test"], ["holm", "fdr_bh"])
    for _, family in table.groupby(["analysis_set", "test"]):
        present = family[family["p_value"].notna()]
        for method in ("holm", "fdr_bh"):
            expected = multipletests(present["p_value"], method=method)[1]
            np.testing.assert_allclose(present[f"p_{method}"], expected, rtol=1e-12)


def test_family_by_a_single_column_and_by_nothing():
    by_set = adjust_within_families(stacked(), ["analysis_set"], ["holm"])
    # Set A: 0.01, 0.02, 0.04, 0.5, 0.03 (m = 5) -> sorted 0.01, 0.02, 0.03, 0.04, 0.5:
    # 0.05, max(0.05, 0.08) = 0.08, max(0.08, 0.09) = 0.09, max(0.09, 0.08) = 0.09, 0.5.
    np.testing.assert_allclose(
        by_set["p_holm"], [0.05, 0.08, 0.001, 0.09, 0.5, 0.09, NAN], rtol=1e-12
    )
    everything = adjust_within_families(stacked(), ["no_such_column"], ["holm"])
    assert (everything["family_size"] == 6).all()
    assert (everything["family"] == "all rows (over outcomes x visits)").all()
    assert everything.loc[2, "p_holm"] == pytest.approx(0.006)


def test_table_without_p_values_is_returned_unchanged():
    table = pd.DataFrame({"outcome": ["o1"], "n": [3]})
    pd.testing.assert_frame_equal(adjust_within_families(table, ["analysis_set"], ["holm"]), table)
