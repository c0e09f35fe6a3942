"""Analysis sets: which participants and which of their values a row of each set uses.

Each rule mirrors the analysis that names the set (analysis/, biomarkers/): who is in it,
which visits count, and which missing values were filled in, listed with the role they play.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..plan import StudyPlan
from .study import Part, Study, complete_rows, unique

# Analysis sets the responder rule defines (analysis/responders.py, biomarkers/responders.py).
RESPONDER_SETS = ("reached_first_follow_up_locf", "enrolled_worst_case", "responder_evaluable")


@dataclass
class RowContext:
    """What a row is about: its outcomes and visits as the plan names them."""

    study: Study
    row: pd.Series
    outcomes: list[str]
    visit: str | None
    explicit_visits: list[str] | None
    criteria: bool = False  # the outcomes are the responder rule's criteria

    @property
    def plan(self) -> StudyPlan:
        return self.study.plan

    @property
    def baseline(self) -> str:
        return self.plan.baseline

    def span(self) -> list[str]:
        """The visits the row compares: baseline and its visit, its visit list, or every visit."""
        if self.criteria and self.plan.responder_rule:
            return unique([self.baseline, self.plan.responder_rule["visit"]])
        if self.explicit_visits:
            return list(self.explicit_visits)
        if self.visit:
            return unique([self.baseline, self.visit])
        return list(self.plan.visits)


def _role(visit: str, ctx: RowContext, visits: list[str]) -> str:
    if len(visits) == 2 and visit == ctx.baseline:
        return "baseline"
    if len(visits) == 2:
        return "follow-up"
    return "value"


def _membership_note(study: Study, name: str | None) -> list[str]:
    if name is None:
        return []
    if name == "stopped":
        return [
            f"stopped: the {len(study.members(name))} participants listed in the "
            "discontinuations table (participants.csv column stopped)"
        ]
    definitions = {
        "enrolled": "everyone in the participants table",
        "completers": f"every completion outcome present at {study.plan.final}",
        "reached_first_follow_up": f"any attendance-outcome value at {study.plan.first_follow_up}",
    }
    reason = definitions.get(name, "as the participant table records it")
    return [
        f"{name}: the {len(study.members(name))} participants with set_{name} = True in "
        f"participants.csv ({reason})"
    ]


def complete(ctx: RowContext, members: str | None, visits: list[str], what: str = "") -> Part:
    """Participants (of ``members``) with a value of every outcome at every visit."""
    present = ctx.study.present(ctx.outcomes, visits)
    chosen = complete_rows(present)
    if members is not None:
        chosen = chosen[chosen.isin(ctx.study.members(members))]
    keys = [(p, o, v, _role(v, ctx, visits)) for p in chosen for o in ctx.outcomes for v in visits]
    note = what or (
        f"{'everyone' if members is None else members} with a value of "
        f"{' and '.join(ctx.outcomes)} at {' and '.join(visits)}"
    )
    return Part(keys, list(chosen), notes=[note, *_membership_note(ctx.study, members)])


def true_cells(present: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(participant, outcome, visit) of each True entry of a participant x (outcome, visit) grid."""
    rows, columns = np.nonzero(present.to_numpy(dtype=bool))
    index, labels = present.index, present.columns
    return [(index[r], *labels[c]) for r, c in zip(rows, columns)]


def available(ctx: RowContext, members: str | None, visits: list[str], what: str = "") -> Part:
    """Every value present (of ``members``) at the visits, whoever has it."""
    present = ctx.study.present(ctx.outcomes, visits)
    if members is not None:
        present = present[present.index.isin(ctx.study.members(members))]
    keys = [(p, o, v, "value") for p, o, v in true_cells(present)]
    chosen = unique(k[0] for k in keys)
    note = what or (
        f"every available value of {' and '.join(ctx.outcomes)} at {', '.join(visits)} "
        f"({'everyone' if members is None else members})"
    )
    return Part(keys, chosen, notes=[note, *_membership_note(ctx.study, members)])


def carried(ctx: RowContext, members: str, later: list[str], missing_role: str, what: str) -> Part:
    """Everyone (of ``members``) with a baseline; later values where present, else filled in.

    The last of ``later`` is the row's visit: a missing value there is listed with
    ``missing_role``; earlier visits are listed where present.
    """
    visits = unique([ctx.baseline, *later])
    present = ctx.study.present(ctx.outcomes, visits)
    chosen = complete_rows(present[[(o, ctx.baseline) for o in ctx.outcomes]])
    chosen = chosen[chosen.isin(ctx.study.members(members))]
    present = present.loc[chosen]
    last = later[-1]
    roles = {v: "follow-up" if v == last else f"earlier visit {v}" for v in later}
    roles[ctx.baseline] = "baseline"
    keys = [(p, o, v, roles[v]) for p, o, v in true_cells(present)]
    missing = ~present[[(o, last) for o in ctx.outcomes]]
    keys += [(p, o, v, missing_role) for p, o, v in true_cells(missing)]
    return Part(keys, list(chosen), notes=[what, *_membership_note(ctx.study, members)])


def locf(ctx: RowContext, members: str | None, upto: str, what: str) -> Part:
    """Baseline and the last value up to ``upto`` (last observation carried forward)."""
    visits = ctx.plan.visits
    follow = visits[1 : visits.index(upto) + 1]
    present = ctx.study.present(ctx.outcomes, visits)
    if members is not None:
        present = present[present.index.isin(ctx.study.members(members))]
    ok = np.ones(len(present), dtype=bool)
    chosen_visit = {}
    for o in ctx.outcomes:
        later = present[[(o, v) for v in follow]].to_numpy(dtype=bool)
        # Position of the last follow-up visit with a value (-1: none).
        last = later.shape[1] - 1 - np.argmax(later[:, ::-1], axis=1)
        position = np.where(later.any(axis=1), last, -1)
        ok &= present[(o, ctx.baseline)].to_numpy(dtype=bool) & (position >= 0)
        chosen_visit[o] = position
    keys = []
    chosen = list(present.index[ok])
    for i in np.flatnonzero(ok):
        participant = present.index[i]
        for o in ctx.outcomes:
            seen = follow[chosen_visit[o][i]]
            role = "follow-up" if seen == upto else f"carried forward to {upto}"
            keys += [(participant, o, ctx.baseline, "baseline"), (participant, o, seen, role)]
    return Part(keys, chosen, notes=[what, *_membership_note(ctx.study, members)])


def repeated(ctx: RowContext, members: str, visits: list[str], what: str) -> Part:
    """Participants with every outcome at two or more of the visits; those visits' values."""
    present = ctx.study.present(ctx.outcomes, visits)
    present = present[present.index.isin(ctx.study.members(members))]
    both = pd.DataFrame({v: present[[(o, v) for o in ctx.outcomes]].all(axis=1) for v in visits})
    both = both[both.sum(axis=1) >= 2]
    usable = pd.concat({o: both for o in ctx.outcomes}, axis=1)
    keys = [(p, o, v, "value") for p, o, v in true_cells(usable)]
    return Part(keys, list(both.index), notes=[what, *_membership_note(ctx.study, members)])


def every_row(ctx: RowContext, visits: list[str], what: str) -> Part:
    """Every participant x visit row of the outcomes' cleaned tables, values or not (counts)."""
    keys = []
    for o in ctx.outcomes:
        clean = ctx.study.clean(o)
        rows = clean[clean["visit"].isin(visits)]
        keys += [(p, o, v, "counted") for p, v in zip(rows["participant_id"], rows["visit"])]
    return Part(keys, unique(k[0] for k in keys), notes=[what])


def _pairs(members: str | None) -> Callable[[RowContext], Part]:
    return lambda ctx: complete(ctx, members, ctx.span())


def _bocf(ctx: RowContext) -> Part:
    visit = ctx.visit or ctx.plan.final
    return carried(
        ctx,
        "enrolled",
        [visit],
        "missing: baseline carried forward",
        f"everyone enrolled with a baseline value; a missing value at {visit} is replaced by "
        "the baseline (no change)",
    )


def _shifted(ctx: RowContext) -> Part:
    visits = ctx.plan.visits
    visit = ctx.visit or ctx.plan.final
    imputed = ctx.row.get("analysis_set") != "enrolled_shifted" or any(
        str(c).startswith("mi_") for c in ctx.row.index
    )
    later = visits[1 : visits.index(visit) + 1] if imputed else [visit]
    text = (
        f"everyone enrolled with a baseline value; a missing value at {visit} is imputed and "
        "shifted towards worsening by delta"
    )
    if imputed:
        text += "; the earlier visits enter the multiple imputation's regression"
    return carried(ctx, "enrolled", later, "missing: imputed, shifted by delta", text)


def _mixed(ctx: RowContext) -> Part:
    return available(
        ctx,
        "enrolled",
        list(ctx.plan.visits),
        "every available value of the enrolled at every visit: the model is fitted on all of "
        "them, the row's visit is one of its coefficients",
    )


def _at_visit(ctx: RowContext) -> Part:
    return complete(ctx, "enrolled", [ctx.visit] if ctx.visit else ctx.span())


def _completers_at_visit(ctx: RowContext) -> Part:
    return complete(ctx, "completers", [ctx.visit] if ctx.visit else ctx.span())


def _repeated(ctx: RowContext) -> Part:
    return repeated(
        ctx,
        "enrolled",
        ctx.explicit_visits or list(ctx.plan.visits),
        f"everyone enrolled with {' and '.join(ctx.outcomes)} at two or more of the visits; "
        "the visits with both values",
    )


def _all_rows(ctx: RowContext) -> Part:
    visits = [ctx.visit] if ctx.visit else list(ctx.plan.visits)
    return every_row(
        ctx, visits, f"every participant x visit row at {', '.join(visits)}, value or not (counts)"
    )


def _locf_responders(ctx: RowContext) -> Part:
    rule = ctx.plan.responder_rule
    return locf(
        ctx,
        "reached_first_follow_up",
        rule["visit"],
        f"everyone who reached {ctx.plan.first_follow_up} with a baseline and a later value of "
        f"every criterion; the last value up to {rule['visit']} carried forward",
    )


def _worst_case(ctx: RowContext) -> Part:
    visits = ctx.span()
    part = available(
        ctx,
        "enrolled",
        visits,
        "everyone enrolled; those without every criterion at baseline and "
        f"{visits[-1]} count as non-responders",
    )
    part.participants = list(ctx.study.members("enrolled"))
    return part


def _responder_evaluable(ctx: RowContext) -> Part:
    """Responder status observed (criteria at baseline and response visit), and the marker."""
    plan = ctx.plan
    markers = [o for o in ctx.outcomes if o in plan.markers] or ctx.outcomes[:1]
    rule_visits = unique([ctx.baseline, plan.responder_rule["visit"]])
    measure_visits = unique([ctx.baseline, ctx.visit or ctx.baseline])
    criteria = RowContext(ctx.study, ctx.row, plan.responder_outcomes, None, None, criteria=True)
    marker = RowContext(ctx.study, ctx.row, markers, ctx.visit, None)
    status = complete(criteria, None, rule_visits)
    measure = complete(marker, None, measure_visits)
    chosen = [p for p in status.participants if p in set(measure.participants)]
    keys = [k for k in status.keys + measure.keys if k[0] in set(chosen)]
    keys = [
        (p, o, v, "responder criterion" if o in plan.responder_outcomes else r)
        for p, o, v, r in keys
    ]
    note = (
        f"participants whose responder status is observed at {plan.responder_rule['visit']} "
        f"(every criterion at {' and '.join(rule_visits)}) and with {', '.join(markers)} at "
        f"{' and '.join(measure_visits)}"
    )
    return Part(keys, chosen, notes=[note])


# Analysis set (as named in the tables) -> which participants and values a row of it uses.
SET_RULES: dict[str, Callable[[RowContext], Part]] = {
    "available_pairs": _pairs(None),
    "completers": _pairs("completers"),
    "enrolled": _pairs("enrolled"),
    "enrolled_bocf": _bocf,
    "enrolled_shifted": _shifted,
    "enrolled_delta_mi": _shifted,
    "enrolled_available": _mixed,
    "available_at_visit": _at_visit,
    "completers_at_visit": _completers_at_visit,
    "available_changes": _pairs("enrolled"),
    "available_repeated": _repeated,
    "all_rows": _all_rows,
    "responder_evaluable": _responder_evaluable,
    "reached_first_follow_up_locf": _locf_responders,
    "enrolled_worst_case": _worst_case,
}
