"""Rows of the outcome, biomarker, responder and participant tables: their cells and settings.

A row's outcomes and visits come from its identity columns; its participants from its
analysis set (``sets.SET_RULES``), its groups, its dose column or its participant ID.
"""

from __future__ import annotations

import pandas as pd

from ..errors import SupplementError
from ..plan import DISCONTINUATIONS_TABLE
from .sets import RESPONDER_SETS, SET_RULES, RowContext, available, complete, locf, true_cells
from .study import Part, Study, row_text, split_source, table_file, unique


def _row_context(study: Study, row: pd.Series) -> RowContext:
    plan = study.plan
    outcomes = [
        row_text(row, c) for c in ("marker", "outcome") if row_text(row, c) in plan.outcomes
    ]
    visit = row_text(row, "visit")
    visit = visit if visit in plan.visits else None
    listed = [v.strip() for v in row_text(row, "visits").split(",") if v.strip() in plan.visits]
    criteria = False
    if not outcomes and plan.responder_rule:
        outcomes, criteria = list(plan.responder_outcomes), True
    return RowContext(study, row, outcomes, visit, listed or None, criteria)


def _groups(ctx: RowContext) -> Part:
    """Rows comparing two groups (group_1, group_2): each group's values at the row's visits."""
    part = Part()
    visits = [ctx.visit] if ctx.visit else [ctx.baseline]
    for column in ("group_1", "group_2"):
        name = row_text(ctx.row, column)
        if name != "stopped" and f"set_{name}" not in ctx.study.people.table:
            piece = available(ctx, None, visits)
            piece.notes.insert(
                0,
                f"{column} = {name}: not a set of the participant table; every "
                "available value at the row's visits is listed",
            )
            part.add(piece)
            continue
        piece = complete(ctx, name, visits, f"{column} = {name}: value at {', '.join(visits)}")
        piece.keys = [(p, o, v, f"{column}: {name}") for p, o, v, _ in piece.keys]
        part.add(piece)
        if name == "stopped":
            part.extra += stop_cells(ctx.study, piece.participants)
    return part


def stop_cells(study: Study, participants: list[str]) -> list[dict[str, str]]:
    """The discontinuations-table row of each participant who stopped."""
    people = study.people.table
    cells = []
    for participant in participants:
        source = str(people.loc[participant, "stop_source_locator"])
        if not source:
            continue
        file, locator = split_source(source, table_file(study, DISCONTINUATIONS_TABLE))
        cells.append(
            {
                "participant_id": participant,
                "visit": str(people.loc[participant, "stop_after_visit"]),
                "role": "stopped: row of the discontinuations table (its participant ID cell)",
                "value": str(people.loc[participant, "stop_reason"]),
                "source_file": file,
                "source_locator": locator,
            }
        )
    return cells


def _dose(ctx: RowContext) -> Part:
    """Dose-response rows (a ``change`` column): the outcome's change and each one's dose."""
    plan = ctx.plan
    change = row_text(ctx.row, "change")
    final = plan.final
    at = [v for v in plan.visits if change == f"at_{v}"]
    if at:
        part = complete(ctx, None, unique([ctx.baseline, at[0]]))
    else:
        part = locf(
            ctx,
            None,
            final,
            f"everyone with a baseline and a later value of {ctx.outcomes[0]}; the last value "
            f"up to {final} carried forward",
        )
    dose = plan.dose_outcome
    if dose is None:
        return part
    doses = ctx.study.wide(dose)
    last = doses.ffill(axis=1).iloc[:, -1]
    chosen = [p for p in part.participants if p in doses.index]
    band = row_text(ctx.row, "dose_band")
    if band:
        edges = [0.0, *plan.dose["bands"]]
        labels = {f"{a:g} < dose <= {b:g}": (a, b) for a, b in zip(edges, edges[1:])}
        if band not in labels:
            raise SupplementError(
                f"dose band '{band}': not one of the configured bands (dose_response/bands); "
                f"expected one of {sorted(labels)}"
            )
        low, high = labels[band]
        chosen = [p for p in chosen if low < last.get(p, float("nan")) <= high]
        part.notes.append(f"whose last dose is in {band} (dose_response/bands)")
    elif row_text(ctx.row, "dose_measure") != "cumulative_dose":
        chosen = [p for p in chosen if pd.notna(last.get(p))]
    keep = set(chosen)
    keys = [k for k in part.keys if k[0] in keep]
    given = pd.concat({dose: doses.loc[chosen].notna()}, axis=1)
    keys += [(p, o, v, "dose") for p, o, v in true_cells(given)]
    notes = [*part.notes, f"with each participant's dose at every visit ({dose})"]
    return Part(keys, chosen, notes=notes)


def analysis_row(study: Study, row: pd.Series) -> Part:
    """Participants and values behind a row of an outcome, biomarker or responder table."""
    ctx = _row_context(study, row)
    if not ctx.outcomes:
        return Part(notes=["the row names no outcome and no responder rule is configured"])
    name = row_text(row, "analysis_set")
    rule = SET_RULES.get(name)
    if name in RESPONDER_SETS and not study.plan.responder_rule:
        rule = None  # the row's set needs the responder rule, which the config no longer has
    if "change" in row.index and row_text(row, "change"):
        part = _dose(ctx)
    elif rule is None and "group_1" in row.index and "group_2" in row.index:
        part = _groups(ctx)
    elif rule is None:
        part = available(ctx, None, ctx.span())
        part.notes.insert(
            0,
            f"analysis set '{name}' has no rule in lineage.SET_RULES: every available value of "
            "the row's outcomes at its visits is listed",
        )
    else:
        part = rule(ctx)
    part.config += _settings_of(ctx, name)
    return part


def _settings_of(ctx: RowContext, name: str) -> list[dict[str, str]]:
    """Config sections that decide how the row's values were used (responder rule, bands, ...)."""
    plan, row, config = ctx.plan, ctx.row, ctx.study.config
    keys = []
    if plan.responder_rule and (ctx.criteria or name in RESPONDER_SETS):
        rule = plan.responder_rule
        criteria = ", ".join(
            f"{c['outcome']} >= {c['min_improvement']:g} {c['unit']}" for c in rule["criteria"]
        )
        keys.append(
            {
                "key": "analysis/responders",
                "value": f"{rule['combine']} of [{criteria}] at {rule['visit']}",
                "note": "the responder rule",
            }
        )
    if row_text(row, "dose_band"):
        keys.append(
            {
                "key": "dose_response/bands",
                "value": str(plan.dose["bands"]),
                "note": "upper bounds of the dose bands",
            }
        )
    if name in ("enrolled_shifted", "enrolled_delta_mi") and plan.tipping_point:
        settings = {k: plan.tipping_point.get(k) for k in ("visit", "imputations", "seed")}
        keys.append(
            {
                "key": "analysis/tipping_point",
                "value": str(settings),
                "note": "tipping-point visit, imputations and seed",
            }
        )
    if "bootstrap_seed" in row.index:
        keys.append(
            {
                "key": "biomarker_analysis/bootstrap",
                "value": str(config.get("biomarker_analysis", {}).get("bootstrap")),
                "note": "bootstrap resamples and seed of the AUC interval",
            }
        )
    outcome = row_text(row, "outcome")
    if "reference_mean" in row.index or "expected_change" in row.index:
        keys.append(
            {
                "key": f"analysis/regression_to_mean/{outcome}",
                "value": str(config["analysis"].get("regression_to_mean", {}).get(outcome)),
                "note": "reliability and reference mean",
            }
        )
    return keys


def participant_row(study: Study, row: pd.Series) -> Part:
    """A row about one participant: that participant's values of the outcomes its columns name."""
    plan = study.plan
    participant = row_text(row, "participant_id")
    named = [o for o in plan.outcomes if any(str(c).startswith(f"{o}_") for c in row.index)]
    named = [o for o in named if not any(o != n and n.startswith(o) for n in named)]
    outcomes = named or plan.responder_outcomes or plan.analysed_outcomes
    visits = list(plan.visits)
    if plan.responder_rule and set(outcomes) <= set(plan.responder_outcomes):
        visits = visits[: visits.index(plan.responder_rule["visit"]) + 1]
    if participant not in study.people.table.index:
        raise SupplementError(
            f"{study.results / 'clean' / 'participants.csv'}: no participant {participant}; "
            "expected the row's participant_id to be in the participant table"
        )
    keys = []
    for o in outcomes:
        wide = study.wide(o)
        for v in visits:
            has = participant in wide.index and pd.notna(wide.loc[participant, v])
            keys.append(
                (
                    participant,
                    o,
                    v,
                    "baseline" if v == plan.baseline and has else "value" if has else "missing",
                )
            )
    note = f"participant {participant}: {', '.join(outcomes)} at {', '.join(visits)}"
    return Part(keys, [participant], notes=[note])
