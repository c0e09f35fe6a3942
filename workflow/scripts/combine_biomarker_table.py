"""Rule combine_biomarker_table: one biomarker table stacked over markers, p adjusted within
families."""

from _step import run_step


def main(snakemake):
    import logging

    import pandas as pd
    from rapamycin_mecfs.atomic import read_csv, write_table
    from rapamycin_mecfs.biomarkers.families import adjust_table

    name = snakemake.wildcards.table
    parts = list(snakemake.input.parts)
    table = adjust_table(name, pd.concat([read_csv(part) for part in parts], ignore_index=True))
    write_table(table, snakemake.output.table, snakemake.params.synthetic)
    logging.info("%s: %d rows from %d markers", name, len(table), len(parts))


run_step(main, snakemake)
