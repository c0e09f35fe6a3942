"""Rules that stack per-outcome tables: each named output is the concatenation of the input of that
name."""

from _step import run_step


def main(snakemake):
    import logging

    import pandas as pd
    from rapamycin_mecfs.atomic import read_csv, write_table

    for name, path in snakemake.output.items():
        parts = snakemake.input[name]
        parts = [parts] if isinstance(parts, str) else list(parts)
        # Inputs come in config order, so the stacked table's order is stable across runs.
        table = pd.concat([read_csv(part) for part in parts], ignore_index=True)
        write_table(table, path, snakemake.params.synthetic)
        logging.info("%s: %d rows from %d tables", path, len(table), len(parts))


run_step(main, snakemake)
