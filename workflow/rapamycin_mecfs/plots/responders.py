"""Responder proportions under the three denominators, with the Wilson CIs of results/tables/responders.csv."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from . import style

SET_LABELS = {
    "completers": "Completers\n(evaluable on every criterion)",
    "reached_first_follow_up_locf": "Reached first follow-up\n(last observation carried forward)",
    "enrolled_worst_case": "All enrolled\n(stopped = non-responder)",
}


def responders_figure(table: pd.DataFrame, synthetic: bool) -> Figure:
    frame = table.copy()
    for column in ("responders", "n", "proportion", "ci_low", "ci_high"):
        frame[column] = pd.to_numeric(frame[column])
    bad = frame[~np.isclose(frame["proportion"], frame["responders"] / frame["n"])]
    if len(bad):
        raise ValueError(f"responders.csv: proportion is not responders / n in rows {list(bad.index)}")
    rule = str(frame["assumption"].iloc[0]) if "assumption" in frame else str(frame["rule"].iloc[0])
    level = "95%" if "95%" in str(frame.get("method", pd.Series([""])).iloc[0]) else "CI"
    with style.context():
        fig, ax = style.new_figure(
            9, 3.3 + 0.75 * len(frame), "Responders under three denominators", synthetic,
            subtitle=style.wrap(rule, 105) + f"\n{level} Wilson score intervals",
        )
        y = np.arange(len(frame))
        for i, row in enumerate(frame.itertuples()):
            colour = style.SET_COLOURS.get(row.analysis_set, style.NEUTRAL)
            ax.errorbar(100 * row.proportion, i, xerr=[[100 * (row.proportion - row.ci_low)], [100 * (row.ci_high - row.proportion)]],
                        fmt="o", color=colour, ms=8, capsize=5, elinewidth=2)
            text = f"{row.responders}/{row.n} = {100 * row.proportion:.1f}%  ({100 * row.ci_low:.1f} to {100 * row.ci_high:.1f})"
            ax.annotate(text, (100 * row.proportion, i), xytext=(0, 11), textcoords="offset points", ha="center", va="bottom", fontsize=9.5)
        ax.set_yticks(y, [SET_LABELS.get(s, s) for s in frame["analysis_set"]])
        ax.set_ylim(len(frame) - 0.5, -0.5)
        ax.set_xlim(0, 100)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("responders, % of the denominator (higher = more responders)")
    return fig
