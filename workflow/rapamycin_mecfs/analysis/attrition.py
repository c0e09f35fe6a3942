"""What attrition and the missing control group could do: baseline of completers vs those who
stopped, the tipping point (primary: delta-adjusted multiple imputation; secondary: one shifted
value for everyone missing), and the change expected from regression to the mean alone."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..plan import TIPPING_POINT_DEFAULTS
from ..stats.association import mann_whitney, standardised_mean_difference
from ..stats.attrition import regression_to_mean_expected_change, tipping_point_delta
from ..stats.imputation import delta_adjusted_mean_change, impute_by_pattern
from ..stats.paired import wilcoxon_signed_rank
from .data import Participants, improvement_sign


def baseline_by_completion(wide: pd.DataFrame, people: Participants, baseline: str) -> pd.DataFrame:
    """Baseline of completers vs those who stopped: medians, SMD, Mann-Whitney U.

    Parameters
    ----------
    wide : pandas.DataFrame
        participant x visit values of one outcome.
    people : Participants
        The participant table (set completers, stopped).
    baseline : str
        The baseline visit.

    Returns
    -------
    pandas.DataFrame
        One row: visit, group_1 (completers), group_2 (stopped), n_1, n_2, median_1, median_2,
        mean_1, mean_2 and, with at least 2 in each group, smd
        (``stats.association.standardised_mean_difference``), smd_method, test, U, p_value,
        rank_biserial and method (``stats.association.mann_whitney``).

    Examples
    --------
    Completers 8, 7, 9, 6 (mean 7.5, variance 5/3) against stopped 9, 8 (mean 8.5, variance
    1/2): SMD = -1 / sqrt(13/12) = -0.9608 by hand.

    >>> import pandas as pd
    >>> people = Participants(
    ...     pd.DataFrame(
    ...         {"set_completers": [True] * 4 + [False] * 2, "stopped": [False] * 4 + [True] * 2},
    ...         index=["p1", "p2", "p3", "p4", "p5", "p6"],
    ...     )
    ... )
    >>> wide = pd.DataFrame({"v0": [8.0, 7.0, 9.0, 6.0, 9.0, 8.0]}, index=people.table.index)
    >>> row = baseline_by_completion(wide, people, "v0")
    >>> columns = ["n_1", "n_2", "median_1", "median_2", "smd", "U", "p_value"]
    >>> print(row[columns].round(4).to_string())
       n_1  n_2  median_1  median_2     smd    U  p_value
    0    4    2       7.5       8.5 -0.9608  2.0   0.4745
    """
    values = wide[baseline]
    completers = values[values.index.isin(people.members("completers"))].dropna().to_numpy()
    stopped = values[values.index.isin(people.stopped)].dropna().to_numpy()
    row = {
        "visit": baseline,
        "group_1": "completers",
        "group_2": "stopped",
        "n_1": completers.size,
        "n_2": stopped.size,
        "median_1": float(np.median(completers)) if completers.size else math.nan,
        "median_2": float(np.median(stopped)) if stopped.size else math.nan,
        "mean_1": float(completers.mean()) if completers.size else math.nan,
        "mean_2": float(stopped.mean()) if stopped.size else math.nan,
    }
    if completers.size >= 2 and stopped.size >= 2:
        test = mann_whitney(completers, stopped)
        row.update(
            {
                "smd": standardised_mean_difference(completers, stopped),
                "smd_method": "(mean completers - mean stopped) / sqrt((SD1^2 + SD2^2) / 2)",
                "test": "mann_whitney_u",
                "U": test["U"],
                "p_value": test["p_value"],
                "rank_biserial": test["rank_biserial"],
                "method": test["method"],
            }
        )
    else:
        row.update({"test": "mann_whitney_u", "method": "not computed: fewer than 2 in a group"})
    return pd.DataFrame([row])


SINGLE_SHIFT = "single-value shift (secondary)"
MULTIPLE_IMPUTATION = "delta-adjusted multiple imputation (primary)"
MI_SET = "enrolled_delta_mi"
INFERENCE_COLUMNS = ("estimate", "se", "df", "t", "ci_low", "ci_high", "p_value")


def _analysis_set(wide: pd.DataFrame, people: Participants, baseline: str) -> pd.DataFrame:
    """Everyone enrolled with a baseline value, in participant order."""
    enrolled = wide[wide.index.isin(people.members("enrolled"))]
    return enrolled[enrolled[baseline].notna()]


def _baseline_sd(values: np.ndarray) -> float:
    return float(np.std(values, ddof=1)) if values.size > 1 else math.nan


def tipping_point(
    wide: pd.DataFrame,
    people: Participants,
    direction: str,
    baseline: str,
    settings: dict[str, Any],
    mi_summary: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """The tipping-point summary row: the single-value shift and, if given, the primary MI result.

    The single-value shift is the secondary analysis; the primary result is that of
    ``tipping_point_mi`` (its ``summary`` columns, prefixed mi_), appended when given.

    Single-value shift: the smallest shift towards worsening, given to every missing follow-up
    value at once, at which the Wilcoxon signed-rank test of the change loses significance.

    Parameters
    ----------
    wide : pandas.DataFrame
        participant x visit values of one outcome.
    people : Participants
        Analysis sets.
    direction : str
        The outcome's direction of improvement.
    baseline : str
        The baseline visit.
    settings : dict
        alpha, wilcoxon_method and tipping_point (visit, max_shift_sd).
    mi_summary : dict, optional
        Columns appended to the row (``MultipleImputation.summary``).

    Returns
    -------
    pandas.DataFrame
        One row: visit, analysis_set, analysis_set_definition, n, n_missing_follow_up,
        baseline_sd, alpha, p_at_zero_shift, delta_units, delta_baseline_sd, p_at_delta and
        method (``stats.attrition.tipping_point_delta`` on a grid of baseline SD / 20 up to
        max_shift_sd baseline SD), then the ``mi_summary`` columns.

    Examples
    --------
    Ten enrolled, higher is better, p9 and p10 missing at v2. The eight observed changes are
    those of ``stats.attrition.tipping_point_delta``'s example, so the single shift tips at
    2 points (up to the bisection tolerance), 0.9 baseline SD:

    >>> import pandas as pd
    >>> ids = pd.Index([f"p{i}" for i in range(1, 11)], name="participant_id")
    >>> people = Participants(pd.DataFrame({"set_enrolled": [True] * 10}, index=ids))
    >>> wide = pd.DataFrame(
    ...     {
    ...         "v0": [10.0, 12.0, 9.0, 14.0, 11.0, 13.0, 8.0, 15.0, 10.0, 12.0],
    ...         "v1": [11.0, 14.0, 9.0, 16.0, 12.0, 15.0, 9.0, 17.0, 11.0, None],
    ...         "v2": [12.0, 15.0, 11.0, 18.0, 14.0, 17.0, 9.0, 20.0, None, None],
    ...     },
    ...     index=ids,
    ... )
    >>> settings = {"alpha": 0.05, "wilcoxon_method": "approx", "tipping_point": {"visit": "v2"}}
    >>> row = tipping_point(wide, people, "higher_is_better", "v0", settings)
    >>> columns = ["n_missing_follow_up", "p_at_zero_shift", "delta_units", "delta_baseline_sd"]
    >>> print(row[columns].round(4).to_string())
       n_missing_follow_up  p_at_zero_shift  delta_units  delta_baseline_sd
    0                    2           0.0088       2.0001             0.9005
    """
    row = _single_shift(wide, people, direction, baseline, settings)
    return pd.DataFrame([{**row, **(mi_summary or {})}])


def _single_shift(
    wide: pd.DataFrame,
    people: Participants,
    direction: str,
    baseline: str,
    settings: dict[str, Any],
) -> dict[str, Any]:
    options = {**TIPPING_POINT_DEFAULTS, **settings["tipping_point"]}
    visit = options["visit"]  # the plan resolves it (default the final visit)
    enrolled = _analysis_set(wide, people, baseline)
    base = enrolled[baseline].to_numpy(dtype=float)
    follow = enrolled[visit].to_numpy(dtype=float)
    missing = np.isnan(follow)
    sd = _baseline_sd(base)
    alpha = settings["alpha"]
    method = settings["wilcoxon_method"]

    # Zeros are ranked (Pratt) so that delta = 0 is the baseline-carried-forward analysis.
    def test(d):
        return wilcoxon_signed_rank(d, method=method, correction=True, zero_method="pratt")[
            "p_value"
        ]

    test.__name__ = f"Wilcoxon signed-rank ({method}, continuity-corrected, zeros ranked (Pratt))"
    pratt_note = (
        "at delta = 0 the imputed zero differences are ranked but carry no sign; any delta > 0 "
        "makes them the smallest negative ranks, so p jumps between delta = 0 and delta = 0+ "
        '(R wilcox.test drops zeros instead; coin::wilcoxsign_test(zero.method = "Pratt") '
        "keeps them, as here)"
    )

    row = {
        "visit": visit,
        "analysis_set": "enrolled_shifted",
        "analysis_set_definition": (
            f"{SINGLE_SHIFT}: everyone enrolled with a baseline; every missing follow-up = "
            "baseline shifted towards worsening by the same delta"
        ),
        "n": int(base.size),
        "n_missing_follow_up": int(missing.sum()),
        "baseline_sd": sd,
        "alpha": alpha,
    }
    if base.size < 2 or not np.isfinite(sd) or sd == 0:
        return {**row, "method": f"{SINGLE_SHIFT}: not computed: too few baseline values"}
    if not missing.any():
        return {
            **row,
            "method": (
                f"{SINGLE_SHIFT}: not applicable: everyone enrolled with a baseline has a value "
                f"at {visit}, so nothing is imputed"
            ),
        }
    at_zero_shift = np.where(missing, 0.0, follow - base)
    zero = wilcoxon_signed_rank(at_zero_shift, method=method, correction=True, zero_method="pratt")
    if improvement_sign(direction) * zero["rank_biserial"] < 0:
        # The search for a worsening shift that removes significance only makes sense for an
        # improvement.
        return {
            **row,
            "p_at_zero_shift": zero["p_value"],
            "method": (
                f"{SINGLE_SHIFT}: not computed: the observed change is a worsening, "
                "not an improvement"
            ),
        }
    result = tipping_point_delta(
        base,
        follow,
        missing,
        direction,
        alpha=alpha,
        test=test,
        max_delta=options["max_shift_sd"] * sd,
        step=sd / 20,
    )
    finite = np.isfinite(result["delta"])
    row.update(
        {
            "p_at_zero_shift": result["p_at_zero"],
            "delta_units": result["delta"],
            "delta_baseline_sd": result["delta"] / sd if finite else result["delta"],
            "p_at_delta": result["p_at_delta"],
            "method": f"{SINGLE_SHIFT}: {result['method']}; {pratt_note}",
        }
    )
    return row


def nice_step(value: float) -> float:
    """``value`` rounded down to 1, 2 or 5 times a power of ten (0.19 -> 0.1, 2.7 -> 2, 64 -> 50).

    Parameters
    ----------
    value : float
        Positive.

    Returns
    -------
    float
        The decimal number, as the nearest float (5e-2, not 5 x 0.01).

    Examples
    --------
    >>> nice_step(0.19), nice_step(2.7), nice_step(64), nice_step(0.05)
    (0.1, 2.0, 50.0, 0.05)
    """
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"a grid step must be positive and finite, got {value}")
    exponent = math.floor(math.log10(value))
    mantissa = value / 10.0**exponent
    if mantissa >= 10 * (1 - 1e-12):  # log10 rounded down across a power of ten
        exponent, mantissa = exponent + 1, 1.0
    leading = max(c for c in (1, 2, 5) if c <= mantissa * (1 + 1e-12))
    return float(f"{leading}e{exponent}")


def delta_grid(outcome: str, sd: float, options: dict[str, Any]) -> tuple[np.ndarray, float, str]:
    """One outcome's delta values (in its units, "points"), the step, and where they come from.

    Explicit ``options["delta_grid"][outcome]`` = {step, max} in points; otherwise step =
    ``nice_step(delta_step_sd x sd)`` up to max = max_shift_sd x sd. Either way the grid is
    k x step, k = 0, 1, ..., up to the first multiple at or above max.

    Parameters
    ----------
    outcome : str
        Outcome key.
    sd : float
        Baseline SD (the default rule needs it finite and positive).
    options : dict
        The tipping-point settings (defaults filled in).

    Returns
    -------
    deltas : numpy.ndarray
        0, step, 2 step, ... up to the first multiple at or above max.
    step : float
        The grid step, in outcome units.
    description : str
        Where the grid comes from, for the method text.

    Examples
    --------
    Baseline SD 2.3: step 0.1 SD = 0.23, rounded down to 0.2; max 3 SD = 6.9, reached at 7.

    >>> options = {"delta_step_sd": 0.1, "max_shift_sd": 3, "delta_grid": {}}
    >>> deltas, step, text = delta_grid("score", 2.3, options)
    >>> step, len(deltas), round(float(deltas[-1]), 4)
    (0.2, 36, 7.0)
    >>> options["delta_grid"] = {"score": {"step": 0.5, "max": 2}}
    >>> deltas, step, text = delta_grid("score", 2.3, options)
    >>> deltas.tolist()
    [0.0, 0.5, 1.0, 1.5, 2.0]
    >>> text
    'delta grid from the config: 0 to 2 in steps of 0.5 (outcome units)'
    """
    explicit = (options.get("delta_grid") or {}).get(outcome)
    if explicit:
        step, top = float(explicit["step"]), float(explicit["max"])
        text = f"delta grid from the config: 0 to {top:g} in steps of {step:g} (outcome units)"
    else:
        if not (np.isfinite(sd) and sd > 0):
            raise ValueError(
                "the baseline SD is 0 or unknown: give a delta grid in points (delta_grid)"
            )
        step = nice_step(options["delta_step_sd"] * sd)
        top = options["max_shift_sd"] * sd
        text = (
            f"default delta grid: step = {options['delta_step_sd']:g} baseline SD ({sd:.4g}) "
            f"rounded down to 1, 2 or 5 x a power of ten = {step:g} outcome units, up to "
            f"{options['max_shift_sd']:g} baseline SD ({top:.4g})"
        )
    count = math.ceil(top / step - 1e-9)
    return np.arange(count + 1) * step, step, text


@dataclass(frozen=True)
class MultipleImputation:
    """The delta-adjusted multiple imputation of one outcome.

    ``tipping_point_mi`` returns one (see its example).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per delta (table tipping_point_mi).
    imputations : pandas.DataFrame
        participant_id, imputation, baseline, follow_up, imputed: imputation 0 is the observed
        data (follow_up NaN where missing); imputations 1..m list the imputed values at delta = 0.
    summary : dict
        mi_* columns for the tipping_point table.
    """

    table: pd.DataFrame
    imputations: pd.DataFrame
    summary: dict[str, Any]


def _imputation_frame(ids, base, follow, completed=None, missing=None) -> pd.DataFrame:
    frames = [
        pd.DataFrame(
            {
                "participant_id": ids,
                "imputation": 0,
                "baseline": base,
                "follow_up": follow,
                "imputed": False,
            }
        )
    ]
    if completed is not None:
        for j, values in enumerate(completed, start=1):
            frames.append(
                pd.DataFrame(
                    {
                        "participant_id": ids[missing],
                        "imputation": j,
                        "baseline": base[missing],
                        "follow_up": values[missing],
                        "imputed": True,
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def tipping_point_mi(
    wide: pd.DataFrame,
    people: Participants,
    direction: str,
    baseline: str,
    outcome: str,
    settings: dict[str, Any],
) -> MultipleImputation:
    """Delta-adjusted multiple imputation of the missing values at the tipping-point visit.

    Everyone enrolled with a baseline is analysed. The missing values at the visit are imputed
    m times by ``stats.imputation.impute_by_pattern`` (normal linear regression on baseline and
    the earlier visits each participant has, proper draws, numpy default_rng(seed)); for each
    delta of the grid the imputed values (only they) are shifted by delta towards worsening and
    the mean change is pooled by Rubin's rules with Barnard-Rubin degrees of freedom. The same
    draws serve every delta, so the pooled estimate moves linearly in delta.

    Parameters
    ----------
    wide : pandas.DataFrame
        participant x visit values of one outcome, visits in order.
    people : Participants
        Analysis sets.
    direction : str
        The outcome's direction of improvement.
    baseline : str
        The baseline visit.
    outcome : str
        Outcome key (for an explicit delta grid).
    settings : dict
        alpha, confidence and tipping_point (visit, imputations, seed, delta grid settings).

    Returns
    -------
    MultipleImputation
        ``table``: one row per delta with the pooled change (estimate, se, df, t, ci_low,
        ci_high, p_value), the same as improvement, the Rubin quantities, significant and tips
        (true at the first delta where significance is lost); ``imputations``; ``summary``.
        When nothing can be imputed (fewer than 2 participants, nobody missing, too few
        observed values) ``table`` has one row saying why.

    Examples
    --------
    The data of ``tipping_point``'s example with m = 5 imputations and a grid of 0 to 8 points
    in steps of 2. Two of ten values are imputed, so each point of delta lowers the pooled mean
    change by 2/10; p9 (who has v1) and p10 (who does not) get different models:

    >>> import pandas as pd
    >>> ids = pd.Index([f"p{i}" for i in range(1, 11)], name="participant_id")
    >>> people = Participants(pd.DataFrame({"set_enrolled": [True] * 10}, index=ids))
    >>> wide = pd.DataFrame(
    ...     {
    ...         "v0": [10.0, 12.0, 9.0, 14.0, 11.0, 13.0, 8.0, 15.0, 10.0, 12.0],
    ...         "v1": [11.0, 14.0, 9.0, 16.0, 12.0, 15.0, 9.0, 17.0, 11.0, None],
    ...         "v2": [12.0, 15.0, 11.0, 18.0, 14.0, 17.0, 9.0, 20.0, None, None],
    ...     },
    ...     index=ids,
    ... )
    >>> options = {"visit": "v2", "imputations": 5, "seed": 1}
    >>> options["delta_grid"] = {"score": {"step": 2, "max": 8}}
    >>> settings = {"alpha": 0.05, "confidence": 0.95, "tipping_point": options}
    >>> mi = tipping_point_mi(wide, people, "higher_is_better", "v0", "score", settings)
    >>> columns = ["delta", "estimate", "ci_low", "ci_high", "p_value", "tips"]
    >>> print(mi.table[columns].round(4).to_string())
       delta  estimate  ci_low  ci_high  p_value   tips
    0    0.0    2.9337  2.0439   3.8235   0.0001  False
    1    2.0    2.5337  1.3904   3.6770   0.0011  False
    2    4.0    2.1337  0.5223   3.7451   0.0162  False
    3    6.0    1.7337 -0.4251   3.8925   0.1003   True
    4    8.0    1.3337 -1.4046   4.0719   0.2908  False
    >>> mi.summary["mi_result"]
    'tips at delta = 6 (2.7 baseline SD; p = 0.1); grid step 2'
    >>> method = mi.summary["mi_method"]
    >>> "[baseline + v1: 1 imputed, fitted on 8; baseline: 1 imputed, fitted on 8]" in method
    True
    >>> mi.imputations.groupby("imputation").size().tolist()  # 0: the observed data
    [10, 2, 2, 2, 2, 2]
    """
    options = {**TIPPING_POINT_DEFAULTS, **settings["tipping_point"]}
    visit, m, seed = options["visit"], int(options["imputations"]), int(options["seed"])
    alpha, confidence = settings["alpha"], settings["confidence"]
    visits = list(wide.columns)
    earlier_visits = visits[visits.index(baseline) + 1 : visits.index(visit)]
    data = _analysis_set(wide, people, baseline)
    ids = data.index.to_numpy()
    base = data[baseline].to_numpy(dtype=float)
    follow = data[visit].to_numpy(dtype=float)
    missing = np.isnan(follow)
    n, n_missing = int(base.size), int(missing.sum())
    sd = _baseline_sd(base)
    sign = improvement_sign(direction)
    worsening = -sign
    common = {
        "visit": visit,
        "analysis_set": MI_SET,
        "analysis_set_definition": (
            f"{MULTIPLE_IMPUTATION}: everyone enrolled with a baseline; missing values at {visit} "
            "multiply imputed, then shifted towards worsening by delta"
        ),
    }
    summary = {"mi_analysis": MULTIPLE_IMPUTATION, "mi_m": m, "mi_n_imputed": n_missing}

    def not_computed(reason: str) -> MultipleImputation:
        text = f"{MULTIPLE_IMPUTATION}: not computed: {reason}"
        row = {**common, "n": n, "n_imputed": n_missing, "m": m, "method": text}
        frame = _imputation_frame(ids, base, follow)
        return MultipleImputation(pd.DataFrame([row]), frame, {**summary, "mi_result": text})

    if n < 2:
        return not_computed(f"fewer than 2 enrolled participants with a baseline (n = {n})")
    if not missing.any():
        # Nothing to impute: the complete-case mean change and its one-sample t-test.
        change = follow - base
        test = stats.ttest_1samp(change, 0.0)
        interval = test.confidence_interval(confidence)
        result = {
            "se": float(stats.sem(change)),
            "t": float(test.statistic),
            "p_value": float(test.pvalue),
            "ci_low": float(interval.low),
            "ci_high": float(interval.high),
        }
        text = (
            f"{MULTIPLE_IMPUTATION}: not applicable: nobody is missing at {visit}, so nothing is "
            "imputed and delta changes nothing; complete-case mean change "
            f"({visit} - baseline) over all n = {n}, one-sample t-test (scipy.stats.ttest_1samp) "
            f"with df = n - 1 = {n - 1}, t-based {confidence:.0%} CI"
        )
        row = {
            **common,
            "delta": 0.0,
            "delta_baseline_sd": 0.0,
            "m": 0,
            "n": n,
            "n_imputed": 0,
            "estimate": float(change.mean()),
            "se": result["se"],
            "df": float(n - 1),
            "t": result["t"],
            "ci_low": result["ci_low"],
            "ci_high": result["ci_high"],
            "p_value": result["p_value"],
        }
        row.update(_improvement(sign, row))
        row.update({"ubar": result["se"] ** 2, "b": 0.0, "riv": 0.0, "lambda": 0.0, "fmi": 0.0})
        row.update({"significant": bool(result["p_value"] < alpha), "tips": False, "method": text})
        summary.update(
            {
                "mi_p_at_zero": result["p_value"],
                "mi_delta_units": math.nan,
                "mi_delta_baseline_sd": math.nan,
                "mi_result": f"not applicable: nobody is missing at {visit}",
            }
        )
        frame = _imputation_frame(ids, base, follow)
        return MultipleImputation(pd.DataFrame([row]), frame, summary)
    try:
        deltas, step, grid_text = delta_grid(outcome, sd, options)
        rng = np.random.default_rng(seed)
        earlier = data[earlier_visits].to_numpy(dtype=float).reshape(n, len(earlier_visits))
        drawn = impute_by_pattern(base, earlier, follow, m, rng, earlier_names=earlier_visits)
    except ValueError as error:
        return not_computed(str(error))
    fallback = " (fallback: too few participants or collinear predictors for the pattern's model)"
    models = "; ".join(
        f"{' + '.join(model['predictors']) or 'intercept only'}: {model['n_missing']} imputed, "
        f"fitted on {model['n_fitted']}" + (fallback if model["fallback"] else "")
        for model in drawn["models"]
    )
    shift = "minus delta (higher is better)" if worsening < 0 else "plus delta (lower is better)"
    text = (
        f"{MULTIPLE_IMPUTATION}: everyone enrolled with a baseline (n = {n}); the {n_missing} "
        f"missing values at {visit} imputed m = {m} times by proper draws from a normal linear "
        "regression on baseline and the earlier visits present, one model per pattern of earlier "
        f"visits [{models}], fitted on those observed at {visit} (mice's norm method, Rubin 1987: "
        "sigma*^2 = RSS / chi-square(n - p), beta* ~ N(beta_hat, sigma*^2 (X'X)^-1)); "
        f"numpy default_rng({seed}); imputed values neither rounded nor clipped to the scale; "
        f"{shift} added to the imputed values only, the same draws at every delta; each completed "
        f"set analysed as the mean change ({visit} - baseline) over all n, variance s^2/n; pooled "
        "by Rubin's rules, Barnard-Rubin (1999) df with dfcom = n - 1 (as R mice::pool); t-based "
        f"{confidence:.0%} CI, two-sided p; significant: p < {alpha:g}; {grid_text}"
    )
    completed = drawn["values"]
    pooled = delta_adjusted_mean_change(base, completed, missing, deltas, worsening, confidence)
    rows = []
    for result in pooled:
        row = {
            **common,
            "delta": result["delta"],
            "delta_baseline_sd": result["delta"] / sd if sd > 0 else math.nan,
            "m": m,
            "n": n,
            "n_imputed": n_missing,
            **{key: result[key] for key in INFERENCE_COLUMNS},
        }
        row.update(_improvement(sign, row))
        row.update({key: result[key] for key in ("ubar", "b", "riv", "lambda", "fmi")})
        row["significant"] = bool(result["p_value"] < alpha)
        row["tips"] = False
        row["method"] = text
        rows.append(row)
    table = pd.DataFrame(rows)
    first = table.iloc[0]
    summary["mi_p_at_zero"] = first["p_value"]
    summary["mi_grid_step"] = step
    summary["mi_delta_units"] = math.nan
    summary["mi_delta_baseline_sd"] = math.nan
    if not first["significant"]:
        summary["mi_result"] = (
            f"not significant at delta = 0 (p = {first['p_value']:.3g}): no tipping point"
        )
    elif first["improvement_estimate"] < 0:
        summary["mi_result"] = "not computed: the pooled change at delta = 0 is a worsening"
    else:
        lost = np.flatnonzero(~table["significant"].to_numpy())
        if lost.size:
            at = table.index[lost[0]]
            table.loc[at, "tips"] = True
            delta, in_sd = table.loc[at, "delta"], table.loc[at, "delta_baseline_sd"]
            summary.update(mi_delta_units=delta, mi_delta_baseline_sd=in_sd)
            summary["mi_result"] = (
                f"tips at delta = {delta:g} ({in_sd:.3g} baseline SD; "
                f"p = {table.loc[at, 'p_value']:.3g}); grid step {step:g}"
            )
        else:
            top = table.iloc[-1]
            summary.update(mi_delta_units=math.inf, mi_delta_baseline_sd=math.inf)
            summary["mi_result"] = (
                f"never within the grid: still significant at delta = {top['delta']:g} "
                f"({top['delta_baseline_sd']:.3g} baseline SD)"
            )
    summary["mi_method"] = text
    frame = _imputation_frame(ids, base, follow, completed, missing)
    return MultipleImputation(table, frame, summary)


def _improvement(sign: float, row: dict[str, Any]) -> dict[str, float]:
    """The change as improvement (sign-flipped when lower is better), with its interval."""
    low, high = sign * row["ci_low"], sign * row["ci_high"]
    return {
        "improvement_estimate": sign * row["estimate"],
        "improvement_ci_low": min(low, high),
        "improvement_ci_high": max(low, high),
    }


def regression_to_mean(
    wide: pd.DataFrame,
    people: Participants,
    direction: str,
    outcome: str,
    baseline: str,
    settings: dict[str, Any],
) -> pd.DataFrame:
    """The change expected from regression to the mean alone, where a reliability is configured.

    Parameters
    ----------
    wide : pandas.DataFrame
        participant x visit values of one outcome.
    people : Participants
        The participant table (set enrolled).
    direction : str
        The outcome's direction of improvement.
    outcome : str
        Outcome key, looked up in ``settings["regression_to_mean"]``.
    baseline : str
        The baseline visit.
    settings : dict
        regression_to_mean: per outcome, reliability, reference_mean and source.

    Returns
    -------
    pandas.DataFrame
        One row: visit, analysis_set, n, baseline_mean, baseline_sd and, when configured,
        reliability, reference_mean, expected_change
        (``stats.attrition.regression_to_mean_expected_change``), expected_improvement, source;
        method.

    Examples
    --------
    Baseline mean 11.4 against a reference mean of 20 with reliability 0.8: by hand
    (1 - 0.8) x (20 - 11.4) = 1.72 points expected without any effect.

    >>> import pandas as pd
    >>> ids = pd.Index([f"p{i}" for i in range(1, 11)], name="participant_id")
    >>> people = Participants(pd.DataFrame({"set_enrolled": [True] * 10}, index=ids))
    >>> wide = pd.DataFrame(
    ...     {
    ...         "v0": [10.0, 12.0, 9.0, 14.0, 11.0, 13.0, 8.0, 15.0, 10.0, 12.0],
    ...         "v1": [11.0, 14.0, 9.0, 16.0, 12.0, 15.0, 9.0, 17.0, 11.0, None],
    ...         "v2": [12.0, 15.0, 11.0, 18.0, 14.0, 17.0, 9.0, 20.0, None, None],
    ...     },
    ...     index=ids,
    ... )
    >>> spec = {"reliability": 0.8, "reference_mean": 20.0, "source": "a test-retest study"}
    >>> settings = {"regression_to_mean": {"score": spec}}
    >>> row = regression_to_mean(wide, people, "higher_is_better", "score", "v0", settings)
    >>> print(row[["n", "baseline_mean", "expected_change", "expected_improvement"]].to_string())
        n  baseline_mean  expected_change  expected_improvement
    0  10           11.4             1.72                  1.72
    """
    values = wide.loc[wide.index.isin(people.members("enrolled")), baseline].dropna()
    row = {
        "visit": baseline,
        "analysis_set": "enrolled",
        "n": int(values.size),
        "baseline_mean": float(values.mean()) if values.size else math.nan,
        "baseline_sd": float(values.std(ddof=1)) if values.size > 1 else math.nan,
    }
    spec = settings["regression_to_mean"].get(outcome)
    if spec is None or not values.size:
        row["method"] = (
            "baseline SD only: no test-retest reliability configured (analysis/regression_to_mean)"
        )
        return pd.DataFrame([row])
    change = regression_to_mean_expected_change(
        row["baseline_mean"], spec["reference_mean"], spec["reliability"]
    )
    row.update(
        {
            "reliability": spec["reliability"],
            "reference_mean": spec["reference_mean"],
            "expected_change": change,
            "expected_improvement": improvement_sign(direction) * change,
            "source": spec["source"],
            "method": "expected change from regression to the mean alone = "
            "(1 - reliability) x (reference mean - baseline mean)",
        }
    )
    return pd.DataFrame([row])
