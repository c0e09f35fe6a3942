"""CONSORT-style flow of a single-arm trial: started, data at each visit, analysed; who stopped and
why."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from ..table_types import as_types
from . import style


@dataclass
class FlowCounts:
    visits: list[str]
    # visit -> how a box names it (the id, with its study day when known)
    visit_labels: dict[str, str]
    final: str
    enrolled: int
    data_at: dict[str, int]
    completers: int
    # visit -> [(reason, n), ...], largest first
    stopped_after: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # data at the final visit but not a completer, and not listed as stopped
    final_not_completer: int = 0

    def stopped_total(self, visit: str) -> int:
        return sum(n for _, n in self.stopped_after.get(visit, []))

    def unexplained(self, visit: str) -> int:
        """Had data at `visit`, not listed as stopped after it, yet no data at the next visit
        (negative: returned)."""
        following = self.visits[self.visits.index(visit) + 1]
        return self.data_at[visit] - self.stopped_total(visit) - self.data_at[following]


def flow_counts(
    attrition: pd.DataFrame,
    participants: pd.DataFrame,
    visits: list[str],
    visit_labels: dict[str, str],
    final: str,
) -> FlowCounts:
    """Counts from results/clean/attrition.csv, plus the non-completers with final-visit data from
    participants.csv."""
    table = attrition.copy()
    table["n"] = pd.to_numeric(table["n"]).astype(int)

    def one(category: str, visit: str | None = None) -> int:
        rows = table[table["category"] == category]
        if visit is not None:
            rows = rows[rows["visit"] == visit]
        if len(rows) != 1:
            raise ValueError(
                f"attrition table: expected one '{category}' "
                f"row{f' for {visit}' if visit else ''}, found {len(rows)}"
            )
        return int(rows["n"].iloc[0])

    stopped = table[table["category"] == "stopped_after_visit"]
    stopped_after = {}
    for visit in visits:
        rows = stopped[stopped["visit"] == visit]
        pairs = sorted(
            ((str(r), int(n)) for r, n in zip(rows["reason"], rows["n"]) if n > 0),
            key=lambda p: (-p[1], p[0]),
        )
        if pairs:
            stopped_after[visit] = pairs
    participants = as_types(participants, "participants")
    has_final = participants[f"has_data_{final}"].astype(bool)
    completer = participants["set_completers"].astype(bool)
    stopped_flag = participants["stopped"].astype(bool)
    completers = one("completers")
    if int(completer.sum()) != completers:
        raise ValueError(
            f"participants.csv has {int(completer.sum())} completers, attrition.csv {completers}"
        )
    return FlowCounts(
        visits=list(visits),
        visit_labels=dict(visit_labels),
        final=final,
        enrolled=one("enrolled"),
        data_at={v: one("data_at_visit", v) for v in visits},
        completers=completers,
        stopped_after=stopped_after,
        final_not_completer=int((has_final & ~completer & ~stopped_flag).sum()),
    )


def _box(ax, x, y, w, h, text, face, edge="0.2", weight="normal", ha="center"):
    ax.add_patch(
        FancyBboxPatch(
            (x, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0.004,rounding_size=0.012",
            facecolor=face,
            edgecolor=edge,
            linewidth=1.1,
            transform=ax.transAxes,
        )
    )
    tx = x + w / 2 if ha == "center" else x + 0.015
    ax.text(
        tx,
        y,
        text,
        ha=ha,
        va="center",
        fontsize=9.5,
        fontweight=weight,
        transform=ax.transAxes,
        linespacing=1.35,
    )


def _arrow(ax, start, end):
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        xycoords="axes fraction",
        textcoords="axes fraction",
        arrowprops={"arrowstyle": "-|>", "color": "0.2", "lw": 1.2, "shrinkA": 0, "shrinkB": 0},
    )


def participant_flow_figure(counts: FlowCounts, synthetic: bool, arm_label: str) -> Figure:
    visits = counts.visits
    follow_ups = visits[1:]
    steps = len(follow_ups) + 2  # started, each follow-up, analysed
    with style.context():
        fig, ax = style.new_figure(
            8.5,
            1.9 * steps + 0.9,
            "Participant flow (single arm, no control group)",
            synthetic,
            subtitle=f"{counts.enrolled} started, {counts.completers} analysed as completers",
        )
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        top, bottom = 0.95, 0.08
        ys = [top - i * (top - bottom) / (steps - 1) for i in range(steps)]
        main_x, main_w, main_h = 0.03, 0.42, 0.085
        centre = main_x + main_w / 2
        baseline = visits[0]
        labels = [
            f"{arm_label} (enrolled)\nn = {counts.enrolled}"
            + (
                f"  (data at {baseline}: {counts.data_at[baseline]})"
                if counts.data_at[baseline] != counts.enrolled
                else ""
            )
        ]
        labels += [f"Data at {counts.visit_labels[v]}\nn = {counts.data_at[v]}" for v in follow_ups]
        labels.append(
            "Analysed: completers\n"
            f"(every completion outcome at {counts.final})\n"
            f"n = {counts.completers}"
        )
        for i, (y, label) in enumerate(zip(ys, labels)):
            last = i == steps - 1
            _box(
                ax,
                main_x,
                y,
                main_w,
                main_h * (1.3 if last else 1),
                label,
                face="#d6e6f4" if last else "#f2f2f2",
                weight="bold" if last or i == 0 else "normal",
            )
        for i in range(steps - 1):
            _arrow(
                ax,
                (centre, ys[i] - main_h / 2),
                (centre, ys[i + 1] + main_h * (0.65 if i + 1 == steps - 1 else 0.5)),
            )
        # Exits: between visit boxes, who stopped after that visit; before the last box, the
        # non-completers.
        side_x, side_w = 0.55, 0.43
        for i in range(steps - 1):
            y = (ys[i] + ys[i + 1]) / 2
            lines = []
            if i < len(visits) - 1:
                visit = visits[i]
                total = counts.stopped_total(visit)
                lines.append(f"Stopped after {visit}: n = {total}")
                lines += [f"   {reason}: {n}" for reason, n in counts.stopped_after.get(visit, [])]
                gap = counts.unexplained(visit)
                if gap > 0:
                    lines.append(f"No data at {visits[i + 1]}, not listed as stopped: {gap}")
                elif gap < 0:
                    lines.append(f"Returned at {visits[i + 1]} after a missed visit: {-gap}")
            else:
                final = counts.final
                total = counts.stopped_total(final)
                lines.append(f"Not completers: n = {counts.data_at[final] - counts.completers}")
                lines.append(
                    f"   data at {final}, but not every\n"
                    f"   completion outcome: {counts.final_not_completer}"
                )
                if total:
                    lines.append(f"   stopped after {final}: {total}")
            height = 0.022 * (sum(line.count("\n") + 1 for line in lines)) + 0.02
            _box(ax, side_x, y, side_w, height, "\n".join(lines), face="#fbe9e7", ha="left")
            _arrow(ax, (centre, y), (side_x, y))
    return fig
