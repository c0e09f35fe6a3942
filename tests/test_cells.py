"""Single cells: participant IDs, missing tokens, numbers stored as text, below-LLOQ values."""

from __future__ import annotations

import math

import pytest
from rapamycin_mecfs.cells import CellParser, IdNormaliser, normalise_text
from rapamycin_mecfs.errors import SupplementError

PATTERN = r"^\s*RAP[\s_-]*0*(\d+)\s*$"
CANONICAL = "RAP-{number:03d}"
TOKENS = ["", "NA", "n/a", "—", "ND", "."]
WHERE = "supp.xlsx ['S3 BAS'!C6]"


@pytest.fixture
def ids() -> IdNormaliser:
    return IdNormaliser(PATTERN, CANONICAL)


@pytest.mark.parametrize(
    "raw, expected",
    [
        (None, ""),
        ("  Bell \n Activity\tScale ", "Bell Activity Scale"),
        (12.0, "12"),  # a whole float from a spreadsheet reads like the integer
        (12.5, "12.5"),
        (7, "7"),
    ],
)
def test_normalise_text(raw, expected):
    assert normalise_text(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("RAP-001", "RAP-001"),
        ("RAP 12", "RAP-012"),
        ("rap-012 ", "RAP-012"),
        ("RAP_7", "RAP-007"),
        ("RAP0003", "RAP-003"),
        ("  rap   5", "RAP-005"),
        ("RAP\n5", "RAP-005"),
        ("RAP-1234", "RAP-1234"),
    ],
)
def test_id_normaliser_canonical_forms(ids, raw, expected):
    assert ids.matches(raw)
    assert ids(raw, "here") == expected


@pytest.mark.parametrize("raw", ["RAP-12a", "Total", "", None, "12", "XRAP-1", "Participant ID"])
def test_id_normaliser_rejects_non_ids(ids, raw):
    assert not ids.matches(raw)
    with pytest.raises(SupplementError) as info:
        ids(raw, WHERE)
    message = str(info.value)
    assert message.startswith(WHERE + ": ")
    assert f"value {raw!r}" in message
    assert "not a participant ID" in message
    assert repr(PATTERN) in message


@pytest.mark.parametrize(
    "raw, expected",
    [("rap 12", "RAP-012"), (" RAP_7 ", "RAP-007"), ("Total", None), ("", None), (None, None)],
)
def test_try_normalise_returns_none_instead_of_raising(ids, raw, expected):
    assert ids.try_normalise(raw) == expected
    assert ids.try_normalise(raw) == expected  # answered again from memory


def test_remembered_ids_are_told_apart_by_type():
    # 1, 1.0 and True are one dict key; each must still be normalised as itself.
    numbers = IdNormaliser(r"^0*(\d+)$", "P{number}")
    assert [numbers.try_normalise(v) for v in (True, 1, 1.0, "1", True)] == [
        None,
        "P1",
        "P1",
        "P1",
        None,
    ]
    with pytest.raises(SupplementError, match="value True: not a participant ID"):
        numbers(True, WHERE)


@pytest.fixture
def parser() -> CellParser:
    return CellParser(TOKENS)


def test_number_cell_has_no_flags(parser):
    parsed = parser.parse("45", "number", WHERE)
    assert parsed.value == 45.0
    assert parsed.flags == ()


def test_number_cell_keeps_decimals(parser):
    assert parser.parse("33.3", "number", WHERE).value == 33.3


@pytest.mark.parametrize(
    "raw, expected", [("30", 30.0), (" 40 ", 40.0), ("12.5", 12.5), ("-2", -2.0), ("1e2", 100.0)]
)
def test_number_stored_as_text_is_parsed_and_flagged(parser, raw, expected):
    parsed = parser.parse(raw, "text", WHERE)
    assert parsed.value == expected
    assert parsed.flags == ("number_stored_as_text",)


@pytest.mark.parametrize("raw", ["", "NA", "na", " N/A ", "n/a", "—", "ND", "nd", "."])
def test_missing_tokens_case_and_space_insensitive(parser, raw):
    parsed = parser.parse(raw, "empty" if raw == "" else "text", WHERE)
    assert math.isnan(parsed.value)
    assert parsed.flags == ("missing",)
    assert parser.is_missing(raw)


@pytest.mark.parametrize("raw", ["30", "n.a.", "-", "<0.05"])
def test_is_missing_only_for_configured_tokens(parser, raw):
    assert not parser.is_missing(raw)


def test_empty_cell_is_an_error_when_empty_is_not_a_token():
    parser = CellParser(["NA"])
    with pytest.raises(SupplementError, match=r"value '': unknown missing token or not a number"):
        parser.parse("", "empty", WHERE)


@pytest.mark.parametrize(
    "raw, cause",
    [
        ("\u22125", "a Unicode minus or dash sign instead of the ASCII '-'"),
        ("\u2013 2.5", "a Unicode minus or dash sign instead of the ASCII '-'"),
        ("1,5", "a decimal comma (for a CSV table, set its decimal: ',')"),
        ("12,345.5", "thousands separators (commas between groups of three digits)"),
        ("45 %", "a percent sign"),
        ("1900-01-12 00:00:00", "a date: the cell is formatted as a date in the workbook"),
        ("12/01/1900", "a date"),
    ],
)
def test_a_number_written_oddly_names_the_cause(parser, raw, cause):
    with pytest.raises(SupplementError) as info:
        parser.parse(raw, "text", WHERE)
    assert (
        str(info.value)
        == f"{WHERE}: value {raw!r}: not a number as written: {cause}; expected a plain number "
        "such as -5 or 12.5"
    )


@pytest.mark.parametrize("raw", ["n.a.", "thirty", "-", "45*"])
def test_unknown_token_names_cell_value_and_tokens(parser, raw):
    with pytest.raises(SupplementError) as info:
        parser.parse(raw, "text", WHERE)
    message = str(info.value)
    assert message.startswith(WHERE + ": ")
    assert f"value {raw!r}" in message
    assert "unknown missing token or not a number" in message
    assert "['', '.', 'NA', 'ND', 'n/a', '—']" in message  # the tokens, sorted


@pytest.mark.parametrize("raw", ["inf", "-Infinity", "nan"])
def test_non_finite_text_is_an_error(parser, raw):
    with pytest.raises(SupplementError, match=rf"value '{raw}': not a finite number"):
        parser.parse(raw, "text", WHERE)


@pytest.mark.parametrize(
    "substitute, expected",
    [("lloq_half", 0.025), ("lloq", 0.05), ("missing", math.nan)],
)
@pytest.mark.parametrize("raw", ["<0.05", "< 0.05", "<.05", "<0.050"])
def test_below_lloq_substitution(raw, substitute, expected):
    parsed = CellParser(TOKENS, substitute).parse(raw, "text", WHERE, lloq=0.05)
    if math.isnan(expected):
        assert math.isnan(parsed.value)
    else:
        assert parsed.value == pytest.approx(expected, rel=1e-12)
    # Flagged below_lloq whatever the substitution, and never also "missing".
    assert parsed.flags == ("below_lloq",)


def test_below_lloq_default_is_half():
    assert CellParser(TOKENS).parse("<0.2", "text", WHERE, lloq=0.2).value == pytest.approx(0.1)


@pytest.mark.parametrize(
    "raw, lloq, expected",
    [
        ("<0.1", 0.05, "states a limit of 0.1; expected the configured LLOQ 0.05"),
        ("<5", None, "without an LLOQ"),
    ],
    ids=["other_limit", "no_lloq"],
)
def test_below_limit_that_is_not_the_lloq_is_an_error(parser, raw, lloq, expected):
    with pytest.raises(SupplementError) as info:
        parser.parse(raw, "text", WHERE, lloq=lloq)
    message = str(info.value)
    assert message.startswith(f"{WHERE}: value '{raw}': ")
    assert expected in message


@pytest.mark.parametrize("raw", ["<", "<0.05 ng/mL", "≤0.05", "<-1"])
def test_malformed_below_limit_is_not_silently_accepted(parser, raw):
    with pytest.raises(SupplementError, match="unknown missing token or not a number"):
        parser.parse(raw, "text", WHERE, lloq=0.05)
