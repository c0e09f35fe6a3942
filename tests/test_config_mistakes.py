"""Config mistakes, as a user makes them, through Snakemake itself: one list naming every problem.

Each case edits the shipped config, runs `snakemake -n --configfile <edited>` in a copy of the
project, and expects a non-zero exit, every problem of the case in one list of fewer than 40
lines, and no Python traceback.
"""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path

import pytest
import yaml
from test_workflow import PROJECT_FILES, SNAKEMAKE, copy_project

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))

pytestmark = pytest.mark.workflow


def _drop(key):
    return lambda c: c.pop(key)


def _set(path: str, value):
    def edit(config):
        *parents, last = path.split("/")
        node = config
        for part in parents:
            node = node[part]
        node[last] = value

    return edit


def _both(*edits):
    def edit(config):
        for one in edits:
            one(config)

    return edit


# name -> (edit of the shipped config, fragments the one list must contain: one per problem)
MISTAKES = {
    "missing_required_key": (
        _drop("participant_ids"),
        ["key '(top level)': 'participant_ids' is a required property"],
    ),
    "unknown_outcome": (
        _set("analysis/outcomes", ["walking_speed"]),
        ["analysis/outcomes: unknown outcome 'walking_speed'"],
    ),
    "visit_not_in_visits": (
        _set("analysis/tipping_point/visit", "week_52"),
        ["analysis/tipping_point/visit: 'week_52' is not a follow-up visit"],
    ),
    "responder_outcome_missing": (
        _set(
            "analysis/responders/criteria",
            [{"outcome": "sleepiness", "min_improvement": 1, "unit": "points"}],
        ),
        ["analysis/responders/criteria: unknown outcome 'sleepiness'"],
    ),
    "wrong_type": (
        _set("analysis/alpha", "five percent"),
        ["key 'analysis/alpha': 'five percent' is not of type 'number'"],
    ),
    "misspelt_key": (
        lambda c: c.__setitem__("instrumnets", c.pop("instruments")),
        [
            "unknown key 'instrumnets' (did you mean 'instruments'?)",
            "'instruments' is a required property",
        ],
    ),
    "two_errors_at_once": (
        _both(_set("analysis/confidence", 1.5), _set("biomarker_analysis/markers", ["troponin"])),
        [
            "key 'analysis/confidence': 1.5 is greater than or equal to the maximum of 1",
            "unknown outcome 'troponin'",
        ],
    ),
    "named_file_missing": (
        _both(
            _set("tables/bas/file", "resources/supplementary/bas_typo.xlsx"),
            _set("claims", "resources/claims.yaml"),
        ),
        [
            "key 'tables/bas/file': value 'resources/supplementary/bas_typo.xlsx': file not found",
            "key 'claims': value 'resources/claims.yaml': file not found",
        ],
    ),
    "cross_references_and_files_together": (
        _both(
            _set("biomarker_analysis/markers", ["troponin"]),
            _set("corrections", "resources/ledger.csv"),
        ),
        [
            "biomarker_analysis/markers: unknown outcome 'troponin'",
            "key 'corrections': value 'resources/ledger.csv': file not found",
        ],
    ),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("mistakes"), PROJECT_FILES)


@pytest.mark.parametrize("name", list(MISTAKES))
def test_a_config_mistake_gives_one_list_and_no_traceback(project, name):
    edit, fragments = MISTAKES[name]
    config = copy.deepcopy(SHIPPED)
    edit(config)
    path = project / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = subprocess.run(
        [*SNAKEMAKE, "-n", "--cores", "1", "--configfile", path.name],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output and 'File "' not in output, output
    lines = output.strip().splitlines()
    assert len(lines) < 40, output
    assert lines[0] == "The configuration cannot be used as it is."
    listed = [line for line in lines if line.startswith(("  - ", f"{path.name}: "))] or lines[1:]
    for fragment in fragments:
        assert sum(fragment in line for line in listed) == 1, (fragment, output)
    # The list names the file the user gave, not the shipped config.
    assert all(Path(line.split(": ")[0].strip(" -")).name == path.name for line in listed), output
