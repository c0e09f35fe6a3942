"""Rule responders: responder status per participant and proportions under three denominators."""

from _step import run_step


def main(snakemake):
    import logging

    import pandas as pd
    from rapamycin_mecfs.analysis.data import Participants
    from rapamycin_mecfs.analysis.responders import responder_proportions, responder_status
    from rapamycin_mecfs.atomic import read_csv, write_table

    settings = snakemake.params.settings
    visits = [v["id"] for v in settings["visits"]]
    outcomes = snakemake.params.outcomes
    clean = pd.concat([read_csv(path) for path in snakemake.input.clean], ignore_index=True)
    people = Participants.from_csv_frame(read_csv(snakemake.input.participants))
    rule = snakemake.params.rule
    status = responder_status(
        clean, people, visits, rule, {o: d["direction"] for o, d in outcomes.items()}
    )
    labels = {o: d["label"] for o, d in outcomes.items()}
    proportions = responder_proportions(status, people, rule, snakemake.params.confidence, labels)
    write_table(status.reset_index(), snakemake.output.participants, settings["synthetic"])
    write_table(proportions, snakemake.output.proportions, settings["synthetic"])
    for row in proportions.itertuples():
        logging.info("%s: %d/%d responders", row.analysis_set, row.responders, row.n)


run_step(main, snakemake)
