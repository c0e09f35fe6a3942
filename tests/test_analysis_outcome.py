"""analysis/outcome.py: every per-outcome table, led by the outcome's identity columns."""

from __future__ import annotations

import pytest
from rapamycin_mecfs.analysis.outcome import IMPUTATIONS, TABLES, analyse_outcome
from rapamycin_mecfs.config import OutcomeSpec
from test_analysis_data import DAYS, MAIN, SETTINGS, VISITS, clean_table, people_from

SPEC = OutcomeSpec(
    key="score",
    instrument="test_instrument",
    label="Test score",
    unit="points",
    min=0,
    max=10,
    step=1,
    direction="lower_is_better",
)
IDENTITY = ["outcome", "instrument", "label", "unit", "direction"]


@pytest.fixture(scope="module")
def tables():
    return analyse_outcome(clean_table(MAIN, "score"), people_from(), SPEC, VISITS, DAYS, SETTINGS)


def test_every_table_present_with_identity_columns_first(tables):
    # The tipping point's imputed values come last; they are not a table of results.
    assert list(tables) == [*TABLES, IMPUTATIONS]
    assert list(tables[IMPUTATIONS].columns[:2]) == ["outcome", "participant_id"]
    expected = ["score", "test_instrument", "Test score", "points", "lower_is_better"]
    for name, table in ((name, tables[name]) for name in TABLES):
        assert list(table.columns[:5]) == IDENTITY, name
        assert len(table) > 0, name
        assert table[IDENTITY].drop_duplicates().values.tolist() == [expected], name
        assert table.columns.is_unique, name


def test_row_counts(tables):
    assert len(tables["visit_medians"]) == 2 * 4  # analysis sets x visits
    assert len(tables["paired_tests"]) == 3 * 3 * 2  # visits x analysis sets x tests
    assert len(tables["friedman"]) == 1
    assert len(tables["mixed_model"]) == 3
    assert len(tables["baseline_by_completion"]) == 1
    assert len(tables["tipping_point"]) == 1
    assert len(tables["tipping_point_mi"]) == len(tables["tipping_point_mi"]["delta"].unique()) > 1
    assert len(tables["regression_to_mean"]) == 1
    assert len(tables["dose_response"]) == 2 * 2  # change definitions x dose measures
    assert len(tables["dose_bands"]) == 2 * 4  # change definitions x bands


def test_tables_agree_with_the_single_analyses(tables):
    # The stacked tables carry the sign of the outcome's direction (lower is better here).
    paired = tables["paired_tests"]
    t3 = paired[
        (paired["visit"] == "T3")
        & (paired["analysis_set"] == "available_pairs")
        & (paired["test"] == "paired_t")
    ]
    assert t3["estimate"].item() == pytest.approx(12 / 7)
    assert tables["regression_to_mean"]["baseline_mean"].item() == pytest.approx(7.5)
    assert tables["baseline_by_completion"]["n_1"].item() == 6


def test_only_the_planned_tables_are_computed():
    # Two visits, no stops table, no dose: the plan asks for the four tables that apply.
    wanted = ["paired_tests", "mixed_model", "tipping_point", "regression_to_mean"]
    two = ["T0", "T3"]
    settings = {**SETTINGS, "tables": wanted, "dose_response": None}
    got = analyse_outcome(clean_table(MAIN, "score"), people_from(), SPEC, two, None, settings)
    assert list(got) == [*wanted, IMPUTATIONS]
    assert len(got["paired_tests"]) == 1 * 3 * 2  # one follow-up visit x analysis sets x tests
    assert list(got["mixed_model"]["visit"]) == ["T3"]
