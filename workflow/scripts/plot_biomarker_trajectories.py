"""Rule figure_biomarker_trajectories: each marker over the visits, below-LLOQ values marked."""

from _step import run_step


def main(snakemake):
    import pandas as pd
    from rapamycin_mecfs.atomic import read_csv
    from rapamycin_mecfs.plots import biomarkers, style

    p = snakemake.params
    clean = pd.concat([read_csv(path) for path in snakemake.input.clean], ignore_index=True)
    fig = biomarkers.biomarker_trajectories_figure(
        clean,
        dict(p.markers),
        list(p.visits),
        read_csv(snakemake.input.lloq_counts),
        read_csv(snakemake.input.visit_medians),
        read_csv(snakemake.input.trajectory),
        p.synthetic,
    )
    style.save(fig, snakemake.output.png, snakemake.output.svg, p.synthetic, p.title)


run_step(main, snakemake)
