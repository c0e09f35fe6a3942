"""Builders for the tests/test_biomarkers_*.py files: tables as the pipeline's CSVs hold them.

Every expected value in those tests is computed by hand or with scipy, pingouin, statsmodels
or scikit-learn from the raw values given here, never with the functions under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapamycin_mecfs.analysis.data import Participants

VISITS = ["T0", "T1", "T2", "T3"]


def text(value) -> str:
    return (
        "" if value is None or (isinstance(value, float) and np.isnan(value)) else f"{value:.10g}"
    )


def clean_table(
    values: dict[str, list],
    outcome: str,
    flags: dict[tuple[str, str], str] | None = None,
    visits: list[str] = VISITS,
) -> pd.DataFrame:
    """Long cleaned table as read_csv returns it: text cells, "" for missing, flags joined with
    ';'."""
    flags = flags or {}
    rows = [
        {
            "participant_id": pid,
            "outcome": outcome,
            "visit": visit,
            "value": text(v),
            "flag": flags.get((pid, visit), "missing" if v is None else ""),
        }
        for pid, series in values.items()
        for visit, v in zip(visits, series)
    ]
    return pd.DataFrame(rows, dtype=str)


def people(
    ids: list[str], completers: set[str] = frozenset(), stopped: set[str] = frozenset()
) -> Participants:
    frame = pd.DataFrame(
        {
            "participant_id": ids,
            "set_enrolled": "True",
            "set_reached_first_follow_up": "True",
            "set_completers": [str(p in completers) for p in ids],
            "stopped": [str(p in stopped) for p in ids],
        },
        dtype=str,
    )
    return Participants.from_csv_frame(frame)


def wide(values: dict[str, list], visits: list[str] = VISITS) -> pd.DataFrame:
    """participant x visit float table (NaN for None), as analysis.data.outcome_wide returns it."""
    frame = pd.DataFrame.from_dict(values, orient="index", columns=visits).astype(float)
    return frame.rename_axis("participant_id").sort_index()


def simulated(n: int = 24, seed: int = 7) -> dict[str, dict[str, list]]:
    """Seeded marker, outcome and symptom values T0..T3 for n participants, a few missing."""
    rng = np.random.default_rng(seed)
    ids = [f"P{i:02d}" for i in range(1, n + 1)]
    marker = np.round(rng.lognormal(-1, 0.5, size=(n, 4)), 3)
    marker[:, 1:] -= 0.05  # everyone's marker moves
    marker = np.clip(marker, 0.025, None)
    score = np.clip(np.round(12 + 3 * rng.standard_normal((n, 4)) - np.arange(4)), 4, 20)
    symptom = np.clip(np.round(7 + 1.5 * rng.standard_normal((n, 4)) - 0.7 * np.arange(4)), 0, 10)
    tables = {"marker": {}, "score": {}, "symptom": {}}
    for i, pid in enumerate(ids):
        for name, values in (("marker", marker), ("score", score), ("symptom", symptom)):
            series = [float(v) for v in values[i]]
            if i % 6 == 5:  # stopped after T1
                series[2] = series[3] = None
            if name == "score" and i == 2:
                series[1] = None
            tables[name][pid] = series
    return tables
