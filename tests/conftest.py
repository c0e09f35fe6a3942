"""Small fixture supplements built in code: an .xlsx workbook and a ruled two-page PDF table.

Tests compute their expected values by hand from the layout documented here, so keep this
docstring and the builders in step.

Workbook (``supplement.xlsx``); every sheet has a merged title in row 1 and a blank row 2.

S1 Participants (one header row, row 3):
    row 3   Participant ID | Site   | Age (years) | Sex | Years ill
    row 4   RAP-001        | Oslo   | 34          | F   | 5
    row 5   rap 2          | Bergen | 41          | F   | 12
    row 6   RAP_003        | Oslo   | 29          | M   | "3"      (number stored as text)
    row 7   RAP-04         | Bergen | 52          | F   | 20
    row 8   " RAP 5 "      | Oslo   | 38          | M   | 7.5
    row 9   (blank)
    row 10  footnote merged over A10:E10;  row 11 footnote in A11 only

Outcome-by-visit sheets (two header rows): A3:A4 merged "Participant ID", each outcome name
merged over its three visit columns in row 3, visits "T0 (day 0)", "T1 (day 30)", "T2 (day 60)"
in row 4; data rows 5-9 in the order RAP-001, rap 2, RAP 5, RAP_003, RAP-04; row 10 blank;
footnotes in rows 11 (merged) and 12.

S3 BAS (B-D: Bell Activity Scale T0, T1, T2):
    RAP-001  30 | 40     | 50
    rap 2    20 | "30"   | "NA"
    RAP 5    30 | 30     | 40
    RAP_003  40 | " 40 " | (empty)
    RAP-04   10 | "—"    | "n/a"

S6 SF-36 (B-D: role limitations emotional T0-T2; E-G: pain T0-T2):
    RAP-001  33.3 | 66.7 | 100     || 22.5 | 45   | 55
    rap 2    0    | 33.3 | "NA"    || 10   | 12.5 | "NA"
    RAP 5    33.3 | 33.3 | 66.7    || 57.5 | 60   | 67.5
    RAP_003  66.7 | 66.7 | (empty) || 35   | 40   | (empty)
    RAP-04   100  | "ND" | "."     || 90   | "ND" | "."

S7 Biomarkers (B-D: pSer258-ATG13 T0-T2, LLOQ 0.05):
    RAP-001  0.12    | "<0.05"  | 0.3
    rap 2    "<0.05" | 0.08     | "NA"
    RAP 5    0.2     | 0.15     | 0.11
    RAP_003  0.09    | "< 0.05" | (empty)
    RAP-04   0.4     | "ND"     | "."

PDF ``discontinuations.pdf``: a caption line, then a ruled table (every cell bordered) that
continues on page 2 with its header repeated:
    page 1  row 1 Participant ID | Last visit | Reason           | Details
            row 2 rap 2          | T1         | Adverse event    | Mouth ulcers
            row 3 RAP-04         | T0         | Withdrew consent | (empty)
    page 2  row 1 (header repeated)
            row 2 RAP_003        | T1         | Adverse event    | Headache
``discontinuations_continued.pdf`` is the same without the header on page 2.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from rapamycin_mecfs.atomic import read_csv, write_csv
from rapamycin_mecfs.clean import id_normaliser
from rapamycin_mecfs.config import validate_config
from rapamycin_mecfs.extract import extract_table

VISIT_HEADERS = ["T0 (day 0)", "T1 (day 30)", "T2 (day 60)"]
ROW_IDS = ["RAP-001", "rap 2", "RAP 5", "RAP_003", "RAP-04"]

PARTICIPANT_ROWS = [
    ["RAP-001", "Oslo", 34, "F", 5],
    ["rap 2", "Bergen", 41, "F", 12],
    ["RAP_003", "Oslo", 29, "M", "3"],
    ["RAP-04", "Bergen", 52, "F", 20],
    [" RAP 5 ", "Oslo", 38, "M", 7.5],
]

# sheet -> (title, [outcome header, ...], rows of values after the ID, footnotes)
OUTCOME_SHEETS: dict[str, tuple[str, list[str], list[list[Any]], list[str]]] = {
    "S3 BAS": (
        "Table S3. Bell Activity Scale by visit",
        ["Bell Activity Scale"],
        [
            [30, 40, 50],
            [20, "30", "NA"],
            [30, 30, 40],
            [40, " 40 ", None],
            [10, "—", "n/a"],
        ],
        ["NA, n/a, —: not assessed.", "Higher scores mean better function."],
    ),
    "S6 SF-36": (
        "Table S6. RAND SF-36 scales by visit",
        ["Role limitations due to emotional problems", "Pain"],
        [
            [33.3, 66.7, 100, 22.5, 45, 55],
            [0, 33.3, "NA", 10, 12.5, "NA"],
            [33.3, 33.3, 66.7, 57.5, 60, 67.5],
            [66.7, 66.7, None, 35, 40, None],
            [100, "ND", ".", 90, "ND", "."],
        ],
        ["ND = not done; . = not returned.", "RAND scoring, 0-100."],
    ),
    "S7 Biomarkers": (
        "Table S7. Plasma biomarkers",
        ["pSer258-ATG13 (ng/mL)"],
        [
            [0.12, "<0.05", 0.3],
            ["<0.05", 0.08, "NA"],
            [0.2, 0.15, 0.11],
            [0.09, "< 0.05", None],
            [0.4, "ND", "."],
        ],
        ["<0.05: below the lower limit of quantification (0.05 ng/mL).", "ELISA, duplicate wells."],
    ),
}

DISCONTINUATION_HEADER = ["Participant ID", "Last visit", "Reason", "Details"]
DISCONTINUATION_PAGES = [
    [["rap 2", "T1", "Adverse event", "Mouth ulcers"], ["RAP-04", "T0", "Withdrew consent", ""]],
    [["RAP_003", "T1", "Adverse event", "Headache"]],
]


def _col(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def build_workbook(
    path: Path, edits: dict[str, dict[str, Any]] | None = None, drop_sheets=()
) -> Path:
    """Write the fixture workbook; `edits` overwrites cells ({sheet: {"C6": value}}) before
    saving."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)

    sheet = workbook.create_sheet("S1 Participants")
    header = ["Participant ID", "Site", "Age (years)", "Sex", "Years ill"]
    last = _col(len(header))
    sheet["A1"] = "Table S1. Participant characteristics"
    sheet.merge_cells(f"A1:{last}1")
    sheet.append([])  # row 2 stays blank
    for c, text in enumerate(header, start=1):
        sheet.cell(3, c, text)
    for r, row in enumerate(PARTICIPANT_ROWS, start=4):
        for c, value in enumerate(row, start=1):
            sheet.cell(r, c, value)
    sheet["A10"] = "Age at enrolment."
    sheet.merge_cells(f"A10:{last}10")
    sheet["A11"] = "Source: synthetic test fixture."

    for name, (title, outcomes, rows, notes) in OUTCOME_SHEETS.items():
        sheet = workbook.create_sheet(name)
        width = 1 + 3 * len(outcomes)
        last = _col(width)
        sheet["A1"] = title
        sheet.merge_cells(f"A1:{last}1")
        sheet["A3"] = "Participant ID"
        sheet.merge_cells("A3:A4")
        for o, outcome in enumerate(outcomes):
            first = 2 + 3 * o
            sheet.cell(3, first, outcome)
            sheet.merge_cells(f"{_col(first)}3:{_col(first + 2)}3")
            for v, visit in enumerate(VISIT_HEADERS):
                sheet.cell(4, first + v, visit)
        for r, (raw_id, values) in enumerate(zip(ROW_IDS, rows), start=5):
            sheet.cell(r, 1, raw_id)
            for c, value in enumerate(values, start=2):
                if value is not None:
                    sheet.cell(r, c, value)
        sheet["A11"] = notes[0]
        sheet.merge_cells(f"A11:{last}11")
        sheet["A12"] = notes[1]

    for name in drop_sheets:
        workbook.remove(workbook[name])
    for name, cells in (edits or {}).items():
        for ref, value in cells.items():
            workbook[name][ref] = value
    workbook.save(path)
    return path


def build_pdf(path: Path, pages=DISCONTINUATION_PAGES, repeat_header: bool = True) -> Path:
    """A ruled table continuing over pages; the header is on page 1 and, if asked, repeated."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=10)
    for number, rows in enumerate(pages, start=1):
        pdf.add_page()
        if number == 1:
            pdf.cell(text="Table S8. Participants who stopped rapamycin")
            pdf.ln(12)
        with_header = number == 1 or repeat_header
        with pdf.table(col_widths=(35, 25, 40, 40), first_row_as_headings=with_header) as table:
            for values in ([DISCONTINUATION_HEADER] if with_header else []) + rows:
                row = table.row()
                for value in values:
                    row.cell(value)
        if number == len(pages):
            pdf.ln(6)
            pdf.cell(text="Last visit: the last visit attended before stopping.")
    pdf.output(str(path))
    return path


def make_config(xlsx: Path, pdf: Path, corrections: Path) -> dict[str, Any]:
    """A minimal valid config for the fixture files (validated, so defaults are filled in)."""
    visits = dict(zip(VISIT_HEADERS, ["T0", "T1", "T2"]))
    xlsx = str(xlsx)

    def by_visit(sheet: str, outcomes: dict[str, str]) -> dict[str, Any]:
        return {
            "file": xlsx,
            "sheet": sheet,
            "header_rows": 2,
            "id_header": "Participant ID",
            "outcomes": outcomes,
            "visits": dict(visits),
        }

    raw = {
        "corrections": str(corrections),
        "visits": [{"id": "T0", "day": 0}, {"id": "T1", "day": 30}, {"id": "T2", "day": 60}],
        "participant_ids": {
            "pattern": r"^\s*RAP[\s_-]*0*(\d+)\s*$",
            "canonical": "RAP-{number:03d}",
        },
        "missing_tokens": ["", "NA", "n/a", "—", "ND", "."],
        "tables": {
            "participants": {
                "file": xlsx,
                "sheet": "S1 Participants",
                "id_header": "Participant ID",
                "fields": {
                    "Site": "site",
                    "Age (years)": "age",
                    "Sex": "sex",
                    "Years ill": "years_ill",
                },
            },
            "bas": by_visit("S3 BAS", {"Bell Activity Scale": "bas"}),
            "sf36": by_visit(
                "S6 SF-36",
                {
                    "Role limitations due to emotional problems": "sf36_role_emotional",
                    "Pain": "sf36_pain",
                },
            ),
            "biomarkers": by_visit("S7 Biomarkers", {"pSer258-ATG13 (ng/mL)": "patg13"}),
            "discontinuations": {
                "file": str(pdf),
                "id_header": "Participant ID",
                "fields": {
                    "Last visit": "last_visit",
                    "Reason": "reason",
                    "Details": "reason_detail",
                },
            },
        },
        "instruments": {
            "bas": {
                "table": "bas",
                "label": "Bell Activity Scale",
                "outcomes": {
                    "bas": {
                        "label": "Bell Activity Scale",
                        "unit": "points",
                        "min": 0,
                        "max": 100,
                        "step": 10,
                        "direction": "higher_is_better",
                    }
                },
            },
            "sf36": {
                "table": "sf36",
                "label": "RAND SF-36",
                "outcomes": {
                    # Config order differs from alphabetical order on purpose (output ordering
                    # test).
                    "sf36_role_emotional": {
                        "label": "SF-36 role limitations (emotional)",
                        "unit": "points",
                        "min": 0,
                        "max": 100,
                        "step": "100/3",
                        "direction": "higher_is_better",
                    },
                    "sf36_pain": {
                        "label": "SF-36 pain",
                        "unit": "points",
                        "min": 0,
                        "max": 100,
                        "step": 2.5,
                        "direction": "higher_is_better",
                    },
                },
            },
            "biomarkers": {
                "table": "biomarkers",
                "label": "Plasma autophagy markers",
                "outcomes": {
                    "patg13": {
                        "label": "pSer258-ATG13",
                        "unit": "ng/mL",
                        "min": 0,
                        "max": 1000,
                        "step": 0,
                        "lloq": 0.05,
                        "direction": "none",
                    }
                },
            },
        },
        "analysis_sets": {"completer_visit": "T2"},
    }
    return validate_config(raw, source="test-config.yaml")


LEDGER_HEADER = (
    "correction_id,participant_id,outcome,visit,expected_current_value,new_value,reason,reference\n"
)


@pytest.fixture(scope="session")
def supplement_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("supplement")
    build_workbook(directory / "supplement.xlsx")
    build_pdf(directory / "discontinuations.pdf")
    build_pdf(directory / "discontinuations_continued.pdf", repeat_header=False)
    return directory


@pytest.fixture(scope="session")
def xlsx_path(supplement_dir) -> Path:
    return supplement_dir / "supplement.xlsx"


@pytest.fixture(scope="session")
def pdf_path(supplement_dir) -> Path:
    return supplement_dir / "discontinuations.pdf"


@pytest.fixture(scope="session")
def _session_config(supplement_dir) -> dict[str, Any]:
    ledger = supplement_dir / "corrections.csv"
    ledger.write_text(LEDGER_HEADER, encoding="utf-8")
    return make_config(
        supplement_dir / "supplement.xlsx", supplement_dir / "discontinuations.pdf", ledger
    )


@pytest.fixture
def config(_session_config) -> dict[str, Any]:
    """A fresh copy per test, so a test may edit it."""
    return copy.deepcopy(_session_config)


@pytest.fixture(scope="session")
def _extracted(_session_config, tmp_path_factory) -> dict[str, Any]:
    """Every fixture table extracted and round-tripped through CSV, as the pipeline does between
    jobs."""
    ids = id_normaliser(_session_config)
    directory = tmp_path_factory.mktemp("extracted")
    tables = {}
    for name, spec in _session_config["tables"].items():
        write_csv(extract_table(name, spec, ids), directory / f"{name}.csv")
        tables[name] = read_csv(directory / f"{name}.csv")
    return tables


@pytest.fixture
def extracted(_extracted) -> dict[str, Any]:
    return {name: frame.copy() for name, frame in _extracted.items()}


@pytest.fixture(scope="session")
def local_project(tmp_path_factory):
    """One full local run of the pipeline on the shipped supplement, shared by the workflow, SLURM
    and R referee tests (a full run is the slowest thing the suite does). Tests only read its
    results/."""
    from test_workflow import copy_project, snakemake

    project = copy_project(tmp_path_factory.mktemp("project"))
    snakemake(project)
    return project


def selected_params(request, test_name: str, param: str) -> list:
    """The values of ``param`` of every selected case of ``test_name``, in test order.

    Fixtures that start slow runs for all cases at once use it to start only the cases that
    ``-k`` and friends selected.
    """
    return [
        item.callspec.params[param]
        for item in request.session.items
        if getattr(item, "originalname", None) == test_name and hasattr(item, "callspec")
    ]
