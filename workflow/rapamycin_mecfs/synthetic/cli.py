"""Write the SYNTHETIC supplement (workbook S1-S7, PDF S8, README) and the corrections ledger.

The values are simulated (seeded); they are not trial data. Same seed and N give byte-identical
files.
"""

from __future__ import annotations

import argparse
import sys
import time

DEFAULT_OUT = "resources/supplementary"
DEFAULT_CORRECTIONS = "resources/corrections.csv"
DEFAULT_SEED = 20250523
DEFAULT_PARTICIPANTS = 86


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", default=DEFAULT_OUT, metavar="DIR", help=f"output folder (default {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--corrections",
        default=DEFAULT_CORRECTIONS,
        metavar="PATH",
        help=f"corrections ledger to write (default {DEFAULT_CORRECTIONS})",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--participants",
        type=int,
        default=DEFAULT_PARTICIPANTS,
        metavar="N",
        help=f"number of participants, at least 20 (default {DEFAULT_PARTICIPANTS}, as in "
        "the trial)",
    )


def run(args: argparse.Namespace) -> int:
    from .model import simulate_cohort
    from .writers import write_supplement

    start = time.perf_counter()
    try:
        cohort = simulate_cohort(args.participants, args.seed)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    result = write_supplement(cohort, args.out, args.corrections, args.seed)
    counts = cohort.counts
    print(
        f"SYNTHETIC supplement, seed {args.seed}: {counts['n']} participants, with data at "
        "T1/T2/T3 "
        f"{counts['with_visit']['T1']}/{counts['with_visit']['T2']}/{counts['with_visit']['T3']}, "
        f"{counts['completers']} completers ({time.perf_counter() - start:.1f} s)"
    )
    for path in result["paths"].values():
        print(f"wrote {path}")
    return 0
