"""Synthetic study designs (rapamycin_mecfs.synthetic.designs): every optional part switched off
somewhere.

Fast tests check that each design writes a valid, self-contained config and deterministic files.
The end-to-end tests run the pipeline on each design in a temporary copy of the project and check
the tables written and the report's sections and "not run" lines against what the design states.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from conftest import selected_params
from rapamycin_mecfs.clean import id_normaliser
from rapamycin_mecfs.config import load_config
from rapamycin_mecfs.extract import extract_table
from rapamycin_mecfs.plan import StudyPlan
from rapamycin_mecfs.synthetic import designs
from rapamycin_mecfs.synthetic.designs import DESIGNS, write_design
from test_workflow import SNAKEMAKE, copy_project

SEED = 20250523
DATA_DIR = (
    "resources/design"  # the design's folder, relative to the project root the pipeline runs in
)
IDS = [design.name for design in DESIGNS]
# End-to-end runs at once (each with --cores 2): one run keeps about one core busy on average.
PARALLEL_RUNS = int(os.environ.get("DESIGN_RUNS_PARALLEL", "2"))
RUN_TIMEOUT = 600


def _config_paths(config: dict) -> list[str]:
    """Every file the config names."""
    paths = [table["file"] for table in config["tables"].values()]
    return paths + [config[key] for key in ("corrections", "claims") if config.get(key)]


# --------------------------------------------------------------------------- fast


def test_designs_cover_every_optional_part():
    assert len(DESIGNS) >= 8 and len(set(IDS)) == len(IDS)
    visit_counts = {
        (len(d.visits), d.days, any(old != new for old, new in d.visits)) for d in DESIGNS
    }
    assert (2, False, True) in visit_counts  # two renamed visits without days
    assert (3, True, True) in visit_counts  # three renamed visits with days
    assert any(not d.dose for d in DESIGNS)
    assert any(d.discontinuations == designs.ABSENT for d in DESIGNS)
    assert any(d.discontinuations == designs.NOBODY_STOPPED for d in DESIGNS)
    assert any(not d.markers for d in DESIGNS)
    assert any(not d.claims for d in DESIGNS)
    assert any(d.walk_test for d in DESIGNS)
    assert any(
        not d.dose
        and not d.markers
        and not d.walk_test
        and len({o.split("_")[0] for o in d.outcomes}) == 1
        for d in DESIGNS
    )
    assert any(not d.roster for d in DESIGNS)
    assert any(not d.responder_outcomes for d in DESIGNS)
    assert any(d.scenarios for d in DESIGNS)
    for design in DESIGNS:
        assert design.n >= 20
        assert set(design.sections_run) <= set(designs.ALL_SECTIONS), design.name


@pytest.mark.parametrize("design", DESIGNS, ids=IDS)
def test_design_config_validates_and_names_only_its_own_files(design, tmp_path, monkeypatch):
    out = tmp_path / DATA_DIR
    paths = write_design(design, out, SEED, DATA_DIR)
    config = load_config(paths["config"])
    assert config["synthetic"] is True and config["results_dir"] == "results"
    for path in _config_paths(config):
        resolved = (tmp_path / path).resolve()
        assert resolved.parent == out.resolve() and resolved.exists(), path
    assert config["biomarker_analysis"]["bootstrap"]["resamples"] == 200
    if design.walk_test:  # the walk test is analysed but does not decide completion or attendance
        assert designs.WALK_KEY not in config["analysis_sets"]["completion_outcomes"]
        assert config["analysis_sets"]["attendance_outcomes"] == list(design.outcomes)
    if design.scenarios:
        simulation = config["simulation"]
        assert (
            simulation["shards"],
            simulation["trials_per_shard"],
            simulation["calibration_size"],
        ) == (1, 200, 1000)
    # The design's own reasoning agrees with the study plan (a cross-check, not the source of the
    # expectation).
    plan = StudyPlan(config)
    assert {c.name for c in plan.not_run()} == design.expected_not_run
    assert list(plan.outcome_tables) == list(design.outcome_tables)
    assert plan.analysed_outcomes == design.analysed_outcomes
    # Every configured table extracts: one record per participant and mapped column.
    monkeypatch.chdir(tmp_path)
    ids = id_normaliser(config)
    for name, spec in config["tables"].items():
        if name == "discontinuations" and design.discontinuations == designs.NOBODY_STOPPED:
            # header only: whether the pipeline accepts that is for the end-to-end test to show
            continue
        extracted = extract_table(name, spec, ids)
        columns = len(spec.get("fields", {})) or len(spec["outcomes"]) * len(spec["visits"])
        rows = extracted["raw_participant_id"].nunique()
        assert len(extracted) == rows * columns, name
        if name == "discontinuations":
            assert 0 < rows < design.n, name
        else:
            assert rows == len(designs.design_data(design, SEED).participants), name


@pytest.mark.parametrize("design", DESIGNS, ids=IDS)
def test_design_files_are_byte_identical_when_written_twice(design, tmp_path):
    first = write_design(design, tmp_path / "a" / DATA_DIR, SEED, DATA_DIR)
    second = write_design(design, tmp_path / "b" / DATA_DIR, SEED, DATA_DIR)
    assert set(first) == set(second)
    for kind in first:
        assert first[kind].read_bytes() == second[kind].read_bytes(), kind


def test_walk_test_is_seeded_and_plausible():
    design = designs.DESIGNS_BY_NAME["six_minute_walk"]
    values = designs.design_data(design, SEED).values[designs.WALK_KEY]
    again = designs.design_data(design, SEED).values[designs.WALK_KEY]
    assert np.array_equal(values, again, equal_nan=True)
    present = values[values == values]
    assert present.min() >= designs.WALK_LOW and present.max() <= designs.WALK_HIGH
    assert (
        0 < (values[:, 0] != values[:, 0]).sum() < len(values)
    )  # some not done at baseline, most done


# --------------------------------------------------------------------------- end to end


class ReportParser(HTMLParser):
    """Sections (id -> data-run) and "not run" paragraphs (component, text) of the HTML report."""

    def __init__(self):
        super().__init__()
        self.sections: list[tuple[str, str | None]] = []
        self.not_run: list[tuple[str | None, str]] = []
        self._open: list[str | None] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "section" and "report-section" in classes:
            self.sections.append((attributes.get("id"), attributes.get("data-run")))
        if tag == "p" and "not-run" in classes:
            self._open = [attributes.get("data-component"), ""]

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if tag == "p" and self._open is not None:
            self.not_run.append((self._open[0], " ".join(self._open[1].split())))
            self._open = None


def _tracebacks(project: Path, result: subprocess.CompletedProcess) -> list[str]:
    found = [
        name
        for name, text in (("stdout", result.stdout), ("stderr", result.stderr))
        if "Traceback" in text
    ]
    logs = project / "logs"
    if logs.is_dir():
        found += [
            str(path.relative_to(project))
            for path in sorted(logs.rglob("*"))
            if path.is_file() and "Traceback" in path.read_text(encoding="utf-8", errors="replace")
        ]
    return found


def _failure(run: DesignRun) -> str:
    """The error lines of a failed run, then the end of its output (the full output is in
    snakemake.out)."""
    lines = (run.result.stdout + "\n" + run.result.stderr).splitlines()
    errors = list(
        dict.fromkeys(line for line in lines if re.search(r"Error|ERROR|Exception", line))
    )
    return "\n".join(
        [
            f"{run.design.name}: snakemake exit {run.result.returncode} after {run.seconds:.0f} s "
            f"(full output: {run.project / 'snakemake.out'})",
            "error lines:",
            *errors[:20],
            "last lines:",
            *lines[-25:],
        ]
    )


@dataclass
class DesignRun:
    design: designs.Design
    project: Path
    result: subprocess.CompletedProcess
    seconds: float


def run_design(design: designs.Design, directory: Path) -> DesignRun:
    """Copy the project, write the design into it and run the pipeline on the design's config."""
    project = copy_project(directory / "project")
    paths = write_design(design, project / DATA_DIR, SEED, DATA_DIR)
    start = time.perf_counter()
    # --configfile alone: the Snakefile then leaves the shipped config.yaml out (the design stands
    # alone).
    command = [
        *SNAKEMAKE,
        "--cores",
        "2",
        "--configfile",
        paths["config"].relative_to(project).as_posix(),
    ]
    try:
        result = subprocess.run(
            command, cwd=project, capture_output=True, text=True, timeout=RUN_TIMEOUT
        )
    except subprocess.TimeoutExpired as error:

        def text(value) -> str:
            return value.decode(errors="replace") if isinstance(value, bytes) else value or ""

        result = subprocess.CompletedProcess(
            command,
            -1,
            text(error.stdout),
            text(error.stderr) + f"\ntimed out after {RUN_TIMEOUT} s",
        )
    seconds = time.perf_counter() - start
    (project / "snakemake.out").write_text(
        result.stdout + "\n--- stderr ---\n" + result.stderr, encoding="utf-8"
    )
    return DesignRun(design, project, result, seconds)


@pytest.fixture(scope="session")
def design_runs(request, tmp_path_factory) -> dict[str, Future]:
    """Pipeline runs of the selected designs, started together on first use, PARALLEL_RUNS at a time
    (one run keeps about one of the two cores busy), in test order so the first test waits least."""
    selected = selected_params(request, "test_pipeline_runs_design", "design")
    root = tmp_path_factory.mktemp("designs")
    pool = ThreadPoolExecutor(max_workers=PARALLEL_RUNS)
    futures = {
        design.name: pool.submit(run_design, design, root / design.name) for design in selected
    }
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.mark.workflow
@pytest.mark.parametrize("design", DESIGNS, ids=IDS)
def test_pipeline_runs_design(design, design_runs):
    run = design_runs[design.name].result()
    project = run.project
    print(f"{design.name}: snakemake exit {run.result.returncode} in {run.seconds:.0f} s")
    exit_code = run.result.returncode
    assert exit_code == 0, _failure(run)
    assert not _tracebacks(project, run.result), f"Traceback in {_tracebacks(project, run.result)}"

    tables = project / "results" / "tables"
    written = {path.relative_to(tables).as_posix() for path in tables.rglob("*") if path.is_file()}
    assert sorted(written - design.expected_tables) == [], "unexpected tables"
    assert sorted(design.expected_tables - written) == [], "missing tables"

    report = ReportParser()
    report.feed((project / "results" / "report.html").read_text(encoding="utf-8"))
    assert report.sections, 'no <section class="report-section"> in the report'
    assert all(run in ("true", "false") for _id, run in report.sections), report.sections
    ids = [section_id for section_id, _run in report.sections]
    assert len(ids) == len(set(ids)), f"a section id repeats: {ids}"
    assert {
        section_id for section_id, run in report.sections if run == "true"
    } == design.expected_sections_run

    components = [component for component, _text in report.not_run]
    for component, text in report.not_run:
        assert text.startswith("not run: ") and len(text) > len("not run: "), (component, text)
    # Exactly one line per expected component and none other (sorted lists compare the counts too).
    assert sorted(components) == sorted(design.expected_not_run), report.not_run
