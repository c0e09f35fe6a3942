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
    """Dose at the last visit with a dose, and, when study days are known, the cumulative dose.

    The dose is a rate per week (its unit in config says so): the cumulative dose is each visit's
    dose times the weeks to the next visit, counted only if the participant was seen there (has a
    dose at the next visit). Without study days only the last dose is given.

    Parameters
    ----------
    people : Participants
        The participant table with a ``dose_<visit>`` column per visit (NaN when not recorded).
    visits : list of str
        The visits, in order.
    days : dict of str to int, optional
        Study day of each visit; None when unknown.

    Returns
    -------
    pandas.DataFrame
        Index as ``people.table``; column ``last_dose`` (the last recorded dose) and, with
        ``days``, ``cumulative_dose`` (dose x weeks).

    Examples
    --------
    Two-week intervals. p1 takes 1 per week for 2 weeks, then 2 per week for 2 weeks: 6 by hand.
    p4 has no dose at v1, so it was not seen there and nothing counts:

    >>> import pandas as pd
    >>> people = Participants(
    ...     pd.DataFrame(
    ...         {
    ...             "dose_v0": [1.0, 1.0, 1.0],
    ...             "dose_v1": [2.0, 1.0, None],
    ...             "dose_v2": [2.0, 3.0, None],
    ...         },
    ...         index=["p1", "p2", "p4"],
    ...     )
    ... )
    >>> print(dose_exposure(people, ["v0", "v1", "v2"], {"v0": 0, "v1": 14, "v2": 28}).to_string())
        last_dose  cumulative_dose
    p1        2.0              6.0
    p2        3.0              4.0
    p4        1.0              0.0
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
    """Spearman rho of dose against improvement, and improvement by dose band.

    Two changes are analysed: improvement at each participant's last follow-up visit (LOCF up to
    ``final``) and improvement at ``final``; each against the last dose and, when study days are
    known, the cumulative dose (``dose_exposure``). Bands are those of the last dose,
    ``settings["dose_response"]["bands"]`` as upper limits (right-closed, starting above 0).

    Parameters
    ----------
    wide : pandas.DataFrame
        participant x visit values of one outcome.
    people : Participants
        The participant table with the ``dose_<visit>`` columns.
    direction : str
        The outcome's direction of improvement.
    visits : list of str
        The visits, in order; the first is the baseline.
    final : str
        The final visit.
    days : dict of str to int, optional
        Study day of each visit (None: no cumulative dose).
    settings : dict
        confidence, and dose_response with bands (upper band limits) and unit (the dose unit).

    Returns
    -------
    rho : pandas.DataFrame
        One row per change x dose measure: change, analysis_set_definition, dose_measure,
        dose_unit, test, n, rho, ci_low, ci_high, p_value, method
        (``stats.association.spearman_with_ci``).
    bands : pandas.DataFrame
        One row per change x band: change, dose_band, dose_unit, n, median_improvement, q1,
        q3, method.

    Examples
    --------
    Six participants, higher is better; p4 was seen at v0 and v1 only, so it counts in the
    last-observation change but not at v2:

    >>> import pandas as pd
    >>> ids = ["p1", "p2", "p3", "p4", "p5", "p6"]
    >>> people = Participants(
    ...     pd.DataFrame(
    ...         {
    ...             "dose_v0": [1.0, 1.0, 2.0, 1.0, 2.0, 1.0],
    ...             "dose_v1": [2.0, 1.0, 3.0, None, 4.0, 2.0],
    ...             "dose_v2": [2.0, 1.0, 4.0, None, 4.0, 3.0],
    ...         },
    ...         index=ids,
    ...     )
    ... )
    >>> wide = pd.DataFrame(
    ...     {
    ...         "v0": [10.0, 12.0, 9.0, 11.0, 10.0, 8.0],
    ...         "v1": [12.0, 11.0, 12.0, 12.0, 14.0, 9.0],
    ...         "v2": [13.0, 12.0, 12.0, None, 16.0, 12.0],
    ...     },
    ...     index=ids,
    ... )
    >>> settings = {"confidence": 0.95, "dose_response": {"bands": [1, 2, 4], "unit": "mg"}}
    >>> days = {"v0": 0, "v1": 14, "v2": 28}
    >>> rho, bands = dose_response(
    ...     wide, people, "higher_is_better", ["v0", "v1", "v2"], "v2", days, settings
    ... )
    >>> print(rho[["change", "dose_measure", "n", "rho", "p_value"]].round(4).to_string())
                 change     dose_measure  n     rho  p_value
    0  last_observation        last_dose  6  0.8210   0.0452
    1  last_observation  cumulative_dose  6  0.8088   0.0513
    2             at_v2        last_dose  5  0.7105   0.1786
    3             at_v2  cumulative_dose  5  0.7632   0.1333
    >>> print(bands[["change", "dose_band", "n", "median_improvement"]].to_string())
                 change      dose_band  n  median_improvement
    0  last_observation  0 < dose <= 1  2                 0.5
    1  last_observation  1 < dose <= 2  1                 3.0
    2  last_observation  2 < dose <= 4  3                 4.0
    3             at_v2  0 < dose <= 1  1                 0.0
    4             at_v2  1 < dose <= 2  1                 3.0
    5             at_v2  2 < dose <= 4  3                 4.0
    """
    # Imported here: the dose figure imports this module for dose_exposure and needs no scipy.stats.
    from ..stats.association import spearman_with_ci

    baseline = visits[0]
    sign = improvement_sign(direction)
    exposure = dose_exposure(people, visits, days)
    changes = {
        "last_observation": (
            "everyone with baseline and at least one follow-up; "
            "improvement at their last visit (LOCF)",
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
                    "method": "median and quartiles (linear interpolation) of improvement "
                    "by dose at the last visit",
                }
            )
    return pd.DataFrame(rows), pd.DataFrame(bands)
