"""Responder proportions under the three denominators, with the Wilson CIs of
results/tables/responders.csv."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from . import style

SET_LABELS = {
    "completers": "Completers\n(evaluable on every criterion)",
    "reached_first_follow_up_locf": "Reached first follow-up\n(last observation carried forward)",
    "enrolled_worst_case": "All enrolled\n(stopped = non-responder)",
}


BAR_HEIGHT = 0.5


def responders_figure(table: pd.DataFrame, synthetic: bool) -> Figure:
    """Responder proportions as ``seaborn.barplot`` bars, the table's Wilson CIs as errorbars.

    Parameters
    ----------
    table : pandas.DataFrame
        responders.csv: one row per analysis set with responders, n, proportion, ci_low, ci_high.
        The bars are the proportions as given (one row per bar: seaborn aggregates nothing,
        ``errorbar=None``), after checking that each is responders / n.
    synthetic : bool
        Whether to mark the figure as drawn from synthetic data.

    Returns
    -------
    matplotlib.figure.Figure
    """
    frame = table.copy()
    for column in ("responders", "n", "proportion", "ci_low", "ci_high"):
        frame[column] = pd.to_numeric(frame[column])
    bad = frame[~np.isclose(frame["proportion"], frame["responders"] / frame["n"])]
    if len(bad):
        raise ValueError(
            f"responders.csv: proportion is not responders / n in rows {list(bad.index)}"
        )
    rule = str(frame["assumption"].iloc[0]) if "assumption" in frame else str(frame["rule"].iloc[0])
    level = "95%" if "95%" in str(frame.get("method", pd.Series([""])).iloc[0]) else "CI"
    frame = frame.reset_index(drop=True).assign(percent=100 * frame["proportion"].to_numpy())
    sets = list(frame["analysis_set"])
    with style.context():
        fig, ax = style.new_figure(
            9,
            3.3 + 0.75 * len(frame),
            "Responders under three denominators",
            synthetic,
            subtitle=style.wrap(rule, 105) + f"\n{level} Wilson score intervals",
        )
        sns.barplot(
            data=frame,
            x="percent",
            y="analysis_set",
            hue="analysis_set",
            order=sets,
            hue_order=sets,
            palette={s: style.SET_COLOURS.get(s, style.NEUTRAL) for s in sets},
            orient="h",
            errorbar=None,
            width=BAR_HEIGHT,
            alpha=0.85,
            legend=False,
            ax=ax,
        )
        y = np.arange(len(frame))
        ax.errorbar(
            frame["percent"],
            y,
            xerr=[
                frame["percent"] - 100 * frame["ci_low"],
                100 * frame["ci_high"] - frame["percent"],
            ],
            fmt="none",
            ecolor="0.15",
            capsize=5,
            elinewidth=1.6,
            capthick=1.6,
            zorder=3,
        )
        for i, row in enumerate(frame.itertuples()):
            text = (
                f"{row.responders}/{row.n} = {row.percent:.1f}%  "
                f"({100 * row.ci_low:.1f} to {100 * row.ci_high:.1f})"
            )
            ax.annotate(
                text,
                (row.percent, i - BAR_HEIGHT / 2),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=9.5,
            )
        ax.set_yticks(y, [SET_LABELS.get(s, s) for s in sets])
        ax.set_ylabel("")
        ax.set_ylim(len(frame) - 0.5, -0.5)
        ax.set_xlim(0, 100)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("responders, % of the denominator (higher = more responders)")
    return fig
