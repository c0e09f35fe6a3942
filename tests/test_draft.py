"""`python -m rapamycin_mecfs init`: a draft config from a supplement's own files
(rapamycin_mecfs.draft).

For every synthetic study design, as a workbook and as CSV files, the drafted config must fail
validation with exactly its checklist (direction, min, max and step of each outcome, and the
responder rule), must otherwise describe the files as the design's hand-written config does, and,
with the checklist filled in from the hand-written config, must extract the same values. One design
runs through the pipeline three times (hand-written, filled xlsx draft, filled CSV draft) and the
paired tests must agree. Damaged or unreadable files end `init` with one line naming the file.
"""

from __future__ import annotations

import copy
import csv
import doctest
import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import build_pdf, build_workbook
from rapamycin_mecfs import draft
from rapamycin_mecfs.__main__ import main
from rapamycin_mecfs.cells import IdNormaliser
from rapamycin_mecfs.config import check_config
from rapamycin_mecfs.errors import SupplementError
from rapamycin_mecfs.extract import extract_table
from rapamycin_mecfs.synthetic import designs
from rapamycin_mecfs.synthetic.designs import DESIGNS, DESIGNS_BY_NAME, write_design
from test_formats import LONG_COLUMNS, write_long_csv, write_wide_csv
from test_workflow import PROJECT_FILES, copy_project, snakemake

SEED = 20250523
DATA_DIR = "resources/design"
IDS = [design.name for design in DESIGNS]
INIT = [sys.executable, "-m", "rapamycin_mecfs", "init"]
OUTCOME_PROPERTIES = {
    "direction",
    "min",
    "max",
    "step",
    "label",
}  # what a checklist item may ask of an outcome
RESPONDERS = "analysis/responders/criteria"


# --------------------------------------------------------------------------- helpers


def write_supplement(design: designs.Design, root: Path, kind: str) -> tuple[dict, list[str]]:
    """The design's files under root/DATA_DIR: its hand-written config and the supplement files
    (xlsx or CSV)."""
    paths = write_design(design, root / DATA_DIR, SEED, DATA_DIR)
    hand = yaml.safe_load(paths["config"].read_text(encoding="utf-8"))
    if kind == "xlsx":
        return hand, [f"{DATA_DIR}/{designs.XLSX_NAME}"]
    files = []
    for spec in hand["tables"].values():
        target = f"{DATA_DIR}/csv/{spec['sheet']}.csv"
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        write_wide_csv(paths["xlsx"], spec["sheet"], root / target)
        files.append(target)
    return hand, files


def run_init(root: Path, files: list[str], output: str, monkeypatch) -> tuple[str, dict]:
    """`init` through the command line's own entry point, in root; the draft's text and config."""
    monkeypatch.chdir(root)
    assert main(["init", *files, "-o", output]) == 0
    text = (root / output).read_text(encoding="utf-8")
    return text, yaml.safe_load(text)


def checklist(text: str) -> set[tuple[str, str]]:
    """(key path, property) pairs of the checklist at the top of the draft, read from its text."""
    items = re.findall(r"^#   \[ \] ([^:]+): (.*)$", text, flags=re.M)
    assert items, "no checklist in the draft"
    pairs = set()
    for path, what in items:
        if path == RESPONDERS:
            pairs.add((path, "criteria"))
        else:
            assert re.fullmatch(r"instruments/\w+/outcomes/\w+", path), path
            properties = what.split(", ")
            assert set(properties) <= OUTCOME_PROPERTIES, what
            pairs |= {(path, p) for p in properties}
    return pairs


def validation_problems(config: dict, source: str) -> set[tuple[str, str]]:
    """Every problem check_config reports, as (key path, property); anything else fails the test."""
    try:
        check_config(config, source)
    except SupplementError as error:
        problems = error.problems
    else:
        return set()
    pairs = set()
    for problem in problems:
        required = re.fullmatch(
            rf"{re.escape(source)}: key '([^']+)': '(\w+)' is a required property", problem
        )
        empty = re.fullmatch(
            rf"{re.escape(source)}: key '({re.escape(RESPONDERS)})': \[\] should be non-empty",
            problem,
        )
        assert required or empty, f"a problem that is not a checklist item: {problem}"
        pairs.add(
            (required.group(1), required.group(2)) if required else (empty.group(1), "criteria")
        )
    return pairs


def by_source(config: dict) -> dict[str, tuple[str, dict]]:
    """Sheet name (or CSV file stem) -> (table key, spec)."""
    return {
        spec.get("sheet") or Path(spec["file"]).stem: (key, spec)
        for key, spec in config["tables"].items()
    }


def outcome_keys(drafted: dict, hand: dict) -> dict[str, str]:
    """Drafted outcome key -> hand-written key, matched by the header text both map."""
    hand_key = {
        header: key
        for spec in hand["tables"].values()
        for header, key in spec.get("outcomes", {}).items()
    }
    return {
        key: hand_key[header]
        for spec in drafted["tables"].values()
        for header, key in spec.get("outcomes", {}).items()
    }


def fill_checklist(drafted: dict, text: str, hand: dict) -> dict:
    """The draft with exactly its checklist items filled in from the hand-written config."""
    filled = copy.deepcopy(drafted)
    rename = outcome_keys(drafted, hand)
    hand_spec = {
        key: spec for inst in hand["instruments"].values() for key, spec in inst["outcomes"].items()
    }
    for path, prop in checklist(text):
        if path == RESPONDERS:
            continue
        _, instrument, _, outcome = path.split("/")
        filled["instruments"][instrument]["outcomes"][outcome][prop] = hand_spec[rename[outcome]][
            prop
        ]
    rule = hand.get("analysis", {}).get("responders")
    if rule:
        back = {new: old for old, new in rename.items()}
        criteria = [{**c, "outcome": back[c["outcome"]]} for c in rule["criteria"]]
        filled["analysis"]["responders"] = {
            **filled["analysis"]["responders"],
            **rule,
            "criteria": criteria,
        }
    else:
        del filled["analysis"]["responders"]  # the design has no responder rule
    return filled


def extracted_values(config: dict, rename: dict[str, str] | None = None) -> set[tuple]:
    """(participant, outcome, visit, raw value) of every outcome cell, outcome keys renamed."""
    ids = IdNormaliser(**config["participant_ids"])
    cells = set()
    for key, spec in config["tables"].items():
        if "outcomes" not in spec:
            continue
        frame = extract_table(key, spec, ids)
        for row in frame.itertuples():
            outcome = (rename or {}).get(row.outcome, row.outcome)
            cells.add((ids(row.raw_participant_id), outcome, row.visit, row.raw_value))
    return cells


# --------------------------------------------------------------------------- small parts


def test_docstring_examples_run():
    modules = [draft] + [
        importlib.import_module(f"{draft.__name__}.{info.name}")
        for info in pkgutil.iter_modules(draft.__path__)
    ]
    results = [doctest.testmod(module) for module in modules]
    assert sum(r.attempted for r in results) >= 20 and sum(r.failed for r in results) == 0


@pytest.mark.parametrize(
    "header, expected",
    [
        ("month1 (day 30)", ("month1", 30)),
        ("Week 12", ("Week_12", None)),
        ("Baseline, day 0", ("Baseline", 0)),
        ("Day 84 [end]", ("Day_84", 84)),
        ("pre", ("pre", None)),
        ("  post-op   follow up ", ("post_op_follow_up", None)),
    ],
)
def test_visit_ids_and_days_from_headers(header, expected):
    assert draft.visit_id(header) == expected


@pytest.mark.parametrize(
    "ids, pattern, canonical",
    [
        (
            ["RAP-001", "rap 2", "RAP_003", "RAP-04", " RAP 5 "],
            r"^\s*RAP[\s_-]*0*(\d+)\s*$",
            "RAP-{number:03d}",
        ),
        (["P1", "P12", "p7"], r"^\s*P[\s_-]*0*(\d+)\s*$", "P{number}"),
        (["Pt.0001", "Pt.0002", "PT 3"], r"^\s*Pt[\s_.-]*0*(\d+)\s*$", "Pt.{number:04d}"),
    ],
)
def test_id_pattern_and_canonical_form(ids, pattern, canonical):
    assert draft.id_pattern(ids) == (pattern, canonical)
    normalise = IdNormaliser(pattern, canonical)
    numbers = [int(re.search(r"\d+", i).group()) for i in ids]
    assert [normalise(i) for i in ids] == [canonical.format(number=n) for n in numbers]


def test_csv_options(tmp_path):
    semicolons = tmp_path / "semicolons.csv"
    semicolons.write_text("ID;Score\nP1;1,5\nP2;2,25\n", encoding="utf-8")
    assert draft.csv_options(semicolons) == {"delimiter": ";", "decimal": ",", "encoding": "utf-8"}
    windows = tmp_path / "windows.csv"
    windows.write_bytes("ID,Site\nP1,Tromsø\nP2,Bodø\n".encode("cp1252"))
    assert draft.csv_options(windows) == {"delimiter": ",", "decimal": ".", "encoding": "cp1252"}
    utf16 = tmp_path / "utf16.csv"
    utf16.write_text("ID\tScore\nP1\t3.5\n", encoding="utf-16")
    assert draft.csv_options(utf16) == {"delimiter": "\t", "decimal": ".", "encoding": "utf-16"}


# --------------------------------------------------------------------------- the fixture supplement


@pytest.mark.parametrize("repeat_header", [True, False], ids=["header_repeated", "header_once"])
def test_fixture_supplement_is_drafted_as_its_hand_written_config(
    tmp_path, monkeypatch, repeat_header
):
    """The conftest workbook (five ways of writing an ID, footnotes, numbers stored as text) and the
    two-page PDF table: the draft matches conftest.make_config, which was written by hand."""
    build_workbook(tmp_path / "supplement.xlsx")
    build_pdf(tmp_path / "stops.pdf", repeat_header=repeat_header)
    text, config = run_init(tmp_path, ["supplement.xlsx", "stops.pdf"], "draft.yaml", monkeypatch)
    assert config["visits"] == [
        {"id": "T0", "day": 0},
        {"id": "T1", "day": 30},
        {"id": "T2", "day": 60},
    ]
    assert config["participant_ids"] == {
        "pattern": r"^\s*RAP[\s_-]*0*(\d+)\s*$",
        "canonical": "RAP-{number:03d}",
    }
    assert sorted(config["missing_tokens"]) == sorted(["", "NA", "n/a", "—", "ND", "."])
    tables = config["tables"]
    assert tables["participants"]["fields"] == {
        "Site": "site",
        "Age (years)": "age",
        "Sex": "sex",
        "Years ill": "years_ill",
    }
    assert tables["discontinuations"] == {
        "file": "stops.pdf",
        "header_rows": 1,
        "id_header": "Participant ID",
        "fields": {"Last visit": "last_visit", "Reason": "reason", "Details": "reason_detail"},
    }
    sheets = by_source(config)
    assert set(sheets) == {"S1 Participants", "S3 BAS", "S6 SF-36", "S7 Biomarkers", "stops"}
    assert list(sheets["S6 SF-36"][1]["outcomes"]) == [
        "Role limitations due to emotional problems",
        "Pain",
    ]
    for sheet in ("S3 BAS", "S6 SF-36", "S7 Biomarkers"):
        spec = sheets[sheet][1]
        assert (spec["header_rows"], spec["id_header"]) == (2, "Participant ID")
        assert spec["visits"] == {"T0 (day 0)": "T0", "T1 (day 30)": "T1", "T2 (day 60)": "T2"}
    marker_table = sheets["S7 Biomarkers"][0]
    assert config["instruments"][marker_table]["outcomes"]["pser258_atg13"] == {
        "label": "pSer258-ATG13 (ng/mL)",
        "unit": "ng/mL",
        "lloq": 0.05,
    }
    # Observed values, counted by hand from the layout in conftest's docstring: 11 numbers (two of
    # them stored as text, "30" and " 40 "), one empty cell and three missing-value texts.
    bas = text[text.index("bell_activity_scale:\n") :]
    assert (
        "Observed: 11 values at 3 visit(s), 10 to 50, on a grid of 10 (values 10, 20, 30, 40, "
        "50); 1 empty; 1 'NA', 1 '—', 1 'n/a'; 2 numbers stored as text."
    ) in " ".join(line.strip().lstrip("# ") for line in bas.splitlines()[1:4])
    assert validation_problems(config, "draft.yaml") == checklist(text)


@pytest.mark.parametrize("repeat_header", [True, False], ids=["header_repeated", "header_once"])
def test_checking_the_draft_on_grids_already_read_equals_extraction_from_the_files(
    tmp_path, monkeypatch, repeat_header
):
    build_workbook(tmp_path / "supplement.xlsx")
    build_pdf(tmp_path / "stops.pdf", repeat_header=repeat_header)
    monkeypatch.chdir(tmp_path)
    config = draft.draft_config(["supplement.xlsx", "stops.pdf"]).config
    sources = draft.read_sources("supplement.xlsx")[0] + draft.read_sources("stops.pdf")[0]
    ids = IdNormaliser(**config["participant_ids"])
    for key, spec in config["tables"].items():
        from_grids = draft.extract_read(key, spec, ids, sources)
        assert len(from_grids) > 0
        assert from_grids.equals(extract_table(key, spec, ids)), key


# ----------------------------------------------------------------------- every design, xlsx and CSV


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
@pytest.mark.parametrize("design", DESIGNS, ids=IDS)
def test_draft_of_each_design_fails_with_exactly_its_checklist(design, kind, tmp_path, monkeypatch):
    hand, files = write_supplement(design, tmp_path, kind)
    text, drafted = run_init(tmp_path, files, "draft.yaml", monkeypatch)
    items = checklist(text)
    # Exactly the checklist: what validation reports, one item per outcome (four properties) and the
    # responder rule.
    assert validation_problems(drafted, "draft.yaml") == items
    n_outcomes = sum(len(inst["outcomes"]) for inst in hand["instruments"].values())
    assert len(items) == 4 * n_outcomes + 1 and (RESPONDERS, "criteria") in items
    for instrument in drafted["instruments"].values():
        for spec in instrument["outcomes"].values():
            assert not {"direction", "min", "max", "step"} & set(spec), (
                "an observed range went in as a live value"
            )

    # The rest describes the files as the hand-written config does.
    assert drafted["visits"] == hand["visits"]
    assert drafted["participant_ids"] == hand["participant_ids"]
    assert drafted["synthetic"] is True  # the files say so
    assert ("participants" in drafted["tables"]) == design.roster
    assert ("discontinuations" in drafted["tables"]) == (design.discontinuations != designs.ABSENT)
    drafted_tables, hand_tables = by_source(drafted), by_source(hand)
    assert set(drafted_tables) == set(hand_tables)
    for name, (_key, spec) in hand_tables.items():
        got = drafted_tables[name][1]
        assert (got["header_rows"], got["id_header"]) == (spec["header_rows"], spec["id_header"]), (
            name
        )
        assert got.get("fields") == spec.get("fields"), name
        assert list(got.get("outcomes", {})) == list(spec.get("outcomes", {})), name
        assert got.get("visits") == spec.get("visits"), name
    rename = outcome_keys(drafted, hand)
    hand_lloq = {
        k: s.get("lloq")
        for inst in hand["instruments"].values()
        for k, s in inst["outcomes"].items()
    }
    for instrument in drafted["instruments"].values():
        for key, spec in instrument["outcomes"].items():
            if "lloq" in spec:  # only where the cells state a limit
                assert spec["lloq"] == hand_lloq[rename[key]]

    # Filled in from the hand-written config, it is valid and extracts the very same values.
    filled = fill_checklist(drafted, text, hand)
    assert validation_problems(filled, "filled.yaml") == set()
    assert extracted_values(filled, rename) == extracted_values(hand)


def test_observed_range_is_a_comment_computed_from_the_cells(tmp_path, monkeypatch):
    design = DESIGNS_BY_NAME["pre_post_no_days"]
    _, files = write_supplement(design, tmp_path, "xlsx")
    text, drafted = run_init(tmp_path, files, "draft.yaml", monkeypatch)
    values = designs.design_data(design, SEED).values["sss_pem"]
    present = values[~np.isnan(values)]
    key = next(
        k
        for spec in drafted["tables"].values()
        for h, k in spec.get("outcomes", {}).items()
        if "malaise" in h
    )
    block = " ".join(
        line.strip().lstrip("# ")
        for line in text[text.index(f"      {key}:\n") :].splitlines()[1:4]
    )
    expected = (
        f"Observed: {present.size} values at 2 visit(s), {present.min():g} to {present.max():g}, "
        "on a grid of 1"
    )
    assert expected in block
    assert f"{np.isnan(values).sum()} empty" in block


def test_what_init_leaves_out_or_cannot_read_is_said_on_the_terminal_and_in_the_draft(
    tmp_path, monkeypatch, capsys
):
    import openpyxl

    design = DESIGNS_BY_NAME["pre_post_no_days"]
    hand, files = write_supplement(design, tmp_path, "xlsx")
    workbook = openpyxl.load_workbook(tmp_path / files[0])
    workbook.create_sheet("Read me").append(["These tables are synthetic data; see the methods."])
    outcome_sheet = next(spec["sheet"] for spec in hand["tables"].values() if "outcomes" in spec)
    workbook[outcome_sheet]["B6"] = (
        "1O"  # row 6: a participant's baseline; a typed letter O, neither number nor token
    )
    workbook.save(tmp_path / files[0])
    text, drafted = run_init(tmp_path, files, "draft.yaml", monkeypatch)
    out = capsys.readouterr().out
    left_out = (
        f"{files[0]} sheet 'Read me': no column of participant IDs (letters then digits) under a "
        "header; left out"
    )
    typo = "value cells read '1O' (1 cells in tables/"
    assert f"note: {left_out}" in out and any(
        line.startswith(f"note: {typo}") for line in out.splitlines()
    )
    flat = " ".join(line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#"))
    assert left_out in flat and typo in flat
    assert "1O" not in drafted["missing_tokens"]
    assert validation_problems(drafted, "draft.yaml") == checklist(text)


def test_long_csv_tables_are_drafted_as_long(tmp_path, monkeypatch):
    design = DESIGNS_BY_NAME["full_three_renamed_visits"]
    hand, _ = write_supplement(design, tmp_path, "xlsx")
    monkeypatch.chdir(tmp_path)
    ids = IdNormaliser(**hand["participant_ids"])
    files = []
    for key, spec in hand["tables"].items():
        if "outcomes" in spec:
            files.append(f"{DATA_DIR}/long_{key}.csv")
            write_long_csv(spec, ids, tmp_path / files[-1])
    text, drafted = run_init(tmp_path, files, "draft.yaml", monkeypatch)
    assert validation_problems(drafted, "draft.yaml") == checklist(text)
    for key, spec in hand["tables"].items():
        if "outcomes" not in spec:
            continue
        got = by_source(drafted)[f"long_{key}"][1]
        assert (got["layout"], got["columns"], got["header_rows"]) == ("long", LONG_COLUMNS, 1)
        assert list(got["outcomes"]) == list(spec["outcomes"]) and got["visits"] == spec["visits"]
    assert "discontinuations" not in drafted["tables"]
    assert "tables/discontinuations: none found" in text


# --------------------------------------------------------------------------- damaged files


def _damaged(tmp_path: Path, kind: str) -> Path:
    if kind == "truncated_xlsx":
        paths = write_design(DESIGNS_BY_NAME["pre_post_no_days"], tmp_path / "full", SEED, "full")
        path = tmp_path / "truncated.xlsx"
        path.write_bytes(paths["xlsx"].read_bytes()[:2000])
    elif kind == "pdf_that_is_not_a_pdf":
        path = tmp_path / "stops.pdf"
        path.write_text("Participant ID,Last visit\nP-1,V1\n", encoding="utf-8")
    elif kind == "unreadable_csv_encoding":
        path = tmp_path / "scores.csv"
        path.write_bytes(b"ID,Score\nP-1,\x81\x8d\x90\n")
    else:
        path = tmp_path / "missing.csv"
    return path


@pytest.mark.parametrize(
    "kind, expected",
    [
        ("truncated_xlsx", "not a valid .xlsx workbook"),
        ("pdf_that_is_not_a_pdf", "not a valid PDF"),
        ("unreadable_csv_encoding", "byte 13: not UTF-8 text and not cp1252 either"),
        ("missing_file", "file not found"),
    ],
)
def test_damaged_file_ends_init_with_one_line_naming_it(tmp_path, kind, expected):
    path = _damaged(tmp_path, kind)
    result = subprocess.run(
        [*INIT, path.name, "-o", "draft.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert (
        len(lines) == 1 and lines[0].startswith(f"error: {path.name}: ") and expected in lines[0]
    ), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "draft.yaml").exists()


def test_every_unreadable_file_is_named_at_once_and_nothing_is_written(
    tmp_path, monkeypatch, capsys
):
    design = DESIGNS_BY_NAME["pre_post_no_days"]
    _, files = write_supplement(design, tmp_path, "xlsx")
    bad = [
        _damaged(tmp_path, "pdf_that_is_not_a_pdf").name,
        _damaged(tmp_path, "unreadable_csv_encoding").name,
    ]
    monkeypatch.chdir(tmp_path)
    assert main(["init", *files, *bad, "-o", "draft.yaml"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == bad
    assert not (tmp_path / "draft.yaml").exists()


def test_an_existing_draft_is_not_overwritten_without_force(tmp_path, monkeypatch, capsys):
    _, files = write_supplement(DESIGNS_BY_NAME["pre_post_no_days"], tmp_path, "xlsx")
    (tmp_path / "draft.yaml").write_text("# edited by hand\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["init", *files, "-o", "draft.yaml"]) == 1
    assert "draft.yaml: exists" in capsys.readouterr().err
    assert (tmp_path / "draft.yaml").read_text(encoding="utf-8") == "# edited by hand\n"
    assert main(["init", *files, "-o", "draft.yaml", "--force"]) == 0
    assert (tmp_path / "draft.yaml").read_text(encoding="utf-8").startswith("# DRAFT configuration")


def test_a_workbook_without_an_id_column_is_an_error_naming_it(tmp_path, capsys, monkeypatch):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["Mean", "SD"])
    workbook.active.append([4.2, 1.1])
    workbook.save(tmp_path / "summary.xlsx")
    monkeypatch.chdir(tmp_path)
    assert main(["init", "summary.xlsx"]) == 1
    err = capsys.readouterr().err
    assert (
        err.startswith("error: summary.xlsx: no table of outcomes by visit found")
        and len(err.strip().splitlines()) == 1
    )


def test_visit_columns_without_an_outcome_label_are_named_not_drafted_as_a_roster(
    tmp_path, monkeypatch, capsys
):
    (tmp_path / "grip.csv").write_text(
        "Subject,Week 0,Week 12\nS-1,31.5,33\nS-2,28,27.5\nS-3,35,36\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["init", "grip.csv"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith(
        "error: grip.csv: no table of outcomes by visit found"
    )
    assert lines[1].startswith(
        "error: grip.csv: one row of visit headers with numbers below them, but no outcome label"
    )


# --------------------------------------------------------------------------- end to end


PAIRED_KEY = ["outcome", "visit", "analysis_set", "test"]
NOT_COMPARED = {
    "instrument",
    "label",
    "unit",
}  # drafted from the headers, the hand-written config words them itself


def _paired(path: Path, rename: dict[str, str]) -> list[dict[str, str]]:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        row["outcome"] = rename.get(row["outcome"], row["outcome"])
        for column in NOT_COMPARED:
            row.pop(column)
    return sorted(rows, key=lambda row: [row[c] for c in PAIRED_KEY])


@pytest.mark.workflow
def test_filled_drafts_run_to_the_hand_written_paired_tests(tmp_path):
    """One design, three pipeline runs in one project copy: its hand-written config, and the drafts
    of its workbook and of its CSV files with the checklist filled in. The paired tests agree value
    for value."""
    design = DESIGNS_BY_NAME["full_three_renamed_visits"]
    project = copy_project(tmp_path / "project", PROJECT_FILES)
    hand, xlsx_files = write_supplement(design, project, "xlsx")
    _, csv_files = write_supplement(design, project, "csv")
    hand["results_dir"] = "results_hand"
    (project / DATA_DIR / "hand.yaml").write_text(
        yaml.safe_dump(hand, sort_keys=False), encoding="utf-8"
    )
    runs = {"hand": (f"{DATA_DIR}/hand.yaml", {})}
    for kind, files in (("xlsx", xlsx_files), ("csv", csv_files)):
        output = f"{DATA_DIR}/draft_{kind}.yaml"
        result = subprocess.run(
            [*INIT, *files, "-o", output], cwd=project, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr
        text = (project / output).read_text(encoding="utf-8")
        filled = fill_checklist(yaml.safe_load(text), text, hand)
        filled["results_dir"] = f"results_{kind}"
        (project / output).write_text(
            yaml.safe_dump(filled, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        runs[kind] = (output, outcome_keys(filled, hand))
    tables = {}
    for name, (config, rename) in runs.items():
        results = yaml.safe_load((project / config).read_text(encoding="utf-8"))["results_dir"]
        snakemake(
            project, f"{results}/tables/paired_tests.csv", "--configfile", config
        )  # target before --configfile
        tables[name] = _paired(project / results / "tables" / "paired_tests.csv", rename)
    assert (
        len(tables["hand"]) == 2 * 2 * 3 * 2
    )  # 2 outcomes x 2 follow-ups x 3 analysis sets x 2 tests
    assert {row["outcome"] for row in tables["hand"]} == set(design.outcomes)
    assert tables["xlsx"] == tables["hand"]
    assert tables["csv"] == tables["hand"]
