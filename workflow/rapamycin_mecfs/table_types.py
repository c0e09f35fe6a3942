"""One typed reader for the pipeline's intermediate tables.

The CSVs are what users read, so they stay text: numbers as written, booleans as ``True`` and
``False``, a missing value as an empty cell. `TABLE_TYPES` says once, per table, which columns
are numbers and which are booleans (``*`` matches any run of characters, as in ``set_*``); every
other column stays text. `as_types` converts a table read as text (or already converted: it is
idempotent); `read_table` reads and converts. A cell that does not parse is an error naming the
file, row, column, value and what was expected, never a silent NaN.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fnmatch import fnmatchcase

import numpy as np
import pandas as pd

from .atomic import read_csv

BOOLEAN_TEXT = {"True": True, "False": False}


@dataclass(frozen=True)
class TableTypes:
    """Column patterns of one table: numbers (float, NaN when empty) and booleans."""

    numbers: tuple[str, ...] = ()
    booleans: tuple[str, ...] = ()


_P = ("p_value", "p_holm", "p_fdr_bh", "family_size")
_CI = ("estimate", "ci_low", "ci_high")
_SUMMARY = tuple(
    f"{when}_{what}"
    for when in ("baseline", "follow_up")
    for what in ("median", "q1", "q3", "mean", "sd")
)
_PAIRED = ("n_pairs", *_SUMMARY, "statistic", "df", *_CI, "effect_size", *_P)

TABLE_TYPES: dict[str, TableTypes] = {
    "clean": TableTypes(numbers=("value", "day")),
    "participants": TableTypes(numbers=("dose_*",), booleans=("set_*", "has_data_*", "stopped")),
    "responders_by_participant": TableTypes(
        numbers=("*_improvement", "*_improvement_locf", "responder_observed", "responder_locf")
    ),
    "visit_medians": TableTypes(numbers=("n", "median", "ci_low", "ci_high", "confidence")),
    "paired_tests": TableTypes(numbers=("n_imputed", "mean_improvement", *_PAIRED)),
    "mixed_model": TableTypes(
        numbers=("se", "df", "t", *_CI, "p_value", "n_visit", "n_obs", "n_participants")
        + ("improvement_estimate", "improvement_ci_low", "improvement_ci_high", *_P),
        booleans=("converged",),
    ),
    "regression_to_mean": TableTypes(
        numbers=("n", "baseline_mean", "baseline_sd", "reliability", "expected_*")
    ),
    "baseline_by_completion": TableTypes(
        numbers=("n_1", "n_2", "median_1", "median_2", "mean_1", "mean_2", "smd", "U")
        + ("rank_biserial", *_P)
    ),
    "lloq_counts": TableTypes(
        numbers=("n_*", "pct_below_lloq_of_measured", "lloq", "below_lloq_value_used")
    ),
    "trajectory": TableTypes(numbers=("mean_change", *_PAIRED), booleans=("sign_flipped",)),
    "spearman_cross_sectional": TableTypes(
        numbers=("n", "n_incomplete", "rho", "ci_low", "ci_high", "confidence", *_P)
    ),
    "roc_auc": TableTypes(
        numbers=("n_responders", "n_non_responders", "U", "auc", "ci_low", "ci_high")
        + ("confidence", "bootstrap_resamples", "bootstrap_seed"),
        booleans=("ci_spans_0_5",),
    ),
    "roc_curve": TableTypes(
        numbers=("n_responders", "n_non_responders", "vertex", "threshold", "fpr", "tpr")
    ),
}


def to_numbers(values: pd.Series, source: str = "", column: str = "") -> pd.Series:
    """A text column as float: an empty cell is NaN, anything else must parse as a number.

    Parameters
    ----------
    values : pandas.Series
        The column, text or already numbers.
    source, column : str, optional
        The file and column, for the error message.

    Returns
    -------
    pandas.Series of float

    Examples
    --------
    >>> to_numbers(pd.Series(["0.5", "", "2"])).tolist()
    [0.5, nan, 2.0]
    """
    frame = pd.DataFrame({column or "value": values})
    return as_numbers(frame, column or "value", source)[column or "value"]


def as_numbers(frame: pd.DataFrame, column: str, source: str = "") -> pd.DataFrame:
    values = frame[column]
    empty = values.isna() | (values.astype(str).str.strip() == "")
    numbers = pd.to_numeric(values.where(~empty), errors="coerce")
    bad = numbers.isna() & ~empty
    if bad.any():
        raise _bad_cell(source or "table", frame, column, bad, "a number")
    frame[column] = numbers.astype(float)
    return frame


def _columns(frame: pd.DataFrame, patterns: tuple[str, ...]) -> list[str]:
    return [c for c in frame.columns if any(fnmatchcase(c, p) for p in patterns)]


def _bad_cell(source: str, frame: pd.DataFrame, column: str, bad: pd.Series, expected: str):
    row = bad[bad].index[0]
    # Row numbers as in a spreadsheet: the header is row 1.
    position = frame.index.get_loc(row) + 2
    return ValueError(
        f"{source}: row {position}, column {column!r}: {frame.at[row, column]!r} is not "
        f"{expected} (an empty cell means missing)"
    )


def as_types(frame: pd.DataFrame, table: str, source: str = "") -> pd.DataFrame:
    """The table with its declared number and boolean columns converted (a copy).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table, as `atomic.read_csv` returns it (text) or already converted.
    table : str
        Its name in `TABLE_TYPES`.
    source : str, optional
        Where it came from, for the error message (default: the table's name).

    Returns
    -------
    pandas.DataFrame
        Numbers as float (NaN for an empty cell), booleans as bool (a column with an empty cell
        stays object, with None there); other columns unchanged.

    Raises
    ------
    ValueError
        A cell of a declared column that does not parse, with file, row, column and value.

    Examples
    --------
    >>> text = pd.DataFrame({"participant_id": ["p1", "p2"], "set_enrolled": ["True", "False"],
    ...                      "dose_V0": ["1.5", ""]})
    >>> typed = as_types(text, "participants")
    >>> typed["set_enrolled"].tolist(), typed["dose_V0"].tolist()
    ([True, False], [1.5, nan])
    >>> as_types(text.assign(dose_V0=["1,5", ""]), "participants", "participants.csv")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: participants.csv: row 2, column 'dose_V0': '1,5' is not a number ...
    """
    types = TABLE_TYPES[table]
    source = source or table
    frame = frame.copy()
    for column in _columns(frame, types.numbers):
        frame = as_numbers(frame, column, source)
    for column in _columns(frame, types.booleans):
        values = frame[column]
        empty = values.isna() | (values.astype(str) == "")
        parsed = values.map(lambda v: v if isinstance(v, (bool, np.bool_)) else BOOLEAN_TEXT.get(v))
        bad = parsed.isna() & ~empty
        if bad.any():
            raise _bad_cell(source, frame, column, bad, "True or False")
        frame[column] = parsed.astype(bool) if not empty.any() else parsed.where(~empty, None)
    return frame


def read_table(path: str | os.PathLike, table: str) -> pd.DataFrame:
    """Read an intermediate table and convert its declared columns (see `as_types`).

    Parameters
    ----------
    path : str or os.PathLike
        The CSV, as the pipeline wrote it.
    table : str
        Its name in `TABLE_TYPES`.

    Returns
    -------
    pandas.DataFrame
    """
    return as_types(read_csv(path), table, str(path))
