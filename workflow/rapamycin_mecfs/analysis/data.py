"""Shaping cleaned tables for analysis: participant x visit values, analysis sets, improvement."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# Analysis sets, as named in every output row.
SET_DEFINITIONS = {
    "available_pairs": "every participant with this outcome at baseline and at the visit",
    "completers": "completers (every completion outcome present at the final visit) with this outcome at both visits",
    "enrolled_bocf": "everyone enrolled with a baseline value; missing follow-up replaced by baseline (no change)",
    "enrolled_worst_case": "everyone enrolled; those who stopped counted as non-responders",
    "reached_first_follow_up_locf": "everyone with data at the first follow-up visit; last observation carried forward to the responder visit",
}


def outcome_wide(clean: pd.DataFrame, visits: list[str]) -> pd.DataFrame:
    """participant x visit table of values (NaN when missing), visits in config order."""
    values = clean.assign(value=pd.to_numeric(clean["value"].where(clean["value"] != "")))
    wide = values.pivot(index="participant_id", columns="visit", values="value")
    return wide.reindex(columns=visits).astype(float).sort_index()


def improvement_sign(direction: str) -> float:
    """+1 when higher is better, -1 when lower is better: improvement = sign x (follow-up - baseline)."""
    if direction == "higher_is_better":
        return 1.0
    if direction == "lower_is_better":
        return -1.0
    raise ValueError(f"outcome direction {direction!r} has no improvement direction")


@dataclass(frozen=True)
class Participants:
    """The participant table as the analyses use it."""

    table: pd.DataFrame

    @classmethod
    def from_csv_frame(cls, frame: pd.DataFrame) -> Participants:
        frame = frame.copy()
        for column in frame.columns:
            if column.startswith(("set_", "has_data_")) or column == "stopped":
                frame[column] = frame[column].map(
                    {"True": True, "False": False, True: True, False: False}
                )
            elif column.startswith("dose_"):
                frame[column] = pd.to_numeric(frame[column].where(frame[column] != ""))
        return cls(frame.set_index("participant_id").sort_index())

    def members(self, name: str) -> pd.Index:
        return self.table.index[self.table[f"set_{name}"].astype(bool)]

    @property
    def stopped(self) -> pd.Index:
        return self.table.index[self.table["stopped"].astype(bool)]


def pairs(
    wide: pd.DataFrame, visit: str, baseline: str, members: pd.Index | None = None
) -> pd.DataFrame:
    """baseline and follow-up columns for participants with both values (optionally within a set)."""
    frame = wide[[baseline, visit]].dropna()
    if members is not None:
        frame = frame[frame.index.isin(members)]
    return frame.set_axis(["baseline", "follow_up"], axis=1)


def bocf_pairs(wide: pd.DataFrame, visit: str, baseline: str, enrolled: pd.Index) -> pd.DataFrame:
    """Everyone enrolled with a baseline; a missing follow-up becomes the baseline value."""
    frame = wide.loc[wide.index.isin(enrolled), [baseline, visit]]
    frame = frame[frame[baseline].notna()]
    follow = frame[visit].fillna(frame[baseline])
    return pd.DataFrame(
        {"baseline": frame[baseline], "follow_up": follow, "imputed": frame[visit].isna()}
    )


def last_observation(wide: pd.DataFrame, upto: str) -> pd.Series:
    """Each participant's last non-missing value up to and including `upto` (LOCF)."""
    columns = list(wide.columns[: list(wide.columns).index(upto) + 1])
    return wide[columns].ffill(axis=1)[upto]


def nan_if_empty(values) -> float:
    values = np.asarray(values, dtype=float)
    return float(values.mean()) if values.size else float("nan")
