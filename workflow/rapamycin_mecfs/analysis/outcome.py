"""All analyses of one outcome, as one job: so a correction to it reruns nothing else."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..config import OutcomeSpec
from .attrition import baseline_by_completion, regression_to_mean, tipping_point
from .data import Participants, outcome_wide
from .dose import dose_response
from .paired import paired_tests
from .repeated import friedman_row, mixed_model_rows

TABLES = (
    "paired_tests",
    "friedman",
    "mixed_model",
    "baseline_by_completion",
    "tipping_point",
    "regression_to_mean",
    "dose_response",
    "dose_bands",
)


def analyse_outcome(
    clean: pd.DataFrame, people: Participants, spec: OutcomeSpec, visits: list[str], days: dict[str, int], settings: dict[str, Any]
) -> dict[str, pd.DataFrame]:
    """Every per-outcome table, each led by the outcome's identity columns."""
    wide = outcome_wide(clean, visits)
    baseline = visits[0]
    dose, bands = dose_response(wide, people, spec.direction, visits, days, settings)
    tables = {
        "paired_tests": paired_tests(wide, people, spec.direction, visits, settings),
        "friedman": friedman_row(wide, people),
        "mixed_model": mixed_model_rows(wide, people, spec.direction, visits, settings),
        "baseline_by_completion": baseline_by_completion(wide, people, baseline),
        "tipping_point": tipping_point(wide, people, spec.direction, baseline, settings),
        "regression_to_mean": regression_to_mean(wide, people, spec.direction, spec.key, baseline, settings),
        "dose_response": dose,
        "dose_bands": bands,
    }
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
    return tables
