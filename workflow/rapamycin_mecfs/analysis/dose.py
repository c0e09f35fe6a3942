"""Dose-response: achieved dose against improvement."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .data import Participants, improvement_sign, last_observation


def dose_exposure(people: Participants, visits: list[str], days: dict[str, int]) -> pd.DataFrame:
    """Dose at the last visit with a dose, and cumulative mg up to it (weekly dose x weeks to the next visit)."""
    doses = people.table[[f"dose_{v}" for v in visits]].set_axis(visits, axis=1)
    last_dose = doses.ffill(axis=1).iloc[:, -1]
    weeks = np.array([(days[b] - days[a]) / 7 for a, b in zip(visits, visits[1:])])
    # A visit's dose is taken until the next visit only if the participant was seen there.
    taken = doses.iloc[:, :-1].to_numpy() * (doses.iloc[:, 1:].notna().to_numpy())
    cumulative = np.nansum(taken * weeks, axis=1)
    return pd.DataFrame({"last_dose_mg_week": last_dose, "cumulative_mg": cumulative}, index=doses.index)


def dose_response(
    wide: pd.DataFrame, people: Participants, direction: str, visits: list[str], days: dict[str, int], settings: dict[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Spearman rho of dose against improvement, and improvement by dose band."""
    # Imported here: the dose figure imports this module for dose_exposure and needs no scipy.stats.
    from ..stats.association import spearman_with_ci

    baseline, final = visits[0], visits[-1]
    sign = improvement_sign(direction)
    exposure = dose_exposure(people, visits, days)
    changes = {
        "last_observation": (
            "everyone with baseline and at least one follow-up; improvement at their last visit (LOCF)",
            sign * (last_observation(wide[visits[1:]], final) - wide[baseline]),
        ),
        f"at_{final}": (f"everyone with baseline and {final}", sign * (wide[final] - wide[baseline])),
    }
    rows, bands = [], []
    edges = [0.0, *settings["dose_bands"]]
    for change_name, (definition, change) in changes.items():
        frame = exposure.join(change.rename("improvement"), how="inner").dropna(subset=["improvement"])
        for measure in ("last_dose_mg_week", "cumulative_mg"):
            pairs = frame[[measure, "improvement"]].dropna()
            result = spearman_with_ci(pairs[measure], pairs["improvement"], confidence=settings["confidence"])
            rows.append(
                {
                    "change": change_name,
                    "analysis_set_definition": definition,
                    "dose_measure": measure,
                    "test": "spearman",
                    "n": result["n"],
                    "rho": result["rho"],
                    "ci_low": result["ci_low"],
                    "ci_high": result["ci_high"],
                    "p_value": result["p_value"],
                    "method": result["method"],
                }
            )
        band = pd.cut(frame["last_dose_mg_week"], bins=edges, right=True, include_lowest=False)
        for interval, group in frame.groupby(band, observed=False, sort=True):
            values = group["improvement"].to_numpy()
            bands.append(
                {
                    "change": change_name,
                    "dose_band_mg_week": f"{interval.left:g} < dose <= {interval.right:g}",
                    "n": int(values.size),
                    "median_improvement": float(np.median(values)) if values.size else np.nan,
                    "q1": float(np.percentile(values, 25)) if values.size else np.nan,
                    "q3": float(np.percentile(values, 75)) if values.size else np.nan,
                    "method": "median and quartiles (linear interpolation) of improvement by dose at the last visit",
                }
            )
    return pd.DataFrame(rows), pd.DataFrame(bands)
