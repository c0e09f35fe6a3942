"""Trace a row of any results table back to the participants, supplement cells and config keys
behind it.

    python -m rapamycin_mecfs trace results/tables/<table>.csv --row 1
    python -m rapamycin_mecfs trace results/tables/paired_tests.csv \\
        --outcome <outcome key> --visit <follow-up visit id> --set completers
    python -m rapamycin_mecfs trace results/tables/<table>.csv --where analysis_set=completers \\
        --format json

prints the row, how its participants were chosen (its analysis set), every participant, every
supplement cell (source file, cell, raw text, cleaned value, correction applied) and the config
keys it depends on. A row that no supplement cell enters (a simulation setting) names its config
key. Rows are chosen by number (``--row``, 1 = the first row under the header) or by the values
of their identity columns (``--where column=value``; ``--outcome``, ``--visit`` and ``--set`` are
shorthands). ``--format csv`` or ``json`` prints the lineage for other programs; for a paired
comparison (one outcome, baseline and one follow-up) ``--csv`` prints one line per participant
pair. The tracing rules are in the package ``lineage``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from .errors import SupplementError
from .lineage import (
    CELL_COLUMNS,
    IDENTITY_COLUMNS,
    Lineage,
    Study,
    compress_locators,
    natural_key,
    trace_row,
)

WIDTH = 100  # text output wraps here
CSV_COLUMNS = ["table", "row", "kind", *CELL_COLUMNS, "key", "note"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("table", help="a table under results/tables/, e.g. results/tables/grim.csv")
    parser.add_argument(
        "--row",
        type=int,
        default=None,
        help="the row's number among the data rows (1 = first under the header)",
    )
    parser.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="COLUMN=VALUE",
        help="select rows whose COLUMN equals VALUE (repeat to combine)",
    )
    parser.add_argument("--outcome", help="shorthand for --where outcome=OUTCOME")
    parser.add_argument("--visit", help="shorthand for --where visit=VISIT")
    parser.add_argument("--set", dest="analysis_set", help="shorthand for --where analysis_set=SET")
    parser.add_argument(
        "--format",
        choices=("text", "csv", "json"),
        default="text",
        help="text (default), or the lineage as CSV or JSON",
    )
    parser.add_argument(
        "--csv",
        action="store_true",
        help="paired comparisons: one CSV line per participant pair; "
        "otherwise the same as --format csv",
    )
    parser.add_argument(
        "--max-cells",
        type=int,
        default=40,
        help="text: list every cell when there are at most this many (default 40)",
    )
    parser.add_argument(
        "--results", default=None, help="results directory (default: the table's results/ root)"
    )
    parser.add_argument(
        "--config",
        default="config.yaml",
        help="the run's config (default config.yaml); its file paths are read "
        "relative to the working directory",
    )


def _results_root(table: Path) -> Path:
    for parent in table.resolve().parents:
        if (parent / "clean" / "participants.csv").exists():
            return parent
    raise SupplementError(f"{table}: no clean/participants.csv above it; pass --results")


def read_table(path: Path) -> pd.DataFrame:
    """A results table as text (empty cells are empty strings)."""
    from .atomic import read_csv

    if not path.is_file():
        raise SupplementError(f"{path}: not found; expected a CSV table under results/tables/")
    return read_csv(path)


def select_rows(table: pd.DataFrame, path: Path, row: int | None, where: list[str]) -> list[int]:
    """Positions (0-based) of the rows chosen by number or by column values.

    >>> frame = pd.DataFrame({"outcome": ["a", "a", "b"], "test": ["t", "w", "t"]})
    >>> select_rows(frame, Path("x.csv"), None, ["outcome=a", "test=w"])
    [1]
    >>> select_rows(frame, Path("x.csv"), 3, [])
    [2]
    """
    if table.empty:
        raise SupplementError(f"{path}: the table has no rows; expected at least one row to trace")
    if row is not None and where:
        raise SupplementError(f"{path}: choose rows by --row or by column values, not both")
    if row is not None:
        if not 1 <= row <= len(table):
            raise SupplementError(f"{path}: row {row}: expected a number from 1 to {len(table)}")
        return [row - 1]
    if not where:
        if len(table) == 1:
            return [0]
        columns = [c for c in IDENTITY_COLUMNS if c in table.columns]
        raise SupplementError(
            f"{path}: {len(table)} rows; expected --row N or --where COLUMN=VALUE "
            f"(identity columns: {', '.join(columns) or 'none'})"
        )
    mask = pd.Series(True, index=table.index)
    for condition in where:
        column, sign, value = condition.partition("=")
        if not sign or column not in table.columns:
            raise SupplementError(
                f"{path}: selection {condition!r}: expected COLUMN=VALUE with a column of the "
                f"table ({', '.join(table.columns)})"
            )
        mask &= table[column].astype(str).str.strip() == value.strip()
    if not mask.any():
        raise SupplementError(f"{path}: no row with {' and '.join(where)}")
    return [int(i) for i in mask.to_numpy().nonzero()[0]]


def trace_table(
    path: str | Path, study: Study, row: int | None = None, where: list[str] | None = None
) -> list[Lineage]:
    """The lineage of each chosen row of a results table."""
    path = Path(path)
    table = read_table(path)
    positions = select_rows(table, path, row, list(where or []))
    return [trace_row(study, str(path), table.iloc[i], i + 1) for i in positions]


def pairs_table(lineage: Lineage) -> pd.DataFrame | None:
    """One line per participant pair, for a paired comparison of one outcome; else None."""
    cells = lineage.cells
    if cells.empty or cells["outcome"].nunique() != 1:
        return None
    baseline = cells[cells["role"] == "baseline"]
    follow = cells[cells["role"] != "baseline"]
    if (
        baseline.empty
        or follow["visit"].nunique() != 1
        or not follow["role"].map(lambda r: r == "follow-up" or r.startswith("missing")).all()
        or set(baseline["participant_id"]) != set(follow["participant_id"])
    ):
        return None
    rows = []
    follow = follow.set_index("participant_id")
    for cell in baseline.itertuples():
        other = follow.loc[cell.participant_id]
        imputed = other["value"] == ""
        row = {"participant_id": cell.participant_id}
        for name, source in (("baseline", cell._asdict()), ("follow_up", other)):
            value = cell.value if (name == "baseline" or imputed) else source["value"]
            row[f"{name}_value"] = float(value)
            row[f"{name}_raw"] = source["raw_value"]
            locator = source["source_locator"]
            row[f"{name}_source"] = (
                f"{source['source_file']} [{locator}]" if locator else source["source_file"]
            )
            row[f"{name}_correction"] = source["correction_id"]
        row["follow_up_imputed"] = bool(imputed)
        rows.append(row)
    return pd.DataFrame(rows)


# --- printing ---------------------------------------------------------------------------------


def _row_line(table: pd.DataFrame, lineage: Lineage) -> str:
    values = table.iloc[lineage.row - 1]
    shown = [
        f"{column} = {value}"
        for column, value in values.items()
        if column not in lineage.identity
        and column != "data_status"
        and value != ""
        and len(str(value)) <= 24
    ]
    return "; ".join(shown[:14])


def _wrap(text: str, indent: str = "    ") -> str:
    import textwrap

    return textwrap.fill(
        text, width=WIDTH, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    )


def shorten(locators: list[str]) -> list[str]:
    """Ranges with the sheet named once per run of the same sheet.

    >>> shorten(["'S1'!B5:B7", "'S1'!B9", "'S2'!C4"])
    ["'S1'!B5:B7", 'B9', "'S2'!C4"]
    """
    shown, sheet = [], None
    for locator in locators:
        head, bang, rest = locator.rpartition("!")
        if bang and head == sheet:
            shown.append(rest)
        else:
            shown.append(locator)
            sheet = head if bang else None
    return shown


def describe(lineage: Lineage, table: pd.DataFrame, max_cells: int = 40) -> str:
    """A lineage as text: the row, how it was chosen, participants, cells by group, config keys."""
    ident = ", ".join(f"{k} = {v}" for k, v in lineage.identity.items()) or "(no identity column)"
    lines = [_wrap(f"{lineage.table} row {lineage.row}: {ident}")]
    numbers = _row_line(table, lineage)
    if numbers:
        lines.append(_wrap(f"  {numbers}"))
    lines.append("how the inputs were chosen:")
    lines += [_wrap(f"  - {note}") for note in lineage.notes]
    people = lineage.participants
    lines.append(_wrap(f"participants ({len(people)}): {', '.join(people) if people else 'none'}"))
    cells = lineage.cells
    if cells.empty:
        lines.append("supplement cells: none; the row depends on no supplement cell")
    else:
        lines.append(f"supplement cells ({len(cells)}):")
        for file, in_file in cells.groupby("source_file", sort=False):
            lines.append(f"  {file or '(not in any supplement file)'}")
            groups = in_file.groupby(["outcome", "visit", "role"], sort=False)
            for (outcome, visit, role), group in groups:
                locators = sorted(group["source_locator"], key=natural_key)
                what = " ".join(x for x in (outcome, visit, role) if x)
                ranges = ", ".join(shorten(compress_locators(locators)))
                lines.append(_wrap(f"    {what} ({len(group)}): {ranges}", "        "))
        corrected = cells[cells["correction_id"] != ""]
        for cell in corrected.itertuples():
            lines.append(
                _wrap(
                    f"correction {cell.correction_id}: {cell.participant_id} {cell.outcome} "
                    f"{cell.visit} [{cell.source_locator}]: raw {cell.raw_value!r}, "
                    f"{cell.correction}"
                )
            )
    if lineage.config:
        lines.append("config keys:")
        for entry in lineage.config:
            lines.append(_wrap(f"  {entry['key']} = {entry['value']}  ({entry['note']})"))
    else:
        lines.append("config keys: none")
    pairs = pairs_table(lineage)
    with pd.option_context(
        "display.max_rows", None, "display.width", 200, "display.max_colwidth", 70
    ):
        if pairs is not None:
            lines.append(
                f"traced: n = {len(pairs)} participants; baseline mean "
                f"{pairs['baseline_value'].mean():.4g}, follow-up mean "
                f"{pairs['follow_up_value'].mean():.4g}"
            )
            if max_cells >= 0:  # one line per participant: short enough to show always
                shown = pairs.copy()
                for role in ("baseline", "follow_up"):  # the file is named above
                    cell = shown.pop(f"{role}_source").str.replace(
                        r"^.* \[(.*)\]$", r"\1", regex=True
                    )
                    shown.insert(shown.columns.get_loc(f"{role}_raw") + 1, f"{role}_cell", cell)
                lines.append(shown.to_string(index=False))
        elif 0 < len(cells) <= max_cells:
            shown = cells[
                [
                    "participant_id",
                    "outcome",
                    "visit",
                    "role",
                    "value",
                    "raw_value",
                    "source_locator",
                    "correction_id",
                ]
            ]
            lines.append(shown.to_string(index=False))
        if len(cells) > max_cells >= 0 and pairs is None:
            lines.append(f"({len(cells)} cells: --format csv lists each)")
    return "\n".join(lines)


def lineage_csv(lineages: list[Lineage]) -> pd.DataFrame:
    """Every lineage as one long table: a line per cell, config key and note."""
    rows = []
    for lineage in lineages:
        common = {"table": lineage.table, "row": lineage.row}
        for cell in lineage.cells.to_dict(orient="records"):
            rows.append({**common, "kind": "cell", **cell})
        for entry in lineage.config:
            rows.append(
                {
                    **common,
                    "kind": "config",
                    "key": entry["key"],
                    "value": entry["value"],
                    "note": entry["note"],
                }
            )
        for note in lineage.notes:
            rows.append({**common, "kind": "note", "note": note})
    return pd.DataFrame(rows, columns=CSV_COLUMNS).fillna("")


def _same(a: Lineage, b: Lineage) -> bool:
    return a.cells.equals(b.cells) and a.config == b.config and a.notes == b.notes


def run(args: argparse.Namespace) -> int:
    from .config import load_config

    table_path = Path(args.table)
    where = list(args.where)
    for column, value in (
        ("outcome", args.outcome),
        ("visit", args.visit),
        ("analysis_set", args.analysis_set),
    ):
        if value is not None:
            where.append(f"{column}={value}")
    try:
        results = Path(args.results) if args.results else _results_root(table_path)
        config = load_config(args.config)
        configured = Path(config.get("results_dir") or "results").resolve()
        if configured != results.resolve():
            print(
                f"note: {args.config} writes to {configured}, the table is under {results}; "
                "pass --config with the run's config if they differ",
                file=sys.stderr,
            )
        study = Study(results, config)
        table = read_table(table_path)
        lineages = trace_table(table_path, study, args.row, where)
    except SupplementError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps([lineage.to_dict() for lineage in lineages], indent=1))
        return 0
    if args.csv and not all(_same(lineages[0], other) for other in lineages[1:]):
        print(
            f"error: {table_path}: --csv prints the pairs of one comparison, and the rows chosen "
            "(" + ", ".join(str(t.row) for t in lineages) + ") differ in participants or cells; "
            "expected a narrower selection (--where, --row)",
            file=sys.stderr,
        )
        return 1
    if args.format == "csv" or (args.csv and pairs_table(lineages[0]) is None):
        lineage_csv(lineages).to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    previous = None
    for lineage in lineages:
        if previous is not None and _same(previous, lineage):
            ident = ", ".join(f"{k} = {v}" for k, v in lineage.identity.items())
            print(f"{lineage.table} row {lineage.row}: {ident}")
            print(f"  {_row_line(table, lineage)}")
            print(f"  the same participants and cells as row {previous.row}")
            continue
        text = describe(lineage, table, max_cells=-1 if args.csv else args.max_cells)
        print(text)
        previous = lineage
    if args.csv:
        pairs_table(lineages[0]).to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0
