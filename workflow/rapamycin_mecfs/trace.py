"""Trace a number in a results table back to the supplement cells behind it.

    python -m rapamycin_mecfs trace results/tables/paired_tests.csv \\
        --outcome <outcome key> --visit <follow-up visit id> --set completers

prints the table row, then every participant in that analysis set with the baseline and
follow-up values, each with its source file and cell and any correction applied.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from .errors import SupplementError

SUPPORTED = ("paired_tests",)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("table", help="a results table, e.g. results/tables/paired_tests.csv")
    parser.add_argument("--outcome", required=True, help="outcome key, as under instruments/<name>/outcomes in the config")
    parser.add_argument("--visit", required=True, help="follow-up visit id, as under visits in the config")
    parser.add_argument("--set", dest="analysis_set", required=True, help="analysis set, e.g. completers")
    parser.add_argument("--results", default=None, help="results directory (default: the table's results/ root)")
    parser.add_argument("--csv", action="store_true", help="print the participant rows as CSV")


def _results_root(table: Path) -> Path:
    for parent in table.resolve().parents:
        if (parent / "clean" / "participants.csv").exists():
            return parent
    raise SupplementError(f"{table}: no clean/participants.csv above it; pass --results")


def trace_paired(results: Path, outcome: str, visit: str, analysis_set: str) -> pd.DataFrame:
    """Participants, values and source cells behind one paired-test row."""
    from .analysis.data import Participants, bocf_pairs, outcome_wide, pairs
    from .atomic import read_csv

    clean_path = results / "clean" / "outcomes" / f"{outcome}.csv"
    if not clean_path.exists():
        raise SupplementError(f"{clean_path}: not found; expected the cleaned table of outcome '{outcome}'")
    clean = read_csv(clean_path)
    people = Participants.from_csv_frame(read_csv(results / "clean" / "participants.csv"))
    visits = list(dict.fromkeys(clean["visit"]))
    baseline = visits[0]
    wide = outcome_wide(clean, visits)
    if analysis_set == "available_pairs":
        frame = pairs(wide, visit, baseline)
    elif analysis_set == "completers":
        frame = pairs(wide, visit, baseline, people.members("completers"))
    elif analysis_set == "enrolled_bocf":
        frame = bocf_pairs(wide, visit, baseline, people.members("enrolled"))
    else:
        raise SupplementError(f"analysis set {analysis_set!r}: not traceable; expected available_pairs, completers or enrolled_bocf")
    cells = clean.set_index(["participant_id", "visit"])
    rows = []
    for participant, values in frame.iterrows():
        row = {"participant_id": participant}
        for role, at in (("baseline", baseline), ("follow_up", visit)):
            cell = cells.loc[(participant, at)]
            row[f"{role}_value"] = values[role]
            row[f"{role}_raw"] = cell["raw_value"]
            row[f"{role}_source"] = f"{cell['source_file']} [{cell['source_locator']}]" if cell["source_locator"] else cell["source_file"]
            row[f"{role}_correction"] = cell["correction_id"]
        row["follow_up_imputed"] = bool(values.get("imputed", False))
        rows.append(row)
    return pd.DataFrame(rows)


def run(args: argparse.Namespace) -> int:
    table_path = Path(args.table)
    if table_path.stem not in SUPPORTED:
        print(f"error: tracing {table_path.name} is not supported; supported: {', '.join(SUPPORTED)}", file=sys.stderr)
        return 2
    try:
        results = Path(args.results) if args.results else _results_root(table_path)
        table = pd.read_csv(table_path)
        selected = table[
            (table["outcome"] == args.outcome) & (table["visit"] == args.visit) & (table["analysis_set"] == args.analysis_set)
        ]
        if selected.empty:
            raise SupplementError(f"{table_path}: no row for outcome={args.outcome} visit={args.visit} set={args.analysis_set}")
        traced = trace_paired(results, args.outcome, args.visit, args.analysis_set)
    except SupplementError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    first = selected.iloc[0]
    print(f"{table_path}: {first['label']} ({args.outcome}), {args.visit} vs {first['baseline_visit']}, set {args.analysis_set}")
    if "data_status" in first:
        print(f"data status: {first['data_status']}")
    for row in selected.itertuples():
        print(f"  {row.test}: n = {row.n_pairs}, estimate = {row.estimate:.4g} [{row.ci_low:.4g}, {row.ci_high:.4g}], p = {row.p_value:.4g}")
    print(f"  baseline mean {first['baseline_mean']:.4g}, follow-up mean {first['follow_up_mean']:.4g}")
    print(f"traced: n = {len(traced)} participants; baseline mean {traced['baseline_value'].mean():.4g}, "
          f"follow-up mean {traced['follow_up_value'].mean():.4g}")
    if args.csv:
        traced.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        with pd.option_context("display.max_rows", None, "display.width", 200, "display.max_colwidth", 60):
            print(traced.to_string(index=False))
    return 0
