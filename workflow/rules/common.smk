import sys
from pathlib import Path

from snakemake.utils import min_version, validate

min_version("9.0")


validate(config, schema="../schemas/config.schema.yaml")

# The package beside this directory holds the logic; planning needs only its standard-library parts.
sys.path.insert(0, str(Path(workflow.basedir) / "workflow"))
from rapamycin_mecfs.cells import CellParser
from rapamycin_mecfs.config import check_cross_references
from rapamycin_mecfs.ledger import presence_changes, read_ledger, route

check_cross_references(config)

RESULTS = config["results_dir"]
TABLES = list(config["tables"])
INSTRUMENTS = list(config["instruments"])
QUESTIONNAIRES = [
    name for name, inst in config["instruments"].items() if inst["questionnaire"]
]
LEDGER_ROWS = read_ledger(config["corrections"])
CORRECTIONS = route(
    LEDGER_ROWS,
    {name: list(inst["outcomes"]) for name, inst in config["instruments"].items()},
    config["corrections"],
)


wildcard_constraints:
    table="|".join(TABLES),
    instrument="|".join(INSTRUMENTS),


# Settings every step shares; each job receives these plus only its own part of the config,
# so that editing one instrument's definition replans that instrument alone.
SHARED_KEYS = [
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


def get_instrument_extracted(wildcards):
    return get_extracted(config["instruments"][wildcards.instrument]["table"])


def get_instrument_settings(wildcards):
    instrument = config["instruments"][wildcards.instrument]
    table = instrument["table"]
    return {
        **shared_settings(),
        "tables": {table: config["tables"][table]},
        "instruments": {wildcards.instrument: instrument},
    }


def get_instrument_corrections(wildcards):
    return CORRECTIONS[wildcards.instrument]


def get_participants_inputs(wildcards):
    inputs = {
        "roster": get_extracted("participants"),
        "discontinuations": get_extracted("discontinuations"),
        "questionnaires": [
            get_extracted(config["instruments"][name]["table"])
            for name in QUESTIONNAIRES
        ],
    }
    if "dose" in config["instruments"]:
        inputs["dose"] = f"{RESULTS}/clean/dose.csv"
    return inputs


def get_questionnaire_outcomes():
    return [
        outcome
        for name in QUESTIONNAIRES
        for outcome in config["instruments"][name]["outcomes"]
    ]


def get_presence_corrections():
    parser = CellParser(config["missing_tokens"])
    return presence_changes(LEDGER_ROWS, parser.is_missing)


def get_final_outputs():
    return [
        *expand(f"{RESULTS}/clean/{{instrument}}.csv", instrument=INSTRUMENTS),
        f"{RESULTS}/clean/participants.csv",
        f"{RESULTS}/clean/attrition.csv",
        f"{RESULTS}/clean/corrections_audit.csv",
    ]
