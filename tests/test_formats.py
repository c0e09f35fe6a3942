"""Supplements as they come: the same synthetic supplement as an xlsx workbook (wide), as CSV files
(wide) and as CSV files (long) gives the same paired tests, byte for byte.

The CSV files are written from the workbook's cells; the long tables from the wide ones, one row
per participant, outcome and visit. The three studies run side by side in one checkout, each with
its own results directory.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
import yaml
from rapamycin_mecfs.cells import IdNormaliser
from rapamycin_mecfs.extract import extract_table
from rapamycin_mecfs.synthetic.designs import DESIGNS_BY_NAME, write_design
from test_workflow import PROJECT_FILES, copy_project, snakemake

pytestmark = pytest.mark.workflow

DESIGN = "full_three_renamed_visits"
DATA = "resources/formats"
LONG_COLUMNS = {"visit": "Visit", "outcome": "Measure", "value": "Value"}


def _text(value) -> str:
    """A cell as a person exporting the sheet to CSV would write it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_wide_csv(workbook: Path, sheet: str, path: Path) -> None:
    rows = openpyxl.load_workbook(workbook, data_only=True)[sheet].iter_rows(values_only=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([_text(v) for v in row] for row in rows)


def write_long_csv(spec: dict, ids: IdNormaliser, path: Path) -> None:
    """One row per participant, outcome and visit, labelled with the wide table's own header
    texts."""
    cells = extract_table("t", spec, ids)
    outcome_label = {key: label for label, key in spec["outcomes"].items()}
    visit_label = {key: label for label, key in spec["visits"].items()}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([spec["id_header"], *LONG_COLUMNS.values()])
        for row in cells.itertuples():
            writer.writerow(
                [
                    row.raw_participant_id,
                    visit_label[row.visit],
                    outcome_label[row.outcome],
                    row.raw_value,
                ]
            )


def as_csv_study(config: dict, project: Path, name: str, long: bool) -> dict:
    """The config with every table read from CSV files written from the workbook (outcome tables
    long if asked)."""
    config = yaml.safe_load(yaml.safe_dump(config))
    ids = IdNormaliser(**config["participant_ids"])
    for key, spec in config["tables"].items():
        target = Path(DATA) / f"{name}_{key}.csv"
        source = {**spec, "file": str(project / spec["file"])}
        if long and "outcomes" in spec:
            write_long_csv(source, ids, project / target)
            spec.update(layout="long", columns=dict(LONG_COLUMNS), header_rows=1)
        else:
            write_wide_csv(project / spec["file"], spec["sheet"], project / target)
        spec["file"] = str(target)
        spec.pop("sheet")
    config["results_dir"] = f"results_{name}"
    return config


@pytest.fixture(scope="module")
def studies(tmp_path_factory) -> dict[str, Path]:
    project = copy_project(tmp_path_factory.mktemp("formats"), PROJECT_FILES)
    paths = write_design(DESIGNS_BY_NAME[DESIGN], project / DATA, data_dir=DATA)
    xlsx = yaml.safe_load(paths["config"].read_text(encoding="utf-8"))
    xlsx["results_dir"] = "results_xlsx_wide"
    configs = {
        "xlsx_wide": xlsx,
        "csv_wide": as_csv_study(xlsx, project, "csv_wide", long=False),
        "csv_long": as_csv_study(xlsx, project, "csv_long", long=True),
    }
    for name, config in configs.items():
        path = project / DATA / f"{name}.yaml"
        path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        # before --configfile, which takes several files
        target = f"{config['results_dir']}/tables/paired_tests.csv"
        snakemake(project, target, "--configfile", str(path.relative_to(project)))
    return {name: project / config["results_dir"] for name, config in configs.items()}


def test_the_long_tables_really_are_long(studies):
    project = next(iter(studies.values())).parent
    config = yaml.safe_load((project / DATA / "csv_long.yaml").read_text(encoding="utf-8"))
    layouts = {key: spec.get("layout", "wide") for key, spec in config["tables"].items()}
    assert "long" in layouts.values() and all(
        spec["file"].endswith(".csv") for spec in config["tables"].values()
    )
    with (
        project / config["tables"][next(k for k, v in layouts.items() if v == "long")]["file"]
    ).open() as handle:
        assert next(csv.reader(handle)) == ["Participant ID", "Visit", "Measure", "Value"]


def test_paired_tests_are_byte_identical_across_formats(studies):
    tables = {
        name: (results / "tables" / "paired_tests.csv").read_bytes()
        for name, results in studies.items()
    }
    assert len(tables["xlsx_wide"]) > 1000
    assert tables["csv_wide"] == tables["xlsx_wide"]
    assert tables["csv_long"] == tables["xlsx_wide"]


def test_csv_values_keep_their_row_and_column(studies):
    clean = [
        p
        for p in (studies["csv_long"] / "clean" / "outcomes").glob("*.csv")
        if ".corrections" not in p.name
    ]
    first = sorted(clean)[0]
    rows = list(csv.DictReader(first.open(encoding="utf-8")))
    present = [row for row in rows if row["value"] != ""]
    assert present and all(row["source_file"].endswith(".csv") for row in present)
    assert all(
        row["source_locator"].startswith("row ") and "/col " in row["source_locator"]
        for row in present
    )
