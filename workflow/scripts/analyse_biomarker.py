"""Rule analyse_biomarker: every biomarker table of one marker."""

from _step import run_step


def main(snakemake):
    import logging

    import pandas as pd

    from rapamycin_mecfs.analysis.data import Participants
    from rapamycin_mecfs.atomic import read_csv, write_table
    from rapamycin_mecfs.biomarkers.marker import analyse_marker

    marker = dict(snakemake.params.marker)
    outcomes = dict(snakemake.params.outcomes)
    settings = snakemake.params.settings
    correlated = pd.concat([read_csv(path) for path in snakemake.input.outcomes], ignore_index=True)
    criteria = pd.concat([read_csv(path) for path in snakemake.input.criteria], ignore_index=True)
    people = Participants.from_csv_frame(read_csv(snakemake.input.participants))
    tables = analyse_marker(
        read_csv(snakemake.input.marker),
        {key: correlated[correlated["outcome"] == key] for key in outcomes},
        criteria,
        people,
        marker,
        outcomes,
        settings,
    )
    for name, table in tables.items():
        write_table(table, snakemake.output[name], settings["synthetic"])
    for row in tables["trajectory"].query("test == 'wilcoxon_signed_rank' and analysis_set == 'available_pairs'").itertuples():
        logging.info("%s %s vs %s: n = %d, HL change %.3g, p = %.3g", marker["key"], row.visit, row.baseline_visit,
                     row.n_pairs, row.estimate, row.p_value)
    for row in tables["roc_auc"].itertuples():
        logging.info("%s %s: AUC %.3f (%.3f to %.3f)", marker["key"], row.measure, row.auc, row.ci_low, row.ci_high)


run_step(main, snakemake)
