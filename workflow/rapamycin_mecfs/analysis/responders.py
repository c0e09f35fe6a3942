"""Responders under the configured rule, with the three denominators attrition makes matter."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..stats.proportions import wilson_ci
from .data import SET_DEFINITIONS, Participants, improvement_sign, last_observation, outcome_wide


def criterion_met(
    improvement: pd.Series, baseline: pd.Series, criterion: dict[str, Any]
) -> pd.Series:
    """Whether each participant's improvement meets one responder criterion.

    Parameters
    ----------
    improvement : pandas.Series
        Improvement per participant (sign x (follow-up - baseline), positive = better).
    baseline : pandas.Series
        Baseline value per participant, for a criterion in percent of baseline (a baseline of 0
        makes a percent criterion not evaluable).
    criterion : dict
        unit ("percent" or points) and min_improvement (in that unit); met at or above it, with
        a tolerance of 1e-9 for rounding.

    Returns
    -------
    pandas.Series
        True/False where evaluable, NaN where a value is missing.

    Examples
    --------
    Improvements of 2 and 0.5 points from a baseline of 8 and 4, and one missing:

    >>> import pandas as pd
    >>> improvement, baseline = pd.Series([2.0, 0.5, None]), pd.Series([8.0, 4.0, 8.0])
    >>> criterion_met(improvement, baseline, {"unit": "points", "min_improvement": 1}).tolist()
    [True, False, nan]
    >>> criterion_met(improvement, baseline, {"unit": "percent", "min_improvement": 20}).tolist()
    [True, False, nan]
    """
    if criterion["unit"] == "percent":
        size = 100 * improvement / baseline.abs().replace(0, np.nan)
    else:
        size = improvement
    met = size >= criterion["min_improvement"] - 1e-9
    return met.where(size.notna())


def combine(met: pd.DataFrame, rule: dict[str, Any]) -> pd.Series:
    """Responder (1.0), non-responder (0.0) or not evaluable (NaN) per participant.

    Parameters
    ----------
    met : pandas.DataFrame
        One column per criterion (``criterion_met``), one row per participant.
    rule : dict
        combine ("all", "any" or "at_least") and k (the number needed for "at_least"; the key
        must be present whatever combine is).

    Returns
    -------
    pandas.Series
        NaN where any criterion is not evaluable, otherwise whether enough criteria are met.

    Examples
    --------
    >>> import pandas as pd
    >>> met = pd.DataFrame(
    ...     {"a": [True, True, False, float("nan")], "b": [True, False, False, True]},
    ...     index=["p1", "p2", "p3", "p4"],
    ... )
    >>> combine(met, {"combine": "all", "k": None}).tolist()
    [1.0, 0.0, 0.0, nan]
    >>> combine(met, {"combine": "any", "k": None}).tolist()
    [1.0, 1.0, 0.0, nan]
    """
    evaluable = met.notna().all(axis=1)
    count = met.fillna(False).astype(bool).sum(axis=1)
    needed = {"all": met.shape[1], "any": 1, "at_least": rule["k"]}[rule["combine"]]
    return (count >= needed).astype(float).where(evaluable)


def describe_rule(rule: dict[str, Any], labels: dict[str, str]) -> str:
    """The responder rule in words, for the rule column of a table.

    Parameters
    ----------
    rule : dict
        criteria (outcome, min_improvement, unit), combine, k, and optionally visit.
    labels : dict of str to str
        Display label per outcome key; keys without a label are shown as they are.

    Returns
    -------
    str

    Examples
    --------
    >>> rule = {
    ...     "visit": "v2",
    ...     "combine": "at_least",
    ...     "k": 1,
    ...     "criteria": [
    ...         {"outcome": "score", "min_improvement": 1, "unit": "points"},
    ...         {"outcome": "other", "min_improvement": 20, "unit": "percent"},
    ...     ],
    ... }
    >>> print(describe_rule(rule, {"score": "Score"}))  # doctest: +NORMALIZE_WHITESPACE
    responder at v2 vs baseline: at least 1 of
    [Score improves by >= 1 points; other improves by >= 20 %]
    """
    criteria = "; ".join(
        f"{labels.get(c['outcome'], c['outcome'])} improves by >= {c['min_improvement']:g} "
        f"{'%' if c['unit'] == 'percent' else 'points'}"
        for c in rule["criteria"]
    )
    how = {"all": "all of", "any": "any of", "at_least": f"at least {rule['k']} of"}[
        rule["combine"]
    ]
    return f"responder at {rule.get('visit', 'the last visit')} vs baseline: {how} [{criteria}]"


def responder_status(
    clean: pd.DataFrame,
    people: Participants,
    visits: list[str],
    rule: dict[str, Any],
    directions: dict[str, str],
) -> pd.DataFrame:
    """Per participant: each criterion's improvement and responder status, observed and LOCF.

    Observed: the improvement at the responder visit ``rule["visit"]``; LOCF: from the last
    follow-up value up to that visit.

    Parameters
    ----------
    clean : pandas.DataFrame
        Long cleaned table of every outcome (participant_id, outcome, visit, value).
    people : Participants
        The participant table; every participant gets a row.
    visits : list of str
        The visits, in order; the first is the baseline.
    rule : dict
        visit, criteria, combine and k (see ``combine`` and ``criterion_met``).
    directions : dict of str to str
        Direction of improvement per outcome.

    Returns
    -------
    pandas.DataFrame
        Index as ``people.table``: ``<outcome>_improvement`` and ``<outcome>_improvement_locf``
        per criterion, responder_observed and responder_locf (1.0, 0.0 or NaN).

    Examples
    --------
    One criterion, an improvement of at least 2 points on "score" (lower is better) at v2;
    p2 misses v2 (LOCF carries v1) and p5 has no follow-up at all:

    >>> import pandas as pd
    >>> values = {
    ...     "p1": [10, 9, 8],
    ...     "p2": [10, 7, None],
    ...     "p3": [10, 11, 12],
    ...     "p4": [10, 8, 7],
    ...     "p5": [10, None, None],
    ... }
    >>> clean = pd.DataFrame(
    ...     [
    ...         {"participant_id": pid, "outcome": "score", "visit": visit, "value": value}
    ...         for pid, series in values.items()
    ...         for visit, value in zip(["v0", "v1", "v2"], series)
    ...     ]
    ... )
    >>> people = Participants(pd.DataFrame(index=pd.Index(list(values), name="participant_id")))
    >>> rule = {
    ...     "visit": "v2",
    ...     "combine": "all",
    ...     "k": None,
    ...     "criteria": [{"outcome": "score", "min_improvement": 2, "unit": "points"}],
    ... }
    >>> status = responder_status(
    ...     clean, people, ["v0", "v1", "v2"], rule, {"score": "lower_is_better"}
    ... )
    >>> print(status.to_string())  # doctest: +NORMALIZE_WHITESPACE
                    score_improvement  score_improvement_locf  responder_observed  responder_locf
    participant_id
    p1                            2.0                     2.0                 1.0             1.0
    p2                            NaN                     3.0                 NaN             1.0
    p3                           -2.0                    -2.0                 0.0             0.0
    p4                            3.0                     3.0                 1.0             1.0
    p5                            NaN                     NaN                 NaN             NaN
    """
    baseline, visit = visits[0], rule["visit"]  # the plan resolves the responder visit
    status = pd.DataFrame(index=people.table.index)
    observed_met, locf_met = {}, {}
    for criterion in rule["criteria"]:
        outcome = criterion["outcome"]
        wide = outcome_wide(clean[clean["outcome"] == outcome], visits).reindex(people.table.index)
        sign = improvement_sign(directions[outcome])
        observed = sign * (wide[visit] - wide[baseline])
        carried = sign * (last_observation(wide[visits[1:]], visit) - wide[baseline])
        status[f"{outcome}_improvement"] = observed
        status[f"{outcome}_improvement_locf"] = carried
        observed_met[outcome] = criterion_met(observed, wide[baseline], criterion)
        locf_met[outcome] = criterion_met(carried, wide[baseline], criterion)
    status["responder_observed"] = combine(pd.DataFrame(observed_met), rule)
    status["responder_locf"] = combine(pd.DataFrame(locf_met), rule)
    return status


def responder_proportions(
    status: pd.DataFrame,
    people: Participants,
    rule: dict[str, Any],
    confidence: float,
    labels: dict[str, str],
) -> pd.DataFrame:
    """Proportion of responders with its Wilson interval, in three analysis sets.

    Completers evaluable at the responder visit (observed status); everyone who reached the
    first follow-up visit, evaluable with LOCF; and everyone enrolled, anyone without an
    observed status counted as a non-responder (worst case).

    Parameters
    ----------
    status : pandas.DataFrame
        ``responder_status`` output.
    people : Participants
        The participant table (sets completers, reached_first_follow_up and enrolled).
    rule : dict
        The responder rule (described in the rule column; its optional assumption is copied).
    confidence : float
        Confidence level of the Wilson interval.
    labels : dict of str to str
        Display label per outcome key, for the rule text.

    Returns
    -------
    pandas.DataFrame
        One row per set: analysis_set, analysis_set_definition, responders, n, proportion,
        ci_low, ci_high, rule, assumption, method (NaN proportion and CI when n = 0).

    Examples
    --------
    The status of ``responder_status``'s example, written out; p2 and p5 are not completers
    and p5 did not reach the first follow-up:

    >>> import pandas as pd
    >>> ids = pd.Index(["p1", "p2", "p3", "p4", "p5"], name="participant_id")
    >>> status = pd.DataFrame(
    ...     {
    ...         "responder_observed": [1.0, None, 0.0, 1.0, None],
    ...         "responder_locf": [1.0, 1.0, 0.0, 1.0, None],
    ...     },
    ...     index=ids,
    ... )
    >>> people = Participants(
    ...     pd.DataFrame(
    ...         {
    ...             "set_enrolled": [True] * 5,
    ...             "set_completers": [True, False, True, True, False],
    ...             "set_reached_first_follow_up": [True] * 4 + [False],
    ...         },
    ...         index=ids,
    ...     )
    ... )
    >>> rule = {
    ...     "visit": "v2",
    ...     "combine": "all",
    ...     "k": None,
    ...     "criteria": [{"outcome": "score", "min_improvement": 2, "unit": "points"}],
    ... }
    >>> table = responder_proportions(status, people, rule, 0.95, {})
    >>> columns = ["analysis_set", "responders", "n", "proportion", "ci_low", "ci_high"]
    >>> print(table[columns].round(4).to_string())
                       analysis_set  responders  n  proportion  ci_low  ci_high
    0                    completers           2  3      0.6667  0.2077   0.9385
    1  reached_first_follow_up_locf           3  4      0.7500  0.3006   0.9544
    2           enrolled_worst_case           2  5      0.4000  0.1176   0.7693
    >>> table.loc[0, "rule"]
    'responder at v2 vs baseline: all of [score improves by >= 2 points]'
    """
    completers = status.loc[
        status.index.isin(people.members("completers")), "responder_observed"
    ].dropna()
    reached = status.loc[
        status.index.isin(people.members("reached_first_follow_up")), "responder_locf"
    ].dropna()
    enrolled = status.loc[
        status.index.isin(people.members("enrolled")), "responder_observed"
    ].fillna(0.0)
    rows = []
    for name, values, note in (
        ("completers", completers, "completers evaluable on every criterion"),
        ("reached_first_follow_up_locf", reached, SET_DEFINITIONS["reached_first_follow_up_locf"]),
        (
            "enrolled_worst_case",
            enrolled,
            "everyone enrolled; anyone without the responder visit counts as a non-responder",
        ),
    ):
        k, n = int(values.sum()), int(values.size)
        low, high = wilson_ci(k, n, confidence) if n else (np.nan, np.nan)
        rows.append(
            {
                "analysis_set": name,
                "analysis_set_definition": note,
                "responders": k,
                "n": n,
                "proportion": k / n if n else np.nan,
                "ci_low": low,
                "ci_high": high,
                "rule": describe_rule(rule, labels),
                "assumption": rule.get("assumption", ""),
                "method": f"Wilson score interval, {confidence:.0%} two-sided",
            }
        )
    return pd.DataFrame(rows)
