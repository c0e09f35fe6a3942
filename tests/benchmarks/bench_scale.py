"""Benchmark: the timing targets of the large-input unit tests, which assert only correctness.

Not collected by pytest (the name does not start with test_). Run from the project root:

    .venv/bin/python tests/benchmarks/bench_scale.py [--repeats 3]

Targets (each the best of --repeats runs, so load from elsewhere on the machine counts least):

* Hodges-Lehmann estimate and CI (stats.paired.hodges_lehmann) of n = 10,000 differences in
  under 1 s, and of n = 50,000 in under 5 s. tests/test_stats_paired.py
  (test_hl_scales_to_large_cohorts_without_quadratic_memory) checks the result and that memory
  stays O(n) at both sizes.
* Synthetic supplement of 10,000 participants: the model (synthetic.simulate_cohort) in under
  5 s, model and every file (synthetic.write_supplement: workbook, PDF, ledger) in under 20 s.
  tests/test_synthetic.py (test_ten_thousand_participants, and _files, marked workflow) checks
  the cohort and the files.

Prints one line per target with the seconds measured and whether it is met; exit status 1 when
one is not.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "workflow"))

import numpy as np  # noqa: E402
from rapamycin_mecfs.stats.paired import hodges_lehmann  # noqa: E402
from rapamycin_mecfs.synthetic import simulate_cohort, write_supplement  # noqa: E402

SEED = 20250523  # the shipped supplement's seed, as in tests/test_synthetic.py


def best(repeats: int, run) -> float:
    """The shortest of `repeats` wall-clock times of run()."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def hl_seconds(n: int, repeats: int) -> float:
    d = np.random.default_rng(5).normal(0.5, 3.0, n)
    return best(repeats, lambda: hodges_lehmann(d))


def supplement_seconds(repeats: int) -> tuple[float, float]:
    """Best seconds of the 10,000-participant model alone, and of the model and its files."""
    model = best(repeats, lambda: simulate_cohort(10_000, SEED))

    def model_and_files():
        with tempfile.TemporaryDirectory() as directory:
            cohort = simulate_cohort(10_000, SEED)
            write_supplement(cohort, Path(directory) / "big", Path(directory) / "c.csv", SEED)

    return model, best(repeats, model_and_files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per target (best counts)")
    args = parser.parse_args()

    hodges_lehmann(np.arange(20.0))  # warm-up (imports, first calls)
    model, total = supplement_seconds(args.repeats)
    results = [
        ("hodges_lehmann, n = 10,000", hl_seconds(10_000, args.repeats), 1.0),
        ("hodges_lehmann, n = 50,000", hl_seconds(50_000, args.repeats), 5.0),
        ("synthetic model, 10,000 participants", model, 5.0),
        ("synthetic model and files, 10,000 participants", total, 20.0),
    ]
    print(
        f"cpu count: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f}; best of "
        f"{args.repeats}"
    )
    ok = True
    for name, seconds, target in results:
        met = seconds < target
        ok &= met
        print(f"{name}: {seconds:.2f} s (target < {target:g} s): {'met' if met else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
