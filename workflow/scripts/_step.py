"""Shared start-up for the rule scripts: import path, log file, and readable errors.

Snakemake puts this directory on sys.path. The package sits beside it, so scripts import it
the same way in the project's venv and in a per-rule conda env.
"""

import logging
import sys
from pathlib import Path


def run_step(main, snakemake) -> None:
    """Run main(snakemake); bad input ends the job with one clear message on the terminal and in the
    log."""
    sys.path.insert(0, str(Path(snakemake.scriptdir).resolve().parent))
    from rapamycin_mecfs.errors import SupplementError
    from rapamycin_mecfs.heap import freeze_long_lived_objects

    # The libraries a step imports live until it exits; shutting down would walk them all again
    # (0.6-0.8 s per job, rapamycin_mecfs/heap.py).
    freeze_long_lived_objects()

    log_file = snakemake.log[0] if snakemake.log else None
    handlers = [logging.StreamHandler(sys.stderr)]
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, mode="w", encoding="utf-8"))
    logging.basicConfig(
        level=logging.INFO, format=f"[{snakemake.rule}] %(message)s", handlers=handlers, force=True
    )
    try:
        main(snakemake)
    except SupplementError as error:
        logging.error("ERROR: %s", error)
        sys.exit(1)
    except Exception as error:
        # a fault in the code, not a named input problem: the traceback goes to the log only
        import traceback

        inputs = ", ".join(
            str(path) for path in snakemake.input if "rapamycin_mecfs" not in str(path)
        )
        logging.error(
            "FAILED: %s: %s, while reading %s (traceback in %s)",
            type(error).__name__,
            error,
            inputs,
            log_file,
        )
        if log_file:
            with open(log_file, "a", encoding="utf-8") as handle:
                traceback.print_exc(file=handle)
        sys.exit(1)
