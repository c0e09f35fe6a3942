"""Rule simulation_summary: aggregate every shard of every scenario and place the observed trial in
it."""

from _step import run_step


def main(snakemake):
    import json
    import logging
    from pathlib import Path

    import pandas as pd
    from rapamycin_mecfs.atomic import read_csv, write_table
    from rapamycin_mecfs.simulate import summarise
    from rapamycin_mecfs.simulate.model import Model

    settings = snakemake.params.settings
    models = {}
    for path in snakemake.input.models:
        model = Model.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
        models[model.scenario] = model
    shards = summarise.load_shards(
        snakemake.input.shards, lambda p: pd.read_csv(p, keep_default_na=False, na_values=[""])
    )
    shards = {name: shards[name] for name in settings["scenarios"] if name in shards}
    observed = summarise.observed_results(
        read_csv(snakemake.input.responders),
        read_csv(snakemake.input.paired_tests),
        settings["outcomes"],
        settings["final_visit"],
        settings["alpha"],
    )
    summary = summarise.summary_table(shards, models, observed, settings)
    synthetic = settings["synthetic"]
    write_table(summary, snakemake.output.summary, synthetic)
    write_table(
        summarise.false_positive_table(shards, models, observed, settings),
        snakemake.output.false_positives,
        synthetic,
    )
    write_table(summarise.parameter_table(models), snakemake.output.parameters, synthetic)
    write_table(
        summarise.distribution_table(shards, settings["histogram_bins"]),
        snakemake.output.distribution,
        synthetic,
    )
    for row in summary[summary["measure"] == "responder_proportion"].itertuples():
        logging.info(
            "%s %s: median %.3f, observed %.3f, simulation p %.4g",
            row.scenario,
            row.analysis_set,
            row.q50,
            row.observed,
            row.simulation_p_value,
        )


run_step(main, snakemake)
