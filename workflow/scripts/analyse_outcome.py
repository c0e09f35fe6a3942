"""Rule analyse_outcome: every per-outcome analysis of one outcome."""

from _step import run_step


def main(snakemake):
    import logging

    from rapamycin_mecfs.analysis.data import Participants
    from rapamycin_mecfs.analysis.outcome import analyse_outcome
    from rapamycin_mecfs.atomic import read_csv, write_table
    from rapamycin_mecfs.config import outcome_spec

    definition = dict(snakemake.params.outcome)
    spec = outcome_spec(definition.pop("key"), definition.pop("instrument"), definition)
    settings = snakemake.params.settings
    visits = [v["id"] for v in settings["visits"]]
    days = settings["days"]
    people = Participants.from_csv_frame(read_csv(snakemake.input.participants))
    tables = analyse_outcome(read_csv(snakemake.input.clean), people, spec, visits, days, settings)
    # Every per-outcome table, and the tipping point's imputed values when that part runs.
    for name, table in tables.items():
        write_table(table, snakemake.output[name], settings["synthetic"])
    paired = tables["paired_tests"]
    for row in paired[(paired["test"] == "wilcoxon_signed_rank")].itertuples():
        logging.info(
            "%s %s %s: n = %d, p = %.3g",
            spec.key,
            row.visit,
            row.analysis_set,
            row.n_pairs,
            row.p_value,
        )


run_step(main, snakemake)
