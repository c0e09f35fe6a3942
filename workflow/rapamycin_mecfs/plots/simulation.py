"""Figure: apparent responder proportion in simulated trials, per scenario and denominator, with the
observed value marked. Drawn from simulation_summary.csv and simulation_distribution.csv.

Every number drawn is a table value: the ridges are the distribution table's histogram shares
(bins already computed by the simulation summary, drawn with ``Axes.stairs``; seaborn's histplot
would bin again, and cannot stack ridges on one axis), the medians of the summary table are one
``seaborn.scatterplot`` per panel and its central 95% ranges (q2_5 to q97_5) ``Axes.errorbar``.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from . import style

SET_TITLES = {
    "completers": "Completers\n(evaluable at the responder visit)",
    "reached_first_follow_up_locf": "Reached first follow-up\n(last observation carried forward)",
    "enrolled_worst_case": "All enrolled\n(stopped = non-responder)",
}
RIDGE_HEIGHT = 0.8
# The range and median sit this far below each ridge's baseline (y grows downwards).
RANGE_OFFSET = 0.12
OBSERVED_COLOUR = style.WARNING_RED


def _numeric(frame: pd.DataFrame, columns) -> pd.DataFrame:
    frame = frame.copy()
    for column in columns:
        frame[column] = pd.to_numeric(
            frame[column].where(frame[column].astype(str) != ""), errors="coerce"
        )
    return frame


def _scenario_label(scenario: str, effect: float) -> str:
    text = "\n".join(textwrap.wrap(scenario.replace("_", " "), 22))
    return text + ("" if effect == 0 else f"\n(true effect {style.minus(f'{effect:g}')} SD)")


def _ridges(ax, distribution: pd.DataFrame, scenarios: list[str], name: str, colour) -> None:
    """Each scenario's histogram of simulated proportions, scaled to RIDGE_HEIGHT, above its row."""
    for i, scenario in enumerate(scenarios):
        hist = distribution[
            (distribution["scenario"] == scenario) & (distribution["analysis_set"] == name)
        ]
        if len(hist) and hist["share"].max() > 0:
            height = hist["share"].to_numpy() / hist["share"].max() * RIDGE_HEIGHT
            edges = np.append(hist["bin_low"].to_numpy(), hist["bin_high"].to_numpy()[-1]) * 100
            ax.stairs(
                i - height, edges, baseline=i, fill=True, color=colour, alpha=0.45, linewidth=0
            )
            ax.stairs(i - height, edges, baseline=i, fill=False, color=colour, linewidth=0.8)


def simulation_figure(summary: pd.DataFrame, distribution: pd.DataFrame, synthetic: bool) -> Figure:
    """A panel per denominator, a ridge per scenario, its central 95% and median; observed marked.

    Parameters
    ----------
    summary : pandas.DataFrame
        simulation_summary.csv; its responder_proportion rows are drawn (q2_5, q50, q97_5,
        observed, simulation_p_value, n_trials, true_effect per scenario and analysis set).
    distribution : pandas.DataFrame
        simulation_distribution.csv: bin_low, bin_high and share per scenario and analysis set.
    synthetic : bool
        Whether to mark the figure as drawn from synthetic data.

    Returns
    -------
    matplotlib.figure.Figure
        The observed proportion is a red line with the share of simulated trials at least as high.
    """
    summary = summary[summary["measure"] == "responder_proportion"]
    summary = _numeric(
        summary,
        ["true_effect", "observed", "simulation_p_value", "q2_5", "q50", "q97_5", "n_trials"],
    )
    distribution = _numeric(distribution, ["bin_low", "bin_high", "share"])
    scenarios = list(dict.fromkeys(summary["scenario"]))
    sets = [s for s in SET_TITLES if s in set(summary["analysis_set"])]
    if not scenarios or not sets:
        raise ValueError("simulation_summary.csv has no responder_proportion rows to draw")
    trials = int(summary["n_trials"].max())
    position = {scenario: i for i, scenario in enumerate(scenarios)}
    with style.context():
        fig, axes = style.new_figure(
            12,
            2.6 + 0.85 * len(scenarios),
            "Apparent responders in simulated trials",
            synthetic,
            subtitle=(
                f"{trials} simulated trials per scenario, true effect as labelled "
                "(none unless stated); bar = central 95% of simulated trials, dot = median\n"
                "red line = this run's observed proportion; "
                "p = share of simulated trials at least as high"
            ),
            ncols=len(sets),
            squeeze=False,
            sharey=True,
        )
        axes = axes[0]
        labels = {}
        for ax, name in zip(axes, sets):
            colour = style.SET_COLOURS.get(name, style.NEUTRAL)
            _ridges(ax, distribution, scenarios, name, colour)
            rows = summary[summary["analysis_set"] == name].set_index("scenario").reindex(scenarios)
            points = pd.DataFrame(
                {
                    "median": 100 * rows["q50"].to_numpy(),
                    "low": 100 * rows["q2_5"].to_numpy(),
                    "high": 100 * rows["q97_5"].to_numpy(),
                    "y": [position[s] + RANGE_OFFSET for s in scenarios],
                }
            )
            ax.errorbar(
                points["median"],
                points["y"],
                xerr=[points["median"] - points["low"], points["high"] - points["median"]],
                fmt="none",
                ecolor="0.15",
                elinewidth=2.2,
                capsize=0,
                zorder=3,
            )
            sns.scatterplot(
                data=points, x="median", y="y", color="0.15", s=4**2, linewidth=0, zorder=4, ax=ax
            )
            for i, scenario in enumerate(scenarios):
                row = rows.loc[scenario]
                labels[i] = _scenario_label(scenario, float(row.true_effect))
                if np.isfinite(row.simulation_p_value):
                    p = row.simulation_p_value
                    text = f"p < {1 / row.n_trials:.1g}" if p == 0 else f"p = {p:.3f}"
                    ax.text(
                        98,
                        i - 0.5,
                        text,
                        ha="right",
                        va="center",
                        fontsize=8.5,
                        color=OBSERVED_COLOUR,
                    )
            observed = rows["observed"].dropna()
            if len(observed):
                value = 100 * float(observed.iloc[0])
                ax.axvline(value, color=OBSERVED_COLOUR, linestyle="--", linewidth=1.6, zorder=5)
                ax.text(
                    value,
                    -0.95,
                    f" observed {value:.1f}% ",
                    fontweight="bold",
                    color=OBSERVED_COLOUR,
                    fontsize=8.5,
                    ha="left" if value < 60 else "right",
                    va="bottom",
                )
            ax.set_title(SET_TITLES[name])
            ax.set_xlim(0, 100)
            ax.set_xlabel("responders, % of the denominator")
            ax.set_ylabel("")
            ax.grid(axis="y", visible=False)
        axes[0].set_yticks(range(len(scenarios)), [labels[i] for i in range(len(scenarios))])
        axes[0].set_ylim(len(scenarios) - 0.55, -1.3)
    return fig
