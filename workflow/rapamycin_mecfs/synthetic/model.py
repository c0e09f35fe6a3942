"""Simulate a synthetic cohort for the low-dose rapamycin trial (pure, seeded, vectorised; no I/O).

The model and every parameter are documented in the package docstring
(``rapamycin_mecfs.synthetic``); the numbers live here, in the constants below, and the
README written next to the generated files is rendered from these same constants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------- design
VISITS: tuple[str, ...] = ("T0", "T1", "T2", "T3")
VISIT_DAYS: tuple[int, ...] = (0, 30, 60, 90)
MIN_PARTICIPANTS = 20

# Published attrition for N = 86 (scaled proportionally, half-up rounding, for other N).
REFERENCE_N = 86
REFERENCE_WITH_VISIT = {"T1": 70, "T2": 56, "T3": 46}
REFERENCE_INCOMPLETE_T3 = 6

# 8 sites of unequal size (N = 86); scaled by largest remainder, every site keeps >= 1.
SITE_LABELS: tuple[str, ...] = tuple(f"Site {c}" for c in "ABCDEFGH")
REFERENCE_SITE_SIZES: tuple[int, ...] = (22, 18, 12, 10, 9, 7, 5, 3)
SITE_SEVERITY_SD = 0.3  # site random effect on latent baseline severity (SD units)

# Demographics.
AGE_MEAN, AGE_SD, AGE_MIN, AGE_MAX = 42.0, 11.0, 18, 70
FEMALE_PROPORTION = 0.75
YEARS_ILL_MEDIAN, YEARS_ILL_SDLOG, YEARS_ILL_MIN, YEARS_ILL_MAX = 8.0, 0.65, 1, 30
YEARS_ILL_SEVERITY_LOADING = 0.15  # log(years ill) shifts by this much per SD of severity
YEARS_ILL_ONSET_AGE = 12  # years ill <= age - 12

# Latent response: a mix of improvers and non-improvers.
RESPONDER_PROPORTION = 0.65
RESPONDER_AMPLITUDE_MEAN, RESPONDER_AMPLITUDE_SD = 1.0, 0.3
RESPONDER_AMPLITUDE_MIN, RESPONDER_AMPLITUDE_MAX = 0.2, 2.0
NON_RESPONDER_AMPLITUDE_MEAN, NON_RESPONDER_AMPLITUDE_SD = 0.0, 0.15
# Fraction of the full response reached at T0..T3 (latent improvement = amplitude * fraction).
RESPONSE_TIME_COURSE: tuple[float, ...] = (0.0, 0.45, 0.8, 1.0)

# Informative dropout: at each stopping point the participants with the lowest
# (response amplitude + noise) stop.  Smaller noise = more informative dropout.
DROPOUT_SCORE_NOISE_SD = 0.5
# Among those who stop, "Lack of perceived benefit" goes to the lowest (amplitude + noise).
REASON_SCORE_NOISE_SD = 0.5

# Reasons for stopping (N = 86: 40 stop; shares scaled by largest remainder for other N).
STOP_REASONS: tuple[tuple[str, int, tuple[tuple[str, float], ...]], ...] = (
    ("Lack of perceived benefit", 18, (("No perceived improvement in symptoms", 1.0),)),
    (
        "Side effects",
        11,
        (("Headache", 0.35), ("Gastrointestinal upset", 0.35), ("Mouth sores", 0.30)),
    ),
    ("Cost", 7, (("Drug and laboratory tests paid by the participant", 1.0),)),
    ("Other", 4, (("Started another therapy", 0.5), ("Lost to follow-up", 0.5))),
)

# Dose (mg/week): start 0.5 or 1, then per 30-day interval 0-4 increments of the participant's
# step size (0.5 or 1) up to a personal tolerated ceiling (at most 6).  Participants with side
# effects (all who stop for side effects, plus a share of the others) stay at a low ceiling.
DOSE_START_CHOICES: tuple[float, ...] = (0.5, 1.0)
DOSE_STEP_CHOICES: tuple[float, ...] = (0.5, 1.0)
DOSE_INCREMENTS_PER_INTERVAL: tuple[int, ...] = (0, 1, 2, 3, 4)
DOSE_INCREMENTS_PROBABILITIES: tuple[float, ...] = (0.15, 0.25, 0.25, 0.2, 0.15)
DOSE_CEILING_CHOICES: tuple[float, ...] = (3.0, 4.0, 5.0, 6.0)
DOSE_CEILING_PROBABILITIES: tuple[float, ...] = (0.15, 0.2, 0.25, 0.4)
DOSE_SIDE_EFFECT_CEILINGS: tuple[float, ...] = (1.0, 1.5, 2.0)
DOSE_SIDE_EFFECT_SHARE_OF_CONTINUERS = 0.2
DOSE_MIN, DOSE_MAX = 0.5, 6.0


@dataclass(frozen=True)
class OutcomeSpec:
    """One questionnaire outcome: value = baseline - sign*loading*between_sd*severity
    + sign*sqrt(1-loading^2)*between_sd*z_person + sign*effect*latent_improvement + noise_sd*e,
    clipped to [low, high] and rounded to the scale's grid; sign = +1 if higher is better."""

    key: str
    label: str
    baseline_mean: float
    between_sd: float
    severity_loading: float
    effect: float  # change at full response (amplitude 1), in scale units, in the better direction
    noise_sd: float
    low: float
    high: float
    step: float  # grid; 100/3 for SF-36 role-emotional (written with one decimal)
    higher_is_better: bool


OUTCOMES: tuple[OutcomeSpec, ...] = (
    OutcomeSpec("bas", "Bell Activity Scale", 30, 10, 0.8, 12, 5, 0, 100, 10, True),
    OutcomeSpec("sss_fatigue", "SSS fatigue", 7.3, 1.2, 0.7, 2.0, 0.8, 0, 10, 1, False),
    OutcomeSpec("sss_sleep", "SSS sleep", 6.8, 1.5, 0.5, 1.5, 0.9, 0, 10, 1, False),
    OutcomeSpec("sss_pem", "SSS post-exertional malaise", 7.5, 1.3, 0.7, 2.0, 0.9, 0, 10, 1, False),
    OutcomeSpec("sss_oi", "SSS orthostatic intolerance", 6.5, 1.8, 0.5, 1.5, 0.9, 0, 10, 1, False),
    OutcomeSpec(
        "mfi_general_fatigue", "MFI-20 general fatigue", 18.0, 1.6, 0.7, 2.5, 1.0, 4, 20, 1, False
    ),
    OutcomeSpec(
        "mfi_physical_fatigue", "MFI-20 physical fatigue", 17.0, 2.0, 0.7, 2.5, 1.0, 4, 20, 1, False
    ),
    OutcomeSpec(
        "mfi_reduced_activity", "MFI-20 reduced activity", 16.5, 2.2, 0.7, 2.5, 1.0, 4, 20, 1, False
    ),
    OutcomeSpec(
        "mfi_reduced_motivation",
        "MFI-20 reduced motivation",
        15.0,
        2.8,
        0.5,
        2.0,
        1.2,
        4,
        20,
        1,
        False,
    ),
    OutcomeSpec(
        "mfi_mental_fatigue", "MFI-20 mental fatigue", 16.0, 2.6, 0.5, 2.0, 1.2, 4, 20, 1, False
    ),
    OutcomeSpec(
        "sf36_physical_functioning",
        "SF-36 physical functioning",
        35,
        15,
        0.8,
        12,
        6,
        0,
        100,
        5,
        True,
    ),
    OutcomeSpec("sf36_role_physical", "SF-36 role-physical", 5, 12, 0.6, 15, 10, 0, 100, 25, True),
    OutcomeSpec(
        "sf36_role_emotional", "SF-36 role-emotional", 65, 30, 0.3, 5, 20, 0, 100, 100 / 3, True
    ),
    OutcomeSpec("sf36_energy_fatigue", "SF-36 energy/fatigue", 15, 10, 0.7, 15, 6, 0, 100, 5, True),
    OutcomeSpec(
        "sf36_emotional_wellbeing", "SF-36 emotional well-being", 60, 14, 0.3, 6, 7, 0, 100, 4, True
    ),
    OutcomeSpec(
        "sf36_social_functioning",
        "SF-36 social functioning",
        30,
        18,
        0.6,
        15,
        10,
        0,
        100,
        12.5,
        True,
    ),
    OutcomeSpec("sf36_pain", "SF-36 pain", 50, 20, 0.4, 8, 10, 0, 100, 2.5, True),
    OutcomeSpec("sf36_general_health", "SF-36 general health", 25, 12, 0.6, 8, 6, 0, 100, 5, True),
)
QUESTIONNAIRE_KEYS: tuple[str, ...] = tuple(o.key for o in OUTCOMES)
MFI_KEYS: tuple[str, ...] = tuple(k for k in QUESTIONNAIRE_KEYS if k.startswith("mfi_"))
SSS_KEYS: tuple[str, ...] = tuple(k for k in QUESTIONNAIRE_KEYS if k.startswith("sss_"))
SF36_KEYS: tuple[str, ...] = tuple(k for k in QUESTIONNAIRE_KEYS if k.startswith("sf36_"))


@dataclass(frozen=True)
class BiomarkerSpec:
    """log(value) = log(baseline_median) + sdlog_between*z_person + change_t + noise_sdlog*e,
    change_t = time_course[t] * (change_mean + change_sd*w_person) +
    response_loading*amplitude*time_course[t]."""

    key: str
    label: str
    baseline_median: float
    sdlog_between: float
    change_mean: float  # mean log change at full time course
    change_sd: float
    time_course: tuple[float, ...]
    response_loading: float
    noise_sdlog: float


BIOMARKERS: tuple[BiomarkerSpec, ...] = (
    # Falls by T1 in nearly everyone, independent of clinical response (the critics' point).
    BiomarkerSpec(
        "patg13", "pSer258-ATG13", 1.2, 0.5, -0.6, 0.35, (0.0, 1.0, 0.9, 0.85), 0.0, 0.15
    ),
    # Rises by T3, slightly more in improvers.
    BiomarkerSpec("beclin1", "BECLIN-1", 0.13, 0.6, 0.3, 0.3, (0.0, 0.15, 0.5, 1.0), 0.15, 0.55),
)
BIOMARKER_LLOQ = 0.05  # ng/mL, both assays
BIOMARKER_DECIMALS = 3
BIOMARKER_MISSING_PROBABILITY = 0.02  # of biomarker values at attended visits

# Incomplete T3 questionnaires: pattern -> probability.
INCOMPLETE_PATTERNS: tuple[tuple[str, float], ...] = (
    ("whole MFI-20 block", 0.35),
    ("two SF-36 scales", 0.35),
    ("whole SSS block", 0.15),
    ("Bell Activity Scale", 0.15),
)

# The participant whose SF-36 physical functioning at T1 is forced to 85 (for the 850 defect).
DEFECT_PARTICIPANT_NUMBER = 23
DEFECT_OUTCOME = "sf36_physical_functioning"
DEFECT_VISIT = "T1"
DEFECT_TRUE_VALUE = 85.0

OUTCOME_KEYS: tuple[str, ...] = (
    ("dose_mg_week",) + QUESTIONNAIRE_KEYS + tuple(b.key for b in BIOMARKERS)
)


@dataclass
class SyntheticCohort:
    """Clean (pre-defect) synthetic data as tidy tables.

    participants: one row per participant: participant_id, site, age, sex, years_ill,
        last_visit (T0..T3), stop_reason, stop_detail (None for those who reached T3),
        is_completer (reached T3 with every questionnaire value present).
    measurements: long table participant_id, outcome_key, visit, value (NaN = not collected),
        every participant x OUTCOME_KEYS x VISITS, sorted in that order.
    latent: participant_id, severity, responder, response_amplitude, improvement_T0..T3
        (the model's hidden variables, for tests and diagnostics).
    """

    n_participants: int
    seed: int
    participants: pd.DataFrame
    measurements: pd.DataFrame
    latent: pd.DataFrame
    counts: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- helpers
def round_half_up(x: float) -> int:
    return int(np.floor(x + 0.5))


def largest_remainder(total: int, weights) -> np.ndarray:
    """Integers proportional to `weights` summing to `total` (ties broken by position)."""
    weights = np.asarray(weights, dtype=float)
    exact = total * weights / weights.sum()
    base = np.floor(exact).astype(int)
    short = total - base.sum()
    order = np.lexsort((np.arange(len(weights)), -(exact - base)))
    base[order[:short]] += 1
    return base


def id_width(n_participants: int) -> int:
    return 3 if n_participants <= 999 else max(5, len(str(n_participants)))


def participant_ids(n_participants: int) -> np.ndarray:
    width = id_width(n_participants)
    return np.array([f"RAP-{i:0{width}d}" for i in range(1, n_participants + 1)], dtype=object)


def defect_participant_number(n_participants: int) -> int:
    """Participant 23, or the last participant when N < 23."""
    return min(DEFECT_PARTICIPANT_NUMBER, int(n_participants))


def attrition_counts(n_participants: int) -> dict:
    """Numbers with data at each visit, stoppers per last visit, reason counts, for N
    participants."""
    n = int(n_participants)
    if n < MIN_PARTICIPANTS:
        raise ValueError(
            f"--participants must be at least {MIN_PARTICIPANTS} (got {n}): the attrition "
            "structure (70/56/46 of 86 with visit data, 6 incomplete at T3, 8 sites) cannot be "
            "scaled below that"
        )
    scale = n / REFERENCE_N
    with_visit = {"T0": n}
    for visit, count in REFERENCE_WITH_VISIT.items():
        with_visit[visit] = round_half_up(count * scale)
    incomplete = max(1, round_half_up(REFERENCE_INCOMPLETE_T3 * scale))
    stopped_after = {
        "T0": with_visit["T0"] - with_visit["T1"],
        "T1": with_visit["T1"] - with_visit["T2"],
        "T2": with_visit["T2"] - with_visit["T3"],
    }
    n_stopped = sum(stopped_after.values())
    reasons = largest_remainder(n_stopped, [r[1] for r in STOP_REASONS])
    sites = largest_remainder(n, REFERENCE_SITE_SIZES)
    while (sites == 0).any():  # every site keeps at least one participant
        sites[np.argmax(sites)] -= 1
        sites[np.flatnonzero(sites == 0)[0]] += 1
    return {
        "n": n,
        "with_visit": with_visit,
        "stopped_after": stopped_after,
        "n_stopped": n_stopped,
        "incomplete_t3": incomplete,
        "completers": with_visit["T3"] - incomplete,
        "reasons": dict(zip([r[0] for r in STOP_REASONS], reasons.tolist())),
        "sites": dict(zip(SITE_LABELS, sites.tolist())),
    }


def _round_to_grid(values: np.ndarray, spec: OutcomeSpec) -> np.ndarray:
    clipped = np.clip(values, spec.low, spec.high)
    steps = np.round(clipped / spec.step)
    out = np.round(steps * spec.step, 1)  # one decimal: 33.3 / 66.7 on the role-emotional grid
    return np.clip(out, spec.low, spec.high)


def _select_lowest(scores: np.ndarray, eligible: np.ndarray, k: int) -> np.ndarray:
    """Boolean mask of the k eligible entries with the lowest scores."""
    masked = np.where(eligible, scores, np.inf)
    chosen = np.zeros(len(scores), dtype=bool)
    if k > 0:
        chosen[np.argsort(masked, kind="stable")[:k]] = True
    return chosen


# --------------------------------------------------------------------------- simulation
def simulate_cohort(n_participants: int, seed: int) -> SyntheticCohort:
    """Simulate the cohort: clean values before any defect is injected."""
    counts = attrition_counts(n_participants)
    n = counts["n"]
    rng = np.random.default_rng(seed)
    ids = participant_ids(n)
    defect_index = defect_participant_number(n) - 1

    # Sites, with a random effect on severity.
    site_index = rng.permutation(
        np.repeat(np.arange(len(SITE_LABELS)), list(counts["sites"].values()))
    )
    site_effect = rng.normal(0.0, SITE_SEVERITY_SD, len(SITE_LABELS))
    severity = site_effect[site_index] + np.sqrt(1 - SITE_SEVERITY_SD**2) * rng.standard_normal(n)

    # Demographics.
    age = np.clip(np.round(rng.normal(AGE_MEAN, AGE_SD, n)), AGE_MIN, AGE_MAX).astype(int)
    sex = np.where(rng.random(n) < FEMALE_PROPORTION, "F", "M")
    log_years = np.log(YEARS_ILL_MEDIAN) + YEARS_ILL_SDLOG * rng.standard_normal(n)
    years_ill = np.round(np.exp(log_years + YEARS_ILL_SEVERITY_LOADING * severity))
    years_ill = np.clip(
        years_ill, YEARS_ILL_MIN, np.minimum(YEARS_ILL_MAX, age - YEARS_ILL_ONSET_AGE)
    ).astype(int)

    # Latent response.
    responder = rng.random(n) < RESPONDER_PROPORTION
    amplitude = np.where(
        responder,
        np.clip(
            rng.normal(RESPONDER_AMPLITUDE_MEAN, RESPONDER_AMPLITUDE_SD, n),
            RESPONDER_AMPLITUDE_MIN,
            RESPONDER_AMPLITUDE_MAX,
        ),
        rng.normal(NON_RESPONDER_AMPLITUDE_MEAN, NON_RESPONDER_AMPLITUDE_SD, n),
    )
    improvement = amplitude[:, None] * np.asarray(RESPONSE_TIME_COURSE)[None, :]  # (n, 4)

    # Informative dropout: lowest (amplitude + noise) stop, step by step.
    last_visit = np.full(n, 3)
    active = np.ones(n, dtype=bool)
    for k, visit in enumerate(("T0", "T1", "T2")):
        score = amplitude + DROPOUT_SCORE_NOISE_SD * rng.standard_normal(n)
        eligible = active.copy()
        if k == 0:
            eligible[defect_index] = False  # the defect participant must attend T1
        stops = _select_lowest(score, eligible, counts["stopped_after"][visit])
        last_visit[stops] = k
        active &= ~stops
    attended = np.arange(4)[None, :] <= last_visit[:, None]  # (n, 4)

    # Reasons: "Lack of perceived benefit" to the stoppers with the lowest (amplitude + noise),
    # the other reasons at random among the rest.
    stopped = last_visit < 3
    reason_names = [r[0] for r in STOP_REASONS]
    reason_counts = list(counts["reasons"].values())
    reason_index = np.full(n, -1)
    reason_score = amplitude + REASON_SCORE_NOISE_SD * rng.standard_normal(n)
    benefit = _select_lowest(reason_score, stopped, reason_counts[0])
    reason_index[benefit] = 0
    rest = np.flatnonzero(stopped & ~benefit)
    rest = rest[rng.permutation(len(rest))]
    reason_index[rest] = np.repeat(np.arange(1, len(reason_names)), reason_counts[1:])
    stop_reason = np.full(n, None, dtype=object)
    stop_detail = np.full(n, None, dtype=object)
    uniform = rng.random(n)
    for r, (name, _count, details) in enumerate(STOP_REASONS):
        members = reason_index == r
        stop_reason[members] = name
        cumulative = np.cumsum([p for _d, p in details])
        pick = np.minimum(
            np.searchsorted(cumulative, uniform[members] * cumulative[-1], side="right"),
            len(details) - 1,
        )
        stop_detail[members] = np.array([d for d, _p in details], dtype=object)[pick]

    # Dose.
    side_effects = (reason_index == 1) | (
        ~stopped & (rng.random(n) < DOSE_SIDE_EFFECT_SHARE_OF_CONTINUERS)
    )
    ceiling = np.where(
        side_effects,
        rng.choice(DOSE_SIDE_EFFECT_CEILINGS, n),
        rng.choice(DOSE_CEILING_CHOICES, n, p=DOSE_CEILING_PROBABILITIES),
    )
    step = rng.choice(DOSE_STEP_CHOICES, n)
    dose = np.empty((n, 4))
    dose[:, 0] = np.minimum(rng.choice(DOSE_START_CHOICES, n), ceiling)
    increments = rng.choice(DOSE_INCREMENTS_PER_INTERVAL, (n, 3), p=DOSE_INCREMENTS_PROBABILITIES)
    for t in range(1, 4):
        dose[:, t] = np.maximum(
            dose[:, t - 1], np.minimum(ceiling, dose[:, t - 1] + increments[:, t - 1] * step)
        )
    dose = np.clip(dose, DOSE_MIN, DOSE_MAX)

    # Questionnaires.
    values = np.empty((n, len(OUTCOME_KEYS), 4))
    values[:, 0, :] = dose
    for j, spec in enumerate(OUTCOMES, start=1):
        sign = 1.0 if spec.higher_is_better else -1.0
        person = rng.standard_normal(n)
        latent_level = spec.baseline_mean + sign * spec.between_sd * (
            -spec.severity_loading * severity + np.sqrt(1 - spec.severity_loading**2) * person
        )
        raw = (
            latent_level[:, None]
            + sign * spec.effect * improvement
            + spec.noise_sd * rng.standard_normal((n, 4))
        )
        values[:, j, :] = _round_to_grid(raw, spec)
    pf = 1 + QUESTIONNAIRE_KEYS.index(DEFECT_OUTCOME)
    values[defect_index, pf, VISITS.index(DEFECT_VISIT)] = DEFECT_TRUE_VALUE

    # Biomarkers.
    for j, spec in enumerate(BIOMARKERS, start=1 + len(OUTCOMES)):
        course = np.asarray(spec.time_course)[None, :]
        change = (spec.change_mean + spec.change_sd * rng.standard_normal(n))[:, None] * course
        change = change + spec.response_loading * amplitude[:, None] * course
        log_value = (
            np.log(spec.baseline_median)
            + spec.sdlog_between * rng.standard_normal(n)[:, None]
            + change
            + spec.noise_sdlog * rng.standard_normal((n, 4))
        )
        bio = np.round(np.exp(log_value), BIOMARKER_DECIMALS)
        bio[rng.random((n, 4)) < BIOMARKER_MISSING_PROBABILITY] = np.nan
        values[:, j, :] = bio

    # Not attended -> missing.
    values = np.where(attended[:, None, :], values, np.nan)

    # Incomplete questionnaires at T3.
    reached_t3 = np.flatnonzero(last_visit == 3)
    incomplete_idx = np.sort(rng.choice(reached_t3, counts["incomplete_t3"], replace=False))
    patterns = [p for p, _w in INCOMPLETE_PATTERNS]
    weights = np.array([w for _p, w in INCOMPLETE_PATTERNS])
    pattern = rng.choice(len(patterns), len(incomplete_idx), p=weights / weights.sum())
    sf36_pick = np.argsort(rng.random((len(incomplete_idx), len(SF36_KEYS))), axis=1)[:, :2]
    t3 = VISITS.index("T3")
    col = {k: 1 + QUESTIONNAIRE_KEYS.index(k) for k in QUESTIONNAIRE_KEYS}
    for p, keys in ((0, MFI_KEYS), (2, SSS_KEYS), (3, ("bas",))):
        rows = incomplete_idx[pattern == p]
        for key in keys:
            values[rows, col[key], t3] = np.nan
    rows = incomplete_idx[pattern == 1]
    sf36_cols = np.array([col[k] for k in SF36_KEYS])
    for c in range(2):
        values[rows, sf36_cols[sf36_pick[pattern == 1, c]], t3] = np.nan
    is_completer = last_visit == 3
    is_completer[incomplete_idx] = False

    participants = pd.DataFrame(
        {
            "participant_id": ids,
            "site": np.array(SITE_LABELS, dtype=object)[site_index],
            "age": age,
            "sex": sex.astype(object),
            "years_ill": years_ill,
            "last_visit": np.array(VISITS, dtype=object)[last_visit],
            "stop_reason": stop_reason,
            "stop_detail": stop_detail,
            "is_completer": is_completer,
        }
    )
    n_out, n_vis = len(OUTCOME_KEYS), len(VISITS)
    measurements = pd.DataFrame(
        {
            "participant_id": np.repeat(ids, n_out * n_vis),
            "outcome_key": np.tile(np.repeat(np.array(OUTCOME_KEYS, dtype=object), n_vis), n),
            "visit": np.tile(np.array(VISITS, dtype=object), n * n_out),
            "value": values.reshape(-1),
        }
    )
    latent = pd.DataFrame(
        {
            "participant_id": ids,
            "severity": severity,
            "responder": responder,
            "response_amplitude": amplitude,
            **{f"improvement_{v}": improvement[:, t] for t, v in enumerate(VISITS)},
            "incomplete_t3_pattern": pd.Series([None] * n, dtype=object),
        }
    )
    latent.loc[incomplete_idx, "incomplete_t3_pattern"] = np.array(patterns, dtype=object)[pattern]
    return SyntheticCohort(
        n_participants=n,
        seed=int(seed),
        participants=participants,
        measurements=measurements,
        latent=latent,
        counts=counts,
    )


def wide_values(cohort: SyntheticCohort) -> np.ndarray:
    """Measurements as an array (participant, OUTCOME_KEYS, VISITS), in participant-ID order."""
    n = cohort.n_participants
    return (
        cohort.measurements["value"]
        .to_numpy(dtype=float)
        .reshape(n, len(OUTCOME_KEYS), len(VISITS))
    )


def write_supplement(
    cohort: SyntheticCohort, out_dir: str | Path, corrections_path: str | Path, seed: int
) -> dict:
    """Inject the defects and write the workbook, PDF, README and corrections file.

    Kept here for the documented API; the I/O lives in ``writers`` (imported lazily so that
    this module stays free of file handling).
    """
    from .writers import write_supplement as _write

    return _write(cohort, out_dir, corrections_path, seed)
