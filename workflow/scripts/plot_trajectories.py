"""Rules figure_trajectories_<instrument>: each outcome of one instrument over the visits."""

from _step import run_step


def main(snakemake):
    import pandas as pd
    from rapamycin_mecfs.atomic import read_csv
    from rapamycin_mecfs.plots import style, trajectories
    from rapamycin_mecfs.table_types import read_table

    p = snakemake.params
    clean = pd.concat([read_csv(path) for path in snakemake.input.clean], ignore_index=True)
    people = read_table(snakemake.input.participants, "participants")
    completers = people.loc[people["set_completers"].astype(bool), "participant_id"].tolist()
    medians = pd.concat([read_csv(path) for path in snakemake.input.medians], ignore_index=True)
    fig = trajectories.trajectories_figure(
        clean,
        completers,
        medians,
        dict(p.outcomes),
        list(p.visits),
        p.instrument_label,
        p.synthetic,
    )
    style.save(fig, snakemake.output.png, snakemake.output.svg, p.synthetic, p.title)


run_step(main, snakemake)
