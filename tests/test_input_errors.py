"""Bad input through the pipeline, after a good run: every problem in one list, no traceback, no stale report.

A small synthetic study runs once; each case then damages a copy of that finished project and
runs again (the default workflow profile keeps going, and the Snakefile's `onerror:` summarises).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
import yaml

from rapamycin_mecfs.synthetic.designs import DESIGNS_BY_NAME, write_design
from test_workflow import PROJECT_FILES, SNAKEMAKE, copy_project, snakemake

pytestmark = pytest.mark.workflow

DATA = "resources/design"
CONFIG = f"{DATA}/config.yaml"
PROFILE = "profiles"


@pytest.fixture(scope="module")
def good_run(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("good"), [*PROJECT_FILES, PROFILE])
    write_design(DESIGNS_BY_NAME["pre_post_no_days"], project / DATA, data_dir=DATA)
    snakemake(project, "--configfile", CONFIG)
    assert (project / "results" / "report.html").is_file()
    return project


def rerun(good_run: Path, tmp_path: Path, damage) -> tuple[subprocess.CompletedProcess, Path]:
    project = tmp_path / "project"
    shutil.copytree(good_run, project, symlinks=True)
    damage(project)
    result = subprocess.run(
        [*SNAKEMAKE, "--cores", "2", "--configfile", CONFIG], cwd=project, capture_output=True, text=True, timeout=600
    )
    return result, project


def first_value_cells(workbook: Path, count: int) -> list[tuple[str, str]]:
    """(sheet, cell) of the first numeric data cell of `count` outcome sheets (two header rows)."""
    book = openpyxl.load_workbook(workbook)
    found = []
    for sheet in book.worksheets:
        merged = sheet.merged_cells.ranges
        if not merged:  # one-header tables (roster, discontinuations) have no merged outcome headers
            continue
        for row in sheet.iter_rows(min_row=5):
            numeric = [c for c in row[1:] if isinstance(c.value, (int, float))]
            if numeric:
                found.append((sheet.title, numeric[0].coordinate))
                break
        if len(found) == count:
            return found
    raise AssertionError(f"fewer than {count} outcome sheets in {workbook}")


def test_three_bad_values_in_three_tables_are_listed_together(good_run, tmp_path):
    workbook = good_run / DATA / "tables.xlsx"
    cells = first_value_cells(workbook, 3)
    written = ["\u22125", "12,5", dt.datetime(1900, 1, 12)]
    causes = ["a Unicode minus or dash sign", "a decimal comma", "a date: the cell is formatted as a date"]

    def damage(project):
        book = openpyxl.load_workbook(project / DATA / "tables.xlsx")
        for (sheet, cell), value in zip(cells, written):
            book[sheet][cell] = value
        book.save(project / DATA / "tables.xlsx")

    result, project = rerun(good_run, tmp_path, damage)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    summary = output[output.index("The run stopped: 3 problem(s) in the input") :].splitlines()
    listed = [line for line in summary if line.startswith("  - ")]
    assert len(listed) == 3, output
    for line, (sheet, cell), cause in zip(sorted(listed, key=lambda l: [s for s, _ in cells].index(l.split("['")[1].split("'")[0])), cells, causes):
        assert f"{DATA}/tables.xlsx ['{sheet}'!{cell}]" in line and cause in line and "expected a plain number" in line
    assert not (project / "results" / "report.html").exists()
    assert "results/report.html from an earlier run was removed" in output


@pytest.mark.parametrize("how", ["file deleted", "config points at a missing file"])
def test_a_missing_source_after_a_good_run_stops_planning(good_run, tmp_path, how):
    def damage(project):
        if how == "file deleted":
            (project / DATA / "tables.xlsx").unlink()
        else:
            config = yaml.safe_load((project / CONFIG).read_text(encoding="utf-8"))
            config["tables"]["bas"]["file"] = f"{DATA}/tables_v2.xlsx"
            (project / CONFIG).write_text(yaml.safe_dump(config), encoding="utf-8")

    result, project = rerun(good_run, tmp_path, damage)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "Traceback" not in output
    missing = "tables.xlsx" if how == "file deleted" else "tables_v2.xlsx"
    assert f"value '{DATA}/{missing}': file not found; expected an existing file" in output
    assert not (project / "results" / "report.html").exists()
    assert "report.html from an earlier run was removed" in output
