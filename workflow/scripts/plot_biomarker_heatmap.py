"""Rule figure_biomarker_heatmap: marker x outcome Spearman rho at each visit, BH significance
marked."""

from _step import run_step


def main(snakemake):
    from rapamycin_mecfs.atomic import read_csv
    from rapamycin_mecfs.plots import biomarkers, style

    p = snakemake.params
    fig = biomarkers.biomarker_heatmap_figure(
        read_csv(snakemake.input.spearman), dict(p.markers), list(p.visits), p.synthetic, p.alpha
    )
    style.save(fig, snakemake.output.png, snakemake.output.svg, p.synthetic, p.title)


run_step(main, snakemake)
