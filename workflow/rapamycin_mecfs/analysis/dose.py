"""Dose-response: achieved dose against improvement."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .data import Participants, improvement_sign, last_observation

LAST_DOSE = "last_dose"
CUMULATIVE_DOSE = "cumulative_dose"


def dose_exposure(
    people: Participants, visits: list[str], days: dict[str, int] | None
) -> pd.DataFrame:
    """Dose at the last visit with a dose, and, when study days are known, the cumulative dose up to it.

    The dose is a rate per week (its unit in config says so): the cumulative dose is each visit's dose
    times the weeks to the next visit. Without study days only the last dose is given.
    """
    doses = people.table[[f"dose_{v}" for v in visits]].set_axis(visits, axis=1)
    exposure = pd.DataFrame({LAST_DOSE: doses.ffill(axis=1).iloc[:, -1]}, index=doses.index)
    if days is not None:
        interval_days = np.array(
            [days[b] - days[a] for a, b in zip(visits, visits[1:])], dtype=float
        )
        # A visit's dose is taken until the next visit only if the participant was seen there.
        taken = doses.iloc[:, :-1].to_numpy() * (doses.iloc[:, 1:].notna().to_numpy())
        # Dose-days summed first and divided by 7 once: summing dose x (days / 7) terms rounds
        # equal totals apart, and the Spearman ranks would then split ties that R keeps.
        exposure[CUMULATIVE_DOSE] = np.nansum(taken * interval_days, axis=1) / 7
    return exposure


def dose_response(
    wide: pd.DataFrame,
    people: Participants,
    direction: str,
    visits: list[str],
    final: str,
    days: dict[str, int] | None,
    settings: dict[str, Any],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Spearman rho of dose against improvement, and improvement by dose band (`settings["dose_response"]["bands"]`)."""
    # Imported here: the dose figure imports this module for dose_exposure and needs no scipy.stats.
    from ..stats.association import spearman_with_ci

    baseline = visits[0]
    sign = improvement_sign(direction)
    exposure = dose_exposure(people, visits, days)
    changes = {
        "last_observation": (
            "everyone with baseline and at least one follow-up; improvement at their last visit (LOCF)",
            sign * (last_observation(wide[visits[1:]], final) - wide[baseline]),
        ),
        f"at_{final}": (
            f"everyone with baseline and {final}",
            sign * (wide[final] - wide[baseline]),
        ),
    }
    rows, bands = [], []
    edges = [0.0, *settings["dose_response"]["bands"]]
    for change_name, (definition, change) in changes.items():
        frame = exposure.join(change.rename("improvement"), how="inner").dropna(
            subset=["improvement"]
        )
        for measure in [c for c in (LAST_DOSE, CUMULATIVE_DOSE) if c in exposure]:
            pairs = frame[[measure, "improvement"]].dropna()
            result = spearman_with_ci(
                pairs[measure], pairs["improvement"], confidence=settings["confidence"]
            )
            rows.append(
                {
                    "change": change_name,
                    "analysis_set_definition": definition,
                    "dose_measure": measure,
                    "dose_unit": settings["dose_response"]["unit"]
                    + (" x week" if measure == CUMULATIVE_DOSE else ""),
                    "test": "spearman",
                    "n": result["n"],
                    "rho": result["rho"],
                    "ci_low": result["ci_low"],
                    "ci_high": result["ci_high"],
                    "p_value": result["p_value"],
                    "method": result["method"],
                }
            )
        band = pd.cut(frame[LAST_DOSE], bins=edges, right=True, include_lowest=False)
        for interval, group in frame.groupby(band, observed=False, sort=True):
            values = group["improvement"].to_numpy()
            bands.append(
                {
                    "change": change_name,
                    "dose_band": f"{interval.left:g} < dose <= {interval.right:g}",
                    "dose_unit": settings["dose_response"]["unit"],
                    "n": int(values.size),
                    "median_improvement": float(np.median(values)) if values.size else np.nan,
                    "q1": float(np.percentile(values, 25)) if values.size else np.nan,
                    "q3": float(np.percentile(values, 75)) if values.size else np.nan,
                    "method": "median and quartiles (linear interpolation) of improvement by dose at the last visit",
                }
            )
    return pd.DataFrame(rows), pd.DataFrame(bands)
