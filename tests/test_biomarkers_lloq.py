"""biomarkers/lloq.py: counts of below-LLOQ and missing values per visit, counted by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from rapamycin_mecfs.biomarkers.lloq import describe_handling, lloq_counts, substituted_value

# Cleaned marker values (LLOQ 0.05, substitute LLOQ/2 = 0.025), flags as cleaning writes them:
#   id   T0                      T1                         T2
#   A    0.12                    0.025 below_lloq           0.3 number_stored_as_text
#   B    0.025 below_lloq        0.08                       "" missing
#   C    0.2                     0.025 below_lloq;corrected  "" not_in_table
#   D    "" missing              "" missing                 0.025 below_lloq
ROWS = [
    ("A", "T0", "0.12", ""),
    ("A", "T1", "0.025", "below_lloq"),
    ("A", "T2", "0.3", "number_stored_as_text"),
    ("B", "T0", "0.025", "below_lloq"),
    ("B", "T1", "0.08", ""),
    ("B", "T2", "", "missing"),
    ("C", "T0", "0.2", ""),
    ("C", "T1", "0.025", "below_lloq;corrected"),
    ("C", "T2", "", "not_in_table"),
    ("D", "T0", "", "missing"),
    ("D", "T1", "", "missing"),
    ("D", "T2", "0.025", "below_lloq"),
]
VISITS = ["T0", "T1", "T2"]


def clean(rows=ROWS) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["participant_id", "visit", "value", "flag"], dtype=str)


def test_counts_per_visit_and_in_total():
    table = lloq_counts(clean(), VISITS, "lloq_half", 0.05, "ng/mL").set_index("visit")
    assert list(table.index) == ["T0", "T1", "T2", "all"]
    expected = {  # rows, quantified, below, below analysed, missing, not in table, analysed
        "T0": (4, 2, 1, 1, 1, 0, 3),
        "T1": (4, 1, 2, 2, 1, 0, 3),
        "T2": (4, 1, 1, 1, 2, 1, 2),
        "all": (12, 4, 4, 4, 4, 1, 8),
    }
    columns = [
        "n_rows",
        "n_quantified",
        "n_below_lloq",
        "n_below_lloq_analysed",
        "n_missing",
        "n_not_in_table",
        "n_analysed",
    ]
    for visit, values in expected.items():
        assert tuple(table.loc[visit, columns]) == values, visit
    assert table.loc["T1", "pct_below_lloq_of_measured"] == pytest.approx(100 * 2 / 3)
    assert (table["below_lloq_value_used"] == 0.025).all()
    assert (table["analysis_set"] == "all_rows").all() and table["method"].str.contains(
        "LLOQ/2"
    ).all()


def test_substitute_missing_keeps_the_count_but_analyses_none():
    rows = [(p, v, "" if "below_lloq" in f else value, f) for p, v, value, f in ROWS]
    table = lloq_counts(clean(rows), VISITS, "missing", 0.05, "ng/mL").set_index("visit")
    assert table.loc["all", "n_below_lloq"] == 4
    assert table.loc["all", "n_below_lloq_analysed"] == 0
    assert table.loc["all", "n_missing"] == 4  # below-LLOQ values are not counted as missing
    assert table.loc["all", "n_analysed"] == 4
    assert math.isnan(table.loc["all", "below_lloq_value_used"])


def test_substituted_value_and_text():
    assert substituted_value("lloq_half", 0.05) == 0.025
    assert substituted_value("lloq", 0.05) == 0.05
    assert math.isnan(substituted_value("missing", 0.05))
    with pytest.raises(ValueError):
        substituted_value("zero", 0.05)
    assert "replaced by LLOQ/2 = 0.025 ng/mL" in describe_handling("lloq_half", 0.05, "ng/mL")
    assert "no LLOQ configured" in describe_handling("lloq_half", None, "ng/mL")
