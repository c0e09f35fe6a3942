"""Biomarker figures: values over visits, marker x outcome correlations, change vs change, ROC
curves.

Numbers printed in the figures (rho, CIs, AUCs, BH-adjusted p, counts) come from the tables under
results/tables/biomarkers/. Points and curves are drawn from the cleaned values; where a table gives
a statistic of those same points (n, rho, AUC), the figure recomputes it and stops if they disagree,
so a figure can never show points that are not the ones analysed.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ..table_types import as_types
from . import style
from .consistency import spearman_rho
from .trajectories import median_line, participant_lines, visit_rows, wide_values


def below_lloq_mask(clean: pd.DataFrame, marker: str, visits: list[str]) -> pd.DataFrame:
    """participant x visit: True where the cleaned value is flagged below the LLOQ."""
    rows = clean[clean["outcome"] == marker]
    flag = rows["flag"].astype(str).str.contains("below_lloq")
    wide = rows.assign(below=flag).pivot(index="participant_id", columns="visit", values="below")
    return wide.reindex(columns=visits).fillna(False).astype(bool).sort_index()


def p_text(p: float) -> str:
    if np.isnan(p):
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


# --- values over visits ---------------------------------------------------------------------


def biomarker_trajectories_figure(
    clean: pd.DataFrame,
    markers: dict[str, dict],
    visits: list[dict],
    lloq_counts: pd.DataFrame,
    medians: pd.DataFrame,
    trajectory: pd.DataFrame,
    synthetic: bool,
) -> Figure:
    """One panel per marker: every participant faint, median with its CI bold, below-LLOQ marked.

    The medians, CIs and n per visit are the visit_medians table's available_at_visit rows
    (`medians`, stacked over markers); the change text is trajectory.csv's. Nothing is estimated.
    """
    visit_ids = [v["id"] for v in visits]
    days = np.array([float(v["x"]) for v in visits], dtype=float)
    counts = as_types(lloq_counts, "lloq_counts")
    traj = as_types(trajectory, "trajectory")
    medians = medians.rename(columns={"marker": "outcome"})
    level = f"{100 * float(medians['confidence'].iloc[0]):g}%" if len(medians) else ""
    method = medians["method"].iloc[0].split("CI: ")[-1] if len(medians) else ""
    with style.context():
        fig, axes = style.new_figure(
            5.6 * len(markers) + 0.6,
            7.6,
            "Plasma markers over the course",
            synthetic,
            subtitle=(
                f"bold: median with {level} CI ({method}), every available value; "
                "faint: one line per participant; "
                "\N{MULTIPLICATION SIGN}: below the LLOQ, drawn at the substituted value"
            ),
            nrows=1,
            ncols=len(markers),
            squeeze=False,
        )
        for ax, (key, spec) in zip(axes[0], markers.items()):
            wide = wide_values(clean, key, visit_ids)
            below = (
                below_lloq_mask(clean, key, visit_ids).reindex_like(wide).fillna(False).astype(bool)
            )
            participant_lines(ax, wide, days)
            xs, ys = np.nonzero(below.to_numpy())
            sns.scatterplot(
                x=days[ys],
                y=wide.to_numpy()[xs, ys],
                marker="x",
                color=style.WARNING_RED,
                s=22,
                linewidth=1.1,
                zorder=4,
                rasterized=len(wide) > style.VECTOR_PARTICIPANTS,
                ax=ax,
            )
            summary = visit_rows(medians, key, "available_at_visit", visit_ids)
            median_line(ax, summary, days, style.SET_COLOURS["all_available"])
            marker_counts = counts[(counts["marker"] == key)].set_index("visit")
            lloq = spec.get("lloq")
            if lloq is None and len(marker_counts):
                lloq = float(marker_counts["lloq"].iloc[0])
            if lloq is not None and not np.isnan(lloq):
                ax.axhline(lloq, color=style.WARNING_RED, lw=1, ls="--", zorder=1)
                ax.annotate(
                    f"LLOQ {lloq:g} {spec.get('unit', '')}",
                    (days[-1], lloq),
                    xytext=(0, 3),
                    textcoords="offset points",
                    ha="right",
                    va="bottom",
                    fontsize=8,
                    color=style.WARNING_RED,
                )
            ticks = []
            for visit, tick, n in zip(
                visit_ids, [v["tick"] for v in visits], summary["n"].astype(int)
            ):
                n_below = (
                    int(marker_counts.loc[visit, "n_below_lloq"])
                    if visit in marker_counts.index
                    else int(below[visit].sum())
                )
                if n_below != int(below[visit].sum()):
                    raise ValueError(
                        f"{key} {visit}: lloq_counts.csv says {n_below} below LLOQ, "
                        f"the clean table flags {int(below[visit].sum())}"
                    )
                ticks.append(f"{tick}\nn = {n}\n< LLOQ: {n_below}")
            ax.set_xticks(days, ticks, fontsize=8)
            ax.set_yscale("log")
            ax.set_ylabel(f"{spec['label']}, {spec.get('unit', '')} (log scale)")
            ax.set_title(spec["label"])
            # Change vs baseline from trajectory.csv: Hodges-Lehmann estimate, available pairs,
            # BH-adjusted p.
            rows = traj[
                (traj["marker"] == key)
                & (traj["analysis_set"] == "available_pairs")
                & (traj["test"] == "wilcoxon_signed_rank")
            ]
            lines = [
                (
                    f"change vs {visit_ids[0]}, {spec.get('unit', '')} "
                    f"(Hodges\N{EN DASH}Lehmann, {level} CI; BH-adjusted p):"
                )
            ]
            for r in rows.itertuples():
                lines.append(
                    f"{r.visit}: {style.fmt_ci(r.estimate, r.ci_low, r.ci_high, 3)}; "
                    f"{p_text(r.p_fdr_bh)} (n = {int(r.n_pairs)})"
                )
            ax.set_xlabel("visit; n = participants with a value\n\n" + "\n".join(lines), fontsize=9)
            values = wide.to_numpy()[np.isfinite(wide.to_numpy())]
            if values.size:
                floor = (
                    min(values.min(), lloq)
                    if lloq is not None and not np.isnan(lloq)
                    else values.min()
                )
                ax.set_ylim(floor / 1.5, values.max() * 1.5)
            ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.yaxis.set_minor_formatter(NullFormatter())
    return fig


# --- marker x outcome correlation heatmap ----------------------------------------------------


def heatmap_matrix(
    table: pd.DataFrame,
    markers: list[str],
    visits: list[str],
    outcomes: list[str],
    alpha: float = 0.05,
):
    """rho, BH-significance and n matrices: rows outcomes, columns (marker, visit)."""
    frame = as_types(table, "spearman_cross_sectional").set_index(["outcome", "marker", "visit"])
    columns = [(m, v) for m in markers for v in visits]
    rho = np.full((len(outcomes), len(columns)), np.nan)
    sig = np.zeros_like(rho, dtype=bool)
    n = np.zeros_like(rho)
    for i, outcome in enumerate(outcomes):
        for j, (m, v) in enumerate(columns):
            if (outcome, m, v) in frame.index:
                row = frame.loc[(outcome, m, v)]
                rho[i, j], n[i, j] = row["rho"], row["n"]
                sig[i, j] = bool(row["p_fdr_bh"] < alpha)
    return rho, sig, n, columns


def biomarker_heatmap_figure(
    table: pd.DataFrame,
    markers: dict[str, dict],
    visits: list[str],
    synthetic: bool,
    alpha: float = 0.05,
) -> Figure:
    """The table's rho per outcome x (marker, visit) as one ``seaborn.heatmap``, each cell
    annotated.

    Parameters
    ----------
    table : pandas.DataFrame
        spearman_cross_sectional.csv: rho, p_fdr_bh and n per marker, outcome and visit.
    markers : dict
        Marker key -> spec with its label, in column order.
    visits : list of str
        Visits, in column order within each marker.
    synthetic : bool
        Whether to mark the figure as drawn from synthetic data.
    alpha : float
        A cell is starred and bold when its BH-adjusted p is below it.

    Returns
    -------
    matplotlib.figure.Figure
        A cell without a rho is left blank and reads "n/a".
    """
    outcomes = list(dict.fromkeys(table["outcome"]))
    labels = table.drop_duplicates("outcome").set_index("outcome")
    rho, sig, n, columns = heatmap_matrix(table, list(markers), visits, outcomes, alpha)
    finite = n[n > 0]
    n_text = (
        f"n = {int(finite.min())}\N{EN DASH}{int(finite.max())} per cell"
        if finite.size
        else "n = 0"
    )
    reach = (
        max(0.3, float(np.ceil(np.nanmax(np.abs(rho)) * 10) / 10))
        if np.isfinite(rho).any()
        else 1.0
    )
    with style.context():
        fig, ax = style.new_figure(
            3.6 + 0.85 * len(columns),
            3.0 + 0.36 * len(outcomes),
            "Marker vs outcome: Spearman \N{GREEK SMALL LETTER RHO} at each visit",
            synthetic,
            subtitle=(
                "raw levels at the visit (no sign flip: read with each outcome's direction); "
                f"{n_text}\n"
                f"* = Benjamini\N{EN DASH}Hochberg adjusted p < {alpha:g} within the marker's "
                "family (outcomes \N{MULTIPLICATION SIGN} visits)"
            ),
            watermark_colour="0.3",
        )
        # seaborn masks the NaN cells (left blank, "n/a" written below) and annotates the others.
        annot = np.array(
            [
                [style.minus(f"{value:.2f}") + ("*" if star else "") for value, star in zip(*row)]
                for row in zip(rho, sig)
            ]
        )
        directions = [style.direction_text(labels.loc[o, "outcome_direction"]) for o in outcomes]
        outcome_labels = [
            f"{labels.loc[o, 'outcome_label']} ({better})"
            for o, better in zip(outcomes, directions)
        ]
        with warnings.catch_warnings():
            # seaborn 0.13.2 calls Colormap.set_bad, which matplotlib 3.11 says it will deprecate.
            warnings.filterwarnings("ignore", "The set_bad function", PendingDeprecationWarning)
            sns.heatmap(
                rho,
                vmin=-reach,
                vmax=reach,
                center=0,
                cmap="RdBu_r",
                annot=annot,
                fmt="",
                annot_kws={"fontsize": 7.5},
                xticklabels=[v for _, v in columns],
                yticklabels=outcome_labels,
                cbar_kws={
                    "shrink": 0.6,
                    "pad": 0.01,
                    "label": "Spearman \N{GREEK SMALL LETTER RHO} (marker level vs outcome score)",
                },
                ax=ax,
            )
        for text in ax.texts:
            x, y = text.get_position()
            text.set_fontweight("bold" if sig[int(y), int(x)] else "normal")
        for i, j in zip(*np.nonzero(np.isnan(rho))):
            ax.text(j + 0.5, i + 0.5, "n/a", ha="center", va="center", fontsize=7, color="0.4")
        ax.grid(False)
        ax.tick_params(axis="both", labelsize=8.5, length=0)
        ax.set_yticklabels(outcome_labels, rotation=0, va="center")
        ax.set_xticklabels([v for _, v in columns], rotation=0)
        ax.set_xlabel("visit")
        top = ax.secondary_xaxis("top")
        top.set_xticks(
            [len(visits) * (k + 0.5) for k in range(len(markers))],
            [spec["label"] for spec in markers.values()],
            fontsize=10,
            fontweight="bold",
        )
        top.tick_params(length=0)
        top.spines["top"].set_visible(False)
        for j in range(len(visits), len(columns), len(visits)):
            ax.axvline(j, color="white", lw=3)
    return fig


# --- change vs change -------------------------------------------------------------------------


def change_points(
    clean: pd.DataFrame, marker: str, outcome: str, baseline: str, visit: str, enrolled: list[str]
) -> pd.DataFrame:
    """Per participant with both values at both visits: raw changes (visit - baseline) and
    whether any marker value is below LLOQ."""
    visits = [baseline, visit]
    m = wide_values(clean, marker, visits)
    o = wide_values(clean, outcome, visits)
    below = (
        below_lloq_mask(clean, marker, visits)
        .reindex(m.index)
        .fillna(False)
        .astype(bool)
        .any(axis=1)
    )
    frame = pd.DataFrame(
        {"d_marker": m[visit] - m[baseline], "d_outcome": o[visit] - o[baseline]}
    ).reindex(sorted(set(m.index) | set(o.index)))
    frame["below_lloq"] = below.reindex(frame.index).fillna(False).astype(bool)
    frame = frame[frame.index.isin(set(enrolled))].dropna(subset=["d_marker", "d_outcome"])
    return frame.sort_index()


def check_rho(
    points: pd.DataFrame, row: pd.Series, what: str, x: str = "d_marker", y: str = "d_outcome"
) -> None:
    n, rho = int(float(row["n"])), float(row["rho"])
    if len(points) != n:
        raise ValueError(f"{what}: {len(points)} points drawn but the table has n = {n}")
    drawn = spearman_rho(points[x], points[y]) if n >= 3 else np.nan
    if not (np.isnan(rho) and np.isnan(drawn)) and not np.isclose(drawn, rho, atol=1e-9):
        raise ValueError(f"{what}: rho of the drawn points {drawn:.6g} != table {rho:.6g}")


def biomarker_change_scatter_figure(
    panels: list[dict], baseline: str, visit: str, synthetic: bool
) -> Figure:
    """`panels`: dicts with marker_label, marker_unit, outcome_label, outcome_unit,
    outcome_direction, points, row (spearman_change.csv)."""
    markers = list(dict.fromkeys(p["marker_label"] for p in panels))
    outcomes = list(dict.fromkeys(p["outcome_label"] for p in panels))
    colour = style.SET_COLOURS["completers"]
    with style.context():
        fig, axes = style.new_figure(
            5.2 * len(markers) + 0.8,
            1.9 + 3.7 * len(outcomes),
            f"Change in marker vs change in outcome, {baseline} \N{RIGHTWARDS ARROW} {visit}",
            synthetic,
            subtitle=(
                "raw changes (follow-up \N{MINUS SIGN} baseline, no sign flip); everyone enrolled "
                "with both values at both visits; "
                "Spearman \N{GREEK SMALL LETTER RHO}, 95% CI (Fisher z), BH-adjusted p"
            ),
            nrows=len(outcomes),
            ncols=len(markers),
            squeeze=False,
        )
        for p in panels:
            ax = axes[outcomes.index(p["outcome_label"]), markers.index(p["marker_label"])]
            pts, row = p["points"], p["row"]
            normal = pts[~pts["below_lloq"]]
            flagged = pts[pts["below_lloq"]]
            raster = (
                len(pts) > style.VECTOR_PARTICIPANTS
            )  # one point per participant: see participant_lines
            sns.scatterplot(
                data=normal,
                x="d_marker",
                y="d_outcome",
                s=22,
                color=colour,
                alpha=0.6,
                edgecolor="white",
                linewidth=0.4,
                zorder=3,
                rasterized=raster,
                ax=ax,
            )
            sns.scatterplot(
                data=flagged,
                x="d_marker",
                y="d_outcome",
                s=30,
                marker="x",
                color=style.WARNING_RED,
                linewidth=1.1,
                zorder=4,
                rasterized=raster,
                ax=ax,
            )
            ax.axhline(0, color="0.3", lw=0.8, ls="--")
            ax.axvline(0, color="0.3", lw=0.8, ls="--")
            rho, low, high = float(row["rho"]), float(row["ci_low"]), float(row["ci_high"])
            ax.set_title(
                f"{p['marker_label']} vs {p['outcome_label']}\n"
                f"\N{GREEK SMALL LETTER RHO} = {style.fmt_ci(rho, low, high)}, "
                f"{p_text(float(row['p_fdr_bh']))} (BH), n = {int(float(row['n']))}",
                fontsize=9.5,
            )
            ax.set_xlabel(
                f"\N{GREEK CAPITAL LETTER DELTA} {p['marker_label']}, {p['marker_unit']} "
                f"({visit} \N{MINUS SIGN} {baseline})"
            )
            better = {
                "higher_is_better": "positive = better",
                "lower_is_better": "negative = better",
            }.get(p["outcome_direction"], "")
            ax.set_ylabel(
                f"\N{GREEK CAPITAL LETTER DELTA} {p['outcome_label']}, {p['outcome_unit']}\n"
                f"({better})"
            )
        handles = [
            Line2D([], [], ls="", marker="o", color=colour, alpha=0.6, label="participant"),
            Line2D(
                [],
                [],
                ls="",
                marker="x",
                color=style.WARNING_RED,
                label="a marker value below the LLOQ (substituted)",
            ),
        ]
        axes[0, 0].get_figure(root=False).legend(
            handles=handles, loc="outside lower center", ncols=2, fontsize=9
        )
    return fig


# --- ROC ----------------------------------------------------------------------------------------


def biomarker_roc_figure(panels: list[dict], synthetic: bool) -> Figure:
    """ROC curves, one panel per marker, each curve a ``seaborn.lineplot`` through its vertices.

    Parameters
    ----------
    panels : list of dict
        One per marker: ``label`` and ``curves``, a list of dicts with ``measure_label``,
        ``points`` (the measure's rows of roc_curve.csv: vertex, fpr, tpr, n_responders,
        n_non_responders) and ``row`` (its roc_auc.csv row).
    synthetic : bool
        Whether to mark the figure as drawn from synthetic data.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The curve is drawn through the table's vertices with the default drawstyle, not
    ``drawstyle="steps-post"``: the vertices already hold both corners of every step (a threshold
    met by responders only moves the TPR, by non-responders only the FPR), so the two draw the
    same staircase, except at a threshold that both groups meet (tied scores, e.g. values below the
    LLOQ): there the curve moves diagonally, and only the diagonal keeps the area under the drawn
    curve equal to the table's AUC (ties counted 1/2), which this figure checks.
    """
    palette = [
        style.SET_COLOURS["completers"],
        style.SET_COLOURS["enrolled_available"],
        style.SET_COLOURS["enrolled_bocf"],
        style.SET_COLOURS["stopped"],
    ]
    first = panels[0]["curves"][0]["row"] if panels and panels[0]["curves"] else None
    rule = str(first["assumption"]) if first is not None else ""
    with style.context():
        fig, axes = style.new_figure(
            5.4 * len(panels) + 0.6,
            7.4,
            "Does the marker tell responders from non-responders? ROC curves",
            synthetic,
            subtitle=style.wrap(rule, 110)
            + "\nparticipants with observed responder status; higher value scored as responder; "
            "AUC with percentile bootstrap CI",
            nrows=1,
            ncols=len(panels),
            squeeze=False,
        )
        for ax, panel in zip(axes[0], panels):
            ax.plot([0, 1], [0, 1], color="0.5", lw=1, ls="--", label="no discrimination (AUC 0.5)")
            for colour, curve in zip(palette, panel["curves"]):
                row = curve["row"]
                points = curve["points"]
                n1, n2 = int(float(row["n_responders"])), int(float(row["n_non_responders"]))
                if points.empty:
                    # Everyone evaluable is a responder, or nobody is: no curve and no AUC.
                    if str(row["auc"]) not in ("", "nan"):
                        raise ValueError(
                            f"ROC {panel['label']} {curve['measure_label']}: roc_curve.csv has no "
                            f"vertices but roc_auc.csv has AUC {row['auc']}"
                        )
                    ax.plot(
                        [],
                        [],
                        color=colour,
                        lw=2,
                        label=f"{curve['measure_label']}: no AUC ({n1} responders, "
                        f"{n2} non-responders)",
                    )
                    continue
                points = points.assign(
                    **{c: pd.to_numeric(points[c]) for c in ("vertex", "fpr", "tpr")}
                ).sort_values("vertex")
                fpr, tpr = points["fpr"].to_numpy(), points["tpr"].to_numpy()
                drawn = float(np.trapezoid(tpr, fpr))
                auc = float(row["auc"])
                if not np.isclose(drawn, auc, atol=1e-9):
                    raise ValueError(
                        f"ROC {panel['label']} {curve['measure_label']}: area of the drawn curve "
                        f"{drawn:.6g} != roc_auc.csv {auc:.6g}"
                    )
                groups = {
                    (int(float(a)), int(float(b)))
                    for a, b in zip(points["n_responders"], points["n_non_responders"])
                }
                if groups != {(n1, n2)}:
                    raise ValueError(
                        f"ROC {panel['label']} {curve['measure_label']}: roc_curve.csv groups "
                        f"{sorted(groups)}, roc_auc.csv {n1}/{n2}"
                    )
                level = (
                    f"{100 * float(row['confidence']):g}%"
                    if "confidence" in row and str(row["confidence"]) != ""
                    else "95%"
                )
                # One row per vertex: estimator=None draws them as given (the mean over a vertical
                # step's shared FPR would cut the corner); the docstring says why no steps-post.
                interval = style.fmt_ci(auc, float(row["ci_low"]), float(row["ci_high"]))
                label = (
                    f"{curve['measure_label']}: AUC {interval}\n"
                    f"({level} CI; {n1} responders, {n2} non-responders)"
                )
                sns.lineplot(
                    x=fpr,
                    y=tpr,
                    estimator=None,
                    sort=False,
                    color=colour,
                    linewidth=2,
                    label=label,
                    ax=ax,
                )
            ax.set_xlim(-0.01, 1.01)
            ax.set_ylim(-0.01, 1.01)
            ax.set_aspect("equal")
            ax.set_title(panel["label"])
            ax.set_xlabel("1 \N{MINUS SIGN} specificity (non-responders scored as responders)")
            ax.set_ylabel("sensitivity (responders scored as responders)")
            ax.legend(loc="lower right", fontsize=7.8)
    return fig
