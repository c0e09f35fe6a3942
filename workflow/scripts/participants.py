"""Rule participants: roster, dose, discontinuations and analysis-set membership."""

from _step import run_step


def main(snakemake):
    import logging

    from rapamycin_mecfs.atomic import read_csv, write_table
    from rapamycin_mecfs.participants import build_participants
    from rapamycin_mecfs.table_types import read_table

    inputs, p = snakemake.input, snakemake.params
    presence = {name: read_csv(path) for name, path in zip(p.presence_instruments, inputs.presence)}
    optional = {
        key: read_csv(inputs[key]) if key in inputs.keys() else None
        for key in ("roster", "discontinuations")
    }
    dose = read_table(inputs.dose_values, "clean") if "dose_values" in inputs.keys() else None
    people, attrition = build_participants(
        optional["roster"],
        optional["discontinuations"],
        presence,
        p.attendance_outcomes,
        p.completion_outcomes,
        dose,
        p.settings,
        p.presence_corrections,
    )
    write_table(people, snakemake.output.participants, p.settings["synthetic"])
    write_table(attrition, snakemake.output.attrition, p.settings["synthetic"])
    for row in attrition.itertuples():
        logging.info("%s %s %s: %d", row.category, row.visit, row.reason, row.n)


run_step(main, snakemake)
