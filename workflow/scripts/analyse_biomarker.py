"""Rule analyse_biomarker: the tables of one marker on its own and against the responder
criteria."""

from _step import run_step


def main(snakemake):
    import logging

    import pandas as pd
    from rapamycin_mecfs.analysis.data import Participants
    from rapamycin_mecfs.atomic import read_csv, write_table
    from rapamycin_mecfs.biomarkers.marker import marker_tables

    marker = dict(snakemake.params.marker)
    settings = snakemake.params.settings
    criteria = (
        pd.concat([read_csv(path) for path in snakemake.input.criteria], ignore_index=True)
        if snakemake.input.criteria
        else None
    )
    people = Participants.from_csv_frame(read_csv(snakemake.input.participants))
    tables = marker_tables(read_csv(snakemake.input.marker), criteria, people, marker, settings)
    for name, table in tables.items():
        write_table(table, snakemake.output[name], settings["synthetic"])
    for row in (
        tables["trajectory"]
        .query("test == 'wilcoxon_signed_rank' and analysis_set == 'available_pairs'")
        .itertuples()
    ):
        logging.info(
            "%s %s vs %s: n = %d, HL change %.3g, p = %.3g",
            marker["key"],
            row.visit,
            row.baseline_visit,
            row.n_pairs,
            row.estimate,
            row.p_value,
        )
    for row in tables.get("roc_auc", pd.DataFrame()).itertuples():
        logging.info(
            "%s %s: AUC %.3f (%.3f to %.3f)",
            marker["key"],
            row.measure,
            row.auc,
            row.ci_low,
            row.ci_high,
        )


run_step(main, snakemake)
