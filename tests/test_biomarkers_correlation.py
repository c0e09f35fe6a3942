"""biomarkers/correlation.py and families.py: Spearman with CI, and BH within marker x kind of
correlation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from biomarker_fixtures import VISITS, simulated, wide
from rapamycin_mecfs.biomarkers.correlation import change_change, cross_sectional
from rapamycin_mecfs.biomarkers.families import adjust_table
from scipy.stats import norm, spearmanr
from statsmodels.stats.multitest import multipletests

DATA = simulated()
MARKER = wide(DATA["marker"])
OUTCOMES = {"score": wide(DATA["score"]), "symptom": wide(DATA["symptom"])}
DIRECTIONS = {"score": "lower_is_better", "symptom": "lower_is_better"}
ENROLLED = pd.Index(sorted(DATA["marker"]))


def hand_ci(rho: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    se = 1 / math.sqrt(n - 3)  # Fisher z
    z = norm.ppf(1 - (1 - confidence) / 2)
    return math.tanh(math.atanh(rho) - z * se), math.tanh(math.atanh(rho) + z * se)


def complete(x: pd.Series, y: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    frame = pd.concat([x, y], axis=1).dropna()
    return frame.iloc[:, 0].to_numpy(), frame.iloc[:, 1].to_numpy()


def test_cross_sectional_rows_match_scipy():
    table = cross_sectional(MARKER, OUTCOMES, DIRECTIONS, ENROLLED, VISITS, 0.95)
    assert len(table) == 2 * 4 and (table["correlation"] == "spearman_cross_sectional").all()
    for row in table.itertuples():
        x, y = complete(MARKER[row.visit], OUTCOMES[row.outcome][row.visit])
        expected = spearmanr(x, y)
        assert row.n == x.size and row.n_incomplete == len(ENROLLED) - x.size
        assert row.rho == pytest.approx(expected.statistic, abs=1e-12)
        assert row.p_value == pytest.approx(expected.pvalue, rel=1e-10)
        low, high = hand_ci(row.rho, row.n)
        assert (row.ci_low, row.ci_high) == (
            pytest.approx(low, abs=1e-12),
            pytest.approx(high, abs=1e-12),
        )
        assert row.analysis_set == "available_at_visit" and "Spearman" in row.method


def test_change_change_uses_raw_differences():
    table = change_change(MARKER, OUTCOMES, DIRECTIONS, ENROLLED, "T0", ["T1", "T3"], 0.95)
    assert list(zip(table["outcome"], table["visit"])) == [
        ("score", "T1"),
        ("score", "T3"),
        ("symptom", "T1"),
        ("symptom", "T3"),
    ]
    for row in table.itertuples():
        dx = MARKER[row.visit] - MARKER["T0"]
        dy = OUTCOMES[row.outcome][row.visit] - OUTCOMES[row.outcome]["T0"]
        x, y = complete(dx, dy)
        assert row.n == x.size
        assert row.rho == pytest.approx(spearmanr(x, y).statistic, abs=1e-12)
        assert row.outcome_direction == "lower_is_better" and "no sign flip" in row.scale


def test_bh_within_marker_and_kind_of_correlation():
    parts = []
    for marker in ("m1", "m2"):
        shifted = MARKER + (0.0 if marker == "m1" else 0.01 * np.arange(len(MARKER))[:, None])
        table = cross_sectional(shifted, OUTCOMES, DIRECTIONS, ENROLLED, VISITS, 0.95)
        table.insert(0, "marker", marker)
        parts.append(table)
    stacked = adjust_table("spearman_cross_sectional", pd.concat(parts, ignore_index=True))
    for marker, part in zip(("m1", "m2"), parts):
        rows = stacked[stacked["marker"] == marker]
        expected = multipletests(part["p_value"].to_numpy(), method="fdr_bh")[1]
        np.testing.assert_allclose(rows["p_fdr_bh"].to_numpy(), expected, rtol=1e-12)
        assert (
            rows["family"]
            == f"marker={marker}, correlation=spearman_cross_sectional (over outcomes x visits)"
        ).all()
        assert (rows["family_size"] == 8).all()
        # Adjusting one marker alone (its own job) gives the same adjusted p-values.
        alone = adjust_table("spearman_cross_sectional", part)
        np.testing.assert_allclose(alone["p_fdr_bh"].to_numpy(), expected, rtol=1e-12)
    assert stacked["adjustment"].str.contains("Benjamini-Hochberg").all()


def test_adjusting_a_stacked_csv_table_starts_afresh():
    table = cross_sectional(MARKER, OUTCOMES, DIRECTIONS, ENROLLED, VISITS, 0.95)
    table.insert(0, "marker", "m1")
    once = adjust_table("spearman_cross_sectional", table)
    as_text = once.astype(str).replace("nan", "")  # as read_csv gives the per-marker file back
    twice = adjust_table("spearman_cross_sectional", as_text)
    np.testing.assert_allclose(twice["p_fdr_bh"].to_numpy(), once["p_fdr_bh"].to_numpy(), rtol=1e-9)
    assert list(twice.columns).count("family") == 1


def test_tables_without_family_unchanged():
    frame = pd.DataFrame({"marker": ["m"], "auc": [0.6]})
    assert adjust_table("roc_auc", frame) is frame
