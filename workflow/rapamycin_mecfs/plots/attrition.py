"""Baseline of completers vs those who stopped: standardised mean differences per outcome.

From results/tables/baseline_by_completion.csv. The SMD there is (mean completers - mean stopped) /
sqrt((SD1^2 + SD2^2) / 2) on the scale's own direction; the figure multiplies it by -1 for
lower-is-better outcomes so that positive always means the completers were better off at baseline.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..table_types import as_types
from . import style

SIGN = {"higher_is_better": 1.0, "lower_is_better": -1.0}


def aligned_smd(table: pd.DataFrame) -> pd.DataFrame:
    """The table with numeric columns and smd_better; SMD and p are NaN where a group had fewer than
    2."""
    frame = as_types(table, "baseline_by_completion")
    for column in ("smd", "n_1", "n_2", "p_fdr_bh", "p_value"):
        if column not in frame:
            frame[column] = np.nan
    unknown = sorted(set(frame["direction"]) - set(SIGN))
    if unknown:
        raise ValueError(f"baseline_by_completion.csv: no better direction for {unknown}")
    frame["smd_better"] = frame["smd"] * frame["direction"].map(SIGN)
    return frame


def _range(values) -> str:
    low, high = int(values.min()), int(values.max())
    return f"{low}" if low == high else f"{low}\N{EN DASH}{high}"


def baseline_smd_figure(table: pd.DataFrame, synthetic: bool, alpha: float = 0.05) -> Figure:
    """One ``seaborn.scatterplot`` point per outcome: `aligned_smd`'s SMD, filled when significant.

    Parameters
    ----------
    table : pandas.DataFrame
        baseline_by_completion.csv.
    synthetic : bool
        Whether to mark the figure as drawn from synthetic data.
    alpha : float
        Filled markers for a Benjamini-Hochberg adjusted p below it.

    Returns
    -------
    matplotlib.figure.Figure
    """
    frame = aligned_smd(table).reset_index(drop=True)
    groups = (
        f"{frame['group_1'].iloc[0]} (n = {_range(frame['n_1'])}) vs {frame['group_2'].iloc[0]} "
        f"(n = {_range(frame['n_2'])})"
    )
    with style.context():
        fig, ax = style.new_figure(
            9,
            2.6 + 0.36 * len(frame),
            "Baseline of completers vs those who stopped",
            synthetic,
            subtitle=f"{groups}; standardised mean difference at baseline",
        )
        ax.axvspan(-0.2, 0.2, color="0.90", lw=0, zorder=0)
        ax.axvspan(-0.1, 0.1, color="0.80", lw=0, zorder=0)
        ax.axvline(0, color="0.2", lw=1)
        y = np.arange(len(frame))
        points = frame.assign(y=y, significant=frame["p_fdr_bh"] < alpha)
        colour = style.SET_COLOURS["completers"]
        # The table's SMDs as they are (sign-aligned): hollow when not significant, filled when so.
        sns.scatterplot(
            data=points[~points["significant"]],
            x="smd_better",
            y="y",
            s=46,
            color="white",
            edgecolor=colour,
            linewidth=1.6,
            zorder=3,
            ax=ax,
        )
        sns.scatterplot(
            data=points[points["significant"]],
            x="smd_better",
            y="y",
            s=46,
            color=colour,
            edgecolor=colour,
            linewidth=0,
            zorder=3,
            ax=ax,
        )
        ax.set_yticks(y, frame["label"])
        ax.set_ylabel("")
        ax.set_ylim(len(frame) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        if frame["smd_better"].isna().all():
            # Nobody stopped (or too few in a group): say so where the points would be.
            ax.text(
                0,
                (len(frame) - 1) / 2,
                "no standardised difference computed:\nfewer than 2 participants in a group",
                ha="center",
                va="center",
                fontsize=10,
                color="0.3",
            )
        finite = np.abs(frame["smd_better"].to_numpy(dtype=float))
        reach = max(0.5, float(finite[np.isfinite(finite)].max(initial=0.0)) * 1.15)
        ax.set_xlim(-reach, reach)
        ax.set_xlabel(
            "SMD, completers \N{MINUS SIGN} stopped (positive = completers better off at baseline)"
        )
        handles = [
            Patch(color="0.80", label="|SMD| < 0.1"),
            Patch(color="0.90", label="|SMD| < 0.2"),
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                color=colour,
                label=f"Mann\N{EN DASH}Whitney BH-adjusted p < {alpha:g}",
            ),
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                markerfacecolor="white",
                markeredgecolor=colour,
                label=f"BH-adjusted p \N{GREATER-THAN OR EQUAL TO} {alpha:g}",
            ),
        ]
        ax.get_figure(root=False).legend(
            handles=handles, loc="outside lower center", ncols=2, fontsize=9
        )
    return fig
