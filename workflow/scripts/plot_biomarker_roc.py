"""Rule figure_biomarker_roc: ROC curves of baseline level and early change for response."""

from _step import run_step


def main(snakemake):
    import pandas as pd
    from rapamycin_mecfs.atomic import read_csv
    from rapamycin_mecfs.plots import biomarkers, style

    p = snakemake.params
    visits = [v["id"] for v in p.visits]
    baseline = visits[0]
    clean = pd.concat([read_csv(path) for path in snakemake.input.markers], ignore_index=True)
    status = read_csv(snakemake.input.responders_by_participant, numeric=("responder_observed",))
    status = status.set_index("participant_id")["responder_observed"]
    table = read_csv(snakemake.input.roc_auc)
    panels = []
    for marker, spec in p.markers.items():
        wide = biomarkers.wide_values(clean, marker, visits)
        curves = []
        for index, row in table[table["marker"] == marker].iterrows():
            if row["measure"] == "baseline_level":
                values, label = wide[baseline], f"baseline level ({baseline})"
            elif row["measure"] == f"change_{baseline}_{row['visit']}":
                values, label = (
                    wide[row["visit"]] - wide[baseline],
                    f"early change {baseline} \N{RIGHTWARDS ARROW} {row['visit']}",
                )
            else:
                raise ValueError(f"roc_auc.csv: unknown measure {row['measure']!r} for {marker}")
            positives, negatives = biomarkers.roc_groups(values, status)
            curves.append(
                {"measure_label": label, "positives": positives, "negatives": negatives, "row": row}
            )
        panels.append({"label": spec["label"], "curves": curves})
    fig = biomarkers.biomarker_roc_figure(panels, p.synthetic)
    style.save(fig, snakemake.output.png, snakemake.output.svg, p.synthetic, p.title)


run_step(main, snakemake)
