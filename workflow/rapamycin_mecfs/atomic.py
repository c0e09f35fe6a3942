"""Atomic file writes: an output either appears whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

# The process umask, read once (os.umask can only be read by setting it).
_UMASK = os.umask(0)
os.umask(_UMASK)

# Fixed float format so tables are byte-identical across runs and platforms.
FLOAT_FORMAT = "%.10g"


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; move it into place only if the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp makes the file private (0600); outputs get the usual permissions instead.
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_csv(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write a table as UTF-8 CSV with Unix newlines, atomically."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, lineterminator="\n", float_format=FLOAT_FORMAT)


SYNTHETIC_STATUS = "SYNTHETIC - not trial data"
REAL_STATUS = "supplement"


def write_table(frame: pd.DataFrame, path: str | os.PathLike, synthetic: bool) -> None:
    """Write an output table whose first column says whether it comes from synthetic data.

    A CSV travels without the report around it, so the warning travels inside it.
    """
    stamped = frame.drop(columns="data_status", errors="ignore")
    stamped.insert(0, "data_status", SYNTHETIC_STATUS if synthetic else REAL_STATUS)
    write_csv(stamped, path)


def write_text(text: str, path: str | os.PathLike) -> None:
    """Write text atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def read_csv(path: str | os.PathLike) -> pd.DataFrame:
    """Read a table written by write_csv as text: no NA guessing, an empty cell stays "".

    For numbers and booleans, `table_types.read_table` converts the columns each table declares.
    """
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
