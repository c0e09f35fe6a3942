"""Per-trial summaries of simulated trials, and their aggregation against the observed trial."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .model import Model, Trials, one_blas_thread, simulate_batches
from .stats_vectorised import responder_counts, responder_status, wilcoxon_rows

RESPONDER_SETS = ("completers", "reached_first_follow_up_locf", "enrolled_worst_case")
SET_LABELS = {
    "completers": "completers",
    "reached_first_follow_up_locf": "reached the first follow-up, last observation carried forward",
    "enrolled_worst_case": "all enrolled, stopped = non-responder",
}


def improvements(trials: Trials, model: Model, outcome: str, visit: int) -> np.ndarray:
    """sign x (value at `visit` - baseline) per participant (trials, n); on a step grid, rounded to
    it."""
    k = model.index[outcome]
    raw = model.sign[k] * (trials.values[:, :, visit, k] - trials.values[:, :, 0, k])
    step = model.step[k]
    return np.rint(raw / step) * step if step > 0 else raw


def completer_differences(trials: Trials, model: Model, outcome: str) -> np.ndarray:
    """Improvements of completers at the final visit, NaN for everyone else: the pipeline's
    completers set."""
    analysis = model.analysis
    visit = model.visits.index(analysis["final_visit"])
    completers = trials.attended[:, :, model.visits.index(analysis["completer_visit"])]
    d = improvements(trials, model, outcome, visit)
    return np.where(completers, d, np.nan)


def all_completer_differences(trials: Trials, model: Model) -> np.ndarray:
    """completer_differences of every outcome at once: (outcomes, trials, n), each outcome
    contiguous."""
    analysis = model.analysis
    visit = model.visits.index(analysis["final_visit"])
    completers = trials.attended[:, :, model.visits.index(analysis["completer_visit"])]
    raw = (trials.values[:, :, visit, :] - trials.values[:, :, 0, :]).transpose(
        2, 0, 1
    ) * model.sign[:, None, None]
    raw = np.ascontiguousarray(raw)
    for k, step in enumerate(model.step):
        if step > 0:
            raw[k] = np.rint(raw[k] / step) * step
    raw[:, ~completers] = np.nan
    return raw


def trial_summaries(trials: Trials, model: Model) -> pd.DataFrame:
    """One row per trial: numbers attending each visit, responders under each denominator, and for
    each Wilcoxon outcome the completers' p and mean improvement at the final visit."""
    analysis = model.analysis
    columns: dict[str, Any] = {"n_enrolled": np.full(trials.values.shape[0], model.n_enrolled)}
    for v, visit in enumerate(model.visits[1:], start=1):
        columns[f"n_attended_{visit}"] = trials.attended[:, :, v].sum(axis=1)
    rule = analysis["responders"]
    observed, locf = responder_status(
        trials.values, model.sign, model.index, rule, model.visits.index(rule["visit"])
    )
    counts = responder_counts(
        observed,
        locf,
        trials.attended[:, :, model.visits.index(analysis["completer_visit"])],
        trials.attended[:, :, 1],
    )
    for name in RESPONDER_SETS:
        k, n = counts[name]
        columns[f"responders__{name}"] = k.astype(int)
        columns[f"n__{name}"] = n.astype(int)
        with np.errstate(invalid="ignore", divide="ignore"):
            columns[f"proportion__{name}"] = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    significant = np.zeros(trials.values.shape[0], dtype=int)
    differences = all_completer_differences(trials, model)
    for outcome in analysis["wilcoxon_outcomes"]:
        d = differences[model.index[outcome]]
        step = float(model.step[model.index[outcome]])
        test = wilcoxon_rows(d, analysis["wilcoxon_method"], step=step if step > 0 else None)
        columns[f"p_value__{outcome}"] = test["p_value"]
        columns[f"mean_improvement__{outcome}"] = _row_means(d)
        significant += np.nan_to_num(test["p_value"], nan=1.0) < analysis["alpha"]
    columns["n_significant"] = significant
    return pd.DataFrame(columns)


def _row_means(d: np.ndarray) -> np.ndarray:
    """Mean of the non-missing values of each row; NaN for a row with none."""
    present = ~np.isnan(d)
    n = present.sum(axis=1)
    return np.where(n > 0, np.where(present, d, 0.0).sum(axis=1) / np.maximum(n, 1), np.nan)


def run_shard(model: Model, trials: int, rng: np.random.Generator) -> pd.DataFrame:
    """Simulate `trials` trials (in fixed-size batches) and summarise each."""
    with one_blas_thread():
        frames = [trial_summaries(batch, model) for batch in simulate_batches(model, trials, rng)]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    frame.insert(0, "trial", np.arange(len(frame)))
    return frame


# --- the observed trial ------------------------------------------------------------------------


def observed_results(
    responders: pd.DataFrame,
    paired: pd.DataFrame,
    outcomes: list[str],
    final_visit: str,
    alpha: float,
) -> dict[str, Any]:
    """This run's responder proportions and completers' Wilcoxon p and mean improvement at the final
    visit."""
    result: dict[str, Any] = {"proportion": {}, "n": {}, "p_value": {}, "mean_improvement": {}}
    for row in responders.itertuples():
        result["proportion"][row.analysis_set] = (
            float(row.proportion) if str(row.proportion) != "" else math.nan
        )
        result["n"][row.analysis_set] = float(row.n)
    rows = paired[
        (paired["analysis_set"] == "completers")
        & (paired["test"] == "wilcoxon_signed_rank")
        & (paired["visit"] == final_visit)
    ]
    for row in rows.itertuples():
        if row.outcome in outcomes:
            result["p_value"][row.outcome] = _number(row.p_value)
            result["mean_improvement"][row.outcome] = _number(row.mean_improvement)
    ps = [result["p_value"].get(o, math.nan) for o in outcomes]
    result["n_significant"] = (
        float(sum(p < alpha for p in ps)) if all(np.isfinite(ps)) and ps else math.nan
    )
    return result


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


# --- aggregation -------------------------------------------------------------------------------


def _share_at_least(values: np.ndarray, observed: float) -> float:
    if not np.isfinite(observed) or values.size == 0:
        return math.nan
    return float(np.mean(values >= observed - 1e-12))


def _share_at_most(values: np.ndarray, observed: float) -> float:
    if not np.isfinite(observed) or values.size == 0:
        return math.nan
    return float(np.mean(values <= observed + 1e-12))


def _distribution_row(values: np.ndarray, quantiles: list[float]) -> dict[str, float]:
    values = values[np.isfinite(values)]
    row = {
        "n_trials": int(values.size),
        "mean": float(values.mean()) if values.size else math.nan,
        "sd": float(values.std(ddof=1)) if values.size > 1 else math.nan,
    }
    for q in quantiles:
        row[quantile_column(q)] = float(np.quantile(values, q)) if values.size else math.nan
    return row


def quantile_column(q: float) -> str:
    return f"q{100 * q:g}".replace(".", "_")


def summary_table(
    shards: dict[str, pd.DataFrame],
    models: dict[str, Model],
    observed: dict[str, Any],
    settings: dict[str, Any],
) -> pd.DataFrame:
    """Per scenario: distribution of the apparent responder proportion and its denominator under
    each denominator, and of the number of significant Wilcoxon outcomes, with where the observed
    trial falls."""
    quantiles = settings["quantiles"]
    rows = []
    for scenario, trials in shards.items():
        model = models[scenario]
        common = {
            "scenario": scenario,
            "scenario_description": model.description,
            "true_effect": model.true_effect,
        }
        for name in RESPONDER_SETS:
            proportion = trials[f"proportion__{name}"].to_numpy(dtype=float)
            value = observed["proportion"].get(name, math.nan)
            rows.append(
                {
                    **common,
                    "measure": "responder_proportion",
                    "analysis_set": name,
                    **_distribution_row(proportion, quantiles),
                    "observed": value,
                    "simulation_p_value": _share_at_least(
                        proportion[np.isfinite(proportion)], value
                    ),
                    "comparison": "share of simulated trials with a responder proportion >= the "
                    "observed one",
                }
            )
        for name in RESPONDER_SETS:
            n = trials[f"n__{name}"].to_numpy(dtype=float)
            rows.append(
                {
                    **common,
                    "measure": "responder_denominator",
                    "analysis_set": name,
                    **_distribution_row(n, quantiles),
                    "observed": observed["n"].get(name, math.nan),
                    "simulation_p_value": math.nan,
                    "comparison": "not a test: how many the simulated denominator holds (the "
                    "pipeline's completers also need every completion outcome present, "
                    "which the simulator does not model)",
                }
            )
        count = trials["n_significant"].to_numpy(dtype=float)
        value = observed["n_significant"]
        rows.append(
            {
                **common,
                "measure": "wilcoxon_significant_outcomes",
                "analysis_set": "completers",
                **_distribution_row(count, quantiles),
                "observed": value,
                "simulation_p_value": _share_at_least(count, value),
                "comparison": "share of simulated trials with at least as many of the "
                f"{len(settings['outcomes'])} outcomes significant (completers, "
                f"{settings['final_visit']} vs baseline, p < {settings['alpha']:g})",
            }
        )
    frame = pd.DataFrame(rows)
    frame["method"] = (
        "simulated single-arm trials (see simulation_parameters); statistics as the pipeline "
        "computes them; simulation p-value = share of simulated trials at least as extreme as "
        "the observed value (0 means fewer than 1 in n_trials)"
    )
    return frame


def false_positive_table(
    shards: dict[str, pd.DataFrame],
    models: dict[str, Model],
    observed: dict[str, Any],
    settings: dict[str, Any],
) -> pd.DataFrame:
    """Per scenario and Wilcoxon outcome: share of trials with completers' p < alpha at the final
    visit, with a Wilson CI; plus an `any` row (at least one outcome significant)."""
    # Imported here, not at the top: shard jobs import this module too and have no use for
    # scipy.stats.
    from ..stats.proportions import wilson_ci

    alpha, confidence = settings["alpha"], settings["confidence"]
    rows = []
    for scenario, trials in shards.items():
        model = models[scenario]
        labels = dict(zip(model.outcomes, model.labels))
        for outcome in [*settings["outcomes"], "any"]:
            if outcome == "any":
                p = np.where(trials["n_significant"].to_numpy() > 0, 0.0, 1.0)
                improving = np.zeros(len(trials), dtype=bool)
                for o in settings["outcomes"]:
                    improving |= (trials[f"p_value__{o}"].to_numpy(dtype=float) < alpha) & (
                        trials[f"mean_improvement__{o}"].to_numpy(dtype=float) > 0
                    )
                observed_p = math.nan
                label, mean_change, observed_change = (
                    "any of the outcomes (family-wise)",
                    math.nan,
                    math.nan,
                )
            else:
                p = trials[f"p_value__{outcome}"].to_numpy(dtype=float)
                change = trials[f"mean_improvement__{outcome}"].to_numpy(dtype=float)
                improving = (p < alpha) & (change > 0)
                observed_p = observed["p_value"].get(outcome, math.nan)
                label = labels.get(outcome, outcome)
                mean_change = float(np.nanmean(change)) if np.isfinite(change).any() else math.nan
                observed_change = observed["mean_improvement"].get(outcome, math.nan)
            valid = np.isfinite(p)
            n, k = int(valid.sum()), int((p[valid] < alpha).sum())
            low, high = wilson_ci(k, n, confidence) if n else (math.nan, math.nan)
            rows.append(
                {
                    "scenario": scenario,
                    "true_effect": model.true_effect,
                    "outcome": outcome,
                    "label": label,
                    "visit": settings["final_visit"],
                    "analysis_set": "completers",
                    "alpha": alpha,
                    "n_trials": n,
                    "n_significant": k,
                    "rate_significant": k / n if n else math.nan,
                    "ci_low": low,
                    "ci_high": high,
                    "rate_significant_improving": float(improving[valid].mean()) if n else math.nan,
                    "mean_improvement_simulated": mean_change,
                    "observed_mean_improvement": observed_change,
                    "observed_p_value": observed_p,
                    "simulation_p_value": _share_at_most(p[valid], observed_p),
                    "method": (
                        "share of simulated trials with completers' Wilcoxon signed-rank p < "
                        f"{alpha:g} ({settings['final_visit']} vs baseline; normal "
                        "approximation, tie and continuity corrected, zeros dropped), "
                        f"{100 * confidence:g}% Wilson interval; a false-positive rate when the "
                        "true effect is 0, power otherwise; simulation p-value = share of "
                        "simulated p <= observed p"
                    ),
                }
            )
    return pd.DataFrame(rows)


def distribution_table(shards: dict[str, pd.DataFrame], bins: int) -> pd.DataFrame:
    """Histogram of the apparent responder proportion per scenario and denominator (bins over
    0-1)."""
    edges = np.linspace(0, 1, bins + 1)
    rows = []
    for scenario, trials in shards.items():
        for name in RESPONDER_SETS:
            values = trials[f"proportion__{name}"].to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            counts, _ = np.histogram(values, bins=edges)
            for low, high, count in zip(edges[:-1], edges[1:], counts):
                rows.append(
                    {
                        "scenario": scenario,
                        "analysis_set": name,
                        "bin_low": low,
                        "bin_high": high,
                        "trials": int(count),
                        "share": count / values.size if values.size else math.nan,
                    }
                )
    return pd.DataFrame(rows)


def parameter_table(models: dict[str, Model]) -> pd.DataFrame:
    """Each scenario's model, as simulated: per outcome and per visit, with the calibration
    checks."""
    rows = []

    def add(scenario, parameter, value, outcome="", visit="", note=""):
        rows.append(
            {
                "scenario": scenario,
                "parameter": parameter,
                "outcome": outcome,
                "visit": visit,
                "value": value,
                "note": note,
            }
        )

    for name, m in models.items():
        d = m.diagnostics
        add(name, "description", m.description)
        add(name, "n_enrolled", m.n_enrolled, note="participants enrolled per simulated trial")
        add(
            name,
            "true_effect",
            m.true_effect,
            note="improvement at the last visit in baseline SDs (linear in day)",
        )
        add(
            name,
            "noise_correlation",
            m.noise_correlation,
            note="correlation of measurement noise between outcomes",
        )
        add(
            name,
            "enrol_fraction",
            m.enrol_fraction,
            note="share of screened candidates who meet the entry criterion",
        )
        add(
            name,
            "selection_achieved_enrol_fraction",
            d.get("selection_achieved_enrol_fraction"),
            note="in the calibration sample (severity is discrete, so ties at the threshold are "
            "admitted)",
        )
        add(
            name,
            "selection_threshold",
            m.selection_threshold if m.selection_threshold is not None else "",
            note="mean standardised severity of the selection outcomes needed to enrol",
        )
        add(name, "dropout_mode", m.dropout_mode)
        add(
            name,
            "dropout_slope",
            m.dropout_slope,
            note="log-odds of stopping per baseline SD of improvement (negative direction)",
        )
        add(
            name,
            "dropout_change_at",
            m.dropout_change_at if m.dropout_mode == "informative" else "",
        )
        add(
            name,
            "trait_covariance_eigenvalue_clipped",
            d.get("trait_covariance_eigenvalue_clipped"),
            note="0 unless observed covariance minus noise covariance was not positive "
            "semi-definite",
        )
        for v, visit in enumerate(m.visits[1:], start=1):
            intercept = (
                m.dropout_intercepts[v - 1] if m.dropout_intercepts is not None else -math.inf
            )
            add(
                name,
                "dropout_intercept",
                intercept if np.isfinite(intercept) else "",
                visit=visit,
                note="log-odds of stopping before this visit at no change (calibrated)",
            )
            add(
                name,
                "retention_target",
                d["retention_target"][v - 1],
                visit=visit,
                note="share of enrolled still in",
            )
            add(
                name,
                "retention_expected",
                d["retention_expected"][v - 1],
                visit=visit,
                note="expected share still in under the calibrated model",
            )
        enrolled_mean = d.get("calibration_enrolled_baseline_mean", [math.nan] * len(m.outcomes))
        for k, outcome in enumerate(m.outcomes):
            add(
                name,
                "baseline_mean_target",
                m.scale_mean[k],
                outcome=outcome,
                note="enrolled baseline mean to reproduce",
            )
            add(
                name,
                "baseline_sd",
                m.scale_sd[k],
                outcome=outcome,
                note="enrolled baseline SD (unit of effect and scores)",
            )
            add(
                name,
                "baseline_mean_simulated",
                enrolled_mean[k],
                outcome=outcome,
                note="enrolled in the calibration sample",
            )
            add(
                name,
                "population_mean",
                m.mean[k],
                outcome=outcome,
                note="trait mean of the screened population",
            )
            add(
                name,
                "reliability",
                m.reliability[k],
                outcome=outcome,
                note="test-retest reliability",
            )
    return pd.DataFrame(rows)


def load_shards(paths: Iterable[str], read) -> dict[str, pd.DataFrame]:
    """Shards grouped by their scenario column, in the order first seen."""
    frames: dict[str, list[pd.DataFrame]] = {}
    for path in paths:
        frame = read(path)
        for scenario, part in frame.groupby("scenario", sort=False):
            frames.setdefault(scenario, []).append(part)
    return {name: pd.concat(parts, ignore_index=True) for name, parts in frames.items()}
