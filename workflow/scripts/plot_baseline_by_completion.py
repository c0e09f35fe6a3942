"""Rule figure_baseline_by_completion: baseline SMD of completers vs those who stopped."""

from _step import run_step


def main(snakemake):
    from rapamycin_mecfs.atomic import read_csv
    from rapamycin_mecfs.plots import attrition, style

    p = snakemake.params
    fig = attrition.baseline_smd_figure(
        read_csv(snakemake.input.baseline_by_completion), p.synthetic, p.alpha
    )
    style.save(fig, snakemake.output.png, snakemake.output.svg, p.synthetic, p.title)


run_step(main, snakemake)
