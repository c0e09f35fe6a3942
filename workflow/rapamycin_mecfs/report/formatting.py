"""Number and table formatting for the report (fixed rules, so the HTML is byte-stable)."""

from __future__ import annotations

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
    if abs(value) >= 10 ** digits or value == int(value) and abs(value) < 1e6:
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


def html_table(frame: pd.DataFrame) -> str:
    """A plain HTML table; pandas escapes the cells."""
    return frame.to_html(index=False, escape=True, border=0, classes="data", na_rep="–")
