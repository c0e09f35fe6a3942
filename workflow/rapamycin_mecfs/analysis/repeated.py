"""Friedman test over all visits in completers, and the linear mixed model on all available data."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..stats.repeated import friedman, mixed_model_change
from .data import Participants, improvement_sign


def friedman_row(wide: pd.DataFrame, people: Participants) -> pd.DataFrame:
    """Friedman test over all visits in the completers with a value at every visit.

    Parameters
    ----------
    wide : pandas.DataFrame
        participant x visit values of one outcome, every visit a column.
    people : Participants
        The participant table (set completers).

    Returns
    -------
    pandas.DataFrame
        One row: analysis_set, analysis_set_definition, test, n, k_visits, statistic (the
        Friedman chi-square), df, p_value, effect_size (Kendall's W), ``mean_rank_<visit>``
        and method (``stats.repeated.friedman``); only n and method when fewer than 2
        complete cases.

    Examples
    --------
    ``stats.repeated.friedman``'s example (chi2 = 8, W = 1 by hand) with a fifth participant,
    not a completer, who is left out:

    >>> import pandas as pd
    >>> ids = ["p1", "p2", "p3", "p4", "p5"]
    >>> people = Participants(pd.DataFrame({"set_completers": [True] * 4 + [False]}, index=ids))
    >>> wide = pd.DataFrame(
    ...     {
    ...         "v0": [1.0, 2.0, 3.0, 2.0, 4.0],
    ...         "v1": [2.0, 3.0, 5.0, 4.0, None],
    ...         "v2": [4.0, 5.0, 6.0, 5.0, None],
    ...     },
    ...     index=ids,
    ... )
    >>> row = friedman_row(wide, people)
    >>> print(row[["n", "statistic", "df", "p_value", "effect_size"]].round(4).to_string())
       n  statistic  df  p_value  effect_size
    0  4        8.0   2   0.0183          1.0
    """
    complete = wide[wide.index.isin(people.members("completers"))].dropna()
    base = {
        "analysis_set": "completers",
        "analysis_set_definition": "completers with this outcome at every visit",
        "test": "friedman",
    }
    if len(complete) < 2:
        return pd.DataFrame(
            [{**base, "n": len(complete), "method": "not computed: fewer than 2 complete cases"}]
        )
    result = friedman(complete)
    return pd.DataFrame(
        [
            {
                **base,
                "n": result["n"],
                "k_visits": result["k"],
                "statistic_name": "Friedman chi-square",
                "statistic": result["chi2"],
                "df": result["df"],
                "p_value": result["p_value"],
                "effect_size_name": "Kendall's W",
                "effect_size": result["kendall_w"],
                **{f"mean_rank_{visit}": rank for visit, rank in result["mean_ranks"].items()},
                "method": result["method"],
            }
        ]
    )


def mixed_model_rows(
    clean_wide: pd.DataFrame,
    people: Participants,
    direction: str,
    visits: list[str],
    settings: dict[str, Any],
) -> pd.DataFrame:
    """Change vs baseline at each visit on everyone enrolled; estimates also as improvement.

    The linear mixed model of ``stats.repeated.mixed_model_change`` on every available value of
    the enrolled (missing at random assumed). A model that cannot be fitted, or a visit without
    values, gives rows with NaN estimates and the reason in method instead of an error.

    Parameters
    ----------
    clean_wide : pandas.DataFrame
        participant x visit values of one outcome, index named participant_id.
    people : Participants
        The participant table (set enrolled).
    direction : str
        The outcome's direction of improvement.
    visits : list of str
        The visits, in order; the first is the reference.
    settings : dict
        confidence.

    Returns
    -------
    pandas.DataFrame
        One row per follow-up visit: analysis_set, analysis_set_definition, test, the columns
        of ``stats.repeated.CHANGE_COLUMNS``, and improvement_estimate, improvement_ci_low,
        improvement_ci_high (sign-flipped when lower is better).

    Examples
    --------
    The data of ``friedman_row``'s example; p5 adds a baseline value only. Lower is better here,
    so a rise is a negative improvement:

    >>> import pandas as pd
    >>> ids = pd.Index(["p1", "p2", "p3", "p4", "p5"], name="participant_id")
    >>> people = Participants(pd.DataFrame({"set_enrolled": [True] * 5}, index=ids))
    >>> wide = pd.DataFrame(
    ...     {
    ...         "v0": [1.0, 2.0, 3.0, 2.0, 4.0],
    ...         "v1": [2.0, 3.0, 5.0, 4.0, None],
    ...         "v2": [4.0, 5.0, 6.0, 5.0, None],
    ...     },
    ...     index=ids,
    ... )
    >>> table = mixed_model_rows(
    ...     wide, people, "lower_is_better", ["v0", "v1", "v2"], {"confidence": 0.95}
    ... )
    >>> columns = ["visit", "estimate", "df", "improvement_estimate", "n_obs", "n_participants"]
    >>> print(table[columns].round(4).to_string())
      visit  estimate      df  improvement_estimate  n_obs  n_participants
    0    v1    1.4703  5.9786               -1.4703     13               5
    1    v2    2.9703  5.9786               -2.9703     13               5
    """
    enrolled = clean_wide[clean_wide.index.isin(people.members("enrolled"))]
    long = enrolled.reset_index().melt(
        id_vars="participant_id", var_name="visit", value_name="value"
    )
    long = long.dropna(subset=["value"])
    # A visit nobody has a value at cannot be estimated; the other visits still can.
    observed = [v for v in visits if v in set(long["visit"])]
    empty = [v for v in visits[1:] if v not in observed]
    try:
        if visits[0] not in observed or len(observed) < 2:
            raise ValueError(
                f"no values at the baseline or at any follow-up visit (observed at {observed})"
            )
        table = mixed_model_change(long, visits=observed, confidence=settings["confidence"])
    except (np.linalg.LinAlgError, ValueError) as error:
        # e.g. a scale at its floor for nearly everyone (SF-36 role-physical): report, don't stop.
        table = pd.DataFrame(
            {
                "visit": visits[1:],
                "reference_visit": visits[0],
                "estimate": np.nan,
                "df": np.nan,
                "t": np.nan,
                "ci_low": np.nan,
                "ci_high": np.nan,
                "p_value": np.nan,
                "n_obs": len(long),
                "n_participants": long["participant_id"].nunique(),
                "method": f"linear mixed model (random intercept, REML) did not fit: {error}",
            }
        )
    if empty and "n_visit" in table:
        missing_rows = pd.DataFrame(
            {
                "visit": empty,
                "reference_visit": visits[0],
                "n_visit": 0,
                "method": "not estimable: no values at this visit",
            }
        )
        table = pd.concat([table, missing_rows], ignore_index=True)
        table = table.set_index("visit").loc[[v for v in visits[1:]]].reset_index()
    sign = improvement_sign(direction)
    table.insert(0, "analysis_set", "enrolled_available")
    table.insert(
        1,
        "analysis_set_definition",
        "everyone enrolled, every available value (missing at random assumed)",
    )
    table.insert(2, "test", "mixed_model")
    table["improvement_estimate"] = sign * table["estimate"]
    low, high = sign * table["ci_low"], sign * table["ci_high"]
    table["improvement_ci_low"] = np.minimum(low, high)
    table["improvement_ci_high"] = np.maximum(low, high)
    return table
