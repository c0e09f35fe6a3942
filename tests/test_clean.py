"""Cleaning one instrument: IDs, parsing, range/grid checks, the complete grid and its ordering."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from rapamycin_mecfs.clean import (
    CLEAN_COLUMNS,
    cell_parser,
    check_value,
    clean_instrument,
    complete_grid,
    distinct_values,
    first_of_pairs,
    id_normaliser,
    map_distinct,
    normalise_ids,
    off_scale,
    parse_values,
    roster_sites,
    snap_to_grid,
)
from rapamycin_mecfs.config import OutcomeSpec, _grid_problems, outcome_specs, parse_step
from rapamycin_mecfs.errors import SupplementError
from rapamycin_mecfs.extract import COLUMNS

SITES = {
    "RAP-001": "Oslo",
    "RAP-002": "Bergen",
    "RAP-003": "Oslo",
    "RAP-004": "Bergen",
    "RAP-005": "Oslo",
}


def cell(frame, participant, outcome, visit):
    rows = frame[
        (frame["participant_id"] == participant)
        & (frame["outcome"] == outcome)
        & (frame["visit"] == visit)
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def long_table(rows, table="bas", source="hand.xlsx", sheet="S3 BAS"):
    """Extracted-style table from (raw id, id cell, outcome, visit, raw value, raw type, value
    cell)."""
    return pd.DataFrame(
        [
            {
                "table": table,
                "raw_participant_id": raw_id,
                "id_locator": f"'{sheet}'!{id_cell}",
                "outcome": outcome,
                "visit": visit,
                "raw_value": raw,
                "raw_type": kind,
                "source_file": source,
                "source_locator": f"'{sheet}'!{ref}",
            }
            for raw_id, id_cell, outcome, visit, raw, kind, ref in rows
        ],
        columns=COLUMNS,
    )


def roster(raw_ids_and_sites):
    rows = [
        (raw, f"A{r}", "site", "", site, "text", f"B{r}")
        for r, (raw, site) in enumerate(raw_ids_and_sites, start=4)
    ]
    return long_table(rows, table="participants", source="hand.xlsx", sheet="S1 Participants")


# --- IDs and roster ------------------------------------------------------------------------


def test_normalise_ids_adds_canonical_id(config, extracted):
    frame = normalise_ids(extracted["bas"], id_normaliser(config), "the bas table")
    pairs = set(zip(frame["raw_participant_id"], frame["participant_id"]))
    assert pairs == {
        ("RAP-001", "RAP-001"),
        ("rap 2", "RAP-002"),
        ("RAP 5", "RAP-005"),
        ("RAP_003", "RAP-003"),
        ("RAP-04", "RAP-004"),
    }
    assert "participant_id" not in extracted["bas"].columns  # input left alone


def test_roster_sites(config, extracted):
    assert roster_sites(extracted["participants"], id_normaliser(config)) == SITES


def test_roster_without_site_field_gives_empty_sites(config):
    frame = long_table(
        [
            ("RAP-1", "A4", "age", "", "30", "number", "C4"),
            ("RAP-2", "A5", "age", "", "40", "number", "C5"),
        ],
        table="participants",
    )
    assert roster_sites(frame, id_normaliser(config)) == {"RAP-001": "", "RAP-002": ""}


def test_same_participant_in_several_rows_of_one_cell_is_not_a_duplicate(config):
    # Several records from one row (one ID cell) are one participant, not a clash.
    frame = long_table(
        [
            ("rap 7", "A4", "bas", "T0", "10", "number", "B4"),
            ("rap 7", "A4", "bas", "T1", "20", "number", "C4"),
        ]
    )
    out = normalise_ids(frame, id_normaliser(config), "the bas table")
    assert list(out["participant_id"]) == ["RAP-007", "RAP-007"]


# --- range and grid ------------------------------------------------------------------------


def spec(**kwargs):
    base = dict(
        key="x",
        instrument="i",
        label="X",
        unit="points",
        min=0.0,
        max=100.0,
        step=0.0,
        direction="none",
    )
    return OutcomeSpec(**{**base, **kwargs})


ROLE_EMOTIONAL = spec(label="SF-36 role limitations (emotional)", step=33.333333)
TOL = 0.051


@pytest.mark.parametrize("value", [0, 33.3, 33.33, 33.333333, 66.7, 66.67, 100, 33.38, 66.62])
def test_role_emotional_rounded_thirds_are_on_grid(value):
    assert check_value(ROLE_EMOTIONAL, value, TOL) is None


@pytest.mark.parametrize("value", [33.2, 33.4, 50, 66.6, 16.7, 99.9])
def test_role_emotional_off_grid(value):
    assert check_value(ROLE_EMOTIONAL, value, TOL) == (
        "off the scale's grid; expected a multiple of 33.3333 (SF-36 role limitations (emotional))"
    )


def test_without_tolerance_rounded_thirds_would_fail():
    # The tolerance is what absorbs 33.3 vs 100/3; with none, 33.3 is off the grid.
    assert check_value(ROLE_EMOTIONAL, 33.3, 0.0) is not None


@pytest.mark.parametrize("value", [-1, 100.5, 1000])
def test_out_of_range(value):
    assert check_value(ROLE_EMOTIONAL, value, TOL) == (
        "out of range; expected a value in [0, 100] (SF-36 role limitations (emotional))"
    )


def test_grid_is_anchored_at_the_minimum():
    odd = spec(min=1, max=9, step=2, label="odd")
    assert check_value(odd, 3, TOL) is None
    assert check_value(odd, 9, TOL) is None
    assert check_value(odd, 4, TOL) == "off the scale's grid; expected 1 plus a multiple of 2 (odd)"


def test_step_zero_is_continuous_and_nan_is_never_a_problem():
    assert check_value(spec(step=0), 12.3456, TOL) is None
    assert check_value(spec(step=10), math.nan, TOL) is None


def test_bounds_are_inclusive():
    bas = spec(step=10, label="BAS")
    assert check_value(bas, 0, TOL) is None
    assert check_value(bas, 100, TOL) is None
    assert check_value(bas, 35, TOL) == "off the scale's grid; expected a multiple of 10 (BAS)"


THIRDS = spec(label="thirds", step=100 / 3, step_text="100/3", step_exact=Fraction(100, 3))


def test_a_fraction_step_reaches_the_maximum_exactly():
    # 3 x float(100/3) is 100.00000000000001 in floating point; min + k * step computed as a
    # fraction and converted once is exactly 100.
    assert THIRDS.grid_value(3) == 100.0
    assert [THIRDS.grid_value(k) for k in range(4)] == [
        0.0,
        float(Fraction(100, 3)),
        float(Fraction(200, 3)),
        100.0,
    ]


def test_values_printed_to_one_or_two_decimals_snap_to_one_grid_value():
    values = pd.DataFrame(
        {"outcome": "x", "value": [33.3, 33.33, 100 / 3, 66.7, 66.67, 100.0, np.nan, 0.0]}
    )
    snapped = snap_to_grid(values, {"x": THIRDS})["value"].tolist()
    third, two_thirds = float(Fraction(100, 3)), float(Fraction(200, 3))
    assert snapped[:6] == [third, third, third, two_thirds, two_thirds, 100.0]
    assert math.isnan(snapped[6]) and snapped[7] == 0.0


def test_a_decimal_step_that_misses_the_maximum_is_a_config_error():
    problems = _grid_problems({"step": 33.333333, "min": 0, "max": 100}, "config.yaml: step")
    assert problems == [
        "config.yaml: step: 33.333333 does not reach max 100 exactly (3 steps give 99.999999); "
        "expected "
        'a step that divides the range, written as a fraction if no decimal does (e.g. "100/3")'
    ]
    assert _grid_problems({"step": "100/3", "min": 0, "max": 100}, "x") == []
    assert parse_step(" 100 / 3 ") == Fraction(100, 3) and parse_step(2.5) == Fraction(5, 2)


# --- clean_instrument on the fixture workbook ----------------------------------------------


def test_clean_bas(config, extracted):
    cleaned, audit = clean_instrument(
        extracted["bas"], extracted["participants"], config, "bas", []
    )
    assert list(cleaned.columns) == CLEAN_COLUMNS
    assert audit.empty
    nan = math.nan
    # (participant, visit, value, flag, raw value, cell), sorted by participant then visit.
    expected = [
        ("RAP-001", "T0", 30.0, "", "30", "B5"),
        ("RAP-001", "T1", 40.0, "", "40", "C5"),
        ("RAP-001", "T2", 50.0, "", "50", "D5"),
        ("RAP-002", "T0", 20.0, "", "20", "B6"),
        ("RAP-002", "T1", 30.0, "number_stored_as_text", "30", "C6"),
        ("RAP-002", "T2", nan, "missing", "NA", "D6"),
        ("RAP-003", "T0", 40.0, "", "40", "B8"),
        ("RAP-003", "T1", 40.0, "number_stored_as_text", " 40 ", "C8"),
        ("RAP-003", "T2", nan, "missing", "", "D8"),
        ("RAP-004", "T0", 10.0, "", "10", "B9"),
        ("RAP-004", "T1", nan, "missing", "—", "C9"),
        ("RAP-004", "T2", nan, "missing", "n/a", "D9"),
        ("RAP-005", "T0", 30.0, "", "30", "B7"),
        ("RAP-005", "T1", 30.0, "", "30", "C7"),
        ("RAP-005", "T2", 40.0, "", "40", "D7"),
    ]
    got = list(
        zip(
            cleaned["participant_id"],
            cleaned["visit"],
            cleaned["value"],
            cleaned["flag"],
            cleaned["raw_value"],
            cleaned["source_locator"],
        )
    )
    assert len(got) == len(expected)
    for (p, v, value, flag, raw, ref), row in zip(expected, got):
        assert row[:2] == (p, v)
        assert (math.isnan(row[2]) and math.isnan(value)) or row[2] == value, (p, v, row[2])
        assert row[3:] == (flag, raw, f"'S3 BAS'!{ref}")
    assert list(cleaned["day"]) == [0, 30, 60] * 5
    assert set(cleaned["unit"]) == {"points"}
    assert set(cleaned["instrument"]) == {"bas"}
    assert set(cleaned["correction_id"]) == {""}
    assert dict(zip(cleaned["participant_id"], cleaned["site"])) == SITES
    assert cell(cleaned, "RAP-004", "bas", "T0").raw_participant_id == "RAP-04"
    assert (cleaned["source_file"] == config["tables"]["bas"]["file"]).all()


def test_clean_sf36_keeps_rounded_thirds_and_config_outcome_order(config, extracted):
    cleaned, _ = clean_instrument(extracted["sf36"], extracted["participants"], config, "sf36", [])
    assert len(cleaned) == 5 * 2 * 3
    # Config order (role_emotional before pain), not alphabetical, within each participant.
    first = cleaned[cleaned["participant_id"] == "RAP-001"]
    assert list(zip(first["outcome"], first["visit"])) == [
        ("sf36_role_emotional", "T0"),
        ("sf36_role_emotional", "T1"),
        ("sf36_role_emotional", "T2"),
        ("sf36_pain", "T0"),
        ("sf36_pain", "T1"),
        ("sf36_pain", "T2"),
    ]
    # Printed thirds stand for the scale's exact thirds (tied with any other rounding of them);
    # the cell's text stays in raw_value.
    third, two_thirds = float(Fraction(100, 3)), float(Fraction(200, 3))
    assert list(first["value"]) == [third, two_thirds, 100.0, 22.5, 45.0, 55.0]
    assert list(first["raw_value"])[:2] == ["33.3", "66.7"]
    missing = cell(cleaned, "RAP-004", "sf36_pain", "T2")
    assert math.isnan(missing.value) and missing.flag == "missing" and missing.raw_value == "."


@pytest.mark.parametrize(
    "substitute, expected", [("lloq_half", 0.025), ("lloq", 0.05), ("missing", math.nan)]
)
def test_clean_biomarkers_below_lloq(config, extracted, substitute, expected):
    config["below_lloq"]["substitute"] = substitute
    cleaned, _ = clean_instrument(
        extracted["biomarkers"], extracted["participants"], config, "biomarkers", []
    )
    for participant, visit, ref in [
        ("RAP-001", "T1", "C5"),
        ("RAP-002", "T0", "B6"),
        ("RAP-003", "T1", "C8"),
    ]:
        row = cell(cleaned, participant, "patg13", visit)
        assert row.flag == "below_lloq"
        assert row.source_locator == f"'S7 Biomarkers'!{ref}"
        if math.isnan(expected):
            assert math.isnan(row.value)
        else:
            assert row.value == pytest.approx(expected)
    assert cell(cleaned, "RAP-003", "patg13", "T1").raw_value == "< 0.05"
    assert cell(cleaned, "RAP-005", "patg13", "T2").value == 0.11
    assert set(cleaned["unit"]) == {"ng/mL"}


def test_participant_absent_from_table_completes_grid(config):
    extracted = long_table(
        [
            ("RAP-1", "A5", "bas", "T0", "30", "number", "B5"),
            ("RAP-1", "A5", "bas", "T1", "40", "number", "C5"),
            ("RAP-1", "A5", "bas", "T2", "40", "number", "D5"),
        ]
    )
    cleaned, _ = clean_instrument(
        extracted, roster([("RAP-1", "Oslo"), ("RAP-2", "Bergen")]), config, "bas", []
    )
    assert len(cleaned) == 2 * 3
    absent = cleaned[cleaned["participant_id"] == "RAP-002"]
    assert list(absent["visit"]) == ["T0", "T1", "T2"]
    assert absent["value"].isna().all()
    assert set(absent["flag"]) == {"not_in_table"}
    assert set(absent["raw_value"]) == {""}
    assert set(absent["source_locator"]) == {""}
    assert set(absent["raw_participant_id"]) == {""}
    assert set(absent["site"]) == {"Bergen"}
    assert list(absent["day"]) == [0, 30, 60]
    # The table's file is still named so the user knows where the participant is missing from.
    assert set(absent["source_file"]) == {config["tables"]["bas"]["file"]}


def test_cell_absent_for_one_visit_completes_grid(config):
    # A table without a T2 column: every participant's T2 row is there, flagged not_in_table.
    extracted = long_table(
        [
            ("RAP-1", "A5", "bas", "T0", "30", "number", "B5"),
            ("RAP-1", "A5", "bas", "T1", "NA", "text", "C5"),
        ]
    )
    cleaned, _ = clean_instrument(extracted, roster([("RAP-1", "Oslo")]), config, "bas", [])
    assert list(cleaned["visit"]) == ["T0", "T1", "T2"]
    assert list(cleaned["flag"]) == ["", "missing", "not_in_table"]


def test_complete_grid_directly():
    values = pd.DataFrame(
        {
            "participant_id": ["RAP-002"],
            "outcome": ["bas"],
            "visit": ["T1"],
            "value": [20.0],
            "raw_value": ["20"],
            "raw_type": ["number"],
            "raw_participant_id": ["rap 2"],
            "source_file": ["s.xlsx"],
            "source_locator": ["'S3 BAS'!C6"],
            "flag": [""],
        }
    )
    full = complete_grid(
        values, {"RAP-002": "Bergen", "RAP-001": "Oslo"}, ["bas"], ["T0", "T1"], "s.xlsx"
    )
    assert list(zip(full["participant_id"], full["visit"], full["flag"])) == [
        ("RAP-001", "T0", "not_in_table"),
        ("RAP-001", "T1", "not_in_table"),
        ("RAP-002", "T0", "not_in_table"),
        ("RAP-002", "T1", ""),
    ]
    assert list(full["site"]) == ["Oslo", "Oslo", "Bergen", "Bergen"]
    assert full.loc[3, "value"] == 20.0


def test_output_order_follows_visit_and_outcome_config_not_alphabet(config):
    # Visit ids whose alphabetical order (BL, W12, W4) differs from the chronological one.
    config["visits"] = [{"id": "BL", "day": 0}, {"id": "W4", "day": 28}, {"id": "W12", "day": 84}]
    rows = []
    for raw_id, r in [("RAP-3", 5), ("RAP-1", 6)]:  # rows not in ID order
        for visit, col, value in [("W12", "D", "100"), ("BL", "B", "0"), ("W4", "C", "100")]:
            for outcome, shift in [("sf36_pain", 3), ("sf36_role_emotional", 0)]:
                ref = f"{chr(ord(col) + shift)}{r}"
                rows.append((raw_id, f"A{r}", outcome, visit, value, "number", ref))
    extracted = long_table(rows, table="sf36", sheet="S6 SF-36")
    cleaned, _ = clean_instrument(
        extracted, roster([("RAP-1", "Oslo"), ("RAP-3", "Oslo")]), config, "sf36", []
    )
    assert list(zip(cleaned["participant_id"], cleaned["outcome"], cleaned["visit"])) == [
        (p, o, v)
        for p in ["RAP-001", "RAP-003"]
        for o in ["sf36_role_emotional", "sf36_pain"]
        for v in ["BL", "W4", "W12"]
    ]
    assert list(cleaned["day"][:3]) == [0, 28, 84]
    assert list(cleaned.index) == list(range(12))


def test_participant_not_in_roster(config, extracted):
    roster_without_5 = extracted["participants"][
        extracted["participants"]["raw_participant_id"] != "RAP 5"
    ]
    with pytest.raises(SupplementError) as info:
        clean_instrument(extracted["bas"], roster_without_5, config, "bas", [])
    message = str(info.value)
    assert message == (
        f"{config['tables']['bas']['file']} ['S3 BAS'!A7]: value 'RAP 5': participant RAP-005 is "
        "not in the participants table; expected every participant to be enrolled"
    )


def test_several_bad_values_reported_together(config, extracted):
    frame = extracted["bas"].copy()
    frame.loc[(frame["source_locator"] == "'S3 BAS'!B5"), ["raw_value", "raw_type"]] = [
        "n.a.",
        "text",
    ]
    frame.loc[(frame["source_locator"] == "'S3 BAS'!C7"), ["raw_value", "raw_type"]] = ["?", "text"]
    with pytest.raises(SupplementError) as info:
        clean_instrument(frame, extracted["participants"], config, "bas", [])
    assert len(info.value.problems) == 2
    assert "['S3 BAS'!B5]: value 'n.a.'" in info.value.problems[0]
    assert "['S3 BAS'!C7]: value '?'" in info.value.problems[1]
    assert str(info.value).startswith("2 problems:")


def test_a_parse_problem_does_not_hide_a_range_problem_of_the_same_table(config, extracted):
    frame = extracted["bas"].copy()
    frame.loc[(frame["source_locator"] == "'S3 BAS'!B5"), ["raw_value", "raw_type"]] = [
        "\u221230",
        "text",
    ]
    frame.loc[(frame["source_locator"] == "'S3 BAS'!C6"), ["raw_value", "raw_type"]] = [
        "300",
        "number",
    ]
    with pytest.raises(SupplementError) as info:
        clean_instrument(frame, extracted["participants"], config, "bas", [])
    problems = info.value.problems
    assert len(problems) == 2
    assert (
        "['S3 BAS'!B5]: value '\u221230': not a number as written: a Unicode minus" in problems[0]
    )
    assert (
        "['S3 BAS'!C6]" in problems[1]
        and "out of range; expected a value in [0, 100]" in problems[1]
    )


def test_inputs_not_modified(config, extracted):
    before = extracted["bas"].copy()
    clean_instrument(extracted["bas"], extracted["participants"], config, "bas", [])
    pd.testing.assert_frame_equal(extracted["bas"], before)


def test_instrument_reduced_to_one_outcome_cleans_only_that_outcome(config, extracted):
    # As a per-outcome job sees it: the SF-36 table holds two outcomes, the instrument lists one.
    del config["instruments"]["sf36"]["outcomes"]["sf36_role_emotional"]
    cleaned, _ = clean_instrument(extracted["sf36"], extracted["participants"], config, "sf36", [])
    assert set(cleaned["outcome"]) == {"sf36_pain"}
    assert len(cleaned) == 5 * 3
    assert cell(cleaned, "RAP-005", "sf36_pain", "T2").source_locator == "'S6 SF-36'!G7"


# --- the whole-column paths agree with the per-cell ones -----------------------------------


def test_map_distinct_calls_once_per_distinct_value_and_keeps_none_and_nan_apart():
    calls = []

    def describe(value):
        calls.append(value)
        return repr(value)

    values = pd.Series(["a", None, "a", math.nan, "b", "a", None], dtype=object)
    assert list(map_distinct(values, describe)) == [
        "'a'",
        "None",
        "'a'",
        "nan",
        "'b'",
        "'a'",
        "None",
    ]
    assert calls.count("a") == 1 and calls.count("b") == 1


def test_distinct_values_round_trip():
    values = pd.Series(["x", "y", "x", "", "y", "z"])
    codes, distinct = distinct_values(values)
    assert list(distinct[codes]) == list(values)
    assert sorted(distinct) == ["", "x", "y", "z"]


def test_first_of_pairs_matches_drop_duplicates():
    rng = np.random.default_rng(7)
    a, b = rng.integers(0, 5, 300), rng.integers(0, 40, 300)
    expected = ~pd.DataFrame({"a": a, "b": b}).duplicated().to_numpy()
    assert (first_of_pairs(a, b) == expected).all()
    assert first_of_pairs(np.array([], dtype=np.int64), np.array([], dtype=np.int64)).size == 0


def _edge_values(scale: OutcomeSpec) -> list[float]:
    """Values around every grid point (at, and just inside and outside the tolerance), half-steps,
    the bounds and beyond, NaN and infinities."""
    values = [
        math.nan,
        math.inf,
        -math.inf,
        scale.min,
        scale.max,
        scale.min - 1e-9,
        scale.max + 1e-9,
        -1.0,
        1e6,
    ]
    step = scale.step or 7.25
    point = scale.min
    while point <= scale.max + step:
        for offset in (0, TOL, -TOL, step / 2, -step / 2, 0.05, -0.05, 0.0511, -0.0511):
            value = point + offset
            values += [
                value,
                float(np.nextafter(value, math.inf)),
                float(np.nextafter(value, -math.inf)),
            ]
        point += step
    return values


@pytest.mark.parametrize(
    "scale",
    [
        ROLE_EMOTIONAL,
        spec(step=10, label="BAS"),
        spec(min=4, max=20, step=1, label="MFI"),
        spec(min=1, max=9, step=2, label="odd"),
        spec(step=2.5, label="pain"),
        spec(step=12.5, label="social"),
        spec(min=0, max=6, step=0.5, label="dose"),
        spec(step=0.0, max=1000, label="ELISA"),
    ],
)
def test_off_scale_agrees_with_check_value(scale):
    values = _edge_values(scale)
    expected = [check_value(scale, v, TOL) is not None for v in values]
    assert list(off_scale(np.array(values), scale, TOL)) == expected
    assert any(expected) and not all(expected)  # the values do exercise both outcomes


BIG_ROW_IDS = [f"RAP-{n}" for n in range(1, 41)]


def _many_cells(kinds, repeat=3):
    """An extracted-style table cycling through `kinds` (raw, raw_type, outcome) over 40
    participants."""
    rows = []
    for r, raw_id in enumerate(BIG_ROW_IDS * repeat, start=5):
        raw, kind, outcome = kinds[r % len(kinds)]
        rows.append((raw_id, f"A{r}", outcome, "T0", raw, kind, f"B{r}"))
    return long_table(rows, table="mixed", sheet="Mixed")


# (raw, raw_type, outcome) -> (value, flag), worked out by hand with the fixture config:
# missing tokens "", NA, n/a, —, ND, . (any case and spacing); patg13 has LLOQ 0.05, substituted by
# half.
GOOD_CELLS = {
    ("30", "number", "sf36_pain"): (30.0, ""),
    ("33.3", "number", "sf36_role_emotional"): (33.3, ""),
    ("30", "text", "sf36_pain"): (30.0, "number_stored_as_text"),  # same text, other type
    (" 40 ", "text", "sf36_pain"): (40.0, "number_stored_as_text"),
    ("1e1", "text", "sf36_pain"): (10.0, "number_stored_as_text"),
    ("0.12", "number", "patg13"): (0.12, ""),
    ("", "empty", "sf36_pain"): (math.nan, "missing"),
    ("na", "text", "sf36_pain"): (math.nan, "missing"),
    (" N/A ", "text", "patg13"): (math.nan, "missing"),
    ("—", "text", "sf36_role_emotional"): (math.nan, "missing"),
    (".", "text", "sf36_pain"): (math.nan, "missing"),
    ("<0.05", "text", "patg13"): (0.025, "below_lloq"),
    ("< 0.05", "text", "patg13"): (0.025, "below_lloq"),
    ("<.050", "text", "patg13"): (0.025, "below_lloq"),
    ("150", "number", "sf36_pain"): (150.0, ""),  # parsed here; the range check comes later
}


def test_parse_values_agrees_with_hand_worked_cells(config):
    specs = outcome_specs(config)
    frame = _many_cells(list(GOOD_CELLS))
    parsed = parse_values(frame, specs, cell_parser(config))
    assert len(parsed) == len(frame) == 120
    for raw, kind, outcome, value, flag in zip(
        parsed["raw_value"], parsed["raw_type"], parsed["outcome"], parsed["value"], parsed["flag"]
    ):
        want_value, want_flag = GOOD_CELLS[(raw, kind, outcome)]
        assert flag == want_flag, (raw, kind, outcome)
        assert (math.isnan(value) and math.isnan(want_value)) or value == pytest.approx(
            want_value, rel=1e-15
        )
    pd.testing.assert_frame_equal(parsed.drop(columns=["value", "flag"]), frame)


def test_parse_values_agrees_with_the_per_cell_parser(config):
    specs = outcome_specs(config)
    parser = cell_parser(config)
    frame = _many_cells(list(GOOD_CELLS))
    parsed = parse_values(frame, specs, parser)
    for row, value, flag in zip(frame.itertuples(), parsed["value"], parsed["flag"]):
        one = parser.parse(row.raw_value, row.raw_type, "here", specs[row.outcome].lloq)
        assert flag == ";".join(one.flags)
        assert (math.isnan(value) and math.isnan(one.value)) or value == one.value


BAD_CELLS = {
    (
        "n.a.",
        "text",
        "sf36_pain",
    ): "unknown missing token or not a number; expected a number or one of the missing "
    "tokens ['', '.', 'NA', 'ND', 'n/a', '—']",
    (
        "<0.05",
        "text",
        "sf36_pain",
    ): "a below-limit value for an outcome without an LLOQ; expected a number (or set "
    "`lloq` for this outcome in config.yaml)",
    ("<0.1", "text", "patg13"): "states a limit of 0.1; expected the configured LLOQ 0.05",
    ("inf", "text", "sf36_pain"): "not a finite number; expected a number",
}


def test_parse_values_names_every_bad_cell_in_table_order(config):
    # Good and bad cells interleaved; each bad text recurs, and each occurrence is its own problem.
    kinds = [("30", "number", "sf36_pain"), *BAD_CELLS, ("<0.05", "text", "patg13")]
    frame = _many_cells(kinds, repeat=1)
    with pytest.raises(SupplementError) as info:
        parse_values(frame, outcome_specs(config), cell_parser(config))
    expected = [
        f"hand.xlsx ['Mixed'!B{r}]: value {raw!r}: {BAD_CELLS[(raw, kind, outcome)]}"
        for r, (raw, kind, outcome) in ((r, kinds[r % len(kinds)]) for r in range(5, 45))
        if (raw, kind, outcome) in BAD_CELLS
    ]
    assert (
        len(expected) == 26
    )  # rows 5..44 cycle through the 6 kinds; kinds 1-4 (r % 6 in 1..4) are bad
    assert info.value.problems == expected


def test_first_cell_that_is_not_an_id_is_named(config):
    rows = [
        (raw, f"A{r}", "bas", "T0", "10", "number", f"B{r}")
        for r, raw in enumerate(BIG_ROW_IDS, start=5)
    ]
    rows[12] = ("Total", "A17", "bas", "T0", "10", "number", "B17")
    rows[30] = ("Patient 9", "A35", "bas", "T0", "10", "number", "B35")
    with pytest.raises(SupplementError) as info:
        normalise_ids(long_table(rows), id_normaliser(config), "the bas table")
    assert str(info.value) == (
        "hand.xlsx ['S3 BAS'!A17]: value 'Total': not a participant ID; expected text matching "
        f"{config['participant_ids']['pattern']!r}"
    )


def test_duplicate_ids_in_a_long_table(config):
    # 40 participants x 3 visits; two rows read as RAP-007 (one written "rap 07"), and RAP-020
    # appears twice verbatim.
    rows = []
    for r, raw in enumerate(BIG_ROW_IDS, start=5):
        raw = {"RAP-30": "rap 07", "RAP-31": "RAP-20"}.get(raw, raw)
        rows += [
            (raw, f"A{r}", "bas", visit, "10", "number", f"{col}{r}")
            for visit, col in zip(["T0", "T1", "T2"], "BCD")
        ]
    with pytest.raises(SupplementError) as info:
        normalise_ids(long_table(rows), id_normaliser(config), "the bas table")
    duplicate = "duplicate participant after ID normalisation"
    expected = "in the bas table; expected one row per participant"
    assert info.value.problems == [
        f"hand.xlsx: value 'RAP-007': {duplicate} ('RAP-7' at ['S3 BAS'!A11], 'rap 07' at ['S3 "
        f"BAS'!A34]) {expected}",
        f"hand.xlsx: value 'RAP-020': {duplicate} ('RAP-20' at ['S3 BAS'!A24], 'RAP-20' at ['S3 "
        f"BAS'!A35]) {expected}",
    ]


def test_impossible_values_named_in_output_order(config):
    # Several out-of-range and off-grid values, one of them put there by a correction.
    rows = []
    values = {
        ("RAP-2", "T1"): "110",
        ("RAP-1", "T2"): "35",
        ("RAP-3", "T0"): "-10",
        ("RAP-1", "T0"): "30",
    }
    for r, raw_id in [(5, "RAP-2"), (6, "RAP-1"), (7, "RAP-3")]:
        for visit, col in zip(["T0", "T1", "T2"], "BCD"):
            rows.append(
                (
                    raw_id,
                    f"A{r}",
                    "bas",
                    visit,
                    values.get((raw_id, visit), "20"),
                    "number",
                    f"{col}{r}",
                )
            )
    people = roster([("RAP-1", "Oslo"), ("RAP-2", "Oslo"), ("RAP-3", "Oslo")])
    fix = {
        "correction_id": "C1",
        "participant_id": "RAP-1",
        "outcome": "bas",
        "visit": "T0",
        "expected_current_value": "30",
        "new_value": "31",
        "reason": "typo",
        "reference": "CRF",
    }
    with pytest.raises(SupplementError) as info:
        clean_instrument(long_table(rows), people, config, "bas", [fix])
    grid = "off the scale's grid; expected a multiple of 10 (Bell Activity Scale)"
    outside = "out of range; expected a value in [0, 100] (Bell Activity Scale)"
    assert info.value.problems == [
        "hand.xlsx ['S3 BAS'!B6]: value '30' corrected to 31 by correction C1 in "
        f"{config['corrections']}: {grid}",
        f"hand.xlsx ['S3 BAS'!D6]: value '35': {grid}",
        f"hand.xlsx ['S3 BAS'!C5]: value '110': {outside}",
        f"hand.xlsx ['S3 BAS'!B7]: value '-10': {outside}",
    ]
