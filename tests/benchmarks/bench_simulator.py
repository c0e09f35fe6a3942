"""Benchmark: simulated trials per second, vectorised simulator vs a per-trial pingouin loop.

Not collected by pytest (the name does not start with test_). Run from the project root:

    .venv/bin/python tests/benchmarks/bench_simulator.py [--trials 10000] [--loop-trials 300]

Both sides analyse the same simulated trials (scenario informative_attrition_with_selection, the
heaviest: selection at entry and informative dropout; baseline as in tests/simulate_fixtures.py):

* vectorised: simulate + every statistic the pipeline reports (completers' Wilcoxon p for each of
  the configured outcomes, responders under three denominators), `--trials` trials in one process;
* loop: for each trial and each outcome one call of pingouin.wilcoxon(follow-up, baseline) on the
  completers (method="approx", correction=True, zero_method="wilcox": the pipeline's test), on
  `--loop-trials` of the same trials; the simulation itself is not timed (in the loop's favour).

The sides are timed `--repeats` times in interleaved pairs; rates are the best of each side and the
ratio the median over pairs (so load from elsewhere on the machine affects both alike).

Prints both rates, their ratio, and the largest p-value difference between the two. Exit status 1
when the vectorised side is under 50x faster or takes 10 s or more for 10,000 trials.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "workflow"))

import numpy as np  # noqa: E402
import pingouin  # noqa: E402
from rapamycin_mecfs.simulate import model as sim  # noqa: E402
from rapamycin_mecfs.simulate.summarise import run_shard, trial_summaries  # noqa: E402
from simulate_fixtures import make_model  # noqa: E402

SCENARIO = {"dropout": {"mode": "informative"}, "selection": {"enrol_fraction": 0.5}}


def loop_p_values(model, trials: sim.Trials) -> np.ndarray:
    """(trials, outcomes) completers' Wilcoxon p by pingouin, one call per trial and outcome."""
    final = model.visits.index(model.analysis["final_visit"])
    completer = model.visits.index(model.analysis["completer_visit"])
    outcomes = model.analysis["wilcoxon_outcomes"]
    p = np.full((trials.values.shape[0], len(outcomes)), np.nan)
    for t in range(trials.values.shape[0]):
        keep = trials.attended[t, :, completer]
        for j, outcome in enumerate(outcomes):
            k = model.index[outcome]
            follow, base = trials.values[t, keep, final, k], trials.values[t, keep, 0, k]
            if np.any(follow != base):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = pingouin.wilcoxon(
                        follow, base, method="approx", correction=True, zero_method="wilcox"
                    )
                p[t, j] = float(result["p_val" if "p_val" in result else "p-val"].iloc[0])
    return p


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--trials", type=int, default=10_000, help="trials for the vectorised simulator"
    )
    parser.add_argument("--loop-trials", type=int, default=300, help="trials for the pingouin loop")
    parser.add_argument("--seed", type=int, default=20250607)
    parser.add_argument("--repeats", type=int, default=5, help="interleaved timing pairs")
    args = parser.parse_args()

    model = make_model(**SCENARIO)
    outcomes = model.analysis["wilcoxon_outcomes"]
    make_model(**SCENARIO)  # warm-up (imports, first calls)
    run_shard(model, 50, np.random.default_rng(0))

    # The sides are timed in interleaved pairs (vectorised, loop, vectorised, loop, ...), so each
    # pair sees about the same load from anything else on the machine; the verdict uses the median
    # pair.
    trials = sim.simulate(model, args.loop_trials, np.random.default_rng(args.seed + 1))
    vectorised_times, stats_times, loop_times = [], [], []
    for _repeat in range(args.repeats):
        start = time.perf_counter()
        summary = run_shard(model, args.trials, np.random.default_rng(args.seed))
        vectorised_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        vectorised_p = trial_summaries(trials, model)[
            [f"p_value__{o}" for o in outcomes]
        ].to_numpy()
        stats_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        loop_p = loop_p_values(model, trials)
        loop_times.append(time.perf_counter() - start)
    vectorised_rates = args.trials / np.array(vectorised_times)
    loop_rates = args.loop_trials / np.array(loop_times)
    pair_ratios = np.sort(vectorised_rates / loop_rates)
    stats_ratios = np.sort(np.array(loop_times) / np.array(stats_times))
    vectorised_seconds, stats_seconds, loop_seconds = (
        min(vectorised_times),
        min(stats_times),
        min(loop_times),
    )
    vectorised_rate, loop_rate = args.trials / vectorised_seconds, args.loop_trials / loop_seconds
    difference = np.nanmax(np.abs(vectorised_p - loop_p))
    same_missing = np.array_equal(np.isnan(vectorised_p), np.isnan(loop_p))

    ratio = float(np.median(pair_ratios))
    per_10k = 10_000 / vectorised_rate
    print(
        f"cpu count: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f}; outcomes per "
        f"trial: {len(outcomes)}; enrolled per trial: {model.n_enrolled}; {args.repeats} "
        "interleaved timing pairs (rates: best)"
    )
    print(
        f"vectorised simulator (simulate + all statistics): {args.trials} trials in "
        f"{vectorised_seconds:.2f} s = {vectorised_rate:,.0f} trials/s ({per_10k:.2f} s per "
        "10,000 trials)"
    )
    print(
        f"vectorised statistics only: {args.loop_trials} trials in {stats_seconds:.3f} s = "
        f"{args.loop_trials / stats_seconds:,.0f} trials/s"
    )
    print(
        f"pingouin loop (statistics only, {len(outcomes)} pingouin.wilcoxon calls per trial): "
        f"{args.loop_trials} trials in {loop_seconds:.2f} s = {loop_rate:,.1f} trials/s"
    )
    print(
        f"ratio vectorised / loop, median of pairs: {ratio:,.0f}x (pairs: "
        f"{', '.join(f'{r:.0f}' for r in pair_ratios)}); statistics only: "
        f"{np.median(stats_ratios):,.0f}x"
    )
    print(
        f"largest |p vectorised - p pingouin|: {difference:.2e}; same untestable trials: "
        f"{same_missing}"
    )
    print(f"mean completers per trial: {summary['n__completers'].mean():.1f}")
    ok = ratio >= 50 and per_10k < 10 and same_missing and difference < 1e-10
    print("PASS" if ok else "FAIL: needs >= 50x, < 10 s per 10,000 trials, and agreeing p-values")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
