"""Rules figure_trajectories_<instrument>: each outcome of one instrument over the visits."""

from _step import run_step


def main(snakemake):
    import pandas as pd
    from rapamycin_mecfs.atomic import read_csv
    from rapamycin_mecfs.plots import style, trajectories
    from rapamycin_mecfs.plots.style import to_bool

    p = snakemake.params
    clean = pd.concat([read_csv(path) for path in snakemake.input.clean], ignore_index=True)
    people = read_csv(snakemake.input.participants)
    completers = people.loc[to_bool(people["set_completers"]), "participant_id"].tolist()
    fig = trajectories.trajectories_figure(
        clean,
        completers,
        dict(p.outcomes),
        list(p.visits),
        p.instrument_label,
        p.synthetic,
        p.confidence,
    )
    style.save(fig, snakemake.output.png, snakemake.output.svg, p.synthetic, p.title)


run_step(main, snakemake)
