"""Outcome trajectories: each participant faint, the median with its CI bold.

The medians, their CIs and the n per visit are the rows of the visit_medians table
(analysis.medians): the figure estimates nothing. A CI the table leaves empty (n too small for
the level) is not drawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from ..table_types import as_types
from . import style


def wide_values(clean: pd.DataFrame, outcome: str, visits: list[str]) -> pd.DataFrame:
    """participant x visit values of one outcome (NaN when missing), visits in order."""
    rows = clean[clean["outcome"] == outcome]
    wide = as_types(rows, "clean").pivot(index="participant_id", columns="visit", values="value")
    return wide.reindex(columns=visits).astype(float).sort_index()


def long_values(wide: pd.DataFrame, x: np.ndarray) -> pd.DataFrame:
    """`wide` (participant x visit) as long rows (participant, run, x, value), missing ones dropped.

    `run` numbers a participant's unbroken stretches of visits: a missing visit ends one and the
    next value starts another, so a line drawn per run breaks at the gap, as a Line2D with NaN would
    (seaborn drops missing rows, and a line per participant would bridge the gap).

    Parameters
    ----------
    wide : pandas.DataFrame
        participant x visit values, NaN where missing.
    x : numpy.ndarray
        Position of each column of `wide` on the x axis.

    Returns
    -------
    pandas.DataFrame
        One row per present value, participant by participant, visits in order.
    """
    values = wide.to_numpy(dtype=float)
    present = ~np.isnan(values)
    # A run starts at every present value whose predecessor is missing (or that is the first).
    starts = present & ~np.column_stack([np.zeros(len(values), dtype=bool), present[:, :-1]])
    run = np.cumsum(starts.ravel()).reshape(values.shape)
    rows, columns = np.nonzero(present)
    return pd.DataFrame(
        {
            "participant": np.asarray(wide.index)[rows],
            "run": run[rows, columns],
            "x": x[columns],
            "value": values[rows, columns],
        }
    )


def participant_lines(ax, wide: pd.DataFrame, x: np.ndarray, colour="0.45") -> None:
    """Every participant's values (rows of `wide` at positions `x`) as faint lines and points.

    The points are one ``seaborn.scatterplot``. Up to style.VECTOR_PARTICIPANTS participants the
    lines are one ``seaborn.lineplot`` with ``units`` (a line per unbroken run of visits, see
    `long_values`) and ``estimator=None``: seaborn draws the values and estimates nothing.

    Above that threshold the lines are one matplotlib LineCollection, because lineplot makes one
    Line2D per unit. Measured with this function on the project's 2-core machine (shared, best of
    three): 10,000 participants x 4 visits (10% of values missing), one panel, drawn and saved as
    PNG and SVG, took 34 s with lineplot (19 s of it in the lineplot call) against 5.2 s with the
    collection, 6.6x, and a trajectory figure has two panels per outcome; at 2,000 participants
    9.7 s against 2.0 s. At 500 participants it was 2.2-2.5 s against 1.4-1.7 s, so below the
    threshold seaborn costs less than 2x. Above the same threshold both layers are rasterized in
    the SVG (at the PNG's dpi; text, axes and summaries stay vector): as vectors they made SVG
    files of tens of megabytes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The panel.
    wide : pandas.DataFrame
        participant x visit values, NaN where missing.
    x : numpy.ndarray
        Position of each column of `wide` on the x axis.
    colour : str or tuple, optional
        Colour of the lines and points.
    """
    raster = len(wide) > style.VECTOR_PARTICIPANTS
    long = long_values(wide, x)
    # A run of one value is a point, not a line (seaborn would still make it a Line2D).
    in_line = long.groupby("run")["run"].transform("size") >= 2
    if raster:
        # long_values lists each run's rows together, in visit order.
        joined = long[in_line]
        bounds = np.flatnonzero(np.diff(joined["run"].to_numpy())) + 1
        segments = np.split(joined[["x", "value"]].to_numpy(), bounds) if len(joined) else []
        lines = LineCollection(
            segments, colors=colour, alpha=0.22, linewidths=0.7, zorder=1, rasterized=True
        )
        ax.add_collection(lines, autolim=False)
    elif in_line.any():  # seaborn 0.13.2's lineplot fails on data without rows
        sns.lineplot(
            data=long[in_line],
            x="x",
            y="value",
            units="run",
            estimator=None,
            sort=True,
            color=colour,
            alpha=0.22,
            linewidth=0.7,
            zorder=1,
            legend=False,
            ax=ax,
        )
    if len(long):
        sns.scatterplot(
            data=long,
            x="x",
            y="value",
            s=1.8**2,
            color=colour,
            alpha=0.22,
            linewidth=0,
            zorder=1,
            rasterized=raster,
            legend=False,
            ax=ax,
        )
    ax.set(xlabel="", ylabel="")  # seaborn names the axes after the columns; the caller labels them


def median_line(ax, summary: pd.DataFrame, x: np.ndarray, colour) -> None:
    """The medians of `summary` joined by ``seaborn.lineplot``, their CIs as a band and bars.

    Nothing is estimated here: the line is drawn with ``estimator=None, errorbar=None`` from
    the summary's medians and the CIs are the summary's ci_low and ci_high, drawn with
    ``Axes.fill_between`` and ``Axes.errorbar``. A visit without a median breaks the line (one
    unit per unbroken run of medians) rather than joining its neighbours.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The panel.
    summary : pandas.DataFrame
        `visit_rows`' table: median, ci_low and ci_high per visit, in the order of `x`.
    x : numpy.ndarray
        Position of each visit on the x axis.
    colour : str or tuple
        Colour of the line, band and bars.
    """
    frame = summary.assign(x=x, run=np.cumsum(summary["median"].isna().to_numpy()))
    ax.fill_between(x, frame["ci_low"], frame["ci_high"], color=colour, alpha=0.22, lw=0, zorder=2)
    if frame["median"].notna().any():  # seaborn 0.13.2's lineplot fails on data without rows
        sns.lineplot(
            data=frame,
            x="x",
            y="median",
            units="run",
            estimator=None,
            errorbar=None,
            sort=False,
            color=colour,
            linewidth=2.6,
            marker="o",
            markersize=5.5,
            markeredgewidth=0,
            zorder=3,
            legend=False,
            ax=ax,
        )
    ax.errorbar(
        x,
        frame["median"],
        yerr=[frame["median"] - frame["ci_low"], frame["ci_high"] - frame["median"]],
        fmt="none",
        ecolor=colour,
        capsize=3.5,
        capthick=1.6,
        elinewidth=1.6,
        zorder=3,
    )
    ax.set(xlabel="", ylabel="")


def visit_rows(medians: pd.DataFrame, outcome: str, analysis_set: str, visits: list[str]):
    """The rows of the visit_medians table for one outcome and set, one per visit in order.

    Parameters
    ----------
    medians : pandas.DataFrame
        The visit_medians table (outcome, analysis_set, visit, n, median, ci_low, ci_high);
        numbers may be text, as read from the CSV.
    outcome, analysis_set : str
        Which rows.
    visits : list of str
        Visit ids, in axis order.

    Returns
    -------
    pandas.DataFrame
        visit, n, median, ci_low and ci_high as numbers, one row per visit of `visits`.
    """
    rows = medians[(medians["outcome"] == outcome) & (medians["analysis_set"] == analysis_set)]
    rows = rows.set_index("visit").reindex(visits)
    if rows["n"].isna().any():
        missing = rows.index[rows["n"].isna()].tolist()
        raise ValueError(
            f"visit_medians has no row for {outcome}, {analysis_set} at {missing}; "
            f"expected one per visit of {visits}"
        )
    rows = as_types(rows.reset_index(), "visit_medians")
    return rows[["visit", "n", "median", "ci_low", "ci_high"]].reset_index(drop=True)


def _panel(ax, wide: pd.DataFrame, summary: pd.DataFrame, days: list[int], colour, spec: dict):
    x = np.asarray(days, dtype=float)
    participant_lines(ax, wide, x)
    median_line(ax, summary, x, colour)
    low, high = float(spec["min"]), float(spec["max"])
    pad = 0.04 * (high - low)
    ax.set_ylim(low - pad, high + pad)
    ax.set_xticks(x)


def trajectories_figure(
    clean: pd.DataFrame,
    completers: list[str],
    medians: pd.DataFrame,
    outcomes: dict[str, dict],
    visits: list[dict],
    instrument_label: str,
    synthetic: bool,
) -> Figure:
    """One row per outcome; left column completers only, right column every available value.

    The faint lines are the participants' values from `clean`; the bold medians and CIs are
    the rows of `medians` (the visit_medians table, sets completers_at_visit and
    available_at_visit), drawn as they are.
    """
    visit_ids = [v["id"] for v in visits]
    days = [float(v["x"]) for v in visits]
    keys = list(outcomes)
    completer_set = set(completers)
    level = f"{100 * float(medians['confidence'].iloc[0]):g}%" if len(medians) else ""
    method = medians["method"].iloc[0].split("CI: ")[-1] if len(medians) else ""
    with style.context():
        fig, axes = style.new_figure(
            11,
            max(5.0, 1.3 + 2.6 * len(keys)),
            f"{instrument_label}: individual trajectories and median",
            synthetic,
            subtitle=(
                f"left: completers (n = {len(completer_set)}); right: every available value; "
                "n per visit under each tick\n"
                f"bold: median with {level} CI ({method}); faint: one line per participant"
            ),
            nrows=len(keys),
            ncols=2,
            squeeze=False,
        )
        for i, key in enumerate(keys):
            spec = outcomes[key]
            wide = wide_values(clean, key, visit_ids)
            panels = (
                ("completers", "completers_at_visit", wide[wide.index.isin(completer_set)]),
                ("all_available", "available_at_visit", wide.dropna(how="all")),
            )
            for j, (name, analysis_set, subset) in enumerate(panels):
                ax = axes[i, j]
                summary = visit_rows(medians, key, analysis_set, visit_ids)
                _panel(ax, subset, summary, days, style.SET_COLOURS[name], spec)
                heading = "completers" if name == "completers" else "all available values"
                ax.set_title(f"{spec['label']} \N{MIDDLE DOT} {heading}", fontsize=10)
                ax.set_xticks(
                    days,
                    [f"{v['tick']}\nn = {int(n)}" for v, n in zip(visits, summary["n"])],
                    fontsize=8,
                )
                ax.set_ylabel(
                    f"score, {spec.get('unit', '')}\n({style.direction_text(spec['direction'])})"
                )
                ax.set_xlim(
                    days[0] - 0.06 * (days[-1] - days[0]), days[-1] + 0.06 * (days[-1] - days[0])
                )
        for ax in axes[-1]:
            ax.set_xlabel("visit; n = participants with a value")
    return fig
