"""Rule figure_participant_flow: CONSORT-style flow from the attrition and participant tables."""

from _step import run_step


def main(snakemake):
    from rapamycin_mecfs.atomic import read_csv
    from rapamycin_mecfs.plots import flow, style

    p = snakemake.params
    counts = flow.flow_counts(
        read_csv(snakemake.input.attrition),
        read_csv(snakemake.input.participants),
        p.visits,
        p.visit_labels,
        p.final,
    )
    fig = flow.participant_flow_figure(counts, p.synthetic, p.arm_label)
    style.save(fig, snakemake.output.png, snakemake.output.svg, p.synthetic, p.title)


run_step(main, snakemake)
