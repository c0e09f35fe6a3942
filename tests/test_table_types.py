"""table_types: the one typed reader for intermediate tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from rapamycin_mecfs.atomic import write_table
from rapamycin_mecfs.table_types import TABLE_TYPES, as_types, read_table, to_numbers


def test_declared_columns_are_converted_and_the_rest_stay_text():
    text = pd.DataFrame(
        {
            "participant_id": ["p1", "p2", "p3"],
            "set_enrolled": ["True", "True", "False"],
            "has_data_V1": ["False", "True", "True"],
            "dose_V1": ["0.5", "", "6"],
            "stop_reason": ["", "cost", "1"],  # not declared: a number-like reason stays text
        }
    )
    typed = as_types(text, "participants")
    assert typed["set_enrolled"].dtype == bool and typed["set_enrolled"].tolist() == [
        True,
        True,
        False,
    ]
    assert typed["has_data_V1"].tolist() == [False, True, True]
    assert typed["dose_V1"].iloc[0] == 0.5 and math.isnan(typed["dose_V1"].iloc[1])
    assert typed["stop_reason"].tolist() == ["", "cost", "1"]
    # Idempotent: converting the converted table changes nothing.
    pd.testing.assert_frame_equal(as_types(typed, "participants"), typed)
    # The input is not modified.
    assert text["dose_V1"].tolist() == ["0.5", "", "6"]


@pytest.mark.parametrize(
    "column, value, expected",
    [("dose_V1", "1,5", "is not a number"), ("set_enrolled", "yes", "is not True or False")],
)
def test_a_cell_that_does_not_parse_names_file_row_column_and_value(
    tmp_path, column, value, expected
):
    frame = pd.DataFrame(
        {"participant_id": ["p1", "p2"], "set_enrolled": ["True", "True"], "dose_V1": ["1", "2"]}
    )
    frame.loc[1, column] = value
    path = tmp_path / "participants.csv"
    write_table(frame, path, synthetic=False)
    # Row 3: the header is row 1, p1 row 2.
    with pytest.raises(ValueError) as error:
        read_table(path, "participants")
    message = str(error.value)
    assert str(path) in message and "row 3" in message and repr(column) in message
    assert repr(value) in message and expected in message


def test_an_empty_boolean_cell_is_missing_not_false():
    typed = as_types(pd.DataFrame({"ci_spans_0_5": ["True", ""]}), "roc_auc")
    assert typed["ci_spans_0_5"].tolist() == [True, None]


def test_to_numbers_for_a_column_every_table_has():
    assert to_numbers(pd.Series(["0.01", "", "1e-3"])).tolist()[::2] == [0.01, 0.001]
    with pytest.raises(ValueError, match=r"paired_tests: row 2, column 'p_value': 'n/a'"):
        to_numbers(pd.Series(["n/a"]), "paired_tests", "p_value")


def test_every_declared_table_is_a_pipeline_table():
    from rapamycin_mecfs.analysis.registry import OUTCOME_TABLES
    from rapamycin_mecfs.biomarkers.plan import TABLES as MARKER_TABLES

    known = {"clean", "participants", "responders_by_participant", *OUTCOME_TABLES, *MARKER_TABLES}
    assert set(TABLE_TYPES) <= known
