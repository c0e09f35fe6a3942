"""The data-generating model of a single-arm trial with no true effect (or a chosen one), and its
calibration.

For participant i, outcome k, visit t (study day d_t, last visit day D):

    observed Y_ikt = grid_k( trait_ik + effect_kt + noise_ikt )

* trait_i ~ MVN(mu, Sigma_trait): the participant's stable level; Sigma_trait = Sigma_obs -
  Sigma_noise.
* noise_it ~ MVN(0, Sigma_noise), independent across visits: Sigma_noise = D R D with
  D_kk = sd_k * sqrt(1 - reliability_k) and R_kl = noise_correlation * sign_k * sign_l (a bad day
  worsens every scale, whichever way it points). So the test-retest correlation of outcome k is its
  configured reliability.
* Sigma_obs: the SDs and correlations of the enrolled's baseline values (or configured ones).
* effect_kt = sign_k * true_effect * sd_k * d_t / D: improvement growing linearly to `true_effect`
  baseline SDs at the last visit (sign_k = +1 when higher is better, -1 when lower is better).
* grid_k: round to the scale's step and clip to its range, as the instrument records it.

The trait is never drawn itself: the latent values (y_i0, ..., y_iT) are jointly normal with
Cov(y_s, y_t) = Sigma_trait + [s = t] Sigma_noise, so the baseline is drawn first (candidates are
screened on it) and all follow-up values given it in one conditional draw.

Selection at entry (regression to the mean): a candidate is enrolled only when the mean standardised
severity of the selection outcomes at the baseline visit, S = mean_k(-sign_k * Y_ik0 / sd_k), is at
least the threshold that admits `enrol_fraction` of screened candidates. With `recentre`, mu is
moved so that the enrolled's expected baseline equals the supplement's (the enrolled were selected;
the population they came from was less severe).

Dropout (monotone; everyone enrolled attends the baseline visit): before follow-up visit t a
participant still in stops with probability expit(a_t - slope * c_it), where c_it is the mean over
the dropout outcomes of the improvement so far in baseline SDs: at visit t itself (`change_at:
current`: they judge by how they feel and do not come; missing not at random) or at the last
recorded visit (`last_observed`: missing at random). slope = 0 is random dropout. The intercepts a_t
are calibrated so that the expected share still in at each visit equals the retention targets (by
default the supplement's 70/86, 56/86, 46/86).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from ..table_types import as_types

# Trials simulated per vectorised batch: small enough for the working set to stay in cache.
BATCH = 200
RECENTRE_ITERATIONS = 8
INTERCEPT_BOUND = 40.0


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run BLAS on one thread: the products here are small (outcomes x visits wide), so threads only
    add overhead, and on a busy machine (Snakemake runs jobs side by side) they thrash."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _psd_factor(cov: np.ndarray) -> tuple[np.ndarray, float]:
    """Lower-triangular A with A A' = cov (Cholesky: unique, so the same draws everywhere).

    A covariance that is not positive definite has its negative eigenvalues set to 0 (plus a tiny
    ridge) first; the second value is the largest eigenvalue magnitude so clipped.
    """
    cov = (cov + cov.T) / 2
    values, vectors = np.linalg.eigh(cov)
    floor = 1e-10 * max(float(values.max()), 1e-300)
    if values.min() > floor:
        return np.linalg.cholesky(cov), 0.0
    clipped = float(max(0.0, -values.min()))
    repaired = (vectors * np.clip(values, 0, None)) @ vectors.T
    repaired = (repaired + repaired.T) / 2 + np.eye(len(cov)) * floor
    return np.linalg.cholesky(repaired), clipped


@dataclass
class Model:
    """A calibrated scenario: arrays over outcomes (K) and visits (V), and the analysis to
    reproduce."""

    scenario: str
    description: str
    outcomes: list[str]
    labels: list[str]
    lo: np.ndarray
    hi: np.ndarray
    step: np.ndarray
    sign: np.ndarray
    scale_mean: np.ndarray  # enrolled baseline mean the model reproduces (supplement or config)
    scale_sd: np.ndarray  # enrolled baseline SD: the unit of effect, selection and dropout scores
    correlation: np.ndarray
    reliability: np.ndarray
    mean: np.ndarray  # population mean of trait (after recentring)
    noise_correlation: float
    visits: list[str]
    days: np.ndarray
    true_effect: float
    n_enrolled: int
    enrol_fraction: float = 1.0
    selection_weights: np.ndarray | None = None
    selection_threshold: float | None = None
    dropout_mode: str = "none"
    dropout_slope: float = 0.0
    dropout_change_at: str = "current"
    dropout_weights: np.ndarray | None = None
    dropout_intercepts: np.ndarray | None = None
    analysis: dict[str, Any] = field(default_factory=dict)
    diagnostics: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        for name in (
            "lo",
            "hi",
            "step",
            "sign",
            "scale_mean",
            "scale_sd",
            "correlation",
            "reliability",
            "mean",
            "days",
        ):
            setattr(self, name, np.asarray(getattr(self, name), dtype=float))
        for name in ("selection_weights", "dropout_weights", "dropout_intercepts"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, np.asarray(value, dtype=float))
        k = len(self.outcomes)
        noise_sd = self.scale_sd * np.sqrt(1 - self.reliability)
        # Correlated in the direction of better/worse: a bad day worsens every scale.
        rho = self.noise_correlation * np.outer(self.sign, self.sign)
        np.fill_diagonal(rho, 1.0)
        self.noise_cov = noise_sd[:, None] * rho * noise_sd[None, :]
        observed_cov = self.scale_sd[:, None] * self.correlation * self.scale_sd[None, :]
        self.trait_factor, clipped = _psd_factor(observed_cov - self.noise_cov)
        self.noise_factor, _ = _psd_factor(self.noise_cov)
        # Drawn without the trait itself: the baseline value first (candidates are screened on it),
        # then all follow-up values given it, from the joint normal of the latent values at every
        # visit, Cov(y_s, y_t) = Sigma_trait + [s = t] Sigma_noise.
        trait_cov = self.trait_factor @ self.trait_factor.T
        total_cov = trait_cov + self.noise_cov
        self.total_factor, _ = _psd_factor(total_cov)
        # Selection outcomes first, so candidates need draws of those alone (Cholesky is
        # triangular).
        chosen = (
            np.flatnonzero(self.selection_weights)
            if self.selection_weights is not None
            else np.array([], int)
        )
        self.screen_order = np.concatenate([chosen, np.setdiff1d(np.arange(k), chosen)]).astype(int)
        self.screened = len(chosen)
        self.screen_factor, _ = _psd_factor(total_cov[np.ix_(self.screen_order, self.screen_order)])
        visits = len(self.days)
        joint = np.kron(np.ones((visits, visits)), trait_cov) + np.kron(
            np.eye(visits), self.noise_cov
        )
        cross = joint[k:, :k]
        self.follow_given_baseline = np.linalg.solve(total_cov, cross.T).T
        self.follow_factor, _ = _psd_factor(joint[k:, k:] - self.follow_given_baseline @ cross.T)
        self.diagnostics.setdefault("trait_covariance_eigenvalue_clipped", clipped)
        self.effect = (
            self.sign[None, :]
            * self.true_effect
            * self.scale_sd[None, :]
            * (self.days / self.days[-1])[:, None]
        )

    @property
    def index(self) -> dict[str, int]:
        return {o: i for i, o in enumerate(self.outcomes)}

    def to_dict(self) -> dict[str, Any]:
        def plain(value):
            if isinstance(value, np.ndarray):
                return (
                    [None if not np.isfinite(v) else float(v) for v in value.ravel()]
                    if value.ndim == 1
                    else value.tolist()
                )
            return value

        keys = (
            "scenario",
            "description",
            "outcomes",
            "labels",
            "lo",
            "hi",
            "step",
            "sign",
            "scale_mean",
            "scale_sd",
            "correlation",
            "reliability",
            "mean",
            "noise_correlation",
            "visits",
            "days",
            "true_effect",
            "n_enrolled",
            "enrol_fraction",
            "selection_weights",
            "selection_threshold",
            "dropout_mode",
            "dropout_slope",
            "dropout_change_at",
            "dropout_weights",
            "dropout_intercepts",
            "analysis",
            "diagnostics",
        )
        return {key: plain(getattr(self, key)) for key in keys}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Model:
        data = dict(data)
        if data.get("dropout_intercepts") is not None:
            data["dropout_intercepts"] = [
                -math.inf if v is None else v for v in data["dropout_intercepts"]
            ]
        return cls(**data)


# --- building a model from settings and the supplement ---------------------------------------


def baseline_from_supplement(
    clean: dict[str, pd.DataFrame], enrolled: list[str], baseline_visit: str
) -> dict[str, Any]:
    """Mean, SD (ddof=1) and pairwise-complete Pearson correlations of the enrolled's baseline
    values."""
    columns = {}
    for outcome, frame in clean.items():
        rows = frame[(frame["visit"] == baseline_visit) & frame["participant_id"].isin(enrolled)]
        values = as_types(rows, "clean")["value"]
        columns[outcome] = pd.Series(
            values.to_numpy(dtype=float), index=rows["participant_id"].to_numpy()
        )
    wide = pd.DataFrame(columns)
    correlation = wide.corr(min_periods=3).fillna(0.0).to_numpy().copy()
    np.fill_diagonal(correlation, 1.0)
    return {
        "mean": wide.mean().to_numpy(dtype=float),
        "sd": wide.std(ddof=1).to_numpy(dtype=float),
        "correlation": correlation,
        "n": wide.notna().sum().to_numpy(dtype=int),
    }


def baseline_from_config(section: dict[str, Any], outcomes: list[str]) -> dict[str, Any]:
    k = len(outcomes)
    correlation = np.full((k, k), float(section["correlation"]))
    np.fill_diagonal(correlation, 1.0)
    return {
        "mean": np.array([float(section["outcomes"][o]["mean"]) for o in outcomes]),
        "sd": np.array([float(section["outcomes"][o]["sd"]) for o in outcomes]),
        "correlation": correlation,
        "n": np.zeros(k, dtype=int),
    }


def retention_from_participants(people: pd.DataFrame, visits: list[str]) -> tuple[int, list[float]]:
    """Number enrolled and, per follow-up visit, the share of them with data there (never
    increasing)."""
    people = as_types(people, "participants")
    truth = lambda column: people[column].astype(bool)  # noqa: E731
    enrolled = people[truth("set_enrolled")] if "set_enrolled" in people else people
    n = len(enrolled)
    shares = [
        float(truth(f"has_data_{v}").loc[enrolled.index].mean()) if n else 0.0 for v in visits[1:]
    ]
    return n, list(np.minimum.accumulate(shares))


def build_model(settings: dict[str, Any], baseline: dict[str, Any], n_enrolled: int) -> Model:
    """An uncalibrated model (mean = the target baseline mean; no selection threshold, no
    intercepts)."""
    scenario = settings["scenario"]
    outcomes = list(settings["outcomes"])
    defs = settings["outcomes"]
    sign = np.array([1.0 if defs[o]["direction"] == "higher_is_better" else -1.0 for o in outcomes])
    index = {o: i for i, o in enumerate(outcomes)}

    def weights(chosen: list[str], signed_by: np.ndarray) -> np.ndarray:
        w = np.zeros(len(outcomes))
        for o in chosen:
            w[index[o]] = signed_by[index[o]] / (baseline["sd"][index[o]] * len(chosen))
        return w

    selection, dropout = scenario["selection"], scenario["dropout"]
    model = Model(
        scenario=scenario["name"],
        description=scenario.get("description", ""),
        outcomes=outcomes,
        labels=[defs[o]["label"] for o in outcomes],
        lo=[defs[o]["min"] for o in outcomes],
        hi=[defs[o]["max"] for o in outcomes],
        step=[defs[o]["step"] for o in outcomes],
        sign=sign,
        scale_mean=baseline["mean"],
        scale_sd=baseline["sd"],
        correlation=baseline["correlation"],
        reliability=[defs[o]["reliability"] for o in outcomes],
        mean=np.array(baseline["mean"], dtype=float),
        noise_correlation=float(scenario["noise_correlation"]),
        visits=[v["id"] for v in settings["visits"]],
        days=[v["day"] for v in settings["visits"]],
        true_effect=float(scenario["true_effect"]),
        n_enrolled=int(scenario["n_enrolled"] or n_enrolled),
        enrol_fraction=float(selection["enrol_fraction"]),
        selection_weights=weights(selection["outcomes"], -sign),  # higher S = more severe
        dropout_mode=dropout["mode"],
        dropout_slope=0.0 if dropout["mode"] != "informative" else float(dropout["slope"]),
        dropout_change_at=dropout["change_at"],
        dropout_weights=weights(dropout["outcomes"], sign),  # higher c = more improved
        analysis=dict(settings["analysis"]),
    )
    bad = [o for o, s in zip(outcomes, model.scale_sd) if not np.isfinite(s) or s <= 0]
    if bad:
        raise ValueError(f"baseline SD is missing or zero for {bad}: cannot simulate them")
    return model


# --- simulation -------------------------------------------------------------------------------


def _times(x: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """x @ matrix over the last axis as one 2-D product (numpy loops over stacked small
    products)."""
    return (x.reshape(-1, x.shape[-1]) @ matrix).reshape(*x.shape[:-1], *matrix.shape[1:])


def to_grid(latent: np.ndarray, model: Model, columns: np.ndarray | None = None) -> np.ndarray:
    """Round to each outcome's step (last axis) and clip to its range; step 0 = continuous.

    `columns`: the outcomes (indices) the last axis holds, when not all of them.
    """
    pick = slice(None) if columns is None else columns
    lo, hi, step = model.lo[pick], model.hi[pick], model.step[pick]
    gridded_outcome = step > 0
    unit = np.where(gridded_outcome, step, 1.0)
    top = np.floor((hi - lo) / unit + 1e-9)
    k = latent - lo
    k *= 1 / unit
    np.rint(k, out=k)
    np.clip(k, 0, top, out=k)
    k *= unit
    k += lo
    if gridded_outcome.all():
        return k
    return np.where(gridded_outcome, k, np.clip(latent, lo, hi))


def _severity(y0: np.ndarray, model: Model, columns: np.ndarray | None = None) -> np.ndarray:
    weights = model.selection_weights if columns is None else model.selection_weights[columns]
    return _times(y0, weights[:, None])[..., 0]


def _baseline_latent(model: Model, z: np.ndarray) -> np.ndarray:  # calibration sample
    """Latent observed baseline (before the grid) from standard normals z (..., outcomes)."""
    return model.mean + model.effect[0] + z @ model.total_factor.T


def _enrol(model: Model, rng: np.random.Generator, trials: int) -> tuple[np.ndarray, np.ndarray]:
    """Centred latent baseline (before the grid) and baseline values of the first n_enrolled
    candidates per trial who pass selection: shapes (trials, n, outcomes).

    Candidates get draws of the selection outcomes alone; the enrolled then get their other outcomes
    given those (the lower-triangular factor makes this the same joint distribution).
    """
    n, k = model.n_enrolled, len(model.outcomes)
    selecting = model.selection_threshold is not None and model.enrol_fraction < 1
    if not selecting:
        centred = _times(rng.standard_normal((trials, n, k)), model.total_factor.T)
        return centred, to_grid(model.mean + model.effect[0] + centred, model)
    order, m = model.screen_order, model.screened
    columns = order[:m]
    factor = model.screen_factor
    block = int(math.ceil(n / model.enrol_fraction * 1.25)) + 8
    draws, accepted = [], []
    while True:
        z = rng.standard_normal((trials, block, m))
        latent = model.mean[columns] + model.effect[0][columns] + _times(z, factor[:m, :m].T)
        severity = _severity(to_grid(latent, model, columns), model, columns)
        draws.append(z)
        accepted.append(severity >= model.selection_threshold)
        if (np.concatenate(accepted, axis=1).sum(axis=1) >= n).all():
            break
    z, ok = np.concatenate(draws, axis=1), np.concatenate(accepted, axis=1)
    ok &= np.cumsum(ok, axis=1) <= n  # the first n accepted of each trial, in screening order
    rows, cols = np.nonzero(ok)
    z = np.concatenate(
        [z[rows, cols].reshape(trials, n, m), rng.standard_normal((trials, n, k - m))], axis=2
    )
    centred = np.empty((trials, n, k))
    centred[..., order] = _times(z, factor.T)
    return centred, to_grid(model.mean + model.effect[0] + centred, model)


def _complete_values(model: Model, rng: np.random.Generator, trials: int) -> np.ndarray:
    """Values at every visit as if nobody stopped: shape (trials, n, visits, outcomes)."""
    centred, y0 = _enrol(model, rng, trials)
    n, k, v = model.n_enrolled, len(model.outcomes), len(model.visits)
    latent = _times(rng.standard_normal((trials, n, (v - 1) * k)), model.follow_factor.T)
    latent += _times(centred, model.follow_given_baseline.T)
    latent = latent.reshape(trials, n, v - 1, k)
    latent += model.mean + model.effect[1:]
    values = np.empty((trials, n, v, k))
    values[:, :, 0, :] = y0
    values[:, :, 1:, :] = to_grid(latent, model)
    return values


def change_score(values: np.ndarray, model: Model, visit: int) -> np.ndarray:
    """Mean over the dropout outcomes of the improvement from baseline to `visit`, in baseline
    SDs."""
    return _times(values[..., visit, :] - values[..., 0, :], model.dropout_weights[:, None])[..., 0]


def _dropout_reference(model: Model, visit: int) -> int:
    return visit if model.dropout_change_at == "current" else visit - 1


def _stop_probability(model: Model, values: np.ndarray, visit: int) -> np.ndarray:
    score = change_score(values, model, _dropout_reference(model, visit))
    return special.expit(model.dropout_intercepts[visit - 1] - model.dropout_slope * score)


@dataclass
class Trials:
    """Simulated trials: values (trials, n, visits, outcomes), NaN after a participant stopped;
    attended (trials, n, visits)."""

    values: np.ndarray
    attended: np.ndarray


def simulate(model: Model, trials: int, rng: np.random.Generator) -> Trials:
    """`trials` trials in one vectorised batch."""
    values = _complete_values(model, rng, trials)
    attended = np.ones(values.shape[:3], dtype=bool)
    for visit in range(1, len(model.visits)):
        draw = rng.random(
            values.shape[:2]
        )  # drawn for everyone, so the stream does not depend on who is still in
        if model.dropout_mode != "none":
            stop = draw < _stop_probability(model, values, visit)
            attended[:, :, visit] = attended[:, :, visit - 1] & ~stop
    values[~attended] = np.nan
    return Trials(values=values, attended=attended)


def simulate_batches(model: Model, trials: int, rng: np.random.Generator, batch: int = BATCH):
    """Yield Trials in batches of at most `batch` (the stream depends on `batch`, which is
    fixed)."""
    done = 0
    while done < trials:
        size = min(batch, trials - done)
        yield simulate(model, size, rng)
        done += size


# --- calibration ------------------------------------------------------------------------------


def calibrate(
    model: Model, retention: list[float], size: int, rng: np.random.Generator, recentre: bool
) -> Model:
    """Set the selection threshold, recentre the population mean, and solve the dropout intercepts.

    Uses one seeded calibration sample of about `size` enrolled participants, with common random
    numbers across the recentring iterations so the fixed point is found smoothly.
    """
    from scipy.optimize import brentq  # only the model job calibrates; shard jobs skip the import

    diagnostics = model.diagnostics
    k = len(model.outcomes)
    selecting = model.enrol_fraction < 1
    screened = int(math.ceil(size / model.enrol_fraction)) if selecting else size
    z = rng.standard_normal((screened, k))
    target = model.scale_mean.copy()
    for _ in range(RECENTRE_ITERATIONS if recentre else 1):
        y0 = to_grid(_baseline_latent(model, z), model)
        keep = np.ones(screened, dtype=bool)
        if selecting:
            severity = _severity(y0, model)
            model.selection_threshold = float(np.quantile(severity, 1 - model.enrol_fraction))
            keep = severity >= model.selection_threshold
        if recentre:
            model.mean = model.mean + (target - y0[keep].mean(axis=0))
    # Final state of the recentring loop, for the record.
    y0 = to_grid(_baseline_latent(model, z), model)
    keep = (
        _severity(y0, model) >= model.selection_threshold
        if selecting
        else np.ones(screened, dtype=bool)
    )
    diagnostics.update(
        {
            "selection_achieved_enrol_fraction": float(keep.mean()),
            "calibration_enrolled_baseline_mean": y0[keep].mean(axis=0).tolist(),
            "population_mean_shift": (model.mean - target).tolist(),
            "retention_target": [float(r) for r in retention]
            if model.dropout_mode != "none"
            else [1.0] * (len(model.visits) - 1),
        }
    )
    model.dropout_intercepts = np.full(len(model.visits) - 1, -math.inf)
    if model.dropout_mode == "none":
        diagnostics["retention_expected"] = [1.0] * (len(model.visits) - 1)
        return model
    values = _complete_values(model, rng, max(1, size // model.n_enrolled)).reshape(
        -1, len(model.visits), k
    )
    still_in = np.ones(values.shape[0])
    expected = []
    for visit in range(1, len(model.visits)):
        score = change_score(values, model, _dropout_reference(model, visit))
        slope = model.dropout_slope

        def excess(a, still_in=still_in, score=score, slope=slope, share=retention[visit - 1]):
            return float(np.mean(still_in * special.expit(-(a - slope * score)))) - share

        if excess(-INTERCEPT_BOUND) <= 0:
            a = -INTERCEPT_BOUND
        elif excess(INTERCEPT_BOUND) >= 0:
            a = INTERCEPT_BOUND
        else:
            a = brentq(excess, -INTERCEPT_BOUND, INTERCEPT_BOUND, xtol=1e-10)
        model.dropout_intercepts[visit - 1] = a
        still_in = still_in * special.expit(-(a - slope * score))
        expected.append(float(still_in.mean()))
    diagnostics["retention_expected"] = expected
    return model


def model_from_settings(
    settings: dict[str, Any], baseline: dict[str, Any], n_enrolled: int, retention: list[float]
) -> Model:
    """Build and calibrate a scenario's model (seeded by the scenario's calibration entropy)."""
    model = build_model(settings, baseline, n_enrolled)
    dropout = settings["scenario"]["dropout"]
    targets = (
        list(dropout["retention"]) if isinstance(dropout["retention"], list) else list(retention)
    )
    rng = np.random.default_rng(np.random.SeedSequence(settings["calibration"]["entropy"]))
    with one_blas_thread():
        return calibrate(
            model,
            targets,
            int(settings["calibration"]["size"]),
            rng,
            bool(settings["scenario"]["selection"]["recentre"]),
        )
