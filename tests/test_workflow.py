"""End-to-end: the workflow on the shipped synthetic supplement, in a temporary copy of the
project."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from rapamycin_mecfs.config import load_config, outcome_specs

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
PROJECT_FILES = ["Snakefile", "config.yaml", "workflow", "resources", "requirements.lock"]

pytestmark = pytest.mark.workflow


def copy_project(destination: Path, names: list[str] = PROJECT_FILES) -> Path:
    """The project's inputs and code (not results/ or .snakemake/) in a fresh directory."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, destination / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(source, destination / name)
    return destination


def snakemake(project: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [*SNAKEMAKE, "--cores", "2", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"snakemake {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result


@pytest.fixture(scope="module")
def project(local_project) -> Path:
    return local_project


def read(project: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(project / "results" / "clean" / name, keep_default_na=False, dtype=str)


def test_participant_counts_and_attrition(project):
    people = read(project, "participants.csv")
    assert len(people) == 86 and people["participant_id"].is_unique
    assert (people["has_data_T1"] == "True").sum() == 70
    assert 50 <= (people["has_data_T2"] == "True").sum() <= 62  # "about 56"
    assert (people["has_data_T3"] == "True").sum() == 46
    assert (people["set_completers"] == "True").sum() == 40
    assert (people["stopped"] == "True").sum() == 40
    attrition = read(project, "attrition.csv").set_index(["category", "visit"])
    assert attrition.loc[("completers", "T3"), "n"] == "40"


def test_every_present_value_has_its_source_cell(project):
    for instrument in load_config(ROOT / "config.yaml")["instruments"]:
        clean = read(project, f"{instrument}.csv")
        present = clean[clean["value"] != ""]
        assert len(present) > 0
        assert present["source_locator"].str.match(r"^'[^']+'![A-Z]+\d+$").all(), instrument
        assert (present["source_file"] == "resources/supplementary/supplementary_tables.xlsx").all()


def test_shipped_correction_is_applied_and_audited(project):
    ledger = list(csv.DictReader((ROOT / "resources" / "corrections.csv").open()))
    assert len(ledger) >= 1
    audit = read(project, "corrections_audit.csv")
    assert sorted(audit["correction_id"]) == sorted(row["correction_id"] for row in ledger)
    for row in ledger:
        instrument = outcome_specs(load_config(ROOT / "config.yaml"))[row["outcome"]].instrument
        clean = read(project, f"{instrument}.csv")
        cell = clean[
            (clean["participant_id"] == row["participant_id"])
            & (clean["outcome"] == row["outcome"])
            & (clean["visit"] == row["visit"])
        ].iloc[0]
        assert float(cell["value"]) == float(row["new_value"])
        assert float(cell["raw_value"]) == float(row["expected_current_value"])
        assert cell["correction_id"] == row["correction_id"] and "corrected" in cell["flag"]


def planned_outputs(dry_run_output: str) -> set[str]:
    """Output files of the jobs a dry run plans."""
    return set(re.findall(r"^\s+output: (.+)$", dry_run_output, flags=re.M))


def test_one_mfi_correction_replans_only_mfi(project):
    assert "Nothing to be done" in snakemake(project, "-n").stdout
    mfi = read(project, "mfi.csv")
    target = mfi[(mfi["value"] != "") & (mfi["correction_id"] == "")].iloc[0]
    new_value = 4 if float(target["value"]) != 4 else 5
    ledger = project / "resources" / "corrections.csv"
    with ledger.open("a", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(
            [
                "T900",
                target["participant_id"],
                target["outcome"],
                target["visit"],
                target["value"],
                new_value,
                "test: change one MFI value",
                "tests/test_workflow.py",
            ]
        )
    planned = planned_outputs(snakemake(project, "-n").stdout)
    joined = " ".join(planned)
    assert f"results/clean/outcomes/{target['outcome']}.csv" in joined
    assert "results/clean/mfi.csv" in joined  # the instrument table stacks its outcomes
    replanned_outcomes = set(re.findall(r"results/clean/outcomes/(\w+)\.csv", joined))
    assert replanned_outcomes == {target["outcome"]}, replanned_outcomes
    others = [name for name in load_config(ROOT / "config.yaml")["instruments"] if name != "mfi"]
    assert len(others) == 5
    for other in (*others, "participants"):
        assert f"results/clean/{other}.csv" not in joined, f"{other} was replanned:\n{joined}"
    assert "results/extracted/" not in joined
    # Analyses: only the corrected outcome's job, then the tables that combine all outcomes.
    reanalysed = set(re.findall(r"results/tables/outcomes/(\w+)/", joined))
    assert reanalysed == {target["outcome"]}, reanalysed
    assert "results/tables/paired_tests.csv" in joined
    assert "results/tables/responders.csv" not in joined  # the responder rule reads SSS items only
    # Biomarkers: the correlations read the outcome; the markers' own tables and figures do not.
    assert "results/tables/biomarkers/spearman_change.csv" in joined
    for table in ("lloq_counts", "trajectory", "responders_compare", "roc_auc"):
        assert f"results/tables/biomarkers/{table}.csv" not in joined, table
    for figure in ("biomarker_roc", "biomarker_trajectories", "responders", "participant_flow"):
        assert f"results/figures/{figure}.png" not in joined, figure
    # Figures: of the trajectories, only the corrected instrument's.
    assert re.findall(r"results/figures/trajectories_(\w+)\.png", joined) == ["mfi"]


def read_table(project: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(project / "results" / "tables" / name)


def test_paired_tests_cover_every_outcome_with_method_and_adjusted_p(project):
    config = load_config(ROOT / "config.yaml")
    # Every outcome with a direction (the questionnaires; not dose, not the markers) is analysed.
    questionnaire = [
        o
        for inst in config["instruments"].values()
        for o, spec in inst["outcomes"].items()
        if spec["direction"] != "none"
    ]
    paired = read_table(project, "paired_tests.csv")
    assert sorted(paired["outcome"].unique()) == sorted(questionnaire)
    # one row per outcome x visit x analysis set x test
    assert len(paired) == len(questionnaire) * 3 * 3 * 2
    assert not paired.duplicated(["outcome", "visit", "analysis_set", "test"]).any()
    for column in (
        "analysis_set",
        "n_pairs",
        "test",
        "method",
        "p_value",
        "p_holm",
        "p_fdr_bh",
        "family",
    ):
        assert paired[column].notna().all(), column
    assert (paired["data_status"] == "SYNTHETIC - not trial data").all()
    completers_t3 = paired[(paired["analysis_set"] == "completers") & (paired["visit"] == "T3")]
    assert (completers_t3["n_pairs"] <= 40).all()


def test_responders_three_denominators_and_tipping_point_for_every_outcome(project):
    responders = read_table(project, "responders.csv").set_index("analysis_set")
    assert list(responders.index) == [
        "completers",
        "reached_first_follow_up_locf",
        "enrolled_worst_case",
    ]
    assert responders.loc["enrolled_worst_case", "n"] == 86
    assert responders.loc["reached_first_follow_up_locf", "n"] <= 70
    assert responders.loc["completers", "n"] <= 40
    # Counting those who stopped as non-responders cannot raise the proportion.
    assert (
        responders.loc["enrolled_worst_case", "proportion"]
        <= responders.loc["completers", "proportion"]
    )
    tipping = read_table(project, "tipping_point.csv")
    paired = read_table(project, "paired_tests.csv")
    assert sorted(tipping["outcome"]) == sorted(paired["outcome"].unique())
    assert tipping["method"].notna().all()


def test_trace_reproduces_a_paired_test_row(project):
    """The participants and values the trace command lists give the row's n and means."""
    import io

    row = read_table(project, "paired_tests.csv")
    row = row[
        (row["outcome"] == "sf36_physical_functioning")
        & (row["visit"] == "T1")
        & (row["analysis_set"] == "available_pairs")
        & (row["test"] == "wilcoxon_signed_rank")
    ].iloc[0]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rapamycin_mecfs",
            "trace",
            "results/tables/paired_tests.csv",
            "--outcome",
            "sf36_physical_functioning",
            "--visit",
            "T1",
            "--set",
            "available_pairs",
            "--csv",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    csv_text = result.stdout[result.stdout.index("participant_id,") :]
    traced = pd.read_csv(io.StringIO(csv_text), keep_default_na=False)
    assert len(traced) == row["n_pairs"]
    assert traced["baseline_value"].mean() == pytest.approx(row["baseline_mean"])
    assert traced["follow_up_value"].mean() == pytest.approx(row["follow_up_mean"])
    assert traced["follow_up_source"].str.contains(r"\['S6 SF-36'!C\d+\]").all()
    # The shipped correction (850 -> 85 at RAP-023 T1) shows up with its id and the raw cell value.
    corrected = traced[traced["follow_up_correction"] != ""]
    assert list(corrected["participant_id"]) == ["RAP-023"] and list(
        corrected["follow_up_correction"]
    ) == ["C001"]
    assert (corrected["follow_up_raw"].astype(str) == "850").all() and (
        corrected["follow_up_value"] == 85
    ).all()


def files_under(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_two_clean_runs_are_byte_identical(project, tmp_path):
    second = copy_project(tmp_path)
    snakemake(second)
    first_files = files_under(project / "results")
    second_files = files_under(second / "results")
    first_files.pop("report_screenshot.png", None)  # written by the browser test, not the pipeline
    assert sorted(first_files) == sorted(second_files)
    assert any(name.endswith(".png") for name in first_files) and "report.html" in first_files
    differing = [name for name in first_files if first_files[name] != second_files[name]]
    assert differing == []


def test_a_second_study_beside_the_first_leaves_it_untouched(project, tmp_path):
    """Another study run with --configfile in the same checkout: its own config alone, its own
    results and logs; the shipped study's results and logs stay byte for byte as they were."""
    import yaml
    from rapamycin_mecfs.synthetic.designs import DESIGNS_BY_NAME, write_design

    checkout = tmp_path / "checkout"
    shutil.copytree(project, checkout, symlinks=True)
    before = {name: files_under(checkout / name) for name in ("results", "logs/results")}
    paths = write_design(
        DESIGNS_BY_NAME["pre_post_no_days"],
        checkout / "resources" / "second",
        data_dir="resources/second",
    )
    config = yaml.safe_load(paths["config"].read_text(encoding="utf-8"))
    config["results_dir"] = "results_second"
    paths["config"].write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    snakemake(checkout, "--configfile", "resources/second/config.yaml")
    assert {name: files_under(checkout / name) for name in before} == before
    assert files_under(checkout / "logs" / "results_second")
    report = (checkout / "results_second" / "report.html").read_text(encoding="utf-8")
    sources = re.search(r"<li>Source tables: (.*?)</li>", report).group(1)
    assert "resources/second/tables.xlsx" in sources and "supplementary" not in sources
    assert "supplementary_tables.xlsx" not in report and "corrections.csv" not in report


def test_report_and_provenance_describe_the_run(project):
    report = (project / "results" / "report.html").read_text(encoding="utf-8")
    assert 'id="synthetic-banner"' in report
    # Every section heading carries the synthetic tag.
    assert report.count('<span class="synthetic-tag">SYNTHETIC DATA</span>') >= 10
    import hashlib
    import json

    supplement = project / "resources" / "supplementary" / "supplementary_tables.xlsx"
    assert hashlib.sha256(supplement.read_bytes()).hexdigest() in report
    manifest = json.loads((project / "results" / "provenance.json").read_text())
    entry = manifest["files"]["results/clean/outcomes/sf36_physical_functioning.csv"]
    assert (
        entry["rule"] == "clean_outcome" and entry["script"] == "workflow/scripts/clean_outcome.py"
    )
    made = project / "results" / "clean" / "outcomes" / "sf36_physical_functioning.csv"
    assert entry["sha256"] == hashlib.sha256(made.read_bytes()).hexdigest()
    extracted = "results/extracted/sf36.csv"
    assert (
        entry["inputs"][extracted] == hashlib.sha256((project / extracted).read_bytes()).hexdigest()
    )
    listed = set(manifest["files"])
    on_disk = {
        p.relative_to(project).as_posix() for p in (project / "results").rglob("*") if p.is_file()
    }
    assert on_disk - listed - {"results/report_screenshot.png"} == {"results/provenance.json"}


def test_snakemake_report_shows_the_registry_caption_of_every_figure(project, tmp_path):
    """One caption per figure: the HTML report's text is what `snakemake --report` shows."""
    import html
    import zipfile

    from rapamycin_mecfs.plan import StudyPlan
    from rapamycin_mecfs.plots import registry

    report = project / "results" / "report.html"
    ours = html.unescape(report.read_text(encoding="utf-8"))
    snakemake(project, "--report", str(tmp_path / "report.zip"))
    with zipfile.ZipFile(tmp_path / "report.zip") as archive:
        theirs = archive.read("report/report.html").decode("utf-8")
    theirs = html.unescape(theirs)
    entries = registry.figures(StudyPlan(load_config(ROOT / "config.yaml")))
    assert len(entries) >= 10
    for entry in entries:
        if entry["name"] == "simulation_null":
            continue  # drawn by the simulator's rule, outside Snakemake's report categories
        opening = entry["caption"][:100]
        assert opening in ours, entry["name"]
        assert opening in theirs, entry["name"]


def _formatted(value: str, style: str) -> str:
    """A table cell printed the way the report prints it (formatting rules of report.formatting)."""
    from rapamycin_mecfs.report.formatting import number, p_value

    if style == "text":
        return value
    if value == "":
        return "–"
    if style == "percent":
        return f"{100 * float(value):.1f}%"
    return p_value(value) if style == "p" else number(value)


@pytest.mark.browser
def test_report_in_a_real_browser(project):
    """Headless Chromium: key findings first and traceable, every link and image works, short."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium")
        pytest.skip("chromium not installed (apt-get install chromium)")
    from urllib.parse import parse_qsl

    from playwright.sync_api import sync_playwright

    report = project / "results" / "report.html"
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1300, "height": 1800})
        page.on(
            "console",
            lambda message: errors.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        images = page.eval_on_selector_all(
            "img", "imgs => imgs.map(i => [i.alt, i.complete, i.naturalWidth])"
        )
        banner_visible = page.is_visible("#synthetic-banner")
        first_section = page.eval_on_selector("section.report-section", "s => s.id")
        finding_links = page.eval_on_selector_all(
            "#key_findings a", "links => links.map(a => a.getAttribute('href'))"
        )
        anchors = set(page.eval_on_selector_all("[id]", "nodes => nodes.map(n => n.id)"))
        sources = page.eval_on_selector_all(
            "#key_findings [data-source]",
            "nodes => nodes.map(n => [n.dataset.source, n.dataset.row, n.dataset.column, "
            "n.dataset.format, n.textContent])",
        )
        table_links = set(
            page.eval_on_selector_all(
                "a[href^='tables/']", "links => links.map(a => a.getAttribute('href'))"
            )
        )
        visible = [line for line in page.inner_text("body").splitlines() if line.strip()]
        page.screenshot(path=str(project / "results" / "report_screenshot.png"), full_page=False)
        browser.close()
    # Also beside the checkout's own results, where a developer or CI log can point to it.
    (ROOT / "results").mkdir(exist_ok=True)
    shutil.copy(
        project / "results" / "report_screenshot.png", ROOT / "results" / "report_screenshot.png"
    )
    assert images, "the report has no images"
    assert all(complete and width > 0 for _, complete, width in images), images
    assert errors == []
    assert banner_visible
    assert first_section == "key_findings"
    assert finding_links and all(
        link.startswith("#") and link[1:] in anchors for link in finding_links
    ), finding_links
    # Every number in the key findings is the cell it names, printed by the report's rules.
    assert len(sources) >= 20
    for source, row, column, style, text in sources:
        table = pd.read_csv(project / "results" / source, dtype=str, keep_default_na=False)
        for key, value in parse_qsl(row, keep_blank_values=True):
            table = table[table[key] == value]
        assert len(table) == 1, (source, row)
        assert text == _formatted(table.iloc[0][column], style), (source, row, column, text)
    assert len(visible) <= 800, f"{len(visible)} lines of visible text"
    written = {
        f"tables/{path.relative_to(project / 'results' / 'tables').as_posix()}"
        for path in (project / "results" / "tables").rglob("*.csv")
    }
    assert written and written <= table_links, sorted(written - table_links)


def test_lint_is_clean():
    result = subprocess.run(
        [*SNAKEMAKE, "--lint"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and "Congratulations" in result.stdout + result.stderr, (
        result.stdout + result.stderr
    )


def test_snakefmt_is_clean():
    snakefmt = Path(sys.executable).with_name("snakefmt")
    result = subprocess.run(
        [str(snakefmt), "--check", "Snakefile", "workflow/rules"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


# check --output-format concise: one `path:line:column: code message` line per problem;
# format --check --diff: the lines ruff format would change, with their file and line numbers.
@pytest.mark.parametrize(
    "command",
    [["check", "--output-format", "concise"], ["format", "--check", "--diff"]],
    ids=["check", "format"],
)
def test_ruff_is_clean(command):
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run(
        [str(ruff), command[0], "--no-cache", *command[1:], "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_bad_value_stops_the_run_with_one_message_and_no_output(tmp_path):
    import openpyxl

    project = copy_project(tmp_path)
    workbook_path = project / "resources" / "supplementary" / "supplementary_tables.xlsx"
    workbook = openpyxl.load_workbook(workbook_path)
    sheet = workbook["S3 BAS"]
    sheet["C7"] = 35  # BAS moves in steps of 10
    workbook.save(workbook_path)
    result = snakemake(project, check=False)
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert "'S3 BAS'!C7" in message and "35" in message and "multiple of 10" in message
    assert not (project / "results" / "clean" / "bas.csv").exists()
