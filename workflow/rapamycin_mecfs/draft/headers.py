"""What header and cell texts say: the regular expressions `init` reads them with, and the text
helpers that turn header text into config keys, visit ids and study days, an ID pattern with its
canonical form, and units.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from ..cells import normalise_text

ID_SHAPE = re.compile(r"^([A-Za-z]+)([ _\-./#]*)(\d+)$")
ID_WORD = re.compile(r"\b(id|ids|participant|patient|subject|case|code|no)\b", re.IGNORECASE)
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
DAY = re.compile(r"\bday\s*(\d+)\b", re.IGNORECASE)
TRAILING_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)\s*$")
UNIT_TEXT = re.compile(r"^(%|[^\W\d_][\w/%.·^µ-]*(?: [\w/%.·^µ-]+)?)$")
TABLE_NUMBER = re.compile(r"^(?:table\s*)?s?\d+[a-z]?(?![a-z0-9])[\s.:_-]*", re.IGNORECASE)
LAST_VISIT_HEADER = re.compile(
    r"\b(last|final|stopp?ed|discontinu\w*|withdr\w*|dropp?ed)\b.*\bvisit\b|\bvisit\b.*\b(last|final|stop\w*)\b",
    re.IGNORECASE,
)
REASON_HEADER = re.compile(r"\b(reasons?|cause|why)\b", re.IGNORECASE)
VISIT_HEADER = re.compile(r"\b(visit|time ?point|occasion|session|week|month|day)\b", re.IGNORECASE)
MEASURE_HEADER = re.compile(
    r"\b(measure|outcome|variable|parameter|item|scale|test|assessment|instrument)\b", re.IGNORECASE
)
VALUE_HEADER = re.compile(r"\b(value|score|result)\b", re.IGNORECASE)
SYNTHETIC_TEXT = re.compile(r"\bsynthetic data\b", re.IGNORECASE)


# --------------------------------------------------------------------------- small helpers


def snake_key(text: str, prefix: str = "x") -> str:
    """A config key from header text: lower case, ASCII, words joined by underscores.

    The key starts with a letter (``prefix`` + ``_`` is put before a leading digit) and matches the
    schema's identifier pattern ``^[a-z][a-z0-9_]*$``.

    Parameters
    ----------
    text : str
        Header text as written.
    prefix : str
        Put before a key that would start with a digit, or stand for an empty one.

    Returns
    -------
    str

    Examples
    --------
    >>> snake_key("Age (years)"), snake_key("Energy/fatigue"), snake_key("6-minute walk", "outcome")
    ('age_years', 'energy_fatigue', 'outcome_6_minute_walk')
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    key = re.sub(r"[^0-9a-z]+", "_", ascii_text.casefold()).strip("_")
    if not key:
        return prefix
    return f"{prefix}_{key}" if key[0].isdigit() else key


def visit_id(header: str) -> tuple[str, int | None]:
    """Short visit id and study day from a visit header.

    The id is the text before the first bracket, comma, semicolon or colon, with every run of other
    characters than letters and digits turned into one underscore; the day is the number after the
    word "day", when one is written.

    Parameters
    ----------
    header : str
        Visit header (or a long table's visit value) as written.

    Returns
    -------
    tuple of (str, int or None)

    Examples
    --------
    >>> visit_id("V2 (day 28)"), visit_id("Week 12"), visit_id("Day 7"), visit_id("pre-treatment")
    (('V2', 28), ('Week_12', None), ('Day_7', 7), ('pre_treatment', None))
    """
    text = normalise_text(header)
    base = re.split(r"[(\[,;:]", text)[0].strip() or text
    ident = re.sub(r"[^A-Za-z0-9]+", "_", base).strip("_") or "visit"
    day = DAY.search(text)
    return ident, (int(day.group(1)) if day else None)


def id_pattern(ids: list[str]) -> tuple[str, str]:
    """Regular expression (one capture group: the number) and canonical form of participant IDs.

    The pattern accepts the prefix in any case, any separators among those written (spaces,
    underscores, hyphens and any other separator seen) and leading zeros. The canonical form is the
    most common way the IDs are written: its prefix and separator, and zero-padding to the width of
    the padded numbers when any number is written with a leading zero.

    Parameters
    ----------
    ids : list of str
        Participant IDs as written (letters, an optional separator, digits).

    Returns
    -------
    tuple of (str, str)
        ``(pattern, canonical)`` as ``participant_ids`` in the config takes them.

    Examples
    --------
    >>> id_pattern(["P-001", "p 2", "P-013", "P_004"])
    ('^\\\\s*P[\\\\s_-]*0*(\\\\d+)\\\\s*$', 'P-{number:03d}')
    >>> id_pattern(["S.12", "S.7"])[1]
    'S.{number}'
    """
    forms = [m for m in (ID_SHAPE.match(normalise_text(i)) for i in ids) if m]
    if not forms:
        raise ValueError("no ID written as letters then digits")
    prefix_folded = most_common(m.group(1).casefold() for m in forms)
    forms = [m for m in forms if m.group(1).casefold() == prefix_folded]
    prefix, separator = most_common((m.group(1), m.group(2)) for m in forms)
    padded = [len(m.group(3)) for m in forms if len(m.group(3)) > 1 and m.group(3).startswith("0")]
    number = f"{{number:0{most_common(padded)}d}}" if padded else "{number}"
    extra = sorted(
        {ch for m in forms for ch in m.group(2)} - {" ", "_", "-"}
    )  # of ". / #": literal in a class
    separators = r"[\s_" + "".join(extra) + "-]*"
    return rf"^\s*{re.escape(prefix)}{separators}0*(\d+)\s*$", f"{prefix}{separator}{number}"


def most_common(items):
    """The most frequent item; ties go to the one seen first."""
    counts = Counter(items)
    return max(counts, key=lambda item: counts[item]) if counts else None


def short(text: str, limit: int = 90) -> str:
    text = normalise_text(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def unit(label: str) -> str:
    """The unit a header states in a trailing parenthesis ('Dose (mg/day)' -> 'mg/day'), else
    'points'."""
    found = TRAILING_PARENTHESIS.search(label)
    if found:
        text = found.group(1).strip()
        if 0 < len(text) <= 15 and UNIT_TEXT.match(text):
            return text
    return "points"
