"""Where a no-op rerun spends its time (not a test: run it by hand).

    .venv/bin/python tests/benchmarks/bench_noop_phases.py PROJECT [--repeats 5]

PROJECT is a directory with a complete run, so that `snakemake --cores 2` has nothing to do. Each
repeat is a fresh interpreter that times, with ``time.perf_counter`` around Snakemake's own
functions, its imports (plugin discovery included), the reading of each Snakefile and rule file,
Snakemake's parsing of them, `configfile:`, this project's config check and import graphs, and
the DAG; then, from outside, the interpreter's shutdown (exit hooks and the garbage collections
of finalisation, which no function inside sees) and the whole process as the terminal sees it.
Prints the median and range of each part over the repeats. A garbage collection can land
inside any part and add a tenth of a second or more to it, so read medians over several repeats.
The wrapped functions are Snakemake internals (pinned in requirements.lock); docs/performance.md
has the measured table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Run in PROJECT by a fresh interpreter; prints {part: seconds} as its last line.
CHILD = r"""
import inspect, json, sys, time
start = time.perf_counter()
import snakemake.cli
parts = {"Snakemake imports": time.perf_counter() - start}
depth = [0]

def timed(owner, name, part, outermost=False):
    original = getattr(owner, name)

    def add(began):
        depth[0] -= outermost
        if not (outermost and depth[0]):
            parts[part] = parts.get(part, 0.0) + time.perf_counter() - began

    if inspect.iscoroutinefunction(original):
        async def wrapper(*args, **kwargs):
            began = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                add(began)
    else:
        def wrapper(*args, **kwargs):
            began = time.perf_counter()
            depth[0] += outermost
            try:
                return original(*args, **kwargs)
            finally:
                add(began)
    setattr(owner, name, wrapper)

from snakemake import dag, workflow
# The Snakefile includes the rule files: only the outermost include is counted.
timed(workflow.Workflow, "include", "reading the Snakefile and rule files", outermost=True)
timed(workflow, "parse", "  Snakemake parsing them")
timed(workflow.Workflow, "configfile", "  configfile: (loading the config file)")
sys.path.insert(0, "workflow")
from rapamycin_mecfs import codedeps, config
timed(config, "check_config", "  config check")
timed(codedeps, "imported_sources", "  import graphs of the rule scripts")
timed(dag.DAG, "init", "DAG and needrun checks")
sys.argv = ["snakemake", "--cores", "2", "--quiet"]
try:
    snakemake.cli.main()
except SystemExit:
    pass
parts["total inside the process"] = time.perf_counter() - start
parts["ended at"] = time.time()  # the parent takes shutdown from here
print(json.dumps(parts))
"""


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("project", type=Path)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    runs = []
    for _ in range(args.repeats):
        started = time.time()
        done = subprocess.run(
            [sys.executable, "-c", CHILD],
            cwd=args.project,
            capture_output=True,
            text=True,
            check=True,
        )
        ended = time.time()
        parts = json.loads(done.stdout.strip().splitlines()[-1])
        parts["interpreter shutdown"] = ended - parts.pop("ended at")
        parts["whole process"] = ended - started
        runs.append(parts)
    for part in runs[0]:
        values = [run[part] for run in runs if part in run]
        print(
            f"{part:<45} median {statistics.median(values):5.2f} s  "
            f"range {min(values):.2f}-{max(values):.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
