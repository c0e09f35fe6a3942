"""The trace command: every row of every results table back to its supplement cells or config keys.

Two parts. Fast tests build a four-participant results directory by hand, so each expected
participant and cell is written out below. The acceptance test (marked workflow) reuses the
session's one pipeline run (``local_project`` in conftest.py): it traces a row of every CSV under
results/tables/ and checks the named cells against the cleaned tables, the supplement workbook
itself and the row's own numbers, recomputed here.
"""

from __future__ import annotations

import doctest
import importlib
import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rapamycin_mecfs import lineage, trace
from rapamycin_mecfs.config import load_config
from rapamycin_mecfs.errors import SupplementError
from rapamycin_mecfs.lineage import Study, trace_row
from rapamycin_mecfs.trace import select_rows, trace_table

# --- a results directory written by hand ------------------------------------------------------
#
# Visits V0 (baseline), V1, V2 (final). One outcome, score (higher is better), in book.xlsx sheet
# 'S'; column B = V0, C = V1, D = V2; participant p<i> in row 4 + i.
#
#            V0   V1   V2     completer  stopped
#   P-001    10   20   30     yes        no
#   P-002    15   --   25     yes        no
#   P-003    20   30   --     no         yes (after V1; discontinuations row 2)
#   P-004    --   40   --     no         no
#
# P-002's V2 value was corrected by ledger row K1 (raw 250 -> 25).

VALUES = {
    "P-001": [10, 20, 30],
    "P-002": [15, None, 25],
    "P-003": [20, 30, None],
    "P-004": [None, 40, None],
}
VISITS = ["V0", "V1", "V2"]
FILE = "book.xlsx"


def locator(participant: str, visit: str) -> str:
    return f"'S'!{'BCD'[VISITS.index(visit)]}{4 + int(participant[-1])}"


def small_config() -> dict:
    """The plan's part of a config (StudyPlan reads no more; the schema would want the layout)."""
    return {
        "visits": [{"id": v} for v in VISITS],
        "instruments": {
            "scale": {
                "table": "t",
                "label": "Scale",
                "outcomes": {
                    "score": {
                        "label": "Score",
                        "unit": "points",
                        "min": 0,
                        "max": 100,
                        "step": 5,
                        "direction": "higher_is_better",
                    },
                },
            }
        },
        "tables": {"t": {"file": FILE}},
        "claims": "claims.yaml",
    }


@pytest.fixture
def small(tmp_path) -> Study:
    results = tmp_path / "results"
    (results / "clean" / "outcomes").mkdir(parents=True)
    (results / "tables").mkdir()
    rows = []
    for participant, values in VALUES.items():
        for visit, value in zip(VISITS, values):
            corrected = participant == "P-002" and visit == "V2"
            rows.append(
                {
                    "participant_id": participant,
                    "outcome": "score",
                    "visit": visit,
                    "value": "" if value is None else str(value),
                    "raw_value": "250" if corrected else ("" if value is None else str(value)),
                    "source_file": FILE,
                    "source_locator": locator(participant, visit),
                    "correction_id": "K1" if corrected else "",
                    "flag": "",
                }
            )
    pd.DataFrame(rows).to_csv(results / "clean" / "outcomes" / "score.csv", index=False)
    people = pd.DataFrame(
        {
            "participant_id": list(VALUES),
            "source_locator": [f"'R'!A{i}" for i in range(2, 6)],
            "stop_after_visit": ["", "", "V1", ""],
            "stop_reason": ["", "", "Other", ""],
            "stop_source_locator": ["", "", "stops.pdf [page 1/table 1/row 2/col 1]", ""],
            "stopped": ["False", "False", "True", "False"],
            "set_enrolled": ["True"] * 4,
            "set_reached_first_follow_up": ["True", "False", "True", "True"],
            "set_completers": ["True", "True", "False", "False"],
        }
    )
    people.to_csv(results / "clean" / "participants.csv", index=False)
    pd.DataFrame(
        {
            "correction_id": ["K1"],
            "old_value": ["250"],
            "new_value": ["25"],
            "reason": ["extra digit"],
        }
    ).to_csv(results / "clean" / "corrections_audit.csv", index=False)
    (tmp_path / "claims.yaml").write_text(
        "claims:\n  - {id: started, statement: s, source: x, published: {count: 4},\n"
        "     recompute: {kind: count, set: set_enrolled}}\nmeans: []\n",
        encoding="utf-8",
    )
    return Study(results, small_config(), root=tmp_path)


def row(**columns) -> pd.Series:
    return pd.Series({key: str(value) for key, value in columns.items()})


def cell_keys(traced) -> set[tuple[str, str, str]]:
    return set(zip(traced.cells["participant_id"], traced.cells["visit"], traced.cells["role"]))


def test_docstring_examples_run():
    modules = [lineage, trace] + [
        importlib.import_module(f"{lineage.__name__}.{info.name}")
        for info in pkgutil.iter_modules(lineage.__path__)
    ]
    results = [doctest.testmod(module) for module in modules]
    # The package's examples: its docstring's four, split_source's two, natural_key's one.
    assert sum(r.attempted for r in results) >= 7 and sum(r.failed for r in results) == 0


def test_available_pairs_are_everyone_with_both_values(small):
    traced = trace_row(
        small,
        "x.csv",
        row(outcome="score", visit="V1", baseline_visit="V0", analysis_set="available_pairs"),
        1,
    )
    assert traced.participants == ["P-001", "P-003"]
    assert cell_keys(traced) == {
        ("P-001", "V0", "baseline"),
        ("P-001", "V1", "follow-up"),
        ("P-003", "V0", "baseline"),
        ("P-003", "V1", "follow-up"),
    }
    by_key = traced.cells.set_index(["participant_id", "visit"])
    assert by_key.loc[("P-003", "V1"), "source_locator"] == "'S'!C7"
    assert by_key.loc[("P-003", "V1"), "source_file"] == FILE


def test_completers_carry_the_correction_and_its_audit_text(small):
    traced = trace_row(
        small,
        "x.csv",
        row(outcome="score", visit="V2", baseline_visit="V0", analysis_set="completers"),
        1,
    )
    assert traced.participants == ["P-001", "P-002"]
    fixed = traced.cells[traced.cells["correction_id"] != ""].iloc[0]
    assert (fixed["participant_id"], fixed["visit"], fixed["raw_value"], fixed["value"]) == (
        "P-002",
        "V2",
        "250",
        "25",
    )
    assert fixed["correction"] == "250 -> 25 (extra digit)"
    pairs = trace.pairs_table(traced)
    assert pairs["baseline_value"].tolist() == [10.0, 15.0]
    assert pairs["follow_up_value"].tolist() == [30.0, 25.0]


def test_baseline_carried_forward_lists_the_empty_cell_it_filled(small):
    traced = trace_row(
        small,
        "x.csv",
        row(outcome="score", visit="V2", baseline_visit="V0", analysis_set="enrolled_bocf"),
        1,
    )
    # P-004 has no baseline; P-003's empty V2 cell is named as filled in from baseline.
    assert traced.participants == ["P-001", "P-002", "P-003"]
    assert ("P-003", "V2", "missing: baseline carried forward") in cell_keys(traced)
    pairs = trace.pairs_table(traced).set_index("participant_id")
    assert pairs.loc["P-003", "follow_up_value"] == 20.0
    assert bool(pairs.loc["P-003", "follow_up_imputed"])
    assert pairs.loc["P-003", "follow_up_source"] == f"{FILE} ['S'!D7]"


def test_groups_name_the_discontinuation_row_of_who_stopped(small):
    traced = trace_row(
        small, "x.csv", row(outcome="score", visit="V0", group_1="completers", group_2="stopped"), 1
    )
    assert traced.participants == ["P-001", "P-002", "P-003"]
    stop = traced.cells[traced.cells["role"].str.startswith("stopped")].iloc[0]
    assert stop["source_file"] == "stops.pdf"
    assert stop["source_locator"] == "page 1/table 1/row 2/col 1"


def test_the_mixed_model_uses_every_available_value(small):
    traced = trace_row(
        small,
        "x.csv",
        row(outcome="score", visit="V1", reference_visit="V0", analysis_set="enrolled_available"),
        1,
    )
    n_values = sum(v is not None for values in VALUES.values() for v in values)
    assert len(traced.cells) == n_values == 8
    assert traced.participants == list(VALUES)


def test_an_unknown_analysis_set_is_traced_with_a_note_not_an_error(small):
    selected = row(outcome="score", visit="V1", analysis_set="newest_set")
    traced = trace_row(small, "x.csv", selected, 1)
    assert any("newest_set" in note for note in traced.notes)
    assert set(traced.cells["visit"]) == {"V0", "V1"} and len(traced.cells) == 6


def test_a_count_claim_names_one_roster_row_per_participant(small):
    traced = trace_row(small, "claims_audit.csv", row(claim_id="started", recomputed="4"), 1)
    assert traced.cells["source_locator"].tolist() == ["'R'!A2", "'R'!A3", "'R'!A4", "'R'!A5"]
    assert traced.config[0]["key"] == "claims"


def test_a_published_mean_names_its_config_key_and_no_cell(small):
    traced = trace_row(small, "grim.csv", row(mean_id="m1", mean="4.5"), 1)
    assert traced.cells.empty and traced.participants == []
    assert [entry["key"] for entry in traced.config] == ["claims"]
    assert "m1" in traced.config[0]["note"]


def test_rows_are_chosen_by_number_or_by_value_and_errors_name_the_file(tmp_path):
    table = pd.DataFrame({"outcome": ["a", "a", "b"], "visit": ["1", "2", "1"]})
    path = tmp_path / "t.csv"
    assert select_rows(table, path, None, ["outcome=a", "visit=2"]) == [1]
    assert select_rows(table, path, 3, []) == [2]
    for row_number, where, message in (
        (None, [], "3 rows; expected --row N or --where"),
        (4, [], "row 4: expected a number from 1 to 3"),
        (None, ["colour=red"], "selection 'colour=red'"),
        (None, ["outcome=c"], "no row with outcome=c"),
    ):
        with pytest.raises(SupplementError, match=re.escape(message)) as caught:
            select_rows(table, path, row_number, where)
        assert str(path) in str(caught.value)
    with pytest.raises(SupplementError, match="the table has no rows"):
        select_rows(table.iloc[:0], path, 1, [])


# --- acceptance: a row of every table of a full run -------------------------------------------


def _lookup(config: dict, key: str):
    node = config
    for part in key.split("/"):
        assert isinstance(node, dict) and part in node, f"config key {key} is not in the config"
        node = node[part]
    return node


@pytest.fixture(scope="module")
def run(local_project):
    config = load_config(local_project / "config.yaml")
    return local_project, config, Study(local_project / "results", config, root=local_project)


def _clean(project: Path, outcome: str) -> pd.DataFrame:
    path = project / "results" / "clean" / "outcomes" / f"{outcome}.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    return table.set_index(["participant_id", "visit"])


def _people(project: Path) -> pd.DataFrame:
    path = project / "results" / "clean" / "participants.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False).set_index("participant_id")


@pytest.mark.workflow
def test_a_row_of_every_table_names_its_cells_or_config_keys(run):
    project, config, study = run
    tables = sorted((project / "results" / "tables").rglob("*.csv"))
    assert len(tables) > 100
    traced_kinds = set()
    for path in tables:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        if table.empty:
            with pytest.raises(SupplementError, match=re.escape(f"{path}: the table has no rows")):
                trace_table(path, study, row=1)
            continue
        (traced,) = trace_table(path, study, row=1)
        assert traced.has_inputs, path
        cells = traced.cells
        if len(cells):
            assert (cells["source_file"] != "").all(), path
            assert (cells["source_locator"] != "").all(), path
            for file in set(cells["source_file"]):
                assert (project / file).is_file(), (path, file)
        else:
            assert traced.config, path
        for entry in traced.config:
            _lookup(config, entry["key"])
        traced_kinds.add(path.name)
    assert {
        "paired_tests.csv",
        "claims_audit.csv",
        "simulation_parameters.csv",
        "rm_corr.csv",
        "dose_bands.csv",
        "responders_by_participant.csv",
    } <= traced_kinds


@pytest.mark.workflow
def test_a_completers_paired_row_traces_to_the_workbook_cells_it_averages(run):
    import openpyxl

    project, config, study = run
    table = pd.read_csv(project / "results" / "tables" / "paired_tests.csv")
    position = int(
        np.flatnonzero(
            (table["analysis_set"] == "completers") & (table["visit"] == table["visit"].iloc[-1])
        )[0]
    )
    expected = table.iloc[position]
    (traced,) = trace_table(
        project / "results" / "tables" / "paired_tests.csv", study, row=position + 1
    )
    # Independently: completers with both values in the cleaned table.
    clean = _clean(project, expected["outcome"])
    people = _people(project)
    completers = people.index[people["set_completers"] == "True"]
    both = [
        p
        for p in completers
        if clean.loc[(p, expected["baseline_visit"]), "value"] != ""
        and clean.loc[(p, expected["visit"]), "value"] != ""
    ]
    assert traced.participants == sorted(both) and len(both) == expected["n_pairs"]
    workbook = openpyxl.load_workbook(
        project / config["tables"][config["instruments"][expected["instrument"]]["table"]]["file"],
        data_only=True,
    )
    for cell in traced.cells.itertuples():
        source = clean.loc[(cell.participant_id, cell.visit)]
        assert (cell.source_locator, cell.raw_value, cell.value) == (
            source["source_locator"],
            source["raw_value"],
            source["value"],
        )
        sheet, address = cell.source_locator.rsplit("!", 1)
        assert float(workbook[sheet.strip("'")][address].value) == float(cell.raw_value)
    values = traced.cells.assign(value=traced.cells["value"].astype(float))
    means = values.groupby("visit")["value"].mean()
    assert means[expected["baseline_visit"]] == pytest.approx(expected["baseline_mean"])
    assert means[expected["visit"]] == pytest.approx(expected["follow_up_mean"])


@pytest.mark.workflow
def test_a_cross_sectional_correlation_is_recomputed_from_its_cells(run):
    from scipy import stats

    project, config, study = run
    path = project / "results" / "tables" / "biomarkers" / "spearman_cross_sectional.csv"
    expected = pd.read_csv(path).iloc[0]
    (traced,) = trace_table(path, study, row=1)
    values = traced.cells.assign(value=traced.cells["value"].astype(float))
    wide = values.pivot(index="participant_id", columns="outcome", values="value")
    assert len(wide) == expected["n"] and not wide.isna().any().any()
    rho = stats.spearmanr(wide[expected["marker"]], wide[expected["outcome"]]).statistic
    assert rho == pytest.approx(expected["rho"])


@pytest.mark.workflow
def test_a_dose_band_row_is_recomputed_from_its_cells(run):
    project, config, study = run
    path = project / "results" / "tables" / "dose_bands.csv"
    expected = pd.read_csv(path).iloc[0]
    (traced,) = trace_table(path, study, row=1)
    cells = traced.cells[traced.cells["outcome"] == expected["outcome"]]
    sign = 1.0 if expected["direction"] == "higher_is_better" else -1.0
    improvement = [
        sign
        * (
            float(mine.loc[mine["role"] != "baseline", "value"].iloc[0])
            - float(mine.loc[mine["role"] == "baseline", "value"].iloc[0])
        )
        for _, mine in cells.groupby("participant_id")
    ]
    assert len(improvement) == expected["n"]
    assert float(np.median(improvement)) == pytest.approx(expected["median_improvement"])
    doses = traced.cells[traced.cells["role"] == "dose"]
    low, high = (float(x) for x in re.findall(r"[\d.]+", expected["dose_band"]))
    last = doses.groupby("participant_id")["value"].last().astype(float)
    assert ((last > low) & (last <= high)).all() and len(last) == expected["n"]


@pytest.mark.workflow
def test_a_count_claim_names_the_roster_cells_of_everyone_it_counts(run):
    import openpyxl

    project, config, study = run
    path = project / "results" / "tables" / "claims_audit.csv"
    claims = pd.read_csv(path, dtype=str, keep_default_na=False)
    position = int(np.flatnonzero(claims["recomputed_from"].str.contains("set_enrolled"))[0])
    (traced,) = trace_table(path, study, row=position + 1)
    assert len(traced.cells) == int(claims.iloc[position]["recomputed"])
    roster = config["tables"]["participants"]
    assert set(traced.cells["source_file"]) == {roster["file"]}
    sheet = openpyxl.load_workbook(project / roster["file"], read_only=True)[roster["sheet"]]
    for cell in traced.cells.itertuples():
        text = str(sheet[cell.source_locator.rsplit("!", 1)[1]].value)
        assert int(re.findall(r"\d+", text)[-1]) == int(re.findall(r"\d+", cell.participant_id)[-1])


@pytest.mark.workflow
def test_simulation_rows_name_config_keys_or_the_baseline_values_they_reproduce(run):
    project, config, study = run
    path = project / "results" / "tables" / "simulation_parameters.csv"
    parameters = pd.read_csv(path, dtype=str, keep_default_na=False)
    first = parameters.iloc[0]
    (traced,) = trace_table(path, study, row=1)
    assert traced.cells.empty
    (entry,) = traced.config
    assert entry["key"].endswith(f"{first['scenario']}/{first['parameter']}")
    assert entry["value"] == first["value"] == str(_lookup(config, entry["key"]))
    position = int(np.flatnonzero(parameters["parameter"] == "baseline_mean_target")[0])
    target = parameters.iloc[position]
    (traced,) = trace_table(path, study, row=position + 1)
    assert set(traced.cells["outcome"]) == {target["outcome"]}
    assert traced.cells["value"].astype(float).mean() == pytest.approx(float(target["value"]))


@pytest.mark.workflow
def test_the_command_prints_json_csv_and_text(run):
    project, config, study = run

    def command(*args):
        return subprocess.run(
            [sys.executable, "-m", "rapamycin_mecfs", "trace", *args],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=120,
        )

    result = command("results/tables/simulation_parameters.csv", "--row", "1", "--format", "json")
    assert result.returncode == 0, result.stderr
    (traced,) = json.loads(result.stdout)
    assert traced["cells"] == [] and traced["config"][0]["key"].startswith("simulation/")
    result = command("results/tables/biomarkers/trajectory.csv", "--row", "1", "--format", "csv")
    assert result.returncode == 0, result.stderr
    import io

    lines = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    assert set(lines["kind"]) >= {"cell", "note"}
    assert (lines.loc[lines["kind"] == "cell", "source_locator"] != "").all()
    result = command("results/tables/grim.csv", "--row", "1")
    if pd.read_csv(project / "results" / "tables" / "grim.csv").empty:
        assert result.returncode == 1 and "grim.csv: the table has no rows" in result.stderr
    result = command("results/tables/responders.csv", "--where", "analysis_set=completers")
    assert result.returncode == 0, result.stderr
    assert "supplement cells (" in result.stdout and "analysis/responders" in result.stdout
