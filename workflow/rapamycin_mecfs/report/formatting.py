"""Number and table formatting for the report (fixed rules, so the HTML is byte-stable)."""

from __future__ import annotations

import hashlib
import math

import pandas as pd


def number(value, digits: int = 3) -> str:
    """Significant digits without scientific notation for everyday magnitudes."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return "" if value is None else str(value)
    if math.isnan(value):
        return "–"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if value == 0:
        return "0"
    if abs(value) >= 10**digits or value == int(value) and abs(value) < 1e6:
        return f"{value:.0f}" if value == int(value) else f"{value:.{max(digits - 3, 0)}f}"
    return f"{value:.{digits}g}" if abs(value) >= 1e-3 else f"{value:.2e}"


def p_value(value) -> str:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return ""
    if math.isnan(value):
        return "–"
    if value < 0.001:
        return "<0.001"
    return f"{value:.3f}"


def interval(estimate, low, high, digits: int = 3) -> str:
    return f"{number(estimate, digits)} [{number(low, digits)}, {number(high, digits)}]"


def median_iqr(median, q1, q3) -> str:
    return f"{number(median)} ({number(q1)}–{number(q3)})"


def _cell(value) -> str:
    return number(value) if isinstance(value, float) else str(value)


def html_table(frame: pd.DataFrame) -> str:
    """A formatted HTML table (pandas Styler): cells escaped, no index, stable ids.

    Styler names its table by a random uuid unless given one; the id here is a hash of the
    table's content, so the report is byte-identical across runs and ids are unique per table.
    """
    from pandas.io.formats.style import Styler

    digest = hashlib.sha256(frame.to_csv(index=False).encode("utf-8")).hexdigest()[:10]
    styler = Styler(frame, uuid=digest, cell_ids=False, na_rep="–")
    styler = styler.hide(axis="index").format(_cell, escape="html", na_rep="–")
    return styler.set_table_attributes('class="data"').to_html()
