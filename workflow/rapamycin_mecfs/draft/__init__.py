"""Draft a commented config from supplement files, so a new study starts from its own tables.

    python -m rapamycin_mecfs init FILE [FILE ...] [-o config.draft.yaml]

Every worksheet of a workbook, each CSV file and every ruled table of a PDF is read with
`sources.read_tables`, as extraction reads them. In each table the participant ID column is the
column whose values mostly share one ID shape (letters, an optional separator, digits); the rows
above its first ID are the header: two header rows when the row above the visit headers holds
outcome labels (merged across their columns, or written once followed by empty cells), else one.
Two-row tables hold outcomes by visit; one-row tables hold one value per participant (a roster,
or who stopped when a column names the last visit and another the reason), or, when participants
repeat down the rows and a column names the visit, a long table.

The draft names the files, sheets or pages, header rows, the ID header and an ID pattern with its
canonical form (from the most common way the IDs are written), outcome keys (snake_case of the
header text) with labels and units from the headers, visits with short ids and study days from
the visit headers, the missing-value texts and below-LLOQ limits found in the value cells, and
placeholders for the study's words. Choices the files cannot tell (each outcome's direction, its
scale's min, max and step, and the responder rule) are left unset, so validating the draft lists
exactly them: the checklist at the top of the file. Observed ranges and value grids are written as
comments beside each outcome, never as live min or max.

Before the draft is written, every drafted table is extracted with the drafted spec (the observed
values come from that), and the YAML text is read back and compared with the config it encodes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import SupplementError
from .build import DEFAULT_OUTPUT, RESPONDER_PATH, draft_config
from .files import Source, csv_options, read_sources
from .headers import id_pattern, snake_key, visit_id
from .observed import extract_read
from .render import Draft, render
from .tables import TableGuess, analyse_table

__all__ = [
    "DEFAULT_OUTPUT",
    "Draft",
    "Source",
    "TableGuess",
    "add_arguments",
    "analyse_table",
    "csv_options",
    "draft_config",
    "extract_read",
    "id_pattern",
    "read_sources",
    "render",
    "run",
    "snake_key",
    "visit_id",
]


# --------------------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help="the supplement's .xlsx, .csv and .pdf files"
    )
    parser.add_argument(
        "-o",
        "--output",
        default=DEFAULT_OUTPUT,
        metavar="PATH",
        help=f"draft to write (default {DEFAULT_OUTPUT})",
    )
    parser.add_argument(
        "--results-dir",
        default=None,
        metavar="DIR",
        help="the study's results directory (default results_<output name>)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite the output if it exists")


def run(args: argparse.Namespace) -> int:
    from ..atomic import atomic_path

    output = Path(args.output)
    if output.exists() and not args.force:
        print(
            f"error: {output}: exists; expected a new file (pass --force to overwrite it)",
            file=sys.stderr,
        )
        return 1
    try:
        draft = draft_config(args.files, output=output.as_posix(), results_dir=args.results_dir)
        text = draft.text
    except SupplementError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    with atomic_path(output) as tmp:
        tmp.write_text(text, encoding="utf-8")
    config = draft.config
    n_outcomes = sum(len(inst["outcomes"]) for inst in config["instruments"].values())
    print(
        f"wrote {output}: {len(config['tables'])} tables ({', '.join(config['tables'])}), "
        f"{n_outcomes} outcomes, {len(config['visits'])} visits "
        f"({', '.join(v['id'] for v in config['visits'])})"
    )
    items = sum(
        len(properties) if path != RESPONDER_PATH else 1 for path, properties, _ in draft.checklist
    )
    print(
        f"checklist: fill in {items} values ({len(draft.checklist)} items, listed at the top of "
        f"{output}); confirm {len(draft.confirm)} drafted guesses"
    )
    for note in draft.notes:
        print(f"note: {note}")
    print(f"then: snakemake --cores 4 --configfile {output}")
    return 0
