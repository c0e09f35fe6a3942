"""Dose against improvement: each participant's last dose vs improvement at their last observation.

The points are recomputed from the clean tables with the same functions the dose-response analysis
uses (analysis.dose.dose_exposure, analysis.data.last_observation), and their Spearman rho must
equal the one in results/tables/dose_response.csv, which the panel title prints with its CI.
Overlapping points (dose and scores are on grids) are drawn once, with area proportional to their
count.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..analysis.data import Participants, improvement_sign, last_observation, outcome_wide
from ..analysis.dose import LAST_DOSE, dose_exposure
from ..stats import SPEARMAN_CI
from . import style
from .consistency import spearman_rho

CHANGE = "last_observation"
MEASURE = LAST_DOSE
# Marker area (points^2) of one participant.
POINT_AREA = 18
_BAND = re.compile(r"^\s*([-\d.eE+]+)\s*<\s*dose\s*<=\s*([-\d.eE+]+)\s*$")


def dose_points(
    clean: pd.DataFrame, participants: pd.DataFrame, direction: str, visits: list[str], final: str
) -> pd.DataFrame:
    """Per participant with baseline and a follow-up: last dose and improvement at the last
    observation up to `final`."""
    people = Participants.from_csv_frame(participants)
    wide = outcome_wide(clean, visits)
    sign = improvement_sign(direction)
    change = sign * (last_observation(wide[visits[1:]], final) - wide[visits[0]])
    exposure = dose_exposure(people, visits, None)
    frame = exposure.join(change.rename("improvement"), how="inner")
    return frame[[MEASURE, "improvement"]].dropna().sort_index()


def table_row(table: pd.DataFrame, outcome: str) -> pd.Series:
    rows = table[
        (table["outcome"] == outcome)
        & (table["change"] == CHANGE)
        & (table["dose_measure"] == MEASURE)
    ]
    if len(rows) != 1:
        raise ValueError(
            f"dose_response.csv: expected one {CHANGE} / {MEASURE} row for {outcome}, found "
            f"{len(rows)}"
        )
    return rows.iloc[0]


def check_against_table(points: pd.DataFrame, row: pd.Series, outcome: str) -> None:
    """The drawn points must be the ones the table's rho was computed from."""
    n, rho = int(float(row["n"])), float(row["rho"])
    if len(points) != n:
        raise ValueError(
            f"dose figure, {outcome}: {len(points)} points drawn but dose_response.csv has n = {n}"
        )
    drawn = spearman_rho(points[MEASURE], points["improvement"]) if n >= 3 else np.nan
    if not (np.isnan(rho) and np.isnan(drawn)) and not np.isclose(drawn, rho, atol=1e-9):
        raise ValueError(
            f"dose figure, {outcome}: rho of the drawn points {drawn:.6g} != dose_response.csv "
            f"{rho:.6g}"
        )


def parse_bands(bands: pd.DataFrame, outcome: str) -> pd.DataFrame:
    rows = bands[(bands["outcome"] == outcome) & (bands["change"] == CHANGE)]
    out = []
    for r in rows.itertuples():
        match = _BAND.match(str(r.dose_band))
        if not match or str(r.n) in ("", "0"):
            continue
        out.append(
            {
                "low": float(match.group(1)),
                "high": float(match.group(2)),
                "n": int(float(r.n)),
                "median": float(r.median_improvement),
                "q1": float(r.q1),
                "q3": float(r.q3),
            }
        )
    return pd.DataFrame(out, columns=["low", "high", "n", "median", "q1", "q3"])


def dose_response_figure(panels: list[dict], synthetic: bool, dose_label: str) -> Figure:
    """A panel per outcome: a ``seaborn.scatterplot`` of the points, the table's dose bands over it.

    Parameters
    ----------
    panels : list of dict
        outcome, label, unit, direction, points (`dose_points`, checked against the table by
        `check_against_table`), row (its dose_response.csv row) and bands (`parse_bands`).
    synthetic : bool
        Whether to mark the figure as drawn from synthetic data.
    dose_label : str
        The dose unit, for the x axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    ncols = 2 if len(panels) > 1 else 1
    nrows = int(np.ceil(len(panels) / ncols))
    colour = style.SET_COLOURS["completers"]
    with style.context():
        fig, axes = style.new_figure(
            11,
            1.7 + 3.9 * nrows,
            "Achieved dose vs improvement",
            synthetic,
            subtitle=(
                "everyone with baseline and a follow-up; improvement at their last visit "
                "(LOCF); bars: median and IQR by dose band\n"
                "dose was not randomised: an association here is not a dose effect"
            ),
            nrows=nrows,
            ncols=ncols,
            squeeze=False,
        )
        for ax, panel in zip(axes.flat, panels):
            points, row = panel["points"], panel["row"]
            counts = points.groupby([MEASURE, "improvement"]).size().rename("count").reset_index()
            # Area proportional to the count: seaborn's size mapping given as count -> area.
            sns.scatterplot(
                data=counts,
                x=MEASURE,
                y="improvement",
                size="count",
                sizes={k: POINT_AREA * k for k in counts["count"].unique()},
                color=colour,
                alpha=0.55,
                edgecolor="white",
                linewidth=0.5,
                zorder=3,
                legend=False,
                ax=ax,
            )
            for band in panel["bands"].itertuples():
                ax.fill_between(
                    [band.low, band.high],
                    band.q1,
                    band.q3,
                    color="0.55",
                    alpha=0.18,
                    lw=0,
                    zorder=1,
                )
                ax.plot(
                    [band.low, band.high], [band.median, band.median], color="0.15", lw=2, zorder=2
                )
            ax.axhline(0, color="0.2", lw=0.9, ls="--")
            rho, low, high = float(row["rho"]), float(row["ci_low"]), float(row["ci_high"])
            ax.set_title(
                f"{panel['label']}\nSpearman \N{GREEK SMALL LETTER RHO} = "
                f"{style.fmt_ci(rho, low, high)}, n = {int(float(row['n']))}",
                fontsize=10,
            )
            ax.set_xlabel(f"last dose, {dose_label}")
            ax.set_ylabel(
                f"improvement, {panel.get('unit', 'points')}\n"
                f"(positive = better; scale: {style.direction_text(panel['direction'])})"
            )
        for ax in list(axes.flat)[len(panels) :]:
            ax.set_axis_off()
        sizes = [1, 3, 6]
        handles = [
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                color=colour,
                alpha=0.55,
                markersize=np.sqrt(POINT_AREA * k),
                label=f"{k} participant{'s' if k > 1 else ''}",
            )
            for k in sizes
        ]
        handles.append(Line2D([], [], color="0.15", lw=2, label="band median (shaded: IQR)"))
        axes.flat[0].get_figure(root=False).legend(
            handles=handles,
            loc="outside lower center",
            ncols=4,
            fontsize=9,
            title=f"95% CI of \N{GREEK SMALL LETTER RHO}: {SPEARMAN_CI}",
            title_fontsize=9,
        )
    return fig
