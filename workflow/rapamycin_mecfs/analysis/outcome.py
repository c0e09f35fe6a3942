"""All analyses of one outcome, as one job: so a correction to it reruns nothing else."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..config import OutcomeSpec
from ..plan import OUTCOME_TABLES
from .attrition import baseline_by_completion, regression_to_mean, tipping_point, tipping_point_mi
from .data import Participants, outcome_wide
from .dose import dose_response
from .paired import paired_tests
from .repeated import friedman_row, mixed_model_rows

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
    """The per-outcome tables named in `settings["tables"]` (default all), each led by the outcome's identity columns.

    `settings["final_visit"]` is the study's final visit (StudyPlan.final); `days` may be None (no study days).
    When a tipping-point table is wanted, the result also holds `IMPUTATIONS`: the imputed values
    of the multiple imputation (see MultipleImputation.imputations), led by the outcome key only.
    """
    wide = outcome_wide(clean, visits)
    baseline = visits[0]
    wanted = list(settings.get("tables") or TABLES)
    final = settings["final_visit"]
    imputed = None
    if {"tipping_point", "tipping_point_mi"} & set(wanted):
        imputed = tipping_point_mi(wide, people, spec.direction, baseline, spec.key, settings)
    builders = {
        "paired_tests": lambda: paired_tests(wide, people, spec.direction, visits, settings),
        "friedman": lambda: friedman_row(wide, people),
        "mixed_model": lambda: mixed_model_rows(wide, people, spec.direction, visits, settings),
        "baseline_by_completion": lambda: baseline_by_completion(wide, people, baseline),
        "tipping_point": lambda: tipping_point(
            wide, people, spec.direction, baseline, settings, mi_summary=imputed.summary
        ),
        "tipping_point_mi": lambda: imputed.table.copy(),
        "regression_to_mean": lambda: regression_to_mean(
            wide, people, spec.direction, spec.key, baseline, settings
        ),
    }
    tables = {name: builders[name]() for name in wanted if name in builders}
    if "dose_response" in wanted or "dose_bands" in wanted:
        tables["dose_response"], tables["dose_bands"] = dose_response(
            wide, people, spec.direction, visits, final, days, settings
        )
    tables = {name: tables[name] for name in wanted}
    identity = {
        "outcome": spec.key,
        "instrument": spec.instrument,
        "label": spec.label,
        "unit": spec.unit,
        "direction": spec.direction,
    }
    for name, table in tables.items():
        for position, (column, value) in enumerate(identity.items()):
            table.insert(position, column, value)
    if imputed is not None:
        tables[IMPUTATIONS] = imputed.imputations.copy()
        tables[IMPUTATIONS].insert(0, "outcome", spec.key)
    return tables
