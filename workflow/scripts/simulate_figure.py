"""Rule simulation_figure: the apparent responder proportion in simulated trials, observed value
marked."""

from _step import run_step


def main(snakemake):
    from rapamycin_mecfs.atomic import read_csv
    from rapamycin_mecfs.plots import style
    from rapamycin_mecfs.plots.simulation import simulation_figure

    synthetic = snakemake.params.synthetic
    fig = simulation_figure(
        read_csv(snakemake.input.summary), read_csv(snakemake.input.distribution), synthetic
    )
    style.save(
        fig,
        snakemake.output.png,
        snakemake.output.svg,
        synthetic,
        title="Apparent responders in simulated trials",
    )


run_step(main, snakemake)
