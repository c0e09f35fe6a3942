"""Benchmark of the whole workflow on this machine (not a test: run it by hand).

    .venv/bin/python tests/benchmarks/bench_pipeline.py [--cores 2] [--participants 10000]
    [--repeats 3]

For the shipped 86-participant synthetic supplement and for a generated cohort of --participants,
in a temporary copy of the project, it times:

  - cold full run: `snakemake --cores N` from nothing (every table, figure, simulation, the report);
  - no-op rerun: the same command again, with nothing to do, --noop-repeats times (5), the median
    reported; each is followed by a no-op of a one-rule workflow with one param (Snakemake's own
    start-up, plugin discovery and the pandas import its params check makes), so that the share
    of the no-op that is this project's planning can be read apart from how fast the machine is
    at that moment;
  - floor: one Python process that replays every job of the cold run in-process, in the order the
    cold run started them, with the same inputs, parameters and outputs (Snakemake writes each
    job's script, its parameters pickled in, to .snakemake/scripts; --skip-script-cleanup keeps
    them). The stack is imported once, there is no Snakemake and no job start-up, and the replay
    must write byte-identical outputs (checked; the benchmark stops if not);
  - rerun after one MFI correction, twice: a ledger row changing the first present, uncorrected
    value of an MFI domain the null-trial simulator reads (general fatigue: its baseline model, the
    dose figure and both biomarkers' correlations read it too, so the heaviest case), then one
    changing a domain it does not read (physical fatigue, as the other three domains).

Each measurement uses a fresh copy; the 86-participant cohort is measured --repeats times (3) and
the median reported with the range, the generated cohort --large-repeats times (1: it takes about
a quarter of an hour). Prints one table with seconds and ratios to the floor, the rules with the
most job-seconds in each cold run, then each target and whether it is met.
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
import yaml  # noqa: E402
from rapamycin_mecfs.ledger import LEDGER_COLUMNS  # noqa: E402
from test_workflow import copy_project  # noqa: E402  (the project copy the workflow tests use)

REPLAY_DIR = ".snakemake/replay"
STEPS = ("cold", "noop", "rerun", "rerun_other", "floor")
# The targets (docs/performance.md): the cold run against the in-process floor, the no-op rerun,
# a one-correction rerun against the cold run, and the large cohort's cold run.
COLD_OVER_FLOOR = 4.0
NOOP_SECONDS = 3.0
RERUN_SHARE = 0.40
LARGE_COLD_SECONDS = 20 * 60
# The smallest workflow that plans like this one: one rule with a param, its output up to date.
EMPTY_WORKFLOW = """rule one:
    output: "one.txt"
    params: value=1
    shell: "echo {params.value} > {output}"
"""

# Executes each job script in one interpreter; the scripts end in run_step(main, snakemake), which
# calls sys.exit only on bad input, so a SystemExit here is a failure.
REPLAY = r"""
import os, sys
from pathlib import Path
scripts = sorted(Path(sys.argv[1]).glob("*.py"), key=lambda p: (os.stat(p).st_mtime_ns, p.name))
for path in scripts:
    code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
    exec(code, {"__name__": "__main__", "__file__": str(path)})
print(len(scripts))
"""


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def keep_job_scripts(project: Path) -> int:
    """Move the cold run's job scripts aside (mtimes kept: they give the order the jobs started
    in)."""
    replay = project / REPLAY_DIR
    replay.mkdir(parents=True)
    scripts = list((project / ".snakemake" / "scripts").glob("*.py"))
    for script in scripts:
        os.replace(script, replay / script.name)
    return len(scripts)


def differing_files(left: Path, right: Path) -> list[str]:
    """Relative paths present in only one tree or with different bytes."""
    found = []
    comparison = filecmp.dircmp(left, right)
    stack = [(comparison, Path())]
    while stack:
        node, prefix = stack.pop()
        found += [
            str(prefix / name) for name in node.left_only + node.right_only + node.funny_files
        ]
        _, mismatch, errors = filecmp.cmpfiles(
            node.left, node.right, node.common_files, shallow=False
        )
        found += [str(prefix / name) for name in mismatch + errors]
        stack += [(child, prefix / name) for name, child in node.subdirs.items()]
    return sorted(found)


def floor_seconds(project: Path) -> tuple[float, int]:
    """Replay the kept scripts into empty results/ and logs/, and check the outputs against the cold
    run."""
    cold = Path(tempfile.mkdtemp(prefix="bench-cold-outputs-"))
    for name in ("results", "logs"):
        shutil.move(project / name, cold / name)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", REPLAY, REPLAY_DIR],
        cwd=project,
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    differ = differing_files(cold / "results", project / "results")
    if differ:
        raise SystemExit(
            f"the in-process replay wrote different outputs from the cold run: {differ[:10]}"
        )
    shutil.rmtree(cold)
    return seconds, int(done.stdout.split()[-1])


def mfi_outcomes(project: Path) -> tuple[str, str]:
    """(an MFI domain the null-trial simulator reads, one it does not): the two corrections
    measured."""
    config = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    simulated = set(config["simulation"]["outcomes"])
    domains = list(config["instruments"]["mfi"]["outcomes"])
    return next(d for d in domains if d in simulated), next(
        d for d in domains if d not in simulated
    )


def add_mfi_correction(project: Path, outcome: str, correction_id: str) -> str:
    """Append a ledger row changing the first present, uncorrected value of `outcome`; returns what
    it changed."""
    with (project / "results" / "clean" / "mfi.csv").open() as handle:
        row = next(
            r
            for r in csv.DictReader(handle)
            if r["outcome"] == outcome and r["value"] and not r["correction_id"]
        )
    new = "4" if float(row["value"]) != 4 else "5"
    entry = {
        "correction_id": correction_id,
        "participant_id": row["participant_id"],
        "outcome": row["outcome"],
        "visit": row["visit"],
        "expected_current_value": row["value"],
        "new_value": new,
        "reason": "benchmark",
        "reference": "bench_pipeline.py",
    }
    with (project / "resources" / "corrections.csv").open("a", newline="") as handle:
        csv.DictWriter(handle, fieldnames=LEDGER_COLUMNS, lineterminator="\n").writerow(entry)
    return f"{row['participant_id']} {row['outcome']} {row['visit']}: {row['value']} -> {new}"


def latest_log(project: Path) -> str:
    return max((project / ".snakemake" / "log").glob("*.snakemake.log")).read_text(encoding="utf-8")


def job_seconds(log: str) -> tuple[int, dict[str, float]]:
    """(jobs run, seconds per rule summed over its jobs) from a Snakemake log; whole-second
    timestamps."""
    stamp, started, rule_of, rule, per_rule = None, {}, {}, None, {}
    for line in log.splitlines():
        if match := re.match(r"\[(\w{3} \w{3} +\d+ [\d:]+ \d{4})\]", line):
            stamp = datetime.strptime(match.group(1), "%a %b %d %H:%M:%S %Y")
        elif match := re.match(r"(?:local)?rule (\w+):", line):
            rule = match.group(1)
        elif (match := re.match(r"\s+jobid: (\d+)", line)) and rule:
            started[match.group(1)], rule_of[match.group(1)], rule = stamp, rule, None
        elif (match := re.match(r"Finished jobid: (\d+)", line)) and match.group(1) in started:
            job = match.group(1)
            per_rule[rule_of[job]] = (
                per_rule.get(rule_of[job], 0.0) + (stamp - started[job]).total_seconds()
            )
    jobs = sum(1 for job in rule_of.values() if job != "all")
    return jobs, per_rule


def noop_seconds(project: Path, snakemake: list[str], repeats: int) -> tuple[float, float]:
    """Median seconds of `repeats` no-op reruns of the project, and of as many no-ops of the
    one-rule workflow, run in turn."""
    empty = Path(tempfile.mkdtemp(prefix="bench-empty-"))
    (empty / "Snakefile").write_text(EMPTY_WORKFLOW, encoding="utf-8")
    timed(snakemake, empty)  # makes its output, so that what follows has nothing to do
    ours, snakemake_alone = [], []
    for _ in range(repeats):
        ours.append(timed(snakemake, project))
        snakemake_alone.append(timed(snakemake, empty))
    shutil.rmtree(empty)
    return statistics.median(ours), statistics.median(snakemake_alone)


def measure(project: Path, cores: int, noop_repeats: int) -> dict[str, object]:
    snakemake = [sys.executable, "-m", "snakemake", "--cores", str(cores)]
    cold = timed([*snakemake, "--skip-script-cleanup"], project)
    jobs, per_rule = job_seconds(latest_log(project))
    scripts = keep_job_scripts(project)
    noop, noop_empty = noop_seconds(project, snakemake, noop_repeats)
    floor, replayed = floor_seconds(project)
    if not replayed == scripts == jobs:
        raise SystemExit(
            f"replayed {replayed} job scripts; the cold run wrote {scripts} and ran {jobs} jobs"
        )
    measured = {
        "cold": cold,
        "noop": noop,
        "noop_empty": noop_empty,
        "floor": floor,
        "jobs": jobs,
        "per_rule": per_rule,
    }
    for key, outcome, correction_id in zip(
        ("rerun", "rerun_other"), mfi_outcomes(project), ("B900", "B901")
    ):
        measured[f"{key}_correction"] = add_mfi_correction(project, outcome, correction_id)
        measured[key] = timed(snakemake, project)
        measured[f"{key}_jobs"], _ = job_seconds(latest_log(project))
    return measured


def median_of(runs: list[dict[str, object]]) -> dict[str, object]:
    """Median seconds of each step over repeated runs (each in a fresh copy); counts from the
    first."""
    summary = dict(runs[0])
    for key in (*STEPS, "noop_empty"):
        values = sorted(run[key] for run in runs)
        summary[key] = statistics.median(values)
        summary[f"{key}_range"] = (values[0], values[-1])
    summary["repeats"] = len(runs)
    return summary


def generate_cohort(project: Path, participants: int) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "rapamycin_mecfs",
            "generate",
            "--participants",
            str(participants),
            "--out",
            "resources/supplementary",
            "--corrections",
            "resources/corrections.csv",
        ],
        cwd=project,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def report(results: dict[int, dict[str, object]], cores: int) -> list[str]:
    lines = [f"{'participants':>12}  {'step':<58} {'seconds':>8} {'range':>13} {'x floor':>8}"]
    for cohort, times in results.items():
        floor = times["floor"]
        names = {
            "cold": f"cold full run ({times['jobs']} jobs, {cores} cores)",
            "noop": "no-op rerun (median)",
            "rerun": "rerun after an MFI correction, simulated domain "
            f"({times['rerun_jobs']} jobs)",
            "rerun_other": "rerun after an MFI correction, other domain "
            f"({times['rerun_other_jobs']} jobs)",
            "floor": "floor: every job in one process",
        }
        for key in STEPS:
            low, high = times[f"{key}_range"]
            spread = f"{low:.1f}-{high:.1f}" if times["repeats"] > 1 else "-"
            lines.append(
                f"{cohort:>12}  {names[key]:<58} {times[key]:>8.1f} {spread:>13} "
                f"{times[key] / floor:>8.2f}"
            )
    lines.append("")
    for cohort, times in results.items():
        lines.append(
            f"{cohort} participants: median of {times['repeats']} run(s), each in a fresh copy; "
            f"corrections {times['rerun_correction']} (simulated domain), then "
            f"{times['rerun_other_correction']}"
        )
        lines.append(
            f"  no-op rerun {times['noop']:.2f} s against {times['noop_empty']:.2f} s for a "
            "one-rule workflow on the same machine, run in turn (medians)"
        )
        heaviest = sorted(times["per_rule"].items(), key=lambda item: -item[1])[:6]
        lines.append(
            "  cold run, job-seconds by rule: "
            + ", ".join(f"{rule} {seconds:.0f}" for rule, seconds in heaviest)
        )
    lines.append("")
    small, *large = results
    checks = [
        (
            f"{small}: cold full run <= {COLD_OVER_FLOOR:g}x the floor",
            results[small]["cold"] / results[small]["floor"],
            COLD_OVER_FLOOR,
            "x",
        ),
        (f"{small}: no-op rerun <= {NOOP_SECONDS:g} s", results[small]["noop"], NOOP_SECONDS, " s"),
    ]
    for key, domain in (("rerun", "simulated"), ("rerun_other", "other")):
        checks.append(
            (
                f"{small}: one-correction rerun <= {RERUN_SHARE:.0%} of the cold run "
                f"({domain} MFI domain)",
                results[small][key] / results[small]["cold"],
                RERUN_SHARE,
                "",
            )
        )
    for cohort in large:
        checks.append(
            (
                f"{cohort}: cold full run on {cores} cores <= {LARGE_COLD_SECONDS / 60:g} min",
                results[cohort]["cold"],
                LARGE_COLD_SECONDS,
                " s",
            )
        )
    for name, value, limit, unit in checks:
        shown = f"{value:.0%}" if unit == "" else f"{value:.2f}{unit}"
        lines.append(f"{'met    ' if value <= limit else 'NOT met'}  {name}: {shown}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument(
        "--participants", type=int, default=10000, help="generated cohort (0 = none)"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs of the 86-participant cohort (median reported)"
    )
    parser.add_argument("--large-repeats", type=int, default=1, help="runs of the generated cohort")
    parser.add_argument(
        "--noop-repeats", type=int, default=5, help="no-op reruns per run (median reported)"
    )
    args = parser.parse_args()
    results = {}
    for cohort in (86, args.participants) if args.participants else (86,):
        runs = []
        for _ in range(args.repeats if cohort == 86 else args.large_repeats):
            project = copy_project(Path(tempfile.mkdtemp(prefix=f"bench-{cohort}-")))
            if cohort != 86:
                generate_cohort(project, cohort)
            runs.append(measure(project, args.cores, args.noop_repeats))
            shutil.rmtree(project)
            print(
                f"measured {cohort} participants: "
                + ", ".join(f"{k} {runs[-1][k]:.1f} s" for k in STEPS),
                file=sys.stderr,
            )
        results[cohort] = median_of(runs)
    print("\n".join(report(results, args.cores)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
