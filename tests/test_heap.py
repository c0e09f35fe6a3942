"""Freezing long-lived objects (rapamycin_mecfs.heap): what the collector sees, now and at exit.

Each case runs in a fresh interpreter, because freezing and exit hooks belong to a whole process.
A hook registered before the call runs after the module's own (exit hooks run last-in, first-out),
so it sees the heap exactly as interpreter shutdown will. The counts come from ``gc`` itself.
How much time this saves is measured in tests/benchmarks, not asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "workflow"

# Builds 5,000 tracked objects after the (optional) call, keeps them to the end, and reports from a
# hook that runs after the module's: how many objects are frozen and how many the collector tracks.
PROGRAM = """
import atexit, gc, json, sys
sys.path.insert(0, {package_dir!r})
from rapamycin_mecfs.heap import freeze_long_lived_objects

def report():
    counts = {{"frozen_at_exit": gc.get_freeze_count(), "tracked_at_exit": len(gc.get_objects())}}
    print(json.dumps(counts))

atexit.register(report)
tracked_before = len(gc.get_objects())
if {call}:
    freeze_long_lived_objects()
frozen_after_call = gc.get_freeze_count()
kept = [[i] for i in range(5000)]
print(json.dumps({{"tracked_before": tracked_before, "frozen_after_call": frozen_after_call}}))
"""


def run(call: bool) -> dict[str, int]:
    program = PROGRAM.format(package_dir=str(PACKAGE_DIR), call=call)
    completed = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    counts: dict[str, int] = {}
    for line in completed.stdout.splitlines():
        counts.update(json.loads(line))
    return counts


@pytest.fixture(scope="module")
def frozen() -> dict[str, int]:
    return run(call=True)


@pytest.fixture(scope="module")
def unfrozen() -> dict[str, int]:
    return run(call=False)


def test_every_object_alive_at_the_call_is_frozen(frozen):
    assert frozen["frozen_after_call"] >= frozen["tracked_before"] > 0


def test_objects_made_after_the_call_are_frozen_at_exit(frozen):
    assert frozen["frozen_at_exit"] >= frozen["frozen_after_call"] + 5000
    # Left for shutdown's collections: what the exit hooks themselves allocate, a few dozen at most.
    assert frozen["tracked_at_exit"] < 100


def test_without_the_call_shutdown_walks_every_object(unfrozen):
    assert unfrozen["frozen_after_call"] == unfrozen["frozen_at_exit"] == 0
    # The 5,000 kept lists at least (collections on the way may have freed earlier garbage).
    assert unfrozen["tracked_at_exit"] >= 5000
