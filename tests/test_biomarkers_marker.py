"""biomarkers/marker.py: every table of one marker, with the columns the issue asks of each row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from biomarker_fixtures import VISITS, clean_table, people, simulated
from rapamycin_mecfs.analysis.responders import responder_status
from rapamycin_mecfs.biomarkers.marker import correlation_tables, early_visits, marker_tables
from rapamycin_mecfs.biomarkers.plan import CORRELATION_TABLES, MARKER_TABLES
from rapamycin_mecfs.biomarkers.roc import bootstrap_auc_ci

DATA = simulated()
IDS = sorted(DATA["marker"])
STOPPED = {p for p, v in DATA["marker"].items() if v[3] is None}
COMPLETERS = set(IDS) - STOPPED
RULE = {
    "visit": "T3",
    "combine": "all",
    "k": 1,
    "criteria": [{"outcome": "symptom", "min_improvement": 1, "unit": "points"}],
    "assumption": "test rule",
}
SETTINGS = {
    "visits": VISITS,
    "confidence": 0.95,
    "wilcoxon_method": "approx",
    "below_lloq_substitute": "lloq_half",
    "change_visits": ["T1", "T3"],
    "bootstrap": {"resamples": 500, "seed": 11},
    "responders": RULE,
    "responder_outcomes": {"symptom": {"label": "Symptom", "direction": "lower_is_better"}},
}
MARKER = {
    "key": "m",
    "instrument": "biomarkers",
    "label": "Marker M",
    "unit": "ng/mL",
    "direction": "none",
    "lloq": 0.05,
}
OUTCOMES = {
    "score": {"instrument": "q", "label": "Score", "direction": "lower_is_better"},
    "symptom": {"instrument": "q", "label": "Symptom", "direction": "lower_is_better"},
}
CORRELATION_COLUMNS = ["n", "ci_low", "ci_high", "p_value", "p_fdr_bh", "family", "family_size"]


@pytest.fixture(scope="module")
def tables():
    marker_flags = {
        (p, v): "below_lloq"
        for p, series in DATA["marker"].items()
        for v, x in zip(VISITS, series)
        if x == 0.025
    }
    cleans = {name: clean_table(DATA[name], name) for name in ("score", "symptom")}
    marker, cohort = (
        clean_table(DATA["marker"], "m", marker_flags),
        people(IDS, COMPLETERS, STOPPED),
    )
    alone = marker_tables(marker, cleans["symptom"], cohort, MARKER, SETTINGS)
    correlations = correlation_tables(marker, cleans, cohort, MARKER, OUTCOMES, SETTINGS)
    assert (list(alone), list(correlations)) == (list(MARKER_TABLES), list(CORRELATION_TABLES))
    return {**alone, **correlations}


def test_every_table_with_identity_method_and_analysis_set(tables):
    assert sorted(tables) == sorted(MARKER_TABLES + CORRELATION_TABLES)
    for name, table in tables.items():
        assert len(table) > 0, name
        assert (table["marker"] == "m").all() and (table["direction"] == "none").all(), name
        assert table["below_lloq_handling"].str.contains("LLOQ/2").all(), name
        assert table["method"].astype(str).str.len().gt(0).all(), name
        assert table["analysis_set"].astype(str).str.len().gt(0).all(), name


def test_lloq_counts_match_the_flags(tables):
    counts = tables["lloq_counts"].set_index("visit")
    for k, visit in enumerate(VISITS):
        below = sum(series[k] == 0.025 for series in DATA["marker"].values())
        missing = sum(series[k] is None for series in DATA["marker"].values())
        assert (counts.loc[visit, "n_below_lloq"], counts.loc[visit, "n_missing"]) == (
            below,
            missing,
        )


@pytest.mark.parametrize(
    "name, estimate, kind, size",
    [
        ("spearman_cross_sectional", "rho", "spearman_cross_sectional", 2 * 4),
        ("spearman_change", "rho", "spearman_change", 2 * 2),
        ("rm_corr", "r", "rm_corr", 2),
    ],
)
def test_correlation_rows_have_n_estimate_ci_p_adjusted_p_and_family(
    tables, name, estimate, kind, size
):
    table = tables[name]
    assert len(table) == size
    assert table[[estimate, *CORRELATION_COLUMNS]].notna().all().all()
    assert (
        table["family"]
        == f"marker=m, correlation={kind} " + table["family"].str.extract(r"(\(.*\))")[0]
    ).all()
    assert (table["family_size"] == size).all()
    assert (table["p_fdr_bh"] >= table["p_value"] - 1e-15).all()
    assert (table["ci_low"] <= table[estimate]).all() and (
        table[estimate] <= table["ci_high"]
    ).all()
    assert list(table["outcome_label"].unique()) == ["Score", "Symptom"]


def test_responder_tables_use_observed_status_at_the_responder_visit(tables):
    status = responder_status(
        clean_table(DATA["symptom"], "symptom"),
        people(IDS, COMPLETERS, STOPPED),
        VISITS,
        RULE,
        {"symptom": "lower_is_better"},
    )["responder_observed"]
    n1, n2 = int((status == 1).sum()), int((status == 0).sum())
    compare = tables["responders_compare"].set_index("measure")
    assert compare.loc["baseline_level", "n_responders"] == n1
    assert compare.loc["baseline_level", "n_non_responders"] == n2
    roc = tables["roc_auc"].set_index("measure")
    assert list(roc.index) == [
        "baseline_level",
        "change_T0_T1",
    ]  # T3 change is not a predictor of T3 response
    assert roc.loc["baseline_level", "auc"] == pytest.approx(
        compare.loc["baseline_level", "U"] / (n1 * n2)
    )
    baseline = pd.Series({p: v[0] for p, v in DATA["marker"].items()})
    ci = bootstrap_auc_ci(
        baseline[status == 1].to_numpy(), baseline[status == 0].to_numpy(), 500, 11
    )
    assert (roc.loc["baseline_level", "ci_low"], roc.loc["baseline_level", "ci_high"]) == (
        ci["ci_low"],
        ci["ci_high"],
    )
    assert roc["ci_spans_0_5"].map(lambda v: isinstance(v, (bool, np.bool_))).all()


def test_early_visits():
    assert early_visits(["T1", "T3"], "T3", VISITS) == ["T1"]
    assert early_visits(["T1", "T2"], "T2", VISITS) == ["T1"]


def test_unknown_change_visit_is_refused():
    with pytest.raises(ValueError, match="T9"):
        marker_tables(
            clean_table(DATA["marker"], "m"),
            clean_table(DATA["symptom"], "symptom"),
            people(IDS),
            MARKER,
            {**SETTINGS, "change_visits": ["T9"]},
        )
    with pytest.raises(ValueError, match="T9"):
        correlation_tables(
            clean_table(DATA["marker"], "m"),
            {},
            people(IDS),
            MARKER,
            {},
            {**SETTINGS, "change_visits": ["T9"]},
        )
