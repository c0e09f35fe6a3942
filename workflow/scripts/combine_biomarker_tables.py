"""Rule combine_biomarker_tables: each biomarker table stacked over markers, p adjusted within families."""

from _step import run_step


def main(snakemake):
    import logging

    import pandas as pd

    from rapamycin_mecfs.atomic import read_csv, write_table
    from rapamycin_mecfs.biomarkers.families import adjust_table

    for name, path in snakemake.output.items():
        parts = snakemake.input[name]
        parts = [parts] if isinstance(parts, str) else list(parts)
        table = pd.concat([read_csv(part) for part in parts], ignore_index=True)
        table = adjust_table(name, table)
        write_table(table, path, snakemake.params.synthetic)
        logging.info("%s: %d rows from %d markers", name, len(table), len(parts))


run_step(main, snakemake)
