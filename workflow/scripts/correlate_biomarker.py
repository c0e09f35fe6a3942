"""Rule correlate_biomarker: one marker's correlations with the outcomes."""

from _step import run_step


def main(snakemake):
    import logging

    import pandas as pd
    from rapamycin_mecfs.analysis.data import Participants
    from rapamycin_mecfs.atomic import read_csv, write_table
    from rapamycin_mecfs.biomarkers.marker import correlation_tables

    marker = dict(snakemake.params.marker)
    outcomes = dict(snakemake.params.outcomes)
    settings = snakemake.params.settings
    correlated = pd.concat([read_csv(path) for path in snakemake.input.outcomes], ignore_index=True)
    people = Participants.from_csv_frame(read_csv(snakemake.input.participants))
    tables = correlation_tables(
        read_csv(snakemake.input.marker),
        {key: correlated[correlated["outcome"] == key] for key in outcomes},
        people,
        marker,
        outcomes,
        settings,
    )
    for name, table in tables.items():
        write_table(table, snakemake.output[name], settings["synthetic"])
        logging.info("%s %s: %d rows", marker["key"], name, len(table))


run_step(main, snakemake)
