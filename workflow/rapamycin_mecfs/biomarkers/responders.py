"""Can the marker tell responders from non-responders? Level and change compared, and ROC AUC."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..stats.association import mann_whitney
from .roc import auc_from_u, bootstrap_auc_ci

ANALYSIS_SET = "responder_evaluable"


def set_definition(response_visit: str) -> str:
    return (
        f"participants whose responder status is observed at {response_visit} (every criterion "
        "evaluable from observed values, no imputation) and who have this marker measure; those "
        f"who stopped before {response_visit} are not in it"
    )


def marker_measures(
    wide: pd.DataFrame, baseline: str, change_visits: list[str]
) -> list[tuple[str, str, str, pd.Series]]:
    """(measure, visit, scale, values): baseline level, then raw change baseline -> each change
    visit."""
    measures = [("baseline_level", baseline, f"marker level at {baseline}", wide[baseline])]
    for visit in change_visits:
        measures.append(
            (
                f"change_{baseline}_{visit}",
                visit,
                f"raw marker change {visit} - {baseline} (no sign flip)",
                wide[visit] - wide[baseline],
            )
        )
    return measures


def _groups(values: pd.Series, status: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    joined = pd.DataFrame({"value": values.reindex(status.index), "status": status}).dropna()
    return (
        joined.loc[joined["status"] == 1.0, "value"].to_numpy(dtype=float),
        joined.loc[joined["status"] == 0.0, "value"].to_numpy(dtype=float),
    )


def _common(
    measure, visit, scale, responders, others, response_visit, rule_text, assumption
) -> dict[str, Any]:
    return {
        "measure": measure,
        "visit": visit,
        "response_visit": response_visit,
        "scale": scale,
        "analysis_set": ANALYSIS_SET,
        "analysis_set_definition": set_definition(response_visit),
        "n_responders": int(responders.size),
        "n_non_responders": int(others.size),
        "responder_rule": rule_text,
        "assumption": assumption,
    }


def responders_compare(
    wide: pd.DataFrame,
    status: pd.Series,
    baseline: str,
    change_visits: list[str],
    response_visit: str,
    rule_text: str,
    assumption: str = "",
) -> pd.DataFrame:
    """Mann-Whitney U of responders vs non-responders on baseline level and on each change.

    ``status``: 1.0 responder, 0.0 non-responder, NaN not evaluable (left out), indexed by
    participant.
    """
    rows = []
    for measure, visit, scale, values in marker_measures(wide, baseline, change_visits):
        responders, others = _groups(values, status)
        row = {
            **_common(
                measure, visit, scale, responders, others, response_visit, rule_text, assumption
            ),
            "test": "mann_whitney_u",
            "group_1": "responders",
            "group_2": "non_responders",
            "median_responders": float(np.median(responders)) if responders.size else math.nan,
            "median_non_responders": float(np.median(others)) if others.size else math.nan,
        }
        if responders.size >= 2 and others.size >= 2:
            test = mann_whitney(responders, others)
            row.update(
                {
                    "U": test["U"],
                    "statistic_name": "U of responders (pairs with the responder higher, ties 1/2)",
                    "p_value": test["p_value"],
                    "rank_biserial": test["rank_biserial"],
                    "effect_size_name": "rank-biserial r = 2U/(n1 n2) - 1 (> 0: responders higher)",
                    "method": test["method"],
                }
            )
        else:
            row.update(
                {
                    "U": math.nan,
                    "p_value": math.nan,
                    "rank_biserial": math.nan,
                    "method": "Mann-Whitney U not computed: fewer than 2 in a group",
                }
            )
        rows.append(row)
    return pd.DataFrame(rows)


def roc_auc(
    wide: pd.DataFrame,
    status: pd.Series,
    baseline: str,
    early_visits: list[str],
    response_visit: str,
    rule_text: str,
    bootstrap: dict[str, int],
    confidence: float,
    assumption: str = "",
) -> pd.DataFrame:
    """ROC AUC of the baseline level and of each early change for predicting response.

    AUC = U / (n1 n2) from the Mann-Whitney U of responders (the positive class) vs
    non-responders: the probability that a responder's value exceeds a non-responder's (ties
    1/2). Higher values score as responder; AUC < 0.5 means lower values go with response.
    CI: percentile bootstrap, stratified, seeded (``roc.bootstrap_auc_ci``).
    """
    rows = []
    for measure, visit, scale, values in marker_measures(wide, baseline, early_visits):
        responders, others = _groups(values, status)
        row = {
            **_common(
                measure, visit, scale, responders, others, response_visit, rule_text, assumption
            ),
            "positive_class": f"responder at {response_visit}",
            "score_direction": "higher value scores as responder (AUC < 0.5: lower values go "
            "with response)",
        }
        if responders.size >= 2 and others.size >= 2:
            u = mann_whitney(responders, others)["U"]
            auc = auc_from_u(u, responders.size, others.size)
            ci = bootstrap_auc_ci(
                responders, others, bootstrap["resamples"], bootstrap["seed"], confidence
            )
            if ci["ci_spans_0_5"]:
                verdict = (
                    "CI includes 0.5: no evidence the marker tells responders from non-responders"
                )
            elif auc > 0.5:
                verdict = "CI excludes 0.5: higher values go with response"
            else:
                verdict = "CI excludes 0.5: lower values go with response"
            row.update(
                {
                    "U": u,
                    "auc": auc,
                    "ci_low": ci["ci_low"],
                    "ci_high": ci["ci_high"],
                    "confidence": ci["confidence"],
                    "ci_spans_0_5": ci["ci_spans_0_5"],
                    "verdict": verdict,
                    "bootstrap_resamples": ci["resamples"],
                    "bootstrap_seed": ci["seed"],
                    "bootstrap_scheme": ci["scheme"],
                    "method": (
                        "ROC AUC = U/(n1 n2) from the Mann-Whitney U of responders vs "
                        f"non-responders (ties count 1/2; n1 = {responders.size}, n2 = "
                        f"{others.size}); {ci['method']}"
                    ),
                }
            )
        else:
            row.update(
                {
                    "U": math.nan,
                    "auc": math.nan,
                    "ci_low": math.nan,
                    "ci_high": math.nan,
                    "confidence": confidence,
                    "ci_spans_0_5": math.nan,
                    "verdict": "not computed: fewer than 2 in a group",
                    "bootstrap_resamples": bootstrap["resamples"],
                    "bootstrap_seed": bootstrap["seed"],
                    "method": "ROC AUC not computed: fewer than 2 in a group",
                }
            )
        rows.append(row)
    return pd.DataFrame(rows)


def roc_curve(
    wide: pd.DataFrame,
    status: pd.Series,
    baseline: str,
    early_visits: list[str],
    response_visit: str,
) -> pd.DataFrame:
    """The vertices of each ROC curve of `roc_auc`: the table its figure draws.

    One row per measure (baseline level, each early change) and vertex, strictest threshold
    first; a measure with an empty group has no rows (and no AUC in `roc_auc`). The vertices are
    ``sklearn.metrics.roc_curve(drop_intermediate=False)`` (scikit-learn comes with pingouin):
    a value >= threshold scores as responder, the first vertex (0, 0) has threshold inf, and
    tied values of both groups move both rates at once, so the area under the vertices by the
    trapezoid rule is the AUC = U / (n1 n2) of `roc_auc` (ties 1/2).

    Parameters
    ----------
    wide : pandas.DataFrame
        participant x visit values of the marker.
    status : pandas.Series
        1.0 responder, 0.0 non-responder, NaN not evaluable, indexed by participant.
    baseline : str
        Baseline visit.
    early_visits : list of str
        Visits whose change from baseline is scored, as in `roc_auc`.
    response_visit : str
        Visit at which response is judged.

    Returns
    -------
    pandas.DataFrame
        measure, visit, response_visit, analysis_set, n_responders, n_non_responders, vertex,
        threshold, fpr, tpr and method.

    Examples
    --------
    >>> wide = pd.DataFrame({"V0": [0.8, 1.0, 0.8, 0.025, 1.5]}, index=list("abcde"))
    >>> status = pd.Series([1.0, 1.0, 0.0, 0.0, 0.0], index=list("abcde"))
    >>> table = roc_curve(wide, status, "V0", [], "V1")
    >>> table[["vertex", "threshold", "fpr", "tpr"]].round(3)
       vertex  threshold    fpr  tpr
    0       0        inf  0.000  0.0
    1       1      1.500  0.333  0.0
    2       2      1.000  0.333  0.5
    3       3      0.800  0.667  1.0
    4       4      0.025  1.000  1.0
    """
    from sklearn import metrics  # here, not at the top: only this table needs it

    frames = []
    for measure, visit, _scale, values in marker_measures(wide, baseline, early_visits):
        responders, others = _groups(values, status)
        if not responders.size or not others.size:
            continue
        labels = np.r_[np.ones(responders.size), np.zeros(others.size)]
        fpr, tpr, threshold = metrics.roc_curve(
            labels, np.r_[responders, others], drop_intermediate=False
        )
        frames.append(
            pd.DataFrame(
                {
                    "measure": measure,
                    "visit": visit,
                    "response_visit": response_visit,
                    "analysis_set": ANALYSIS_SET,
                    "n_responders": int(responders.size),
                    "n_non_responders": int(others.size),
                    "vertex": np.arange(fpr.size),
                    "threshold": threshold,
                    "fpr": fpr,
                    "tpr": tpr,
                    "method": "ROC vertices by sklearn.metrics.roc_curve(drop_intermediate="
                    "False): a value >= threshold scores as responder; the first vertex "
                    "(threshold inf) is (0, 0); tied values of both groups move both rates at "
                    "once",
                }
            )
        )
    columns = ["measure", "visit", "response_visit", "analysis_set", "n_responders"]
    columns += ["n_non_responders", "vertex", "threshold", "fpr", "tpr", "method"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
