"""Rule participants: roster, dose, discontinuations and analysis-set membership."""

from _step import run_step


def main(snakemake):
    import logging

    from rapamycin_mecfs.atomic import read_csv, write_csv
    from rapamycin_mecfs.participants import build_participants

    questionnaires = {
        name: read_csv(path) for name, path in zip(snakemake.params.questionnaire_names, snakemake.input.questionnaires)
    }
    dose = read_csv(snakemake.input.dose, numeric=("value",)) if "dose" in snakemake.input.keys() else None
    people, attrition = build_participants(
        read_csv(snakemake.input.roster),
        read_csv(snakemake.input.discontinuations),
        questionnaires,
        snakemake.params.questionnaire_outcomes,
        dose,
        snakemake.params.settings,
        snakemake.params.presence_corrections,
    )
    write_csv(people, snakemake.output.participants)
    write_csv(attrition, snakemake.output.attrition)
    for row in attrition.itertuples():
        logging.info("%s %s %s: %d", row.category, row.visit, row.reason, row.n)


run_step(main, snakemake)
