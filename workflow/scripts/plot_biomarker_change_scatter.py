"""Rule figure_biomarker_change_scatter: marker change vs outcome change, baseline to the final
visit."""

from _step import run_step


def main(snakemake):
    import pandas as pd
    from rapamycin_mecfs.atomic import read_csv
    from rapamycin_mecfs.plots import biomarkers, style
    from rapamycin_mecfs.table_types import read_table

    p = snakemake.params
    clean = pd.concat(
        [read_csv(path) for path in [*snakemake.input.markers, *snakemake.input.outcomes]],
        ignore_index=True,
    )
    people = read_table(snakemake.input.participants, "participants")
    enrolled = people.loc[people["set_enrolled"].astype(bool), "participant_id"].tolist()
    table = read_csv(snakemake.input.spearman_change)
    panels = []
    for outcome, o_spec in p.outcomes.items():
        for marker, m_spec in p.markers.items():
            rows = table[
                (table["marker"] == marker)
                & (table["outcome"] == outcome)
                & (table["visit"] == p.visit)
            ]
            if len(rows) != 1:
                raise ValueError(
                    f"spearman_change.csv: expected one row for {marker} x {outcome} at "
                    f"{p.visit}, found {len(rows)}"
                )
            points = biomarkers.change_points(clean, marker, outcome, p.baseline, p.visit, enrolled)
            biomarkers.check_rho(points, rows.iloc[0], f"{marker} vs {outcome}")
            panels.append(
                {
                    "marker_label": m_spec["label"],
                    "marker_unit": m_spec["unit"],
                    "outcome_label": o_spec["label"],
                    "outcome_unit": o_spec["unit"],
                    "outcome_direction": o_spec["direction"],
                    "points": points,
                    "row": rows.iloc[0],
                }
            )
    fig = biomarkers.biomarker_change_scatter_figure(panels, p.baseline, p.visit, p.synthetic)
    style.save(fig, snakemake.output.png, snakemake.output.svg, p.synthetic, p.title)


run_step(main, snakemake)
