"""Rule figure_biomarker_roc: ROC curves of baseline level and early change for response."""

from _step import run_step


def main(snakemake):
    from rapamycin_mecfs.atomic import read_csv
    from rapamycin_mecfs.plots import biomarkers, style

    p = snakemake.params
    baseline = p.visits[0]["id"]
    table = read_csv(snakemake.input.roc_auc)
    vertices = read_csv(snakemake.input.roc_curve)
    panels = []
    for marker, spec in p.markers.items():
        curves = []
        for _, row in table[table["marker"] == marker].iterrows():
            if row["measure"] == "baseline_level":
                label = f"baseline level ({baseline})"
            elif row["measure"] == f"change_{baseline}_{row['visit']}":
                label = f"early change {baseline} \N{RIGHTWARDS ARROW} {row['visit']}"
            else:
                raise ValueError(f"roc_auc.csv: unknown measure {row['measure']!r} for {marker}")
            points = vertices[
                (vertices["marker"] == marker) & (vertices["measure"] == row["measure"])
            ]
            curves.append({"measure_label": label, "points": points, "row": row})
        panels.append({"label": spec["label"], "curves": curves})
    fig = biomarkers.biomarker_roc_figure(panels, p.synthetic)
    style.save(fig, snakemake.output.png, snakemake.output.svg, p.synthetic, p.title)


run_step(main, snakemake)
