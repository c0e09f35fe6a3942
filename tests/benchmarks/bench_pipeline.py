"""Benchmark of the workflow on this machine (not a test: run it by hand).

    .venv/bin/python tests/benchmarks/bench_pipeline.py [--cores 2] [--participants 10000]

Measures, in temporary copies of the project:
  - cold full run, no-op rerun, and rerun after one MFI correction, for the shipped 86-participant
    synthetic supplement and for a generated cohort of --participants;
  - the same cold run restricted to the analysis tables (extraction -> cleaning -> paired tests,
    responders, biomarkers, claims), and a floor for it: one Python process that imports the stack
    once and calls the same package functions in the same order, with no Snakemake and no job startup.
Prints one table with seconds and ratios to the floor.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT_FILES = ["Snakefile", "config.yaml", "workflow", "resources", "requirements.lock"]


def copy_project(destination: Path, source: Path = ROOT) -> Path:
    for name in PROJECT_FILES:
        if (source / name).is_dir():
            shutil.copytree(source / name, destination / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source / name, destination / name)
    return destination


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def add_mfi_correction(project: Path) -> None:
    """Append a ledger row that changes one present, uncorrected MFI value."""
    with (project / "results" / "clean" / "mfi.csv").open() as handle:
        for row in csv.DictReader(handle):
            if row["value"] and not row["correction_id"]:
                break
    new = "4" if float(row["value"]) != 4 else "5"
    with (project / "resources" / "corrections.csv").open("a", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(
            ["B900", row["participant_id"], row["outcome"], row["visit"], row["value"], new, "benchmark", "bench_pipeline.py"]
        )


def analysis_targets() -> list[str]:
    return [
        "results/tables/paired_tests.csv",
        "results/tables/responders.csv",
        "results/tables/claims_audit.csv",
        "results/tables/biomarkers/roc_auc.csv",
    ]


FLOOR = r'''
import sys, time
start = time.perf_counter()
import pandas as pd
from rapamycin_mecfs.config import load_config, outcome_specs, visit_ids, visit_days, questionnaire_instruments
from rapamycin_mecfs.cells import IdNormaliser, CellParser
from rapamycin_mecfs.extract import extract_table
from rapamycin_mecfs.clean import clean_instrument
from rapamycin_mecfs.ledger import read_ledger, route, presence_changes
from rapamycin_mecfs.participants import build_participants
from rapamycin_mecfs.analysis.data import Participants
from rapamycin_mecfs.analysis.outcome import analyse_outcome
from rapamycin_mecfs.analysis.combine import adjust_within_families
from rapamycin_mecfs.analysis.responders import responder_status, responder_proportions
from rapamycin_mecfs.biomarkers import plan as biomarker_plan
from rapamycin_mecfs.biomarkers.marker import analyse_marker
from rapamycin_mecfs.claims import audit_claims, load_claims

config = load_config("config.yaml")
ids = IdNormaliser(**config["participant_ids"])
extracted = {key: extract_table(key, spec, ids) for key, spec in config["tables"].items()}
routed = route(read_ledger(config["corrections"]), {n: list(i["outcomes"]) for n, i in config["instruments"].items()}, "ledger")
clean = {}
for name, instrument in config["instruments"].items():
    for outcome in instrument["outcomes"]:
        one = {**config, "instruments": {name: {**instrument, "outcomes": {outcome: instrument["outcomes"][outcome]}}}}
        clean[outcome], _ = clean_instrument(extracted[instrument["table"]], extracted["participants"], one, name,
                                             [r for r in routed[name] if r["outcome"] == outcome])
questionnaires = questionnaire_instruments(config)
people_table, _ = build_participants(
    extracted["participants"], extracted["discontinuations"],
    {n: extracted[config["instruments"][n]["table"]] for n in questionnaires},
    [o for n in questionnaires for o in config["instruments"][n]["outcomes"]],
    pd.concat([clean[o] for o in config["instruments"]["dose"]["outcomes"]]),
    config, presence_changes(read_ledger(config["corrections"]), CellParser(config["missing_tokens"]).is_missing),
)
people = Participants.from_csv_frame(people_table.astype(str))
specs = outcome_specs(config)
settings = {**config["analysis"], "visits": config["visits"], "synthetic": config["synthetic"]}
as_text = lambda frame: frame.assign(value=frame["value"].map(lambda v: "" if pd.isna(v) else repr(float(v))))
tables = [analyse_outcome(as_text(clean[o]), people, specs[o], visit_ids(config), visit_days(config), settings)
          for n in questionnaires for o in config["instruments"][n]["outcomes"]]
paired = adjust_within_families(pd.concat([t["paired_tests"] for t in tables]), ["analysis_set", "test"], ["holm", "fdr_bh"])
rule = config["analysis"]["responders"]
criteria = [c["outcome"] for c in rule["criteria"]]
status = responder_status(pd.concat([as_text(clean[o]) for o in criteria]), people, visit_ids(config), rule,
                          {o: specs[o].direction for o in criteria})
proportions = responder_proportions(status, people, rule, 0.95, {o: specs[o].label for o in criteria})
for marker in biomarker_plan.markers(config):
    outcomes = biomarker_plan.correlated_outcomes(config)
    analyse_marker(as_text(clean[marker]), {o: as_text(clean[o]) for o in outcomes},
                   pd.concat([as_text(clean[o]) for o in criteria]), people,
                   biomarker_plan.marker_definition(config, marker),
                   biomarker_plan.outcome_definitions(config, outcomes), biomarker_plan.marker_settings(config))
audit_claims(load_claims(config["claims"])["claims"], people_table.astype(str), proportions)
print(f"{time.perf_counter() - start:.3f}")
'''


def floor_seconds(project: Path) -> float:
    result = subprocess.run([sys.executable, "-c", FLOOR], cwd=project, check=True, capture_output=True, text=True)
    return float(result.stdout.strip().splitlines()[-1])


def measure(project: Path, cores: int) -> dict[str, float]:
    snakemake = [sys.executable, "-m", "snakemake", "--cores", str(cores)]
    # A second copy with the same inputs, for the analysis-only run.
    analysis = copy_project(Path(tempfile.mkdtemp(prefix="bench-analysis-")), source=project)
    times = {
        "analysis stages, cold": timed([*snakemake, *analysis_targets()], analysis),
        "floor: analysis stages in one process": floor_seconds(project),
        "cold full run": timed(snakemake, project),
        "no-op rerun": timed(snakemake, project),
    }
    add_mfi_correction(project)
    times["rerun after one MFI correction"] = timed(snakemake, project)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--participants", type=int, default=10000)
    args = parser.parse_args()
    rows = []
    for cohort in (86, args.participants):
        project = copy_project(Path(tempfile.mkdtemp(prefix=f"bench-{cohort}-")))
        if cohort != 86:
            subprocess.run(
                [sys.executable, "-m", "rapamycin_mecfs", "generate", "--participants", str(cohort),
                 "--out", "resources/supplementary", "--corrections", "resources/corrections.csv"],
                cwd=project, check=True, stdout=subprocess.DEVNULL,
            )
        for step, seconds in measure(project, args.cores).items():
            rows.append((cohort, step, seconds))
    floors = {cohort: s for cohort, step, s in rows if step.startswith("floor")}
    print(f"{'participants':>12}  {'step':<42} {'seconds':>9} {'x floor':>8}")
    for cohort, step, seconds in rows:
        print(f"{cohort:>12}  {step:<42} {seconds:>9.1f} {seconds / floors[cohort]:>8.2f}")
    cold = {cohort: s for cohort, step, s in rows if step == "cold full run"}
    print(f"\ncold full run, {args.participants} vs 86 participants: {cold[args.participants] / cold[86]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
