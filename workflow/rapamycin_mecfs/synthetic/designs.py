"""Study designs for the SYNTHETIC generator: small supplements with optional parts switched off.

The shipped synthetic supplement (``writers``) imitates the trial's own supplement. A ``Design``
here cuts the same simulated cohort (``model.simulate_cohort``) down to another study shape: fewer
or renamed visits, visits with or without study days, a few outcomes of some instruments, and each
optional table (roster, dose, biomarkers, discontinuations) present or absent, with or without a
claims file, a responder rule or simulator scenarios, and optionally a made-up non-questionnaire
outcome (a 6-minute walk distance). ``write_design`` writes, into one folder:

* ``tables.xlsx`` — one sheet per table (openpyxl): a title row, a blank row, then the header: one
  row for the roster and the discontinuations, two rows (outcome label merged above the visit
  headers) for outcome tables; no injected defects. Values below an assay's LLOQ read "<0.05".
  Byte-deterministic (fixed core-property dates and zip member times, as ``writers`` does).
* ``claims.yaml`` — one count claim (participants enrolled), when the design has claims;
* ``corrections.csv`` — an empty ledger (header only), when the design has one;
* ``config.yaml`` — the pipeline config for the design (validates with ``config.load_config``).
  File paths in it are ``<data_dir>/<file>`` (default ``resources/design``): the folder as the
  pipeline's working directory sees it, so the config names no file outside the folder.

Each design also states what a complete run of the pipeline must produce, reasoned from the design
itself (never computed with ``StudyPlan``): the report sections with content, the components that
show one "not run" line each, and the files under ``results/tables/``. ``tests/test_designs.py``
runs the pipeline on every design and checks those expectations.

Command (for a look at one design): ``python -m rapamycin_mecfs.synthetic.designs NAME --out DIR``.
"""

from __future__ import annotations

import argparse
import io
import sys
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from . import model

DEFAULT_SEED = 20250523
DEFAULT_DATA_DIR = "resources/design"
XLSX_NAME = "tables.xlsx"
CONFIG_NAME = "config.yaml"
CLAIMS_NAME = "claims.yaml"
CORRECTIONS_NAME = "corrections.csv"
ID_HEADER = "Participant ID"
LEDGER_HEADER = (
    "correction_id,participant_id,outcome,visit,expected_current_value,new_value,reason,reference\n"
)
SYNTHETIC_TITLE = "SYNTHETIC DATA, not trial data (design {name}, seed {seed})."

# Discontinuations: the table is in the workbook, left out, or in the workbook with nobody in it.
PRESENT, ABSENT, NOBODY_STOPPED = "present", "absent", "nobody_stopped"

# Report sections (ids as in plan.SECTIONS, in report order) and the per-outcome tables (as in
# plan.OUTCOME_TABLES); repeated here so that the expectations below do not depend on plan.py.
ALL_SECTIONS = (
    "key_findings",
    "participant_flow",
    "baseline",
    "outcomes",
    "responders",
    "attrition",
    "biomarkers",
    "dose_response",
    "simulation",
    "claims",
    "methods",
    "provenance",
)
ALL_OUTCOME_TABLES = (
    "visit_medians",
    "paired_tests",
    "friedman",
    "mixed_model",
    "baseline_by_completion",
    "tipping_point",
    "tipping_point_mi",
    "regression_to_mean",
    "dose_response",
    "dose_bands",
)
MARKER_TABLES_OWN = (
    "lloq_counts",
    "visit_medians",
    "trajectory",
    "spearman_cross_sectional",
    "spearman_change",
    "rm_corr",
)
MARKER_TABLES_RESPONDERS = ("responders_compare", "roc_auc", "roc_curve")
SIMULATION_TABLES = (
    "simulation_summary",
    "simulation_false_positives",
    "simulation_parameters",
    "simulation_distribution",
)

# --------------------------------------------------------------------------- instruments
# Questionnaire instruments of the model, by outcome-key prefix: (instrument and table key, sheet,
# label).
INSTRUMENTS: tuple[tuple[str, str, str], ...] = (
    ("bas", "BAS", "Bell Activity Scale"),
    ("sss", "SSS", "Symptom Severity Scale v2.2"),
    ("mfi", "MFI-20", "Multidimensional Fatigue Inventory (MFI-20)"),
    ("sf36", "SF-36", "RAND SF-36"),
)
DOSE_KEY = "dose_mg_week"
DOSE_INSTRUMENT = (
    "rapamycin_dose",
    "dose",
    "Dose",
    "Rapamycin dose",
)  # instrument, table, sheet, label
DOSE_SPEC = {
    "label": "Dose (mg/week)",
    "unit": "mg/week",
    "min": 0,
    "max": 6,
    "step": 0.5,
    "direction": "none",
}
DOSE_HEADER = "Rapamycin dose (mg/week)"
MARKER_INSTRUMENT = ("autophagy_markers", "biomarkers", "Biomarkers", "Plasma autophagy markers")
MARKER_HEADERS = {"patg13": "pSer258-ATG13 (ng/mL)", "beclin1": "BECLIN-1 (ng/mL)"}

# The non-questionnaire outcome: a made-up 6-minute walk distance (metres, higher is better),
# simulated here from the cohort's latent severity and improvement with its own seeded stream.
WALK_KEY = "six_minute_walk"
WALK_INSTRUMENT = ("walk_test", "walk", "6MWT", "6-minute walk test")
WALK_HEADER = "6-minute walk distance (m)"
WALK_SPEC = {
    "label": "6-minute walk distance",
    "unit": "metres",
    "min": 0,
    "max": 1000,
    "step": 0,
    "direction": "higher_is_better",
}
WALK_BASELINE_MEAN, WALK_BETWEEN_SD, WALK_SEVERITY_LOADING = 340.0, 80.0, 0.6
WALK_EFFECT, WALK_NOISE_SD, WALK_LOW, WALK_HIGH = 45.0, 20.0, 30.0, 800.0
WALK_MISSING_PROBABILITY = (
    0.1  # of values at attended visits: not done, which must not decide attendance
)
WALK_STREAM = 6  # numpy default_rng([seed, WALK_STREAM])

# Responder thresholds (improvement needed, in points or metres); other outcomes need one grid step.
# MFI general fatigue needs 3 points so that the no_dose design has responders and non-responders.
RESPONDER_THRESHOLDS = {"bas": 10, "mfi_general_fatigue": 3, WALK_KEY: 30}
DOSE_BANDS = [1, 2, 4, 6]

SCENARIOS = {
    "no_attrition": {"description": "no dropout, no selection at entry"},
    "informative_attrition": {
        "description": "informative dropout (non-improvers leave), calibrated to the observed "
        "retention",
        "dropout": {"mode": "informative"},
    },
}

ROSTER_FIELDS = (
    ("Site", "site"),
    ("Age (years)", "age"),
    ("Sex", "sex"),
    ("Years ill", "years_ill"),
)
DISCONTINUATION_FIELDS = (
    ("Last visit", "last_visit"),
    ("Reason", "reason"),
    ("Details", "reason_detail"),
)


@dataclass(frozen=True)
class Design:
    """One study shape, and what a complete pipeline run on it must produce.

    visits: (generated visit T0..T3, id in this design), in order; days: whether visits have study
    days (the generated ones: 0, 30, 60, 90). outcomes: questionnaire outcome keys of the model
    (their instruments follow from the key prefix). discontinuations: present, absent or
    nobody_stopped (only participants who attended the last chosen visit are kept, and the table is
    written with its header and no one in it). n: participants simulated (before that cut).
    responder_outcomes: criteria of the responder rule (empty = no rule). scenarios: how many
    simulator scenarios are configured (0 = none).

    Expectations: sections_run (report section ids with content), not_run (components with one
    "not run" line each), top_tables (files under results/tables/ that are not per outcome or per
    marker, written out), outcome_tables and marker_tables (table names each analysed outcome and
    each marker gets, under outcomes/<outcome>/ and biomarkers/<marker>/).
    """

    name: str
    covers: str
    n: int
    visits: tuple[tuple[str, str], ...]
    days: bool
    outcomes: tuple[str, ...]
    walk_test: bool = False
    dose: bool = True
    discontinuations: str = PRESENT
    roster: bool = True
    markers: tuple[str, ...] = ()
    claims: bool = False
    responder_outcomes: tuple[str, ...] = ()
    scenarios: int = 0
    tipping_point: bool = True
    corrections: bool = False
    sections_run: tuple[str, ...] = ()
    not_run: tuple[str, ...] = ()
    top_tables: tuple[str, ...] = ()
    outcome_tables: tuple[str, ...] = ()
    marker_tables: tuple[str, ...] = ()

    @property
    def visit_ids(self) -> list[str]:
        return [new for _old, new in self.visits]

    @property
    def analysed_outcomes(self) -> list[str]:
        """Every outcome with a direction: the questionnaire outcomes, then the walk test."""
        return list(self.outcomes) + ([WALK_KEY] if self.walk_test else [])

    @property
    def expected_sections_run(self) -> set[str]:
        # The key findings always run: they say "not run" for the parts that did not.
        return set(self.sections_run) | {"key_findings"}

    @property
    def expected_not_run(self) -> set[str]:
        return set(self.not_run)

    @property
    def expected_tables(self) -> set[str]:
        """Files under results/tables/, relative to it."""
        names = set(self.top_tables)
        names |= {
            f"outcomes/{o}/{t}.csv" for o in self.analysed_outcomes for t in self.outcome_tables
        }
        names |= {f"biomarkers/{m}/{t}.csv" for m in self.markers for t in self.marker_tables}
        return names


def _csv(*names: str) -> tuple[str, ...]:
    return tuple(f"{name}.csv" for name in names)


DESIGNS: tuple[Design, ...] = (
    Design(
        name="full_three_renamed_visits",
        covers="3 renamed visits with study days; every component on (roster, dose with cumulative "
        "dose, discontinuations, 2 markers, responders, claims, a simulator scenario, an "
        "empty corrections ledger)",
        n=24,
        visits=(("T0", "baseline"), ("T1", "month1"), ("T3", "month3")),
        days=True,
        outcomes=("sss_fatigue", "sss_pem"),
        markers=("patg13", "beclin1"),
        claims=True,
        responder_outcomes=("sss_pem", "sss_fatigue"),
        scenarios=1,
        corrections=True,
        sections_run=ALL_SECTIONS,
        not_run=(),
        top_tables=_csv(
            "visit_medians",
            "paired_tests",
            "friedman",
            "mixed_model",
            "baseline_by_completion",
            "tipping_point",
            "tipping_point_mi",
            "regression_to_mean",
            "dose_response",
            "dose_bands",
            "responders",
            "responders_by_participant",
            "claims_audit",
            "grim",
            "biomarkers/lloq_counts",
            "biomarkers/visit_medians",
            "biomarkers/trajectory",
            "biomarkers/spearman_cross_sectional",
            "biomarkers/spearman_change",
            "biomarkers/rm_corr",
            "biomarkers/responders_compare",
            "biomarkers/roc_auc",
            "biomarkers/roc_curve",
            "simulation_summary",
            "simulation_false_positives",
            "simulation_parameters",
            "simulation_distribution",
        ),
        outcome_tables=ALL_OUTCOME_TABLES,
        marker_tables=MARKER_TABLES_OWN + MARKER_TABLES_RESPONDERS,
    ),
    Design(
        name="pre_post_no_days",
        covers="2 visits 'pre'/'post' without study days (no Friedman test, no cumulative dose); "
        "no biomarkers, no claims, no simulation",
        n=20,
        visits=(("T0", "pre"), ("T3", "post")),
        days=False,
        outcomes=("bas", "sss_pem"),
        responder_outcomes=("sss_pem",),
        sections_run=(
            "participant_flow",
            "baseline",
            "outcomes",
            "responders",
            "attrition",
            "dose_response",
            "methods",
            "provenance",
        ),
        not_run=(
            "corrections",
            "friedman",
            "biomarkers",
            "cumulative_dose",
            "claims",
            "simulation",
        ),
        top_tables=_csv(
            "visit_medians",
            "paired_tests",
            "mixed_model",
            "baseline_by_completion",
            "tipping_point",
            "tipping_point_mi",
            "regression_to_mean",
            "dose_response",
            "dose_bands",
            "responders",
            "responders_by_participant",
        ),
        outcome_tables=(
            "visit_medians",
            "paired_tests",
            "mixed_model",
            "baseline_by_completion",
            "tipping_point",
            "tipping_point_mi",
            "regression_to_mean",
            "dose_response",
            "dose_bands",
        ),
    ),
    Design(
        name="no_dose",
        covers="4 visits T0-T3 with days; no dose table; one marker with responders; a count claim",
        n=22,
        visits=(("T0", "T0"), ("T1", "T1"), ("T2", "T2"), ("T3", "T3")),
        days=True,
        outcomes=("bas", "mfi_general_fatigue"),
        dose=False,
        markers=("patg13",),
        claims=True,
        responder_outcomes=("mfi_general_fatigue",),
        sections_run=(
            "participant_flow",
            "baseline",
            "outcomes",
            "responders",
            "attrition",
            "biomarkers",
            "claims",
            "methods",
            "provenance",
        ),
        not_run=("corrections", "dose_response", "simulation"),
        top_tables=_csv(
            "visit_medians",
            "paired_tests",
            "friedman",
            "mixed_model",
            "baseline_by_completion",
            "tipping_point",
            "tipping_point_mi",
            "regression_to_mean",
            "responders",
            "responders_by_participant",
            "claims_audit",
            "grim",
            "biomarkers/lloq_counts",
            "biomarkers/visit_medians",
            "biomarkers/trajectory",
            "biomarkers/spearman_cross_sectional",
            "biomarkers/spearman_change",
            "biomarkers/rm_corr",
            "biomarkers/responders_compare",
            "biomarkers/roc_auc",
            "biomarkers/roc_curve",
        ),
        outcome_tables=(
            "visit_medians",
            "paired_tests",
            "friedman",
            "mixed_model",
            "baseline_by_completion",
            "tipping_point",
            "tipping_point_mi",
            "regression_to_mean",
        ),
        marker_tables=MARKER_TABLES_OWN + MARKER_TABLES_RESPONDERS,
    ),
    Design(
        name="no_discontinuations_table",
        covers="no discontinuations table (no one recorded as stopped, no completers-vs-stopped "
        "comparison); 3 visits T0/T1/T3 with days; no biomarkers, no claims",
        n=22,
        visits=(("T0", "T0"), ("T1", "T1"), ("T3", "T3")),
        days=True,
        outcomes=("sss_fatigue", "sss_pem"),
        discontinuations=ABSENT,
        responder_outcomes=("sss_pem", "sss_fatigue"),
        sections_run=(
            "participant_flow",
            "baseline",
            "outcomes",
            "responders",
            "attrition",
            "dose_response",
            "methods",
            "provenance",
        ),
        not_run=("discontinuations", "corrections", "biomarkers", "claims", "simulation"),
        top_tables=_csv(
            "visit_medians",
            "paired_tests",
            "friedman",
            "mixed_model",
            "tipping_point",
            "tipping_point_mi",
            "regression_to_mean",
            "dose_response",
            "dose_bands",
            "responders",
            "responders_by_participant",
        ),
        outcome_tables=(
            "visit_medians",
            "paired_tests",
            "friedman",
            "mixed_model",
            "tipping_point",
            "tipping_point_mi",
            "regression_to_mean",
            "dose_response",
            "dose_bands",
        ),
    ),
    Design(
        name="nobody_stopped",
        covers="discontinuations table present but empty: only participants who attended the last "
        "visit (T2) are kept; 3 visits with days; two SF-36 scales; one marker",
        n=36,
        visits=(("T0", "T0"), ("T1", "T1"), ("T2", "T2")),
        days=True,
        outcomes=("sf36_physical_functioning", "sf36_energy_fatigue"),
        discontinuations=NOBODY_STOPPED,
        markers=("beclin1",),
        responder_outcomes=("sf36_physical_functioning",),
        sections_run=(
            "participant_flow",
            "baseline",
            "outcomes",
            "responders",
            "attrition",
            "biomarkers",
            "dose_response",
            "methods",
            "provenance",
        ),
        not_run=("corrections", "claims", "simulation"),
        top_tables=_csv(
            "visit_medians",
            "paired_tests",
            "friedman",
            "mixed_model",
            "baseline_by_completion",
            "tipping_point",
            "tipping_point_mi",
            "regression_to_mean",
            "dose_response",
            "dose_bands",
            "responders",
            "responders_by_participant",
            "biomarkers/lloq_counts",
            "biomarkers/visit_medians",
            "biomarkers/trajectory",
            "biomarkers/spearman_cross_sectional",
            "biomarkers/spearman_change",
            "biomarkers/rm_corr",
            "biomarkers/responders_compare",
            "biomarkers/roc_auc",
            "biomarkers/roc_curve",
        ),
        outcome_tables=ALL_OUTCOME_TABLES,
        marker_tables=MARKER_TABLES_OWN + MARKER_TABLES_RESPONDERS,
    ),
    Design(
        name="six_minute_walk",
        covers="a non-questionnaire outcome (6-minute walk distance, metres, continuous, 10% not "
        "done) analysed and judging response, but not deciding completion or attendance "
        "(both listed explicitly: BAS); one simulator scenario; no dose, no biomarkers, "
        "no claims",
        n=22,
        visits=(("T0", "T0"), ("T1", "T1"), ("T2", "T2"), ("T3", "T3")),
        days=True,
        outcomes=("bas",),
        walk_test=True,
        dose=False,
        responder_outcomes=(WALK_KEY,),
        scenarios=1,
        sections_run=(
            "participant_flow",
            "baseline",
            "outcomes",
            "responders",
            "attrition",
            "simulation",
            "methods",
            "provenance",
        ),
        not_run=("corrections", "dose_response", "biomarkers", "claims"),
        top_tables=_csv(
            "visit_medians",
            "paired_tests",
            "friedman",
            "mixed_model",
            "baseline_by_completion",
            "tipping_point",
            "tipping_point_mi",
            "regression_to_mean",
            "responders",
            "responders_by_participant",
            "simulation_summary",
            "simulation_false_positives",
            "simulation_parameters",
            "simulation_distribution",
        ),
        outcome_tables=(
            "visit_medians",
            "paired_tests",
            "friedman",
            "mixed_model",
            "baseline_by_completion",
            "tipping_point",
            "tipping_point_mi",
            "regression_to_mean",
        ),
    ),
    Design(
        name="one_instrument_no_roster",
        covers="one instrument only (2 SSS items: no dose, no markers) and no participants table "
        "(everyone with a value is enrolled; no baseline characteristics); 4 visits with "
        "days; the tipping point switched off",
        n=20,
        visits=(("T0", "T0"), ("T1", "T1"), ("T2", "T2"), ("T3", "T3")),
        days=True,
        outcomes=("sss_fatigue", "sss_pem"),
        dose=False,
        roster=False,
        tipping_point=False,
        responder_outcomes=("sss_pem", "sss_fatigue"),
        sections_run=(
            "participant_flow",
            "outcomes",
            "responders",
            "attrition",
            "methods",
            "provenance",
        ),
        not_run=(
            "participants_table",
            "corrections",
            "dose_response",
            "biomarkers",
            "claims",
            "simulation",
            "tipping_point",
        ),
        top_tables=_csv(
            "visit_medians",
            "paired_tests",
            "friedman",
            "mixed_model",
            "baseline_by_completion",
            "regression_to_mean",
            "responders",
            "responders_by_participant",
        ),
        outcome_tables=(
            "visit_medians",
            "paired_tests",
            "friedman",
            "mixed_model",
            "baseline_by_completion",
            "regression_to_mean",
        ),
    ),
    Design(
        name="no_responder_rule",
        covers="no responder rule (so no marker responder comparison and no simulation although a "
        "scenario is configured); claims without a responder claim; 3 renamed visits "
        "without days (cumulative dose not run); an empty corrections ledger",
        n=20,
        visits=(("T0", "start"), ("T1", "mid"), ("T3", "end")),
        days=False,
        outcomes=("bas", "sss_pem"),
        markers=("patg13",),
        claims=True,
        responder_outcomes=(),
        scenarios=1,
        corrections=True,
        sections_run=(
            "participant_flow",
            "baseline",
            "outcomes",
            "attrition",
            "biomarkers",
            "dose_response",
            "claims",
            "methods",
            "provenance",
        ),
        not_run=("responders", "biomarker_responders", "cumulative_dose", "simulation"),
        top_tables=_csv(
            "visit_medians",
            "paired_tests",
            "friedman",
            "mixed_model",
            "baseline_by_completion",
            "tipping_point",
            "tipping_point_mi",
            "regression_to_mean",
            "dose_response",
            "dose_bands",
            "claims_audit",
            "grim",
            "biomarkers/lloq_counts",
            "biomarkers/visit_medians",
            "biomarkers/trajectory",
            "biomarkers/spearman_cross_sectional",
            "biomarkers/spearman_change",
            "biomarkers/rm_corr",
        ),
        outcome_tables=ALL_OUTCOME_TABLES,
        marker_tables=MARKER_TABLES_OWN,
    ),
)
DESIGNS_BY_NAME = {design.name: design for design in DESIGNS}


# --------------------------------------------------------------------------- layout
def _instrument_of(outcome: str) -> tuple[str, str, str]:
    for instrument in INSTRUMENTS:
        if outcome.split("_")[0] == instrument[0]:
            return instrument
    raise ValueError(
        f"outcome {outcome!r}: no questionnaire instrument; expected a key of "
        "model.QUESTIONNAIRE_KEYS"
    )


def _spec(outcome: str) -> model.OutcomeSpec:
    return next(spec for spec in model.OUTCOMES if spec.key == outcome)


def _step_text(step: float) -> int | float | str:
    """The step as a config writes it: a number, or "a/b" when no short decimal is exact (100/3)."""
    if float(step).is_integer():
        return int(step)
    if round(step, 6) == step:
        return step
    exact = Fraction(step).limit_denominator(1000)
    return f"{exact.numerator}/{exact.denominator}"


def _outcome_definition(outcome: str) -> dict[str, Any]:
    spec = _spec(outcome)
    return {
        "label": spec.label,
        "unit": "points",
        "min": spec.low,
        "max": spec.high,
        "step": _step_text(spec.step),
        "direction": "higher_is_better" if spec.higher_is_better else "lower_is_better",
    }


@dataclass(frozen=True)
class OutcomeSheet:
    """An outcome-by-visit sheet: table key, sheet name, title, [(upper header, outcome key)]."""

    table: str
    sheet: str
    title: str
    blocks: tuple[tuple[str, str], ...]


def outcome_sheets(design: Design) -> list[OutcomeSheet]:
    """The design's outcome tables in workbook order: dose, questionnaires, walk test, markers."""
    sheets = []
    if design.dose:
        _i, table, sheet, label = DOSE_INSTRUMENT
        sheets.append(OutcomeSheet(table, sheet, label, ((DOSE_HEADER, DOSE_KEY),)))
    for key, sheet, label in INSTRUMENTS:
        chosen = [o for o in design.outcomes if _instrument_of(o)[0] == key]
        if chosen:
            sheets.append(
                OutcomeSheet(key, sheet, label, tuple((_spec(o).label, o) for o in chosen))
            )
    if design.walk_test:
        _i, table, sheet, label = WALK_INSTRUMENT
        sheets.append(OutcomeSheet(table, sheet, label, ((WALK_HEADER, WALK_KEY),)))
    if design.markers:
        _i, table, sheet, label = MARKER_INSTRUMENT
        sheets.append(
            OutcomeSheet(table, sheet, label, tuple((MARKER_HEADERS[m], m) for m in design.markers))
        )
    return sheets


def visit_headers(design: Design) -> dict[str, str]:
    """Header text in the workbook -> visit id."""
    days = dict(zip(model.VISITS, model.VISIT_DAYS))
    return {(f"{new} (day {days[old]})" if design.days else new): new for old, new in design.visits}


# --------------------------------------------------------------------------- data
@dataclass
class DesignData:
    """The cut cohort: participants (rows kept, in ID order), values[outcome] (participant x visit),
    and the discontinuation rows (ID, last visit id, reason, detail)."""

    participants: Any
    values: dict[str, np.ndarray]
    stopped: list[tuple[str, str, str, str]]


def walk_distances(cohort: model.SyntheticCohort, seed: int) -> np.ndarray:
    """Made-up 6-minute walk distance (participant x T0..T3), NaN where not attended or not done."""
    rng = np.random.default_rng([seed, WALK_STREAM])
    n = cohort.n_participants
    severity = cohort.latent["severity"].to_numpy(dtype=float)
    improvement = cohort.latent[[f"improvement_{v}" for v in model.VISITS]].to_numpy(dtype=float)
    person = rng.standard_normal(n)
    level = WALK_BASELINE_MEAN + WALK_BETWEEN_SD * (
        -WALK_SEVERITY_LOADING * severity + np.sqrt(1 - WALK_SEVERITY_LOADING**2) * person
    )
    raw = (
        level[:, None]
        + WALK_EFFECT * improvement
        + WALK_NOISE_SD * rng.standard_normal((n, len(model.VISITS)))
    )
    values = np.round(np.clip(raw, WALK_LOW, WALK_HIGH), 1)
    last = (
        cohort.participants["last_visit"].map({v: i for i, v in enumerate(model.VISITS)}).to_numpy()
    )
    attended = np.arange(len(model.VISITS))[None, :] <= last[:, None]
    not_done = rng.random(values.shape) < WALK_MISSING_PROBABILITY
    return np.where(attended & ~not_done, values, np.nan)


def design_data(design: Design, seed: int) -> DesignData:
    cohort = model.simulate_cohort(design.n, seed)
    wide = model.wide_values(cohort)  # participant x OUTCOME_KEYS x T0..T3, participant-ID order
    order = {v: i for i, v in enumerate(model.VISITS)}
    chosen = [order[old] for old, _new in design.visits]
    last = cohort.participants["last_visit"].map(order).to_numpy()
    keep = (
        last >= chosen[-1]
        if design.discontinuations == NOBODY_STOPPED
        else np.ones(len(last), dtype=bool)
    )
    people = cohort.participants[keep].reset_index(drop=True)
    values = {
        key: wide[keep, model.OUTCOME_KEYS.index(key)][:, chosen] for key in model.OUTCOME_KEYS
    }
    if design.walk_test:
        values[WALK_KEY] = walk_distances(cohort, seed)[keep][:, chosen]
    stopped = []
    for row, last_index in zip(people.itertuples(), last[keep]):
        if last_index < chosen[-1]:  # stopped before the final visit of this design
            seen = [new for (old, new), index in zip(design.visits, chosen) if index <= last_index]
            stopped.append((row.participant_id, seen[-1], row.stop_reason, row.stop_detail))
    return DesignData(participants=people, values=values, stopped=stopped)


def _cell(value: float, lloq: float | None = None):
    if value != value:
        return None
    if lloq is not None and value < lloq:
        return f"<{lloq:g}"
    return int(value) if float(value).is_integer() else float(value)


# --------------------------------------------------------------------------- files
def workbook_bytes(design: Design, data: DesignData, seed: int) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from .writers import FIXED_TIMESTAMP, GENERATOR, normalise_zip

    bold = Font(bold=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    suffix = SYNTHETIC_TITLE.format(name=design.name, seed=seed)
    ids = data.participants["participant_id"].tolist()
    wb = Workbook()
    wb.remove(wb.active)
    number = 0

    def one_row_sheet(sheet: str, title: str, header: list[str], rows: list[list[Any]]) -> None:
        nonlocal number
        number += 1
        ws = wb.create_sheet(sheet)
        ws.append([f"Table S{number}. {title}. {suffix}"])
        ws.append([])
        ws.append(header)
        for cell in ws[3]:
            cell.font = bold
        for row in rows:
            ws.append(row)

    if design.roster:
        rows = [
            [pid, str(site), int(age), str(sex), int(years)]
            for pid, site, age, sex, years in data.participants[
                ["participant_id", "site", "age", "sex", "years_ill"]
            ].itertuples(index=False, name=None)
        ]
        one_row_sheet(
            "Participants",
            "Participant characteristics at baseline",
            [ID_HEADER] + [h for h, _f in ROSTER_FIELDS],
            rows,
        )
    headers = list(visit_headers(design))
    for table in outcome_sheets(design):
        number += 1
        ws = wb.create_sheet(table.sheet)
        ws.append([f"Table S{number}. {table.title} by visit. {suffix}"])
        ws.append([])
        upper: list[Any] = [ID_HEADER]
        lower: list[Any] = [None]
        for label, _key in table.blocks:
            upper += [label] + [None] * (len(headers) - 1)
            lower += headers
        ws.append(upper)
        ws.append(lower)
        ws.merge_cells(start_row=3, start_column=1, end_row=4, end_column=1)
        for b in range(len(table.blocks)):
            first = 2 + len(headers) * b
            if len(headers) > 1:
                ws.merge_cells(
                    start_row=3, start_column=first, end_row=3, end_column=first + len(headers) - 1
                )
        for r in (3, 4):
            for cell in ws[r]:
                cell.font = bold
                cell.alignment = centre
        for i, pid in enumerate(ids):
            row: list[Any] = [pid]
            for _label, key in table.blocks:
                lloq = model.BIOMARKER_LLOQ if key in MARKER_HEADERS else None
                row += [_cell(v, lloq) for v in data.values[key][i].tolist()]
            ws.append(row)
    if design.discontinuations != ABSENT:
        one_row_sheet(
            "Discontinuations",
            "Participants who stopped treatment",
            [ID_HEADER] + [h for h, _f in DISCONTINUATION_FIELDS],
            [list(row) for row in data.stopped],
        )
    props = wb.properties
    props.title = f"Synthetic design {design.name} (SYNTHETIC DATA, not trial data)"
    props.creator = GENERATOR
    props.created = FIXED_TIMESTAMP
    props.modified = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    wb.save(buffer)
    return normalise_zip(buffer.getvalue())


def claims_text(design: Design, data: DesignData) -> str:
    document = {
        "claims": [
            {
                "id": "enrolled",
                "statement": f"{len(data.participants)} participants started treatment",
                "source": f"synthetic design {design.name}",
                "published": {"count": len(data.participants)},
                "recompute": {"kind": "count", "set": "set_enrolled"},
            }
        ],
        "means": [],
    }
    return "# SYNTHETIC claims for a generated design; not published numbers.\n" + yaml.safe_dump(
        document, sort_keys=False, allow_unicode=True
    )


def design_config(design: Design, seed: int, data_dir: str = DEFAULT_DATA_DIR) -> dict[str, Any]:
    """The pipeline config of the design; file paths are `<data_dir>/<file>`."""
    xlsx = f"{data_dir}/{XLSX_NAME}"
    headers = visit_headers(design)
    days = dict(zip(model.VISITS, model.VISIT_DAYS))
    tables: dict[str, Any] = {}
    instruments: dict[str, Any] = {}
    if design.roster:
        tables["participants"] = {
            "file": xlsx,
            "sheet": "Participants",
            "header_rows": 1,
            "id_header": ID_HEADER,
            "fields": dict(ROSTER_FIELDS),
        }
    for sheet in outcome_sheets(design):
        tables[sheet.table] = {
            "file": xlsx,
            "sheet": sheet.sheet,
            "header_rows": 2,
            "id_header": ID_HEADER,
            "outcomes": {label: key for label, key in sheet.blocks},
            "visits": dict(headers),
        }
        keys = [key for _label, key in sheet.blocks]
        if sheet.table == DOSE_INSTRUMENT[1]:
            instruments[DOSE_INSTRUMENT[0]] = {
                "table": sheet.table,
                "label": DOSE_INSTRUMENT[3],
                "outcomes": {DOSE_KEY: dict(DOSE_SPEC)},
            }
        elif sheet.table == WALK_INSTRUMENT[1]:
            instruments[WALK_INSTRUMENT[0]] = {
                "table": sheet.table,
                "label": WALK_INSTRUMENT[3],
                "outcomes": {WALK_KEY: dict(WALK_SPEC)},
            }
        elif sheet.table == MARKER_INSTRUMENT[1]:
            instruments[MARKER_INSTRUMENT[0]] = {
                "table": sheet.table,
                "label": MARKER_INSTRUMENT[3],
                "outcomes": {
                    key: {
                        "label": MARKER_HEADERS[key].split(" (")[0],
                        "unit": "ng/mL",
                        "min": 0,
                        "max": 1000,
                        "step": 0,
                        "lloq": model.BIOMARKER_LLOQ,
                        "direction": "none",
                    }
                    for key in keys
                },
            }
        else:
            instruments[sheet.table] = {
                "table": sheet.table,
                "label": sheet.title,
                "outcomes": {key: _outcome_definition(key) for key in keys},
            }
    if design.discontinuations != ABSENT:
        tables["discontinuations"] = {
            "file": xlsx,
            "sheet": "Discontinuations",
            "header_rows": 1,
            "id_header": ID_HEADER,
            "fields": dict(DISCONTINUATION_FIELDS),
        }
    # Completion and attendance: the questionnaires, listed explicitly when another directed outcome
    # exists.
    presence = list(design.outcomes) if design.walk_test else []
    analysis: dict[str, Any] = {
        "outcomes": [],
        "confidence": 0.95,
        "alpha": 0.05,
        "wilcoxon_method": "approx",
        "multiplicity": {"methods": ["holm", "fdr_bh"], "family_by": ["analysis_set", "test"]},
    }
    if design.responder_outcomes:
        analysis["responders"] = {
            "combine": "all",
            "k": 1,
            "assumption": "Synthetic design: thresholds chosen for testing the pipeline, not "
            "clinically justified.",
            "criteria": [
                {
                    "outcome": o,
                    "min_improvement": RESPONDER_THRESHOLDS.get(o) or _spec(o).step,
                    "unit": "points",
                }
                for o in design.responder_outcomes
            ],
        }
    analysis["tipping_point"] = {"max_shift_sd": 3} if design.tipping_point else None
    analysis["regression_to_mean"] = {}
    config: dict[str, Any] = {
        "synthetic": True,
        "study": {
            "title": f"Synthetic design {design.name}",
            "citation": "",
            "intervention": "low-dose rapamycin",
            "arm_label": "Started rapamycin",
        },
        "results_dir": "results",
        "corrections": f"{data_dir}/{CORRECTIONS_NAME}" if design.corrections else None,
        "claims": f"{data_dir}/{CLAIMS_NAME}" if design.claims else None,
        "visits": [
            ({"id": new, "day": days[old]} if design.days else {"id": new})
            for old, new in design.visits
        ],
        "participant_ids": {
            "pattern": r"^\s*RAP[\s_-]*0*(\d+)\s*$",
            "canonical": "RAP-{number:03d}",
        },
        "missing_tokens": ["", "NA"],
        "below_lloq": {"substitute": "lloq_half"},
        "tables": tables,
        "instruments": instruments,
        "grid_tolerance": 0.051,
        "analysis_sets": {
            "completer_visit": None,
            "completion_outcomes": presence,
            "attendance_outcomes": presence,
        },
        "dose_response": {
            "dose_outcome": DOSE_KEY,
            "bands": list(DOSE_BANDS),
            "figure_outcomes": [],
        }
        if design.dose
        else None,
        "analysis": analysis,
        "biomarker_analysis": {
            "markers": list(design.markers),
            "correlate_with": [],
            "scatter_outcomes": [],
            "change_visits": [],
            "bootstrap": {"resamples": 200, "seed": 20250523},
        },
        "simulation": {
            "seed": 20250607,
            "shards": 1,
            "trials_per_shard": 200,
            "calibration_size": 1000,
            "outcomes": [],
            "scenarios": {name: SCENARIOS[name] for name in list(SCENARIOS)[: design.scenarios]},
        },
    }
    return config


def config_text(design: Design, seed: int, data_dir: str = DEFAULT_DATA_DIR) -> str:
    header = (
        f"# SYNTHETIC design '{design.name}' (seed {seed}), written by "
        "rapamycin_mecfs.synthetic.designs.\n"
        f"# Covers: {design.covers}.\n"
    )
    return header + yaml.safe_dump(
        design_config(design, seed, data_dir), sort_keys=False, allow_unicode=True, width=120
    )


def write_design(
    design: Design, out_dir: str | Path, seed: int = DEFAULT_SEED, data_dir: str = DEFAULT_DATA_DIR
) -> dict[str, Path]:
    """Write the design's workbook, claims and ledger (when it has them) and config into `out_dir`.

    `data_dir` is `out_dir` as the pipeline's working directory sees it (config paths start with
    it). Returns file kind -> path written. Same design and seed give byte-identical files.
    """
    from .writers import _atomic_write_bytes

    out_dir = Path(out_dir)
    data = design_data(design, seed)
    paths = {"xlsx": out_dir / XLSX_NAME, "config": out_dir / CONFIG_NAME}
    _atomic_write_bytes(paths["xlsx"], workbook_bytes(design, data, seed))
    if design.claims:
        paths["claims"] = out_dir / CLAIMS_NAME
        _atomic_write_bytes(paths["claims"], claims_text(design, data).encode("utf-8"))
    if design.corrections:
        paths["corrections"] = out_dir / CORRECTIONS_NAME
        _atomic_write_bytes(paths["corrections"], LEDGER_HEADER.encode("utf-8"))
    _atomic_write_bytes(paths["config"], config_text(design, seed, data_dir).encode("utf-8"))
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rapamycin_mecfs.synthetic.designs", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("design", choices=sorted(DESIGNS_BY_NAME), help="design name")
    parser.add_argument(
        "--out",
        default=DEFAULT_DATA_DIR,
        metavar="DIR",
        help=f"output folder (default {DEFAULT_DATA_DIR})",
    )
    parser.add_argument(
        "--data-dir",
        default=None,
        metavar="DIR",
        help="the folder as config paths name it (default: --out)",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    args = parser.parse_args(argv)
    paths = write_design(
        DESIGNS_BY_NAME[args.design], args.out, args.seed, args.data_dir or args.out
    )
    for path in paths.values():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
