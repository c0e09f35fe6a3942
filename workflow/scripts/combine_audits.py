"""Rule corrections_audit: every applied correction, across instruments, in one table."""

from _step import run_step


def main(snakemake):
    import logging

    import pandas as pd

    from rapamycin_mecfs.atomic import read_csv, write_csv

    audit = pd.concat([read_csv(path) for path in snakemake.input.audits], ignore_index=True)
    audit = audit.sort_values(["correction_id"], kind="stable")
    write_csv(audit, snakemake.output.audit)
    logging.info("%d corrections applied", len(audit))


run_step(main, snakemake)
