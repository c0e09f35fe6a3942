"""Key findings: the few numbers a reader wants first, each tied to the table cell it comes from.

Every number is a ``Cell``: its text as the report prints it plus the table, row keys and column
it was read from, so the report can carry them as ``data-source`` attributes and a test (or a
reader) can check each one against the CSV. Nothing here computes a statistic: it only picks
cells from tables the pipeline already wrote.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from ..plan import StudyPlan
from .formatting import number, p_value

# Table files as the report links them (relative to the results directory); one place.
TABLE_FILES = {
    "attrition": "clean/attrition.csv",
    "claims_audit": "tables/claims_audit.csv",
    "paired_tests": "tables/paired_tests.csv",
    "mixed_model": "tables/mixed_model.csv",
    "tipping_point": "tables/tipping_point.csv",
    "simulation_summary": "tables/simulation_summary.csv",
}


@dataclass(frozen=True)
class Cell:
    """One printed number and the table cell behind it."""

    text: str
    table: str = ""
    row: tuple[tuple[str, str], ...] = ()
    column: str = ""

    @property
    def source(self) -> str:
        return TABLE_FILES.get(self.table, self.table)

    @property
    def row_query(self) -> str:
        return urlencode(self.row)


@dataclass
class Findings:
    """What the key-findings section shows, built from the tables (see ``key_findings``)."""

    flow: list[tuple[str, Cell]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    change_columns: list[str] = field(default_factory=list)
    change_rows: list[dict[str, Any]] = field(default_factory=list)
    simulation: list[dict[str, Any]] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)


def _pick(
    frame: pd.DataFrame | None, table: str, keys: dict[str, Any], column: str, formatter=number
) -> Cell:
    """The cell of ``column`` in the one row matching ``keys``; an en dash if there is none."""
    if frame is None or column not in frame:
        return Cell("–")
    rows = frame
    for key, value in keys.items():
        rows = rows[rows[key].astype(str) == str(value)]
    if len(rows) != 1:
        return Cell("–")
    value = rows.iloc[0][column]
    missing = value is None or (isinstance(value, float) and math.isnan(value)) or value == ""
    text = "–" if missing else formatter(value)
    return Cell(text, table, tuple((k, str(v)) for k, v in keys.items()), column)


def _flow(tables: dict[str, pd.DataFrame], plan: StudyPlan) -> list[tuple[str, Cell]]:
    attrition = tables.get("attrition")
    steps = [
        ("Started", {"category": "enrolled"}),
        (
            f"with data at {plan.visit_label(plan.first_follow_up)}",
            {"category": "data_at_visit", "visit": plan.first_follow_up},
        ),
        (
            f"completers at {plan.visit_label(plan.final)}",
            {"category": "completers", "visit": plan.final},
        ),
        ("stopped (discontinuations table)", {"category": "stopped"}),
    ]
    if not plan.has("discontinuations"):
        steps.pop()
    return [(label, _pick(attrition, "attrition", keys, "n")) for label, keys in steps]


def _claims(tables: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    audit = tables.get("claims_audit")
    if audit is None:
        return []
    rows = []
    for row in audit.itertuples():
        keys = {"claim_id": row.claim_id}
        rows.append(
            {
                "claim": str(row.statement),
                "published": _pick(audit, "claims_audit", keys, "published", str),
                "recomputed": _pick(audit, "claims_audit", keys, "recomputed", str),
                "holds": str(getattr(row, "consistent", "")),
            }
        )
    return rows


def _change(
    tables: dict[str, pd.DataFrame], plan: StudyPlan
) -> tuple[list[str], list[dict[str, Any]]]:
    """Per outcome at the final visit: completers vs everyone enrolled, and the tipping point."""
    paired, mixed = tables.get("paired_tests"), tables.get("mixed_model")
    tipping = tables.get("tipping_point") if plan.has("tipping_point") else None
    final = plan.final
    columns = [
        "Completers: mean improvement [95% CI]",
        "All enrolled, baseline carried forward",
        "All enrolled, mixed model (missing at random)",
    ]
    if tipping is not None:
        columns.append("Tipping point δ, baseline SDs (multiple imputation)")
    rows = []
    for outcome in plan.analysed_outcomes:
        spec = plan.outcomes[outcome]
        cells = []
        for analysis_set in ("completers", "enrolled_bocf"):
            keys = {
                "outcome": outcome,
                "visit": final,
                "analysis_set": analysis_set,
                "test": "paired_t",
            }
            cells.append(
                [_pick(paired, "paired_tests", keys, c) for c in ("estimate", "ci_low", "ci_high")]
            )
        keys = {"outcome": outcome, "visit": final}
        cells.append(
            [
                _pick(mixed, "mixed_model", keys, c)
                for c in ("improvement_estimate", "improvement_ci_low", "improvement_ci_high")
            ]
        )
        if tipping is not None:
            cells.append(
                [_pick(tipping, "tipping_point", {"outcome": outcome}, "mi_delta_baseline_sd")]
            )
        instrument = plan.config["instruments"][spec["instrument"]]["label"]
        rows.append({"instrument": instrument, "label": spec["label"], "cells": cells})
    return columns, rows


def _simulation(tables: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    """Per null-trial scenario: the responder proportion among completers it produces alone."""
    summary = tables.get("simulation_summary")
    if summary is None:
        return []
    wanted = summary[
        (summary["measure"] == "responder_proportion") & (summary["analysis_set"] == "completers")
    ]
    out = []
    for row in wanted.itertuples():
        keys = {"scenario": row.scenario, "measure": row.measure, "analysis_set": row.analysis_set}
        out.append(
            {
                "scenario": str(row.scenario_description),
                "median": _pick(summary, "simulation_summary", keys, "q50", _percent),
                "high": _pick(summary, "simulation_summary", keys, "q97_5", _percent),
                "observed": _pick(summary, "simulation_summary", keys, "observed", _percent),
                "p": _pick(summary, "simulation_summary", keys, "simulation_p_value", p_value),
            }
        )
    return out


def _percent(value) -> str:
    return f"{100 * float(value):.1f}%"


def key_findings(tables: dict[str, pd.DataFrame], plan: StudyPlan) -> Findings:
    """The key-findings section's content, read from the pipeline's tables.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The report's tables by name (``attrition``, ``paired_tests``, ``mixed_model``, ...);
        a component that did not run has no table.
    plan : StudyPlan
        The study plan, for visit roles, analysed outcomes and components.

    Returns
    -------
    Findings
        Numbers as ``Cell`` objects naming their table, row and column.
    """
    findings = Findings(
        flow=_flow(tables, plan), claims=_claims(tables), simulation=_simulation(tables)
    )
    findings.change_columns, findings.change_rows = _change(tables, plan)
    for name in ("claims", "simulation", "tipping_point"):
        component = plan.components[name]
        if not component.on:
            findings.not_run.append(f"{name.replace('_', ' ')}: not run: {component.reason}")
    return findings
