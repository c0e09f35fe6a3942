"""Rule simulate_shard: simulate one shard of one scenario's trials; one summary row per trial."""

from _step import run_step


def main(snakemake):
    import json
    import logging
    from pathlib import Path

    import numpy as np
    from rapamycin_mecfs.atomic import write_table
    from rapamycin_mecfs.simulate.model import Model
    from rapamycin_mecfs.simulate.summarise import run_shard

    run = snakemake.params.run
    model = Model.from_dict(json.loads(Path(snakemake.input.model).read_text(encoding="utf-8")))
    rng = np.random.default_rng(np.random.SeedSequence(run["entropy"]))
    trials = run_shard(model, run["trials"], rng)
    trials.insert(0, "shard", run["shard"])
    trials.insert(0, "scenario", run["scenario"])
    write_table(trials, snakemake.output.trials, run["synthetic"])
    logging.info(
        "%s shard %d: %d trials, seed entropy %s; mean completers %.1f",
        run["scenario"],
        run["shard"],
        len(trials),
        run["entropy"],
        trials["n__completers"].mean(),
    )


run_step(main, snakemake)
