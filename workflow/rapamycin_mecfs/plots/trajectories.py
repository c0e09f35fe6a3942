"""Outcome trajectories: each participant faint, the median with its 95% CI bold.

The CI of the median is the distribution-free order-statistic interval: with n values sorted,
[x_(r), x_(n+1-r)] where r is the largest rank with P(B <= r - 1) <= (1 - confidence) / 2 for
B ~ Binomial(n, 1/2); its coverage is at least `confidence`. No resampling, so nothing random.
When n is too small for any such r, the CI is not drawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from scipy import special

from . import style


def median_ci_ranks(n: int, confidence: float = 0.95) -> tuple[int, int] | None:
    """1-based ranks (r, n + 1 - r) of the order-statistic CI of the median, or None when n is too small."""
    if n < 1:
        return None
    alpha = 1 - confidence
    # P(B <= k) for B ~ Binomial(n, 1/2); scipy.special, not scipy.stats, to keep figure jobs light.
    cdf = special.bdtr(np.arange(n + 1), n, 0.5)
    # r - 1 = the largest k with P(B <= k) <= alpha / 2; r >= 1 needs P(B <= 0) <= alpha / 2.
    ok = np.nonzero(cdf <= alpha / 2 + 1e-12)[0]
    if ok.size == 0:
        return None
    r = int(ok[-1]) + 1
    return r, n + 1 - r


def median_ci(values, confidence: float = 0.95) -> tuple[float, float, float]:
    """(median, ci_low, ci_high); the CI is NaN when n is too small."""
    x = np.sort(np.asarray(values, dtype=float))
    x = x[~np.isnan(x)]
    if x.size == 0:
        return (np.nan, np.nan, np.nan)
    ranks = median_ci_ranks(x.size, confidence)
    if ranks is None:
        return (float(np.median(x)), np.nan, np.nan)
    return float(np.median(x)), float(x[ranks[0] - 1]), float(x[ranks[1] - 1])


def summarise(wide: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Per visit (column of `wide`): n, median and its CI."""
    rows = []
    for visit in wide.columns:
        values = wide[visit].dropna().to_numpy()
        median, low, high = median_ci(values, confidence)
        rows.append({"visit": visit, "n": int(values.size), "median": median, "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows)


def wide_values(clean: pd.DataFrame, outcome: str, visits: list[str]) -> pd.DataFrame:
    """participant x visit values of one outcome (NaN when missing), visits in order."""
    rows = clean[clean["outcome"] == outcome]
    values = pd.to_numeric(rows["value"].where(rows["value"].astype(str) != ""), errors="coerce")
    wide = rows.assign(value=values).pivot(index="participant_id", columns="visit", values="value")
    return wide.reindex(columns=visits).astype(float).sort_index()


def participant_lines(ax, wide: pd.DataFrame, x: np.ndarray, colour="0.45") -> None:
    """Every participant's values (rows of `wide` at positions `x`) as faint lines and points.

    One collection for all lines and one for all points: a Line2D per participant made drawing
    (and constrained layout) dominate the job, minutes at 10,000 participants. Above
    style.VECTOR_PARTICIPANTS participants the two layers are rasterized in the SVG (at the PNG's dpi;
    text, axes and summaries stay vector): as vectors they made SVG files of tens of megabytes.
    """
    raster = len(wide) > style.VECTOR_PARTICIPANTS
    segments, points = [], []
    for y in wide.to_numpy(dtype=float):
        present = ~np.isnan(y)
        points.append(np.column_stack([x[present], y[present]]))
        # a missing visit breaks the line, as a Line2D with NaN would
        breaks = np.flatnonzero(~present)
        for run_x, run_y in zip(np.split(x, breaks), np.split(y, breaks)):
            keep = ~np.isnan(run_y)
            if keep.sum() >= 2:
                segments.append(np.column_stack([run_x[keep], run_y[keep]]))
    lines = LineCollection(segments, colors=colour, alpha=0.22, linewidths=0.7, zorder=1, rasterized=raster)
    ax.add_collection(lines, autolim=False)
    if points:
        stacked = np.vstack(points)
        ax.scatter(stacked[:, 0], stacked[:, 1], s=1.8**2, color=colour, alpha=0.22, linewidths=0, zorder=1,
                   rasterized=raster)


def _panel(ax, wide: pd.DataFrame, days: list[int], colour, confidence: float, spec: dict) -> pd.DataFrame:
    x = np.asarray(days, dtype=float)
    participant_lines(ax, wide, x)
    summary = summarise(wide, confidence)
    ax.fill_between(x, summary["ci_low"], summary["ci_high"], color=colour, alpha=0.22, lw=0, zorder=2)
    ax.errorbar(x, summary["median"], yerr=[summary["median"] - summary["ci_low"], summary["ci_high"] - summary["median"]],
                color=colour, lw=2.6, marker="o", ms=5.5, capsize=3.5, capthick=1.6, elinewidth=1.6, zorder=3)
    low, high = float(spec["min"]), float(spec["max"])
    pad = 0.04 * (high - low)
    ax.set_ylim(low - pad, high + pad)
    ax.set_xticks(x)
    return summary


def trajectories_figure(
    clean: pd.DataFrame,
    completers: list[str],
    outcomes: dict[str, dict],
    visits: list[dict],
    instrument_label: str,
    synthetic: bool,
    confidence: float = 0.95,
) -> Figure:
    """One row per outcome; left column completers only, right column every available value."""
    visit_ids = [v["id"] for v in visits]
    days = [float(v["x"]) for v in visits]
    keys = list(outcomes)
    completer_set = set(completers)
    level = f"{100 * confidence:g}%"
    with style.context():
        fig, axes = style.new_figure(
            11, max(5.0, 1.3 + 2.6 * len(keys)), f"{instrument_label}: individual trajectories and median", synthetic,
            subtitle=(f"left: completers (n = {len(completer_set)}); right: every available value; n per visit under each tick\n"
                      f"bold: median with {level} CI (order-statistic method); faint: one line per participant"),
            nrows=len(keys), ncols=2, squeeze=False,
        )
        for i, key in enumerate(keys):
            spec = outcomes[key]
            wide = wide_values(clean, key, visit_ids)
            panels = (
                ("completers", wide[wide.index.isin(completer_set)], "completers"),
                ("all_available", wide.dropna(how="all"), "all available values"),
            )
            for j, (name, subset, heading) in enumerate(panels):
                ax = axes[i, j]
                summary = _panel(ax, subset, days, style.SET_COLOURS[name], confidence, spec)
                ax.set_title(f"{spec['label']} \N{MIDDLE DOT} {heading}", fontsize=10)
                ax.set_xticks(days, [f"{v['tick']}\nn = {n}" for v, n in zip(visits, summary["n"])], fontsize=8)
                ax.set_ylabel(f"score, {spec.get('unit', '')}\n({style.direction_text(spec['direction'])})")
                ax.set_xlim(days[0] - 0.06 * (days[-1] - days[0]), days[-1] + 0.06 * (days[-1] - days[0]))
        for ax in axes[-1]:
            ax.set_xlabel("visit; n = participants with a value")
    return fig
