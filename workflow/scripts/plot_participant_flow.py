"""Rule figure_participant_flow: CONSORT-style flow from the attrition and participant tables."""

from _step import run_step


def main(snakemake):
    from rapamycin_mecfs.atomic import read_csv
    from rapamycin_mecfs.plots import flow, style

    p = snakemake.params
    visits = [v["id"] for v in p.visits]
    days = {v["id"]: int(v["day"]) for v in p.visits}
    counts = flow.flow_counts(read_csv(snakemake.input.attrition), read_csv(snakemake.input.participants), visits, days)
    fig = flow.participant_flow_figure(counts, p.synthetic)
    style.save(fig, snakemake.output.png, snakemake.output.svg, p.synthetic, p.title)


run_step(main, snakemake)
