"""Rule participants: roster, dose, discontinuations and analysis-set membership."""

from _step import run_step


def main(snakemake):
    import logging

    import pandas as pd

    from rapamycin_mecfs.atomic import read_csv, write_table
    from rapamycin_mecfs.participants import build_participants

    questionnaires = {
        name: read_csv(path) for name, path in zip(snakemake.params.questionnaire_names, snakemake.input.questionnaires)
    }
    dose = None
    if "dose" in snakemake.input.keys():
        dose = pd.concat([read_csv(path, numeric=("value",)) for path in snakemake.input.dose], ignore_index=True)
    people, attrition = build_participants(
        read_csv(snakemake.input.roster),
        read_csv(snakemake.input.discontinuations),
        questionnaires,
        snakemake.params.questionnaire_outcomes,
        dose,
        snakemake.params.settings,
        snakemake.params.presence_corrections,
    )
    write_table(people, snakemake.output.participants, snakemake.params.settings["synthetic"])
    write_table(attrition, snakemake.output.attrition, snakemake.params.settings["synthetic"])
    for row in attrition.itertuples():
        logging.info("%s %s %s: %d", row.category, row.visit, row.reason, row.n)


run_step(main, snakemake)
