"""Marker trajectories: each follow-up visit against baseline, on the raw scale."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..analysis.data import SET_DEFINITIONS, Participants, pairs
from ..analysis.paired import paired_rows

# Markers have direction 'none': no improvement direction, so no sign flip.
CHANGE_SCALE = (
    "raw change = follow-up - baseline (marker direction 'none': no sign flip; positive = "
    "higher at follow-up)"
)
SETS = ("available_pairs", "completers")


def trajectory(
    wide: pd.DataFrame, people: Participants, visits: list[str], settings: dict[str, Any]
) -> pd.DataFrame:
    """Wilcoxon signed-rank with Hodges-Lehmann change and CI (and paired t), each follow-up vs
    baseline.

    Same conventions as the outcome analysis (analysis.paired.paired_rows: V, normal
    approximation with tie and continuity corrections or exact by config, zero differences
    dropped), but on the raw change, sign +1. Analysis sets: available pairs and completers.
    """
    baseline = visits[0]
    rows = []
    for visit in visits[1:]:
        sets = {
            "available_pairs": pairs(wide, visit, baseline),
            "completers": pairs(wide, visit, baseline, people.members("completers")),
        }
        for set_name, frame in sets.items():
            for row in paired_rows(frame, 1.0, settings["wilcoxon_method"], settings["confidence"]):
                row = {
                    ("mean_change" if key == "mean_improvement" else key): value
                    for key, value in row.items()
                }
                row["estimate_name"] = row["estimate_name"].replace(
                    "improvement", "change (follow-up - baseline)"
                )
                row["statistic_name"] = row["statistic_name"].replace(
                    "improvements", "positive changes"
                )
                rows.append(
                    {
                        "visit": visit,
                        "baseline_visit": baseline,
                        "analysis_set": set_name,
                        "analysis_set_definition": SET_DEFINITIONS[set_name].replace(
                            "this outcome", "this marker"
                        ),
                        "change_scale": CHANGE_SCALE,
                        "sign_flipped": False,
                        **row,
                    }
                )
    return pd.DataFrame(rows)
