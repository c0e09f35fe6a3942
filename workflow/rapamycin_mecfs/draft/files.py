"""Reading a supplement's files: every table of a workbook, CSV file or PDF as a `Source` (its grid
and where it is), a CSV file's delimiter, decimal mark and encoding, and a file's path as the config
names it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SupplementError
from ..sources import Grid, read_tables
from .headers import most_common, short

PAGE = re.compile(r"^page (\d+)/")


# --------------------------------------------------------------------------- reading files


@dataclass
class Source:
    """One table as read: its grid and where it is (file, sheet, PDF page, CSV options)."""

    path: Path
    grid: Grid
    sheet: str | None = None
    page: int | None = None
    csv_options: dict[str, str] = field(default_factory=dict)


def read_sources(path: str | Path) -> tuple[list[Source], list[str]]:
    """Every table of one supplement file, and notes on what was left out.

    Parameters
    ----------
    path : str or Path
        An .xlsx, .csv or .pdf file.

    Returns
    -------
    tuple of (list of Source, list of str)

    Raises
    ------
    SupplementError
        The file is missing, of another type, or cannot be read; the message names the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "scores.csv").write_text("ID;Score\\nP1;1,5\\n", encoding="utf-8")
    >>> sources, notes = read_sources(folder / "scores.csv")
    >>> sources[0].csv_options, [c.value for c in sources[0].grid[1]]
    ({'delimiter': ';', 'decimal': ','}, ['P1', 1.5])
    """
    path = Path(path)
    if not path.is_file():
        what = "a folder" if path.is_dir() else "file not found"
        raise SupplementError(f"{path}: {what}; expected a supplement file (.xlsx, .csv or .pdf)")
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            return _read_workbook(path)
        if suffix == ".pdf":
            sources = [
                Source(path, grid, page=_page(grid))
                for grid in read_tables(path, pages="all")
                if grid
            ]
            return sources, (
                [] if sources else [f"{path}: no ruled table found on any page; left out"]
            )
        if suffix == ".csv":
            options = csv_options(path)
            return [
                Source(
                    path,
                    read_tables(path, csv_options=options)[0],
                    csv_options=_non_default(options),
                )
            ], []
    except SupplementError:
        raise
    except (
        Exception
    ) as error:  # a reader library failing on a damaged file: name the file, not a traceback
        raise SupplementError(
            f"{path}: cannot be read ({type(error).__name__}: {short(str(error), 120)}); "
            f"expected an intact {suffix} file"
        ) from None
    hint = (
        " (save it as .xlsx)"
        if suffix in (".xls", ".ods")
        else " (save it as .csv)"
        if suffix in (".tsv", ".txt")
        else ""
    )
    raise SupplementError(
        f"{path}: unsupported file type '{suffix}'; expected .xlsx, .csv or .pdf{hint}"
    )


def _read_workbook(path: Path) -> tuple[list[Source], list[str]]:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True)
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        OSError,
        ValueError,
        EOFError,
    ) as error:
        raise SupplementError(
            f"{path}: not a valid .xlsx workbook ({short(str(error), 120)}); expected an Excel "
            "2007+ file"
        ) from None
    try:
        names = list(workbook.sheetnames)
    finally:
        workbook.close()
    sources, notes = [], []
    for name in names:
        try:
            grid = read_tables(path, name)[0]
        except SupplementError as error:
            if "chart sheet" not in str(error):
                raise
            notes.append(f"{path} sheet {name!r}: a chart sheet; left out")
            continue
        sources.append(Source(path, grid, sheet=name))
    return sources, notes


def _page(grid: Grid) -> int | None:
    for row in grid:
        for cell in row:
            found = PAGE.match(cell.locator)
            if found:
                return int(found.group(1))
    return None


def csv_options(path: str | Path) -> dict[str, str]:
    """Delimiter, decimal mark and text encoding of a CSV file, as the config's table keys take
    them.

    The encoding is UTF-8 (a byte-order mark allowed), UTF-16 when the file starts with its
    byte-order mark, else cp1252 (Excel's Windows export) when every byte decodes; the delimiter is
    the one of ``,`` ``;`` tab ``|`` that splits most lines into the same number of fields; the
    decimal mark is ``,`` when the delimiter is not a comma and numbers such as ``1,5`` outnumber
    ``1.5``.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    dict
        ``delimiter``, ``decimal`` and ``encoding``.

    Raises
    ------
    SupplementError
        The file is not text in any of those encodings, or holds control characters.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = path.write_bytes("ID\\tSite\\nP1\\tK\\xf8ge\\n".encode("cp1252"))
    >>> csv_options(path)
    {'delimiter': '\\t', 'decimal': '.', 'encoding': 'cp1252'}
    """
    import csv
    import io

    path = Path(path)
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            try:
                data.decode("cp1252")
            except UnicodeDecodeError:
                raise SupplementError(
                    f"{path}: byte {error.start}: not UTF-8 text and not cp1252 either; expected "
                    "a CSV text file (save it from the spreadsheet as 'CSV UTF-8')"
                ) from None
            encoding = "cp1252"
    try:
        text = data.decode(encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise SupplementError(
            f"{path}: byte {error.start}: not valid {encoding}; expected a CSV text file"
        ) from None
    control = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text)
    if control:
        raise SupplementError(
            f"{path}: character {control.start()} is a control character ({control.group()!r}); "
            "expected a CSV text file, not a binary one"
        )
    lines = text.splitlines()[:200]
    best, best_score = ",", 0
    for delimiter in (",", ";", "\t", "|"):
        widths = [
            len(row)
            for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
            if row
        ]
        common = most_common(w for w in widths if w > 1)
        score = sum(1 for w in widths if w == common) if common else 0
        if score > best_score:
            best, best_score = delimiter, score
    decimal = "."
    if best != ",":
        cells = [
            c.strip()
            for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=best)
            for c in row
        ]
        commas = sum(1 for c in cells if re.fullmatch(r"[+-]?\d+,\d+", c))
        points = sum(1 for c in cells if re.fullmatch(r"[+-]?\d+\.\d+", c))
        decimal = "," if commas > points else "."
    return {"delimiter": best, "decimal": decimal, "encoding": encoding}


def _non_default(options: dict[str, str]) -> dict[str, str]:
    defaults = {"delimiter": ",", "decimal": ".", "encoding": "utf-8"}
    return {key: value for key, value in options.items() if defaults[key] != value}


def config_path(path: Path) -> str:
    """The file as the config names it: relative to the working directory when inside it."""
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return path.as_posix()
    return path.as_posix()
