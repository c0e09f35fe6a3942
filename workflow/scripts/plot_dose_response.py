"""Rule figure_dose_response: last dose vs improvement at the last observation, chosen outcomes."""

from _step import run_step


def main(snakemake):
    from rapamycin_mecfs.atomic import read_csv
    from rapamycin_mecfs.plots import dose, style

    p = snakemake.params
    people = read_csv(snakemake.input.participants)
    table = read_csv(snakemake.input.dose_response)
    bands = read_csv(snakemake.input.dose_bands)
    panels = []
    for path, (key, spec) in zip(snakemake.input.clean, p.outcomes.items()):
        points = dose.dose_points(
            read_csv(path), people, spec["direction"], list(p.visits), p.final
        )
        row = dose.table_row(table, key)
        dose.check_against_table(points, row, key)
        panels.append(
            {
                "outcome": key,
                "label": spec["label"],
                "unit": spec["unit"],
                "direction": spec["direction"],
                "points": points,
                "row": row,
                "bands": dose.parse_bands(bands, key),
            }
        )
    fig = dose.dose_response_figure(panels, p.synthetic, p.dose_unit)
    style.save(fig, snakemake.output.png, snakemake.output.svg, p.synthetic, p.title)


run_step(main, snakemake)
