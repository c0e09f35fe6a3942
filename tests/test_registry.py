"""analysis/registry.py: one line per per-outcome table, and nothing else to edit.

The rules' outputs (through StudyPlan.outcome_tables), the combine step's families and the
report's inputs come from the registry; deleting a line removes the table from all of them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from rapamycin_mecfs.analysis import registry
from rapamycin_mecfs.analysis.combine import combine_outcome_table
from rapamycin_mecfs.analysis.outcome import TABLES, analyse_outcome
from rapamycin_mecfs.config import load_config
from rapamycin_mecfs.plan import StudyPlan
from test_analysis_data import DAYS, MAIN, SETTINGS, VISITS, clean_table, people_from
from test_analysis_outcome import SPEC

ROOT = Path(__file__).resolve().parents[1]
# Any table but paired_tests (which the claims audit and the null-trial simulation read too) can
# go; each dry run takes seconds, so three stand for the kinds: a table no figure draws, one a
# figure draws with others, and one with its own multiplicity family columns.
DELETABLE = ["friedman", "regression_to_mean", "dose_bands"]


def test_every_registered_table_has_a_builder():
    from rapamycin_mecfs.analysis.outcome import BUILDERS

    assert set(registry.OUTCOME_TABLES) <= set(BUILDERS)


def test_the_plan_and_the_analysis_job_list_the_registry_in_its_order():
    plan = StudyPlan(load_config(ROOT / "config.yaml"))
    assert plan.outcome_tables == list(registry.OUTCOME_TABLES)  # every component is on
    assert list(TABLES) == list(registry.OUTCOME_TABLES)


def test_a_deleted_line_is_neither_planned_nor_built(monkeypatch):
    trimmed = {k: v for k, v in registry.OUTCOME_TABLES.items() if k != "friedman"}
    monkeypatch.setattr(registry, "OUTCOME_TABLES", trimmed)
    monkeypatch.setattr("rapamycin_mecfs.plan.OUTCOME_TABLES", trimmed)
    plan = StudyPlan(load_config(ROOT / "config.yaml"))
    assert "friedman" not in plan.outcome_tables
    settings = {**SETTINGS, "tables": plan.outcome_tables}
    monkeypatch.setattr("rapamycin_mecfs.analysis.outcome.OUTCOME_TABLES", trimmed)
    tables = analyse_outcome(
        clean_table(MAIN, "score"), people_from(), SPEC, VISITS, DAYS, settings
    )
    assert "friedman" not in tables and "paired_tests" in tables


def _part(change: str, p: str, measure: str = "last") -> dict:
    return {
        "analysis_set": "s",
        "test": "spearman",
        "change": change,
        "dose_measure": measure,
        "p_value": p,
    }


def test_a_table_s_family_columns_join_the_configured_ones():
    # dose_response joins change and dose_measure: each row here is its own family of one.
    parts = [pd.DataFrame([_part("a", "0.01"), _part("b", "0.04")])]
    table = combine_outcome_table("dose_response", parts, ["analysis_set", "test"], ["holm"])
    assert table["family_size"].tolist() == [1, 1]
    assert table["p_holm"].tolist() == [0.01, 0.04]
    # The same rows as a table without extra family columns: one family of two, Holm by hand.
    table = combine_outcome_table("paired_tests", parts, ["analysis_set", "test"], ["holm"])
    assert table["family_size"].tolist() == [2, 2]
    assert table["p_holm"].tolist() == [0.02, 0.04]


def test_a_sensitivity_grid_is_not_adjusted():
    parts = [pd.DataFrame([_part("a", "0.01"), _part("a", "0.04")])]
    table = combine_outcome_table("tipping_point_mi", parts, ["analysis_set", "test"], ["holm"])
    assert "p_holm" not in table and table["p_value"].tolist() == ["0.01", "0.04"]


def _dry_run(project: Path) -> dict[str, str]:
    """rule name -> its jobs' input and output lines, from `snakemake -n`."""
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    jobs: dict[str, str] = {}
    for block in re.split(r"\n(?=rule |localrule )", result.stdout):
        match = re.match(r"(?:local)?rule (\w+):", block)
        if match:
            lines = [
                ln for ln in block.splitlines() if ln.strip().startswith(("input:", "output:"))
            ]
            jobs[match.group(1)] = jobs.get(match.group(1), "") + "\n".join(lines) + "\n"
    return jobs


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory) -> Path:
    """The project without results or tests, to plan in."""
    target = tmp_path_factory.mktemp("registry") / "project"
    shutil.copytree(
        ROOT,
        target,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "results*", "logs", ".snakemake", "tests", "__pycache__", "*.egg-info"
        ),
    )
    return target


@pytest.fixture(scope="module")
def planned(project_copy) -> dict[str, str]:
    return _dry_run(project_copy)


@pytest.mark.workflow
@pytest.mark.parametrize("name", DELETABLE)
def test_deleting_a_registry_line_removes_the_table_everywhere(project_copy, planned, name):
    """Rules, combine step, families and report lose the table; a figure drawing it goes too."""
    from rapamycin_mecfs.plots.registry import OUTCOME_TABLES_DRAWN

    source = project_copy / "workflow" / "rapamycin_mecfs" / "analysis" / "registry.py"
    original = source.read_text()
    # The entry runs from its key to the next entry or the end of the dict.
    line = re.compile(rf'^    "{name}": OutcomeTable\((?:.|\n)*?\n(?=    "|}})', re.MULTILINE)
    assert len(line.findall(original)) == 1, f"one registry line for {name}"
    before = planned
    source.write_text(line.sub("", original))
    try:
        after = _dry_run(project_copy)
    finally:
        source.write_text(original)
    # Its combined and per-outcome files (a marker table may share the name: not this one).
    path = re.compile(rf"tables/(?:outcomes/[^/,\s]+/)?{name}\.csv\b")
    # Before: the analysis jobs write it, the combine step stacks it, the report reads it.
    for rule in ("analyse_outcome", "combine_outcome_tables", "html_report"):
        assert path.search(before[rule]), (rule, name)
    # After: no job writes or reads it; every other table is still combined.
    assert not any(path.search(text) for text in after.values()), name
    for other in registry.OUTCOME_TABLES:
        if other != name:
            assert re.search(rf"/{other}\.csv\b", after["combine_outcome_tables"]), other
    # Only the figure rules that draw it are gone.
    drawing = {
        f"figure_{prefix.rstrip('_')}"
        for prefix, tables in OUTCOME_TABLES_DRAWN.items()
        if name in tables
    }
    assert set(before) - set(after) == drawing
