"""All analyses of one outcome, as one job: so a correction to it reruns nothing else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd

from ..config import OutcomeSpec
from .attrition import baseline_by_completion, regression_to_mean, tipping_point, tipping_point_mi
from .data import Participants, outcome_wide
from .dose import dose_response
from .medians import visit_medians
from .paired import paired_tests
from .registry import OUTCOME_TABLES
from .repeated import friedman_row, mixed_model_rows


@dataclass
class OutcomeData:
    """What every builder receives: one outcome's values and the job's settings.

    Results two tables share (the multiple imputation, the dose analysis) are computed once,
    on first use.
    """

    wide: pd.DataFrame
    people: Participants
    spec: OutcomeSpec
    visits: list[str]
    days: dict[str, int] | None
    settings: dict[str, Any]

    @property
    def baseline(self) -> str:
        return self.visits[0]

    @cached_property
    def imputation(self):
        return tipping_point_mi(
            self.wide, self.people, self.spec.direction, self.baseline, self.spec.key, self.settings
        )

    @cached_property
    def dose(self):
        return dose_response(
            self.wide,
            self.people,
            self.spec.direction,
            self.visits,
            self.settings["final_visit"],
            self.days,
            self.settings,
        )


def _visit_medians(data: OutcomeData):
    return visit_medians(data.wide, data.people, data.settings["confidence"])


def _paired_tests(data: OutcomeData):
    return paired_tests(data.wide, data.people, data.spec.direction, data.visits, data.settings)


def _friedman(data: OutcomeData):
    return friedman_row(data.wide, data.people)


def _mixed_model(data: OutcomeData):
    return mixed_model_rows(data.wide, data.people, data.spec.direction, data.visits, data.settings)


def _baseline_by_completion(data: OutcomeData):
    return baseline_by_completion(data.wide, data.people, data.baseline)


def _tipping_point(data: OutcomeData):
    return tipping_point(
        data.wide,
        data.people,
        data.spec.direction,
        data.baseline,
        data.settings,
        mi_summary=data.imputation.summary,
    )


def _tipping_point_mi(data: OutcomeData):
    return data.imputation.table.copy()


def _regression_to_mean(data: OutcomeData):
    return regression_to_mean(
        data.wide, data.people, data.spec.direction, data.spec.key, data.baseline, data.settings
    )


def _dose_response(data: OutcomeData):
    return data.dose[0]


def _dose_bands(data: OutcomeData):
    return data.dose[1]


# How each table of analysis.registry.OUTCOME_TABLES is built from one outcome's data.
BUILDERS: dict[str, Callable[[OutcomeData], pd.DataFrame]] = {
    "visit_medians": _visit_medians,
    "paired_tests": _paired_tests,
    "friedman": _friedman,
    "mixed_model": _mixed_model,
    "baseline_by_completion": _baseline_by_completion,
    "tipping_point": _tipping_point,
    "tipping_point_mi": _tipping_point_mi,
    "regression_to_mean": _regression_to_mean,
    "dose_response": _dose_response,
    "dose_bands": _dose_bands,
}
TABLES = tuple(OUTCOME_TABLES)
# Not a table: the imputed values of the tipping point's multiple imputation, for R's mice::pool.
IMPUTATIONS = "imputations"


def analyse_outcome(
    clean: pd.DataFrame,
    people: Participants,
    spec: OutcomeSpec,
    visits: list[str],
    days: dict[str, int] | None,
    settings: dict[str, Any],
) -> dict[str, pd.DataFrame]:
    """The per-outcome tables named in `settings["tables"]` (default all), each led by the
    outcome's identity columns.

    `settings["final_visit"]` is the study's final visit (StudyPlan.final); `days` may be None
    (no study days). When a tipping-point table is wanted, the result also holds `IMPUTATIONS`:
    the imputed values of the multiple imputation (see MultipleImputation.imputations), led by
    the outcome key only.
    """
    data = OutcomeData(outcome_wide(clean, visits), people, spec, visits, days, settings)
    wanted = list(settings.get("tables") or TABLES)
    tables = {name: BUILDERS[name](data) for name in wanted}
    identity = {
        "outcome": spec.key,
        "instrument": spec.instrument,
        "label": spec.label,
        "unit": spec.unit,
        "direction": spec.direction,
    }
    for table in tables.values():
        for position, (column, value) in enumerate(identity.items()):
            table.insert(position, column, value)
    if "imputation" in vars(data):  # a tipping-point table ran the multiple imputation
        tables[IMPUTATIONS] = data.imputation.imputations.copy()
        tables[IMPUTATIONS].insert(0, "outcome", spec.key)
    return tables
