"""Reading single cells: participant IDs, missing tokens, numbers stored as text, below-LLOQ
values."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .errors import SupplementError

# Flags recorded on cleaned values (joined with ';' in tables).
FLAG_TEXT_NUMBER = "number_stored_as_text"
FLAG_MISSING = "missing"
FLAG_BELOW_LLOQ = "below_lloq"
FLAG_CORRECTED = "corrected"
FLAG_ABSENT = "not_in_table"

BELOW_LIMIT = re.compile(r"^<\s*([0-9]*\.?[0-9]+)$")
_WHITESPACE = re.compile(r"\s+")

# Text that reads as a number to a person but not to the parser, and why (the first match names the
# cause).
_LOOKS_NUMERIC = (
    (
        re.compile(r"^[\u2212\u2012\u2013\u2014\ufe63\uff0d]\s*\d"),
        "a Unicode minus or dash sign instead of the ASCII '-'",
    ),
    (
        re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"),
        "thousands separators (commas between groups of three digits)",
    ),
    (re.compile(r"^[+-]?\d+,\d+$"), "a decimal comma (for a CSV table, set its decimal: ',')"),
    (re.compile(r"^[+-]?\d+([.,]\d+)?\s*%$"), "a percent sign"),
    (
        re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$"),
        "a date: the cell is formatted as a date in the workbook",
    ),
    (re.compile(r"^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}$"), "a date"),
)


def why_not_a_number(text: str) -> str:
    """The likely cause when text that looks like a number does not parse, or "" when none is known.

    >>> why_not_a_number("\u22125")
    "a Unicode minus or dash sign instead of the ASCII '-'"
    >>> why_not_a_number("12,5")
    "a decimal comma (for a CSV table, set its decimal: ',')"
    >>> why_not_a_number("abc")
    ''
    """
    for pattern, cause in _LOOKS_NUMERIC:
        if pattern.match(text):
            return cause
    return ""


def normalise_text(value: object) -> str:
    """Header or cell text with runs of whitespace (including line breaks) collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _WHITESPACE.sub(" ", str(value)).strip()


class IdNormaliser:
    """Maps the ways an ID is written ("RAP 12", "rap-012 ") to one canonical form ("RAP-012")."""

    def __init__(self, pattern: str, canonical: str):
        self.pattern = re.compile(pattern, re.IGNORECASE)
        self.canonical = canonical
        # Every table repeats the same IDs: remember each answer. Keyed by type too, so that
        # 1, 1.0 and True (equal as dict keys) are normalised separately.
        self._known: dict[tuple[type, object], str | None] = {}

    def matches(self, raw: object) -> bool:
        return bool(self.pattern.match(normalise_text(raw)))

    def try_normalise(self, raw: object) -> str | None:
        """The canonical ID, or None when `raw` is not an ID (callers that map many cells name the
        bad one)."""
        key = (type(raw), raw)
        if key not in self._known:
            match = self.pattern.match(normalise_text(raw))
            self._known[key] = self.canonical.format(number=int(match.group(1))) if match else None
        return self._known[key]

    def __call__(self, raw: object, where: str = "") -> str:
        canonical = self.try_normalise(raw)
        if canonical is None:
            raise SupplementError(
                f"{where}: value {raw!r}: not a participant ID; expected text matching "
                f"{self.pattern.pattern!r}"
            )
        return canonical


@dataclass(frozen=True)
class ParsedValue:
    value: float  # NaN when missing
    flags: tuple[str, ...] = ()


class CellParser:
    """Turns a raw cell (as extracted) into a number, NaN or an error naming the cell."""

    def __init__(self, missing_tokens: list[str], below_lloq: str = "lloq_half"):
        # Missing tokens compare case-insensitively after whitespace normalisation.
        self.missing = {normalise_text(t).casefold() for t in missing_tokens}
        self.missing_shown = sorted(set(missing_tokens))
        self.below_lloq = below_lloq

    def is_missing(self, raw: str) -> bool:
        return normalise_text(raw).casefold() in self.missing

    def parse(self, raw: str, raw_type: str, where: str, lloq: float | None = None) -> ParsedValue:
        text = normalise_text(raw)
        if raw_type == "number":
            return ParsedValue(float(text))
        if text.casefold() in self.missing:
            return ParsedValue(math.nan, (FLAG_MISSING,))
        below = BELOW_LIMIT.match(text)
        if below:
            return self._below_limit(float(below.group(1)), raw, where, lloq)
        try:
            number = float(text)
        except ValueError:
            cause = why_not_a_number(text)
            if cause:
                raise SupplementError(
                    f"{where}: value {raw!r}: not a number as written: {cause}; expected a plain "
                    "number such as -5 or 12.5"
                ) from None
            raise SupplementError(
                f"{where}: value {raw!r}: unknown missing token or not a number; "
                f"expected a number or one of the missing tokens {self.missing_shown}"
            ) from None
        if not math.isfinite(number):
            raise SupplementError(f"{where}: value {raw!r}: not a finite number; expected a number")
        return ParsedValue(number, (FLAG_TEXT_NUMBER,))

    def _below_limit(self, limit: float, raw: str, where: str, lloq: float | None) -> ParsedValue:
        if lloq is None:
            raise SupplementError(
                f"{where}: value {raw!r}: a below-limit value for an outcome without an LLOQ; "
                "expected a number (or set `lloq` for this outcome in config.yaml)"
            )
        if not math.isclose(limit, lloq, rel_tol=1e-9):
            raise SupplementError(
                f"{where}: value {raw!r}: states a limit of {limit:g}; expected the configured "
                f"LLOQ {lloq:g}"
            )
        substitute = {"lloq_half": lloq / 2, "lloq": lloq, "missing": math.nan}[self.below_lloq]
        return ParsedValue(substitute, (FLAG_BELOW_LLOQ,))
