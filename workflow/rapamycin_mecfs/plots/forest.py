"""Forest plot of standardised improvement at one visit under three analyses.

One standardisation for all three, so markers differ only by the analysis: the estimate and its CI
divided by the baseline SD of everyone enrolled (regression_to_mean.csv, `baseline_sd`):

* completers: paired t mean improvement (paired_tests.csv, analysis_set = completers, test =
  paired_t);
* mixed model: improvement_estimate (mixed_model.csv, enrolled_available, every available value);
* baseline carried forward: paired t mean improvement (paired_tests.csv, enrolled_bocf).

The SD is treated as fixed (the CI is the estimate's CI rescaled).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..table_types import as_types
from . import style

ANALYSES = {
    "completers": "Completers, paired t",
    "enrolled_available": "All enrolled, mixed model (MAR)",
    "enrolled_bocf": "All enrolled, baseline carried forward",
}


def forest_table(
    paired: pd.DataFrame, mixed: pd.DataFrame, baseline: pd.DataFrame, visit: str
) -> pd.DataFrame:
    """Long table: outcome, label, instrument, analysis, n, estimate, ci_low, ci_high (all in
    baseline SDs)."""
    paired = as_types(paired, "paired_tests")
    mixed = as_types(mixed, "mixed_model")
    sd = as_types(baseline, "regression_to_mean").set_index("outcome")["baseline_sd"]
    rows = []
    for name in ("completers", "enrolled_bocf"):
        part = paired[
            (paired["visit"] == visit)
            & (paired["analysis_set"] == name)
            & (paired["test"] == "paired_t")
        ]
        for r in part.itertuples():
            rows.append(
                {
                    "outcome": r.outcome,
                    "label": r.label,
                    "instrument": r.instrument,
                    "analysis": name,
                    "n": int(r.n_pairs),
                    "raw": r.estimate,
                    "raw_low": r.ci_low,
                    "raw_high": r.ci_high,
                }
            )
    part = mixed[mixed["visit"] == visit]
    for r in part.itertuples():
        rows.append(
            {
                "outcome": r.outcome,
                "label": r.label,
                "instrument": r.instrument,
                "analysis": "enrolled_available",
                "n": int(r.n_participants),
                "n_at_visit": int(r.n_visit),
                "raw": r.improvement_estimate,
                "raw_low": r.improvement_ci_low,
                "raw_high": r.improvement_ci_high,
            }
        )
    table = pd.DataFrame(rows)
    missing = sorted(set(table["outcome"]) - set(sd.index))
    if missing:
        raise ValueError(f"no baseline SD for {missing} in regression_to_mean.csv")
    table["baseline_sd"] = table["outcome"].map(sd)
    for out, raw in (("estimate", "raw"), ("ci_low", "raw_low"), ("ci_high", "raw_high")):
        table[out] = table[raw] / table["baseline_sd"]
    return table


def _n_text(values) -> str:
    low, high = int(min(values)), int(max(values))
    return f"n = {low}" if low == high else f"n = {low}\N{EN DASH}{high}"


def forest_figure(
    table: pd.DataFrame, visit: str, synthetic: bool, outcome_order: list[str] | None = None
) -> Figure:
    """Estimates as one ``seaborn.scatterplot`` (colour and marker by analysis), CIs as errorbars.

    Parameters
    ----------
    table : pandas.DataFrame
        `forest_table`'s rows: estimate, ci_low and ci_high in baseline SDs, drawn as they are.
    visit : str
        The visit compared with baseline, for the title.
    synthetic : bool
        Whether to mark the figure as drawn from synthetic data.
    outcome_order : list of str, optional
        Outcomes top to bottom; the table's order when not given.

    Returns
    -------
    matplotlib.figure.Figure
    """
    order = outcome_order or list(dict.fromkeys(table["outcome"]))
    labels = table.drop_duplicates("outcome").set_index("outcome")["label"]
    analyses = [a for a in ANALYSES if a in set(table["analysis"])]
    offsets = dict(zip(analyses, np.linspace(-0.24, 0.24, len(analyses))))
    markers = {"completers": "o", "enrolled_available": "D", "enrolled_bocf": "s"}
    rows = table[table["analysis"].isin(analyses) & table["outcome"].isin(order)].copy()
    rows["y"] = rows["outcome"].map({o: i for i, o in enumerate(order)})
    rows["y"] += rows["analysis"].map(offsets)
    rows = rows.sort_values("y")
    with style.context():
        fig, ax = style.new_figure(
            9.5,
            2.6 + 0.42 * len(order),
            f"Standardised improvement at {visit}, every outcome",
            synthetic,
            subtitle="estimate and 95% CI divided by the baseline SD of everyone enrolled; "
            "right of 0 = improvement",
        )
        for analysis in analyses:
            part = rows[rows["analysis"] == analysis]
            ax.errorbar(
                part["estimate"],
                part["y"],
                xerr=[part["estimate"] - part["ci_low"], part["ci_high"] - part["estimate"]],
                fmt="none",
                ecolor=style.SET_COLOURS[analysis],
                capsize=2.5,
                elinewidth=1.3,
                zorder=2,
            )
        sns.scatterplot(
            data=rows,
            x="estimate",
            y="y",
            hue="analysis",
            style="analysis",
            hue_order=analyses,
            style_order=analyses,
            palette={a: style.SET_COLOURS[a] for a in analyses},
            markers={a: markers[a] for a in analyses},
            s=36,
            linewidth=0,
            zorder=3,
            legend=False,
            ax=ax,
        )
        handles = []
        for analysis in analyses:
            part = table[table["analysis"] == analysis].set_index("outcome").reindex(order)
            colour = style.SET_COLOURS[analysis]
            if analysis == "enrolled_available":
                n_part = (
                    f"{_n_text(part['n'].dropna())} participants, "
                    f"{_n_text(part['n_at_visit'].dropna())[4:]} with {visit}"
                )
            else:
                n_part = f"{_n_text(part['n'].dropna())} pairs"
            handles.append(
                Line2D(
                    [],
                    [],
                    color=colour,
                    marker=markers[analysis],
                    lw=1.3,
                    label=f"{ANALYSES[analysis]} ({n_part})",
                )
            )
        ax.axvline(0, color="0.2", lw=1)
        for i in range(1, len(order), 2):
            ax.axhspan(i - 0.5, i + 0.5, color="0.94", zorder=0, lw=0)
        ax.set_yticks(np.arange(len(order)), [labels[o] for o in order])
        ax.set_ylabel("")
        ax.set_ylim(len(order) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("improvement / baseline SD (positive = better on every scale)")
        ax.get_figure(root=False).legend(
            handles=handles,
            loc="outside lower center",
            ncols=1,
            fontsize=9,
            title="analysis (n per outcome)",
            title_fontsize=9,
        )
    return fig
