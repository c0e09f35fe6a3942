"""Rule figure_forest: standardised improvement at the final visit, three analyses per outcome."""

from _step import run_step


def main(snakemake):
    import logging

    from rapamycin_mecfs.atomic import read_csv
    from rapamycin_mecfs.plots import forest, style

    p = snakemake.params
    table = forest.forest_table(
        read_csv(snakemake.input.paired_tests),
        read_csv(snakemake.input.mixed_model),
        read_csv(snakemake.input.baseline_sd),
        p.visit,
    )
    order = [o for o in p.outcomes if o in set(table["outcome"])]
    fig = forest.forest_figure(table, p.visit, p.synthetic, order)
    style.save(fig, snakemake.output.png, snakemake.output.svg, p.synthetic, p.title)
    logging.info("forest plot: %d outcomes x %d analyses", len(order), table["analysis"].nunique())


run_step(main, snakemake)
