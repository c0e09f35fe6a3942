import os
import sys
from pathlib import Path

from snakemake.utils import min_version

min_version("9.0")

# The package beside this directory holds the logic; planning needs only its standard-library parts.
sys.path.insert(0, str(Path(workflow.basedir) / "workflow"))
from rapamycin_mecfs.cells import CellParser
from rapamycin_mecfs.codedeps import imported_sources
from rapamycin_mecfs.config import check_config
from rapamycin_mecfs.errors import SupplementError
from rapamycin_mecfs.heap import freeze_long_lived_objects
from rapamycin_mecfs.ledger import presence_changes, read_ledger, route
from rapamycin_mecfs.plan import (
    DISCONTINUATIONS_TABLE,
    PARTICIPANTS_TABLE,
    StudyPlan,
)

# Snakemake's own objects live as long as this process: without this, the garbage collector walks
# them again and again; shutting down alone cost 0.6-0.8 s of every rerun (rapamycin_mecfs/heap.py).
freeze_long_lived_objects()

# One pass over the config (schema with defaults, cross-references, named files, ledger, claims):
# every problem in one list, then stop, with no traceback.
CONFIG_SOURCE = " + ".join(map(str, workflow.overwrite_configfiles)) or "config.yaml"
try:
    _checked = check_config(config, CONFIG_SOURCE)
except SupplementError as error:
    print(f"The configuration cannot be used as it is.\n{error}", file=sys.stderr)
    _stale = Path(str(config.get("results_dir") or "results")) / "report.html"
    if _stale.is_file():  # an earlier run's report must not look current
        _stale.unlink()
        print(f"{_stale} from an earlier run was removed.", file=sys.stderr)
    raise SystemExit(1)
config.clear()
config.update(_checked)
# Every question about the study's design (visit roles, optional parts, which outcomes count for
# what) is answered by the plan; the rules below only ask it.
PLAN = StudyPlan(config)

# Code inputs. Snakemake's code trigger sees only the file a rule's script: directive names, not
# the package modules the script imports (nor scripts/_step.py), so an edit to the logic itself
# would rerun nothing. Every rule therefore lists, as its `code` input, the project files its
# script imports, directly or through other files, read from its import statements
# (rapamycin_mecfs/codedeps.py): editing one of them reruns the jobs that run it. A rule names its
# script twice, with the same string:
#     code=script_code("../scripts/x.py"),  ...  script: "../scripts/x.py"
# (tests/test_codedeps.py checks every job's code input against its script's imports).
RULES_DIR = Path(workflow.basedir) / "workflow" / "rules"


def script_code(script):
    """The project's source files that `script` (written as in the rule's script: directive,
    relative to workflow/rules) imports, directly or not, as input paths."""
    path = Path(os.path.normpath(RULES_DIR / script))
    return [os.path.relpath(source) for source in imported_sources(path)]


RESULTS = config["results_dir"]
# Each study's logs beside its own results name, so a second study run with --configfile never
# overwrites the first one's logs.
LOGS = f"logs/{RESULTS}"
TABLES = list(config["tables"])
INSTRUMENTS = PLAN.instruments
OUTCOME_INSTRUMENT = {outcome: PLAN.instrument_of(outcome) for outcome in PLAN.outcomes}
OUTCOMES = list(PLAN.outcomes)
LEDGER_ROWS = read_ledger(config["corrections"]) if PLAN.has("corrections") else []
CORRECTIONS = route(
    LEDGER_ROWS,
    {name: PLAN.instrument_outcomes(name) for name in INSTRUMENTS},
    config["corrections"],
)


wildcard_constraints:
    table="|".join(TABLES),
    instrument="|".join(INSTRUMENTS),
    outcome="|".join(OUTCOMES),


# Settings every step shares; each job receives these plus only its own part of the config,
# so that editing one instrument's definition replans that instrument alone.
SHARED_KEYS = [
    "synthetic",
    "visits",
    "participant_ids",
    "missing_tokens",
    "below_lloq",
    "grid_tolerance",
    "analysis_sets",
    "corrections",
]


def shared_settings():
    return {key: config[key] for key in SHARED_KEYS}


def get_table_file(wildcards):
    return config["tables"][wildcards.table]["file"]


def get_extracted(table):
    return f"{RESULTS}/extracted/{table}.csv"


def get_outcome_extracted(wildcards):
    instrument = OUTCOME_INSTRUMENT[wildcards.outcome]
    return get_extracted(config["instruments"][instrument]["table"])


def get_outcome_settings(wildcards):
    """The config as cleaning one outcome needs it: its instrument reduced to that outcome."""
    name = OUTCOME_INSTRUMENT[wildcards.outcome]
    instrument = config["instruments"][name]
    table = instrument["table"]
    return {
        **shared_settings(),
        "tables": {table: config["tables"][table]},
        "instruments": {
            name: {
                **instrument,
                "outcomes": {
                    wildcards.outcome: instrument["outcomes"][wildcards.outcome]
                },
            }
        },
    }


def get_outcome_corrections(wildcards):
    instrument = OUTCOME_INSTRUMENT[wildcards.outcome]
    return [
        row for row in CORRECTIONS[instrument] if row["outcome"] == wildcards.outcome
    ]


def get_clean_outcome(outcome):
    return f"{RESULTS}/clean/outcomes/{outcome}.csv"


def get_instrument_outcomes(wildcards):
    return {
        "clean": [
            get_clean_outcome(o)
            for o in config["instruments"][wildcards.instrument]["outcomes"]
        ],
        "audit": [
            f"{RESULTS}/clean/outcomes/{o}.corrections.csv"
            for o in config["instruments"][wildcards.instrument]["outcomes"]
        ],
    }


def get_participants_inputs(wildcards):
    inputs = {
        "code": script_code("../scripts/participants.py"),
        "presence": [
            get_extracted(config["instruments"][name]["table"])
            for name in PLAN.presence_instruments
        ],
    }
    if PLAN.has("participants_table"):
        inputs["roster"] = get_extracted(PARTICIPANTS_TABLE)
    if PLAN.has("discontinuations"):
        inputs["discontinuations"] = get_extracted(DISCONTINUATIONS_TABLE)
    if PLAN.has("dose_response"):
        inputs["dose_values"] = get_clean_outcome(PLAN.dose_outcome)
    return inputs


def get_presence_corrections():
    parser = CellParser(config["missing_tokens"])
    return presence_changes(LEDGER_ROWS, parser.is_missing)


def get_final_outputs():
    return [
        *expand(f"{RESULTS}/tables/{{name}}.csv", name=OUTCOME_TABLES),
        *([f"{RESULTS}/tables/responders.csv"] if PLAN.has("responders") else []),
        *([f"{RESULTS}/tables/claims_audit.csv"] if PLAN.has("claims") else []),
        f"{RESULTS}/report.html",
        f"{RESULTS}/provenance.json",
        *expand(f"{RESULTS}/clean/{{instrument}}.csv", instrument=INSTRUMENTS),
        f"{RESULTS}/clean/participants.csv",
        f"{RESULTS}/clean/attrition.csv",
        f"{RESULTS}/clean/corrections_audit.csv",
    ]


# --- analysis -------------------------------------------------------------------------------

OUTCOME_TABLES = PLAN.outcome_tables
ANALYSED_OUTCOMES = PLAN.analysed_outcomes


def get_outcome_definition(wildcards):
    instrument = OUTCOME_INSTRUMENT[wildcards.outcome]
    return {
        "key": wildcards.outcome,
        "instrument": instrument,
        **config["instruments"][instrument]["outcomes"][wildcards.outcome],
    }


def get_outcome_tipping_point(outcome):
    """The tipping-point settings with only this outcome's delta grid (None when off)."""
    settings = PLAN.tipping_point
    if settings is None:
        return None
    grids = settings["delta_grid"]
    return {
        **settings,
        "delta_grid": {outcome: grids[outcome]} if outcome in grids else {},
    }


def get_outcome_analysis_settings(wildcards):
    """Only what one outcome's analyses read, so the responder rule or another outcome's
    reliability can change without replanning this outcome."""
    analysis = config["analysis"]
    rtm = analysis["regression_to_mean"]
    return {
        "visits": config["visits"],
        "days": PLAN.days,
        "final_visit": PLAN.final,
        "tables": OUTCOME_TABLES,
        "confidence": analysis["confidence"],
        "alpha": analysis["alpha"],
        "wilcoxon_method": analysis["wilcoxon_method"],
        "tipping_point": get_outcome_tipping_point(wildcards.outcome),
        "dose_response": (
            {"bands": PLAN.dose["bands"], "unit": PLAN.dose["spec"]["unit"]}
            if PLAN.has("dose_response")
            else None
        ),
        "cumulative_dose": PLAN.has("cumulative_dose"),
        "regression_to_mean": (
            {wildcards.outcome: rtm[wildcards.outcome]}
            if wildcards.outcome in rtm
            else {}
        ),
        "synthetic": config["synthetic"],
    }


def get_outcome_tables(wildcards):
    tables = {
        name: expand(
            f"{RESULTS}/tables/outcomes/{{outcome}}/{name}.csv",
            outcome=ANALYSED_OUTCOMES,
        )
        for name in OUTCOME_TABLES
    }
    return {
        "code": script_code("../scripts/combine_outcome_tables.py"),
        **tables,
    }


def get_responder_outcomes():
    return {o: PLAN.outcomes[o] for o in PLAN.responder_outcomes}


def get_responder_inputs():
    return [get_clean_outcome(o) for o in get_responder_outcomes()]


# --- figures --------------------------------------------------------------------------------

from rapamycin_mecfs.biomarkers import plan as figure_biomarker_plan
from rapamycin_mecfs.plots import registry as figure_registry

FIGURES_DIR = f"{RESULTS}/figures"
FIGURE_CAPTION = "../report/caption.rst"
FIGURE_VISITS = PLAN.visit_axis()
FIGURE_FINAL = PLAN.final
FIGURE_FOREST = figure_registry.forest_name(FIGURE_FINAL)
FIGURE_ENTRIES = {entry["name"]: entry for entry in figure_registry.figures(PLAN)}
FIGURE_TITLES = {name: entry["title"] for name, entry in FIGURE_ENTRIES.items()}
FIGURE_CAPTIONS = {name: entry["caption"] for name, entry in FIGURE_ENTRIES.items()}
FIGURE_MARKERS = PLAN.markers
FIGURE_MARKER_SPECS = {m: PLAN.outcomes[m] for m in FIGURE_MARKERS}
FIGURE_BIOMARKER_TABLES = {
    name: figure_biomarker_plan.combined_table(RESULTS, name)
    for name in figure_biomarker_plan.TABLES
}


def draws(figure):
    """Whether this study draws `figure` (a name, or a prefix such as "trajectories_"): the
    figure registry leaves out figures whose component is off or whose table is not produced.
    """
    return any(name.startswith(figure) for name in FIGURE_ENTRIES)


def get_figure_pngs():
    """figure name -> PNG path, in the registry's order (for the HTML report and rule all); the
    simulation's figure is drawn by simulate.smk."""
    return {name: f"{FIGURES_DIR}/{name}.png" for name in FIGURE_ENTRIES}


def get_figure_outputs():
    """Every figure as PNG and SVG, for rule all."""
    return [
        path
        for png in get_figure_pngs().values()
        for path in (png, png[: -len(".png")] + ".svg")
    ]


def get_trajectory_outcomes(instrument):
    """The analysed outcomes of one instrument, as the trajectory figure draws them."""
    return {
        o: PLAN.outcomes[o]
        for o in PLAN.instrument_outcomes(instrument)
        if o in PLAN.analysed_outcomes
    }


# --- report ---------------------------------------------------------------------------------

from rapamycin_mecfs.provenance import code_version

CODE_VERSION = code_version(workflow.basedir)


def get_report_tables():
    """name -> table the report reads (biomarker and figure outputs join when their rules exist)."""
    tables = {
        "participants": f"{RESULTS}/clean/participants.csv",
        "attrition": f"{RESULTS}/clean/attrition.csv",
        "corrections_audit": f"{RESULTS}/clean/corrections_audit.csv",
        **{name: f"{RESULTS}/tables/{name}.csv" for name in OUTCOME_TABLES},
    }
    if PLAN.has("responders"):
        tables["responders"] = f"{RESULTS}/tables/responders.csv"
    if PLAN.has("claims"):
        tables["claims_audit"] = f"{RESULTS}/tables/claims_audit.csv"
        tables["grim"] = f"{RESULTS}/tables/grim.csv"
    for provider in ("get_biomarker_report_tables", "get_simulation_report_tables"):
        if provider in globals():
            tables.update(globals()[provider]())
    return tables


def get_report_figures():
    """figure name -> PNG, in the registry's order."""
    return get_figure_pngs()


def get_report_inputs(wildcards):
    return {
        "tables": list(get_report_tables().values()),
        "figures": list(get_report_figures().values()),
        "supplement": sorted({table["file"] for table in config["tables"].values()}),
        "ledger": [config["corrections"]] if PLAN.has("corrections") else [],
        "claims": [config["claims"]] if PLAN.has("claims") else [],
        "lock": "requirements.lock",
        "template": "workflow/report/report.html.j2",
        "code": script_code("../scripts/html_report.py"),
    }


def get_pre_provenance_outputs():
    """Everything the manifest describes: every final output but the manifest itself."""
    outputs = list(get_final_outputs()) + get_figure_outputs()
    for provider in ("get_biomarker_outputs", "get_simulation_outputs"):
        if provider in globals():
            outputs += globals()[provider]()
    return [path for path in outputs if not path.endswith("provenance.json")]
