"""Rule figure_responders: responder proportions under the three denominators."""

from _step import run_step


def main(snakemake):
    from rapamycin_mecfs.atomic import read_csv
    from rapamycin_mecfs.plots import responders, style

    p = snakemake.params
    fig = responders.responders_figure(read_csv(snakemake.input.responders), p.synthetic)
    style.save(fig, snakemake.output.png, snakemake.output.svg, p.synthetic, p.title)


run_step(main, snakemake)
