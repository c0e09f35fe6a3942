"""Bad input through the pipeline, after a good run: every problem in one list, no traceback, no
stale report.

A small synthetic study runs once; each case then damages a copy of that finished project and
runs again (the default workflow profile keeps going, and the Snakefile's `onerror:` summarises).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import selected_params
from rapamycin_mecfs.synthetic.designs import DESIGNS_BY_NAME, write_design
from test_workflow import PROJECT_FILES, SNAKEMAKE, copy_project, snakemake

pytestmark = pytest.mark.workflow

DATA = "resources/design"
CONFIG = f"{DATA}/config.yaml"
PROFILE = "profiles"
# Reruns at once (each with --cores 2): a failing run keeps about one of the two cores busy.
PARALLEL_RUNS = int(os.environ.get("DESIGN_RUNS_PARALLEL", "2"))


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
        [*SNAKEMAKE, "--cores", "2", "--configfile", CONFIG],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return result, project


def first_value_cells(workbook: Path, count: int) -> list[tuple[str, str]]:
    """(sheet, cell) of the first numeric data cell of `count` outcome sheets (two header rows)."""
    book = openpyxl.load_workbook(workbook)
    found = []
    for sheet in book.worksheets:
        merged = sheet.merged_cells.ranges
        if (
            not merged
        ):  # one-header tables (roster, discontinuations) have no merged outcome headers
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
    causes = [
        "a Unicode minus or dash sign",
        "a decimal comma",
        "a date: the cell is formatted as a date",
    ]

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
    for line, (sheet, cell), cause in zip(
        sorted(
            listed,
            key=lambda item: [s for s, _ in cells].index(item.split("['")[1].split("'")[0]),
        ),
        cells,
        causes,
    ):
        assert (
            f"{DATA}/tables.xlsx ['{sheet}'!{cell}]" in line
            and cause in line
            and "expected a plain number" in line
        )
    assert not (project / "results" / "report.html").exists()
    assert "results/report.html from an earlier run was removed" in output


LEDGER_HEADER = (
    "correction_id,participant_id,outcome,visit,expected_current_value,new_value,reason,reference"
)


def edit_sheet(sheet_name: str, edit):
    """A damage that opens the design workbook, edits one sheet and saves it."""

    def damage(project):
        path = project / DATA / "tables.xlsx"
        book = openpyxl.load_workbook(path)
        edit(book[sheet_name])
        book.save(path)

    return damage


def set_cell(sheet: str, cell: str, value):
    return edit_sheet(sheet, lambda ws: ws.__setitem__(cell, value))


def with_ledger(content: bytes):
    """A damage that adds a corrections ledger with `content` to the design's config."""

    def damage(project):
        (project / DATA / "corrections.csv").write_bytes(content)
        config = yaml.safe_load((project / CONFIG).read_text(encoding="utf-8"))
        config["corrections"] = f"{DATA}/corrections.csv"
        (project / CONFIG).write_text(yaml.safe_dump(config), encoding="utf-8")

    return damage


def ledger_rows(
    *rows: str, bom: bool = False, newline: str = "\n", encoding: str = "utf-8"
) -> bytes:
    return (("\ufeff" if bom else "") + newline.join([LEDGER_HEADER, *rows]) + newline).encode(
        encoding
    )


def truncate(project):
    path = project / DATA / "tables.xlsx"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def damage_sheet_xml(project):
    import zipfile

    path = project / DATA / "tables.xlsx"
    original = path.read_bytes()
    with (
        zipfile.ZipFile(__import__("io").BytesIO(original)) as source,
        zipfile.ZipFile(path, "w") as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet3.xml":  # the third sheet: BAS
                data = data[:300] + b"<<not xml" + data[300:]
            target.writestr(item, data)


def clear_data_rows(ws):
    for row in ws.iter_rows(min_row=5):
        for cell in row:
            cell.value = None


# name -> (damage, exit code 0?, fragments the output must contain, each once per run)
CASES = {
    "truncated_xlsx": (
        truncate,
        False,
        ["tables.xlsx: not a valid .xlsx workbook (", "expected an Excel 2007+ file"],
    ),
    "damaged_sheet_xml": (
        damage_sheet_xml,
        False,
        ["tables.xlsx sheet 'BAS': the sheet's XML is damaged (not well-formed"],
    ),
    "header_shifted": (edit_sheet("BAS", lambda ws: ws.insert_rows(1, 3)), True, []),
    "id_header_deleted": (
        set_cell("SSS", "A3", None),
        False,
        [
            "sheet 'SSS' (tables/sss): header not found: no cell reads 'Participant ID' in the "
            "first 20 rows"
        ],
    ),
    "duplicate_id_after_normalisation": (
        set_cell("BAS", "A6", " rap 1 "),
        False,
        [
            "value 'RAP-001': duplicate participant after ID normalisation ('RAP-001' at "
            "['BAS'!A5], 'rap 1' at ['BAS'!A6])"
        ],
    ),
    "decimal_comma": (
        set_cell("BAS", "B5", "12,5"),
        False,
        ["['BAS'!B5]: value '12,5': not a number as written: a decimal comma"],
    ),
    "unicode_minus": (
        set_cell("SSS", "B5", "\u22125"),
        False,
        ["['SSS'!B5]: value '\u22125': not a number as written: a Unicode minus"],
    ),
    "date_cell": (
        set_cell("BAS", "B6", dt.datetime(1900, 1, 12)),
        False,
        ["['BAS'!B6]: value '1900-01-12 00:00:00': not a number as written: a date"],
    ),
    "percent_sign": (
        set_cell("SSS", "C5", "45%"),
        False,
        ["['SSS'!C5]: value '45%': not a number as written: a percent sign"],
    ),
    "thousands_separator": (
        set_cell("BAS", "C6", "1,000"),
        False,
        ["['BAS'!C6]: value '1,000': not a number as written: thousands"],
    ),
    "formula_without_cached_value": (
        set_cell("BAS", "B7", "=B5+1"),
        False,
        ["['BAS'!B7]: value '=B5+1': a formula with no saved result"],
    ),
    "merged_cells_in_data": (
        edit_sheet("BAS", lambda ws: ws.merge_cells("B8:C8")),
        False,
        ["['BAS'!C8]: value", "a merged cell in the data area"],
    ),
    "unknown_missing_token": (
        set_cell("BAS", "C6", "n.a."),
        False,
        ["['BAS'!C6]: value 'n.a.': unknown missing token or not a number"],
    ),
    "out_of_range": (
        set_cell("SSS", "C6", 25),
        False,
        ["['SSS'!C6]: value '25'", "out of range; expected a value in [0, 10]"],
    ),
    "header_only_table": (
        edit_sheet("SSS", clear_data_rows),
        False,
        ["sheet 'SSS' (tables/sss): no data rows below the header"],
    ),
    "cp1252_ledger": (
        with_ledger(ledger_rows("C1,RAP-001,bas,pre,30,40,Caf\u00e9 note,ref", encoding="cp1252")),
        False,
        ["corrections.csv: byte", "not UTF-8 text; the file looks Windows-1252 (cp1252)-encoded"],
    ),
    "bom_crlf_ledger": (with_ledger(ledger_rows(bom=True, newline="\r\n")), True, []),
    "zero_byte_ledger": (with_ledger(b""), False, ["corrections.csv: the file is empty (0 bytes)"]),
    "duplicate_correction_id": (
        with_ledger(ledger_rows("C1,RAP-001,bas,pre,30,40,a,b", "C1,RAP-002,bas,pre,20,30,a,b")),
        False,
        ["corrections.csv [line 3]: value 'C1': duplicate correction_id (also line 2)"],
    ),
    "correction_to_unknown_visit": (
        with_ledger(ledger_rows("C1,RAP-001,bas,week_9,30,40,a,b")),
        False,
        ["value 'week_9': unknown visit; expected one of ['pre', 'post']"],
    ),
}


@pytest.fixture(scope="module")
def case_runs(request, good_run, tmp_path_factory) -> dict[str, Future]:
    """Every selected case's rerun, started together on first use, PARALLEL_RUNS at a time, in test
    order."""
    selected = selected_params(request, "test_damaged_input_after_a_good_run", "name")
    root = tmp_path_factory.mktemp("cases")
    pool = ThreadPoolExecutor(max_workers=PARALLEL_RUNS)
    futures = {name: pool.submit(rerun, good_run, root / name, CASES[name][0]) for name in selected}
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.mark.parametrize("name", list(CASES))
def test_damaged_input_after_a_good_run(case_runs, name):
    _, accepted, fragments = CASES[name]
    result, project = case_runs[name].result()
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    if accepted:
        assert result.returncode == 0, output
        assert (project / "results" / "report.html").is_file()
        return
    assert result.returncode != 0, output
    for fragment in fragments:
        assert fragment in output, (fragment, output)
    assert not (project / "results" / "report.html").exists()
    assert "report.html from an earlier run was removed" in output


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
