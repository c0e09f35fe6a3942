"""Tests of the synthetic supplement generator (model, defects, files, determinism, scale).

Expected values are written out here (published counts, scale grids, layout texts) rather
than read from the generator's own constants, so a wrong constant fails a test.
"""

from __future__ import annotations

import csv
import io
import math
import re
import time
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pdfplumber
import pytest
from rapamycin_mecfs.__main__ import main as cli_main
from rapamycin_mecfs.synthetic import defects, model, simulate_cohort, write_supplement, writers

SEED = 20250523
VISITS = ["T0", "T1", "T2", "T3"]
VISIT_HEADERS = ["T0 (day 0)", "T1 (day 30)", "T2 (day 60)", "T3 (day 90)"]
ID_PATTERN = re.compile(r"^\s*RAP[\s_-]*0*(\d+)\s*$", re.IGNORECASE)
MISSING = {"NA", "n/a", "\u2014", "ND"}
SHEETS = {
    "S1 Participants": None,
    "S2 Dose": [("Rapamycin dose (mg/week)", "dose_mg_week")],
    "S3 BAS": [("Bell Activity Scale", "bas")],
    "S4 SSS": [
        ("Fatigue", "sss_fatigue"),
        ("Sleep", "sss_sleep"),
        ("Post-exertional malaise", "sss_pem"),
        ("Orthostatic intolerance", "sss_oi"),
    ],
    "S5 MFI-20": [
        ("General fatigue", "mfi_general_fatigue"),
        ("Physical fatigue", "mfi_physical_fatigue"),
        ("Reduced activity", "mfi_reduced_activity"),
        ("Reduced motivation", "mfi_reduced_motivation"),
        ("Mental fatigue", "mfi_mental_fatigue"),
    ],
    "S6 SF-36": [
        ("Physical functioning", "sf36_physical_functioning"),
        ("Role limitations due to physical health", "sf36_role_physical"),
        ("Role limitations due to emotional problems", "sf36_role_emotional"),
        ("Energy/fatigue", "sf36_energy_fatigue"),
        ("Emotional well-being", "sf36_emotional_wellbeing"),
        ("Social functioning", "sf36_social_functioning"),
        ("Pain", "sf36_pain"),
        ("General health", "sf36_general_health"),
    ],
    "S7 Biomarkers": [("pSer258-ATG13 (ng/mL)", "patg13"), ("BECLIN-1 (ng/mL)", "beclin1")],
}
QUESTIONNAIRES = [key for blocks in list(SHEETS.values())[2:6] for _h, key in blocks]
# outcome -> (low, high, allowed values or grid step); higher-is-better sign
GRIDS = {
    "dose_mg_week": (0.5, 6, 0.5),
    "bas": (0, 100, 10),
    "sss_fatigue": (0, 10, 1),
    "sss_sleep": (0, 10, 1),
    "sss_pem": (0, 10, 1),
    "sss_oi": (0, 10, 1),
    **{k: (4, 20, 1) for k in QUESTIONNAIRES if k.startswith("mfi_")},
    "sf36_physical_functioning": (0, 100, 5),
    "sf36_role_physical": (0, 100, 25),
    "sf36_role_emotional": (0, 100, [0.0, 33.3, 66.7, 100.0]),
    "sf36_energy_fatigue": (0, 100, 5),
    "sf36_emotional_wellbeing": (0, 100, 4),
    "sf36_social_functioning": (0, 100, 12.5),
    "sf36_pain": (0, 100, 2.5),
    "sf36_general_health": (0, 100, 5),
}
HIGHER_IS_BETTER = {k: not (k.startswith("sss_") or k.startswith("mfi_")) for k in QUESTIONNAIRES}


def half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def wide(cohort) -> pd.DataFrame:
    """(participant_id, outcome_key) x visit table of clean values."""
    return cohort.measurements.pivot(
        index=["participant_id", "outcome_key"], columns="visit", values="value"
    )


def value_matrix(cohort, key: str) -> pd.DataFrame:
    m = cohort.measurements
    return m[m["outcome_key"] == key].pivot(
        index="participant_id", columns="visit", values="value"
    )[VISITS]


@pytest.fixture(scope="module")
def cohort():
    return simulate_cohort(86, SEED)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("supplement_a")
    code = cli_main(
        [
            "generate",
            "--out",
            str(out / "supplementary"),
            "--corrections",
            str(out / "corrections.csv"),
            "--seed",
            str(SEED),
        ]
    )
    assert code == 0
    return out


@pytest.fixture(scope="module")
def workbook(generated):
    return openpyxl.load_workbook(generated / "supplementary" / "supplementary_tables.xlsx")


def sheet_cells(ws, first_data_row: int, n: int) -> tuple[list, list[list]]:
    rows = list(
        ws.iter_rows(min_row=first_data_row, max_row=first_data_row + n - 1, values_only=True)
    )
    return [r[0] for r in rows], [list(r[1:]) for r in rows]


def parse_cell(value):
    """Reader independent of the generator: number, NaN (missing) or ('<', limit)."""
    if value is None:
        return math.nan
    if isinstance(value, (int, float)):
        return float(value)
    text = value.strip()
    if text in MISSING:
        return math.nan
    if text.startswith("<"):
        return ("<", float(text[1:]))
    return float(text)


# --------------------------------------------------------------------------- model: counts
def test_published_counts_for_86(cohort):
    p = cohort.participants
    assert len(p) == 86 and p["participant_id"].is_unique
    assert p["participant_id"].tolist() == [f"RAP-{i:03d}" for i in range(1, 87)]
    assert sorted(p["site"].value_counts().tolist(), reverse=True) == [22, 18, 12, 10, 9, 7, 5, 3]
    assert sorted(p["site"].unique()) == [f"Site {c}" for c in "ABCDEFGH"]

    values = wide(cohort)
    with_data = {v: values[v].notna().groupby(level="participant_id").any().sum() for v in VISITS}
    assert with_data == {"T0": 86, "T1": 70, "T2": 56, "T3": 46}
    assert p["last_visit"].value_counts().to_dict() == {"T3": 46, "T0": 16, "T1": 14, "T2": 10}

    t3 = values["T3"].unstack("outcome_key")[QUESTIONNAIRES]
    attended_t3 = p.set_index("participant_id")["last_visit"] == "T3"
    complete = t3.notna().all(axis=1) & attended_t3
    assert complete.sum() == 40
    assert (t3[attended_t3].isna().any(axis=1)).sum() == 6
    assert p.set_index("participant_id")["is_completer"].equals(complete.rename("is_completer"))


def test_reasons_for_stopping(cohort):
    p = cohort.participants
    stopped = p[p["last_visit"] != "T3"]
    assert len(stopped) == 40
    counts = stopped["stop_reason"].value_counts()
    order = ["Lack of perceived benefit", "Side effects", "Cost", "Other"]
    assert set(counts.index) == set(order)
    assert [counts[r] for r in order] == sorted(counts.tolist(), reverse=True)
    assert counts[order[0]] > counts[order[1]] > counts[order[2]] > counts[order[3]] > 0
    assert stopped["stop_detail"].notna().all()
    side = set(stopped.loc[stopped["stop_reason"] == "Side effects", "stop_detail"])
    assert side <= {"Headache", "Gastrointestinal upset", "Mouth sores"}
    other = set(stopped.loc[stopped["stop_reason"] == "Other", "stop_detail"])
    assert other <= {"Started another therapy", "Lost to follow-up"}
    reached = p[p["last_visit"] == "T3"]
    assert reached["stop_reason"].isna().all() and reached["stop_detail"].isna().all()


def test_values_only_at_attended_visits(cohort):
    p = cohort.participants.set_index("participant_id")
    last = p["last_visit"].map(VISITS.index)
    incomplete = set(p.index[(p["last_visit"] == "T3") & ~p["is_completer"]])
    for key in ["dose_mg_week", *QUESTIONNAIRES]:
        m = value_matrix(cohort, key)
        for t, visit in enumerate(VISITS):
            attended = last >= t
            assert m.loc[~attended, visit].isna().all(), (key, visit)
            present = m.loc[attended, visit].notna()
            if key != "dose_mg_week" and visit == "T3":
                assert set(present.index[~present]) <= incomplete, key
            else:
                assert present.all(), (key, visit)


def test_demographics_plausible(cohort):
    p = cohort.participants
    assert p["age"].between(18, 70).all() and 38 <= p["age"].mean() <= 46
    assert 0.6 <= (p["sex"] == "F").mean() <= 0.9 and set(p["sex"]) <= {"F", "M"}
    assert p["years_ill"].between(1, 30).all() and 5 <= p["years_ill"].median() <= 11
    assert (p["years_ill"] < p["age"]).all()


# --------------------------------------------------------------------------- model: scales
@pytest.mark.parametrize("key", list(GRIDS))
def test_outcome_ranges_and_grids(cohort, key):
    values = value_matrix(cohort, key).to_numpy().ravel()
    values = values[~np.isnan(values)]
    low, high, grid = GRIDS[key]
    assert len(values) > 100
    assert values.min() >= low and values.max() <= high
    if isinstance(grid, list):
        assert set(np.round(values, 1)) <= set(grid) and set(values) <= set(grid)
    else:
        assert np.allclose(values / grid, np.round(values / grid))
    assert len(set(values)) >= 3  # not degenerate


def test_baseline_levels(cohort):
    t0 = {key: np.nanmean(value_matrix(cohort, key)["T0"]) for key in GRIDS}
    assert 20 <= t0["bas"] <= 40
    for key in ("sss_fatigue", "sss_pem"):
        assert 6 <= t0[key] <= 8.5
    assert 16.5 <= t0["mfi_general_fatigue"] <= 19.5
    for key in ("mfi_physical_fatigue", "mfi_reduced_activity", "mfi_mental_fatigue"):
        assert 14 <= t0[key] <= 18
    assert 25 <= t0["sf36_physical_functioning"] <= 45
    assert np.mean(value_matrix(cohort, "sf36_role_physical")["T0"].dropna() == 0) > 0.5
    assert 8 <= t0["sf36_energy_fatigue"] <= 22
    assert 50 <= t0["sf36_emotional_wellbeing"] <= 70
    assert 20 <= t0["sf36_social_functioning"] <= 40
    assert 40 <= t0["sf36_pain"] <= 60
    assert 17 <= t0["sf36_general_health"] <= 33
    assert 0.5 <= t0["dose_mg_week"] <= 1.0
    assert np.nanmax(value_matrix(cohort, "dose_mg_week").to_numpy()) > t0["dose_mg_week"]


def test_outcomes_correlated_at_baseline(cohort):
    bas = value_matrix(cohort, "bas")["T0"]
    pf = value_matrix(cohort, "sf36_physical_functioning")["T0"]
    fatigue = value_matrix(cohort, "mfi_general_fatigue")["T0"]
    assert bas.corr(pf) > 0.3
    assert bas.corr(fatigue) < -0.2


def test_dose_never_decreases(cohort):
    dose = value_matrix(cohort, "dose_mg_week").to_numpy()
    steps = np.diff(dose, axis=1)
    assert np.all(steps[~np.isnan(steps)] >= 0)


def test_biomarkers(cohort):
    patg13 = value_matrix(cohort, "patg13")
    beclin1 = value_matrix(cohort, "beclin1")
    both = pd.concat([patg13, beclin1]).to_numpy()
    finite = both[~np.isnan(both)]
    assert np.allclose(finite * 1000, np.round(finite * 1000))  # 3 decimals
    assert 1.0 <= patg13["T0"].median() <= 1.5
    responder = cohort.latent.set_index("participant_id")["responder"]
    fell = (patg13["T1"] < patg13["T0"])[patg13["T1"].notna() & patg13["T0"].notna()]
    assert fell[responder.reindex(fell.index)].mean() > 0.7
    assert fell[~responder.reindex(fell.index)].mean() > 0.7
    assert beclin1["T3"].median() > beclin1["T0"].median()
    paired = beclin1[["T0", "T3"]].dropna()
    assert (paired["T3"] > paired["T0"]).mean() > 0.5
    attended = cohort.participants.set_index("participant_id")["last_visit"].map(VISITS.index)
    expected = sum(int((attended >= t).sum()) for t in range(4)) * 2
    missing = expected - len(finite)
    assert 0 < missing <= 0.06 * expected  # a few missing
    assert 0.02 <= np.mean(finite < 0.05) <= 0.08


def test_informative_dropout(cohort):
    """Those who stop after T1 improved less by T1 than those who continue (observed and latent)."""
    p = cohort.participants.set_index("participant_id")
    at_t1 = p.index[p["last_visit"].isin(["T1", "T2", "T3"])]
    stop_after_t1 = p.loc[at_t1, "last_visit"] == "T1"
    change = []
    for key in QUESTIONNAIRES:
        m = value_matrix(cohort, key).loc[at_t1]
        delta = (m["T1"] - m["T0"]) * (1 if HIGHER_IS_BETTER[key] else -1)
        sd = m["T0"].std()
        if sd > 0:
            change.append(delta / sd)
    observed = pd.concat(change, axis=1).mean(axis=1)
    assert observed[stop_after_t1].mean() < observed[~stop_after_t1].mean()
    latent = cohort.latent.set_index("participant_id").loc[at_t1, "improvement_T1"]
    assert latent[stop_after_t1].mean() < latent[~stop_after_t1].mean()
    # Stopping for lack of benefit goes with less latent improvement than other reasons.
    stopped = p[p["last_visit"] != "T3"]
    amplitude = cohort.latent.set_index("participant_id")["response_amplitude"]
    benefit = stopped["stop_reason"] == "Lack of perceived benefit"
    assert amplitude[stopped.index[benefit]].mean() < amplitude[stopped.index[~benefit]].mean()


def test_seeded(cohort):
    again = simulate_cohort(86, SEED)
    pd.testing.assert_frame_equal(again.measurements, cohort.measurements)
    pd.testing.assert_frame_equal(again.participants, cohort.participants)
    other = simulate_cohort(86, SEED + 1)
    assert not other.measurements["value"].equals(cohort.measurements["value"])


def test_rejects_small_n():
    with pytest.raises(ValueError, match="at least 20"):
        simulate_cohort(19, SEED)
    assert cli_main(["generate", "--participants", "5", "--out", "/nonexistent/never-written"]) == 2


@pytest.mark.parametrize("n", [20, 40, 200])
def test_other_n_scales(n):
    c = simulate_cohort(n, 7)
    p = c.participants
    assert len(p) == n and p["site"].nunique() == 8
    expected = {v: half_up(n * k / 86) for v, k in {"T1": 70, "T2": 56, "T3": 46}.items()}
    values = wide(c)
    got = {
        v: int(values[v].notna().groupby(level="participant_id").any().sum())
        for v in ("T1", "T2", "T3")
    }
    assert got == expected
    assert p["is_completer"].sum() == expected["T3"] - max(1, half_up(n * 6 / 86))
    defect = p["participant_id"].iloc[min(23, n) - 1]
    assert value_matrix(c, "sf36_physical_functioning").loc[defect, "T1"] == 85


# --------------------------------------------------------------------------- files: workbook
def test_workbook_layout(workbook):
    assert workbook.sheetnames == list(SHEETS)
    props = workbook.properties
    assert "SYNTHETIC" in props.title and "SYNTHETIC" in props.subject
    assert props.creator == "rapamycin-mecfs-reanalysis synthetic generator"
    ws = workbook["S1 Participants"]
    assert ws["A1"].value == (
        "Table S1. Participant characteristics at baseline. SYNTHETIC DATA, not trial data "
        f"(generated by rapamycin-mecfs-reanalysis, seed {SEED})."
    )
    assert all(c.value is None for c in ws[2])
    assert [c.value for c in ws[3]] == ["Participant ID", "Site", "Age (years)", "Sex", "Years ill"]
    ids = [ws.cell(row=r, column=1).value for r in range(4, 90)]
    assert ids == [f"RAP-{i:03d}" for i in range(1, 87)]
    for name, blocks in list(SHEETS.items())[1:]:
        ws = workbook[name]
        assert (
            ws["A1"].value.startswith(f"Table S{name[1]}.") and "SYNTHETIC DATA" in ws["A1"].value
        )
        merged = {str(r) for r in ws.merged_cells.ranges}
        expected = {"A3:A4"} | {
            f"{openpyxl.utils.get_column_letter(2 + 4 * b)}3:"
            f"{openpyxl.utils.get_column_letter(5 + 4 * b)}3"
            for b in range(len(blocks))
        }
        assert merged == expected, name
        assert ws["A3"].value == "Participant ID"
        assert [ws.cell(row=3, column=2 + 4 * b).value for b in range(len(blocks))] == [
            h for h, _k in blocks
        ]
        assert [c.value for c in ws[4]][1:] == VISIT_HEADERS * len(blocks)
        assert ws.max_column == 1 + 4 * len(blocks)
        assert (
            ws.cell(row=5, column=1).value == "RAP-001"
            and ws.cell(row=90, column=1).value == "RAP-086"
        )
    s3 = workbook["S3 BAS"]
    assert {"A3:A4", "B3:E3"} <= {str(r) for r in s3.merged_cells.ranges}
    assert s3["B3"].value == "Bell Activity Scale"


def test_workbook_footnotes(workbook):
    for name, blocks in SHEETS.items():
        ws = workbook[name]
        last_data = 89 if blocks is None else 90
        assert all(c.value is None for c in ws[last_data + 1]), name
        notes = list(ws.iter_rows(min_row=last_data + 2, max_row=ws.max_row, values_only=True))
        assert 1 <= len(notes) <= 3, name
        for row in notes:
            assert isinstance(row[0], str) and all(v is None for v in row[1:]), name
            assert not ID_PATTERN.match(row[0])
        assert any("Synthetic" in row[0] for row in notes)


def test_workbook_values_match_the_model(workbook, cohort):
    """Every written cell, read back independently, equals the clean value (bar the one defect)."""
    values = wide(cohort)
    seen_text_numbers = 0
    numeric_cells = 0
    for name, blocks in list(SHEETS.items())[1:]:
        ids, rows = sheet_cells(workbook[name], 5, 86)
        for raw_id, row in zip(ids, rows):
            pid = f"RAP-{int(ID_PATTERN.match(raw_id).group(1)):03d}"
            for b, (_h, key) in enumerate(blocks):
                for t, visit in enumerate(VISITS):
                    raw = row[4 * b + t]
                    got = parse_cell(raw)
                    true = values.loc[(pid, key), visit]
                    if isinstance(raw, str) and not isinstance(got, tuple) and not math.isnan(got):
                        seen_text_numbers += 1
                    if isinstance(got, tuple):
                        assert key in ("patg13", "beclin1") and got == ("<", 0.05) and true < 0.05
                    elif math.isnan(got):
                        assert math.isnan(true), (name, pid, key, visit, raw)
                    else:
                        numeric_cells += 1
                        if (pid, key, visit) == ("RAP-023", "sf36_physical_functioning", "T1"):
                            assert got == 850 and true == 85
                        else:
                            assert got == pytest.approx(true, abs=1e-9), (
                                name,
                                pid,
                                key,
                                visit,
                                raw,
                            )
    assert 0.02 <= seen_text_numbers / numeric_cells <= 0.09
    ids, rows = sheet_cells(workbook["S1 Participants"], 4, 86)
    p = cohort.participants.set_index("participant_id")
    for pid, (site, age, sex, years) in zip(ids, rows):
        assert (site, sex) == (p.loc[pid, "site"], p.loc[pid, "sex"])
        assert (float(str(age).strip()), float(str(years).strip())) == (
            p.loc[pid, "age"],
            p.loc[pid, "years_ill"],
        )


def test_defects_present(workbook):
    s6 = workbook["S6 SF-36"]
    row = next(r for r in range(5, 91) if s6.cell(row=r, column=1).value == "RAP-023")
    assert (
        s6.cell(row=4, column=3).value == "T1 (day 30)"
        and s6.cell(row=3, column=2).value == "Physical functioning"
    )
    assert s6.cell(row=row, column=3).value == 850

    s4_ids = [workbook["S4 SSS"].cell(row=r, column=1).value for r in range(5, 91)]
    assert [s4_ids[11], s4_ids[30], s4_ids[44]] == ["RAP 12", "rap-031", "RAP-045 "]
    assert [f"RAP-{int(ID_PATTERN.match(i).group(1)):03d}" for i in s4_ids] == [
        f"RAP-{i:03d}" for i in range(1, 87)
    ]
    for name in SHEETS:
        if name != "S4 SSS":
            first = 4 if name == "S1 Participants" else 5
            ids = [workbook[name].cell(row=r, column=1).value for r in range(first, first + 86)]
            assert ids == [f"RAP-{i:03d}" for i in range(1, 87)], name

    tokens: dict[str, set] = {}
    text_numbers = []
    for name in list(SHEETS)[1:]:
        _ids, rows = sheet_cells(workbook[name], 5, 86)
        for value in (v for r in rows for v in r):
            if isinstance(value, str):
                if value in MISSING or value == "<0.05":
                    tokens.setdefault(name, set()).add(value)
                else:
                    float(value)  # anything else must be a number stored as text
                    text_numbers.append(value)
    assert "<0.05" in tokens["S7 Biomarkers"]
    assert all("<0.05" not in t for n, t in tokens.items() if n != "S7 Biomarkers")
    assert {"NA", "n/a", "\u2014"} <= set().union(*tokens.values())
    assert "ND" in tokens["S4 SSS"] | tokens["S7 Biomarkers"]
    assert all("ND" not in t for n, t in tokens.items() if n not in ("S4 SSS", "S7 Biomarkers"))
    assert any(v != v.strip() for v in text_numbers) and any(v == v.strip() for v in text_numbers)


def test_corrections_file(generated):
    text = (generated / "corrections.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "correction_id",
        "participant_id",
        "outcome",
        "visit",
        "expected_current_value",
        "new_value",
        "reason",
        "reference",
    ]
    assert rows == [
        {
            "correction_id": "C001",
            "participant_id": "RAP-023",
            "outcome": "sf36_physical_functioning",
            "visit": "T1",
            "expected_current_value": "850",
            "new_value": "85",
            "reason": "Transcription error: extra digit (SF-36 scales are 0-100)",
            "reference": f"Synthetic defect injected by the generator (seed {SEED})",
        }
    ]


def test_streamed_rows_equal_plain_openpyxl(cohort, workbook):
    """The rows streamed into the sheet XML read back exactly as openpyxl's own ws.append output."""
    tables, _c, _s = defects.apply_defects(writers.build_tables(cohort, SEED), 86, SEED)
    reference = openpyxl.Workbook()
    reference.remove(reference.active)
    for table in tables.values():
        ws = reference.create_sheet(table.name)
        first = 4 if table.kind == "participants" else 5
        for _ in range(first - 1):
            ws.append([])
        for pid, row in zip(table.ids.tolist(), table.cells.tolist()):
            ws.append([pid, *row])
        ws.append([])
        for note in table.footnotes:
            ws.append([note])
    buffer = io.BytesIO()
    reference.save(buffer)
    reference = openpyxl.load_workbook(buffer)
    for name in SHEETS:
        first = 4 if name == "S1 Participants" else 5
        ours = [
            [(c.value, c.data_type) for c in r] for r in workbook[name].iter_rows(min_row=first)
        ]
        theirs = [
            [(c.value, c.data_type) for c in r] for r in reference[name].iter_rows(min_row=first)
        ]
        assert ours == theirs, name


def test_workbook_xml_well_formed(generated):
    with zipfile.ZipFile(generated / "supplementary" / "supplementary_tables.xlsx") as archive:
        names = archive.namelist()
        assert sum(n.startswith("xl/worksheets/sheet") for n in names) == 7
        for info in archive.infolist():
            assert info.date_time == (2025, 1, 1, 0, 0, 0)
            if info.filename.endswith(".xml"):
                ET.fromstring(archive.read(info.filename))
        core = archive.read("docProps/core.xml").decode()
        assert "2025-01-01T00:00:00Z" in core and "SYNTHETIC" in core
    df = pd.read_excel(
        generated / "supplementary" / "supplementary_tables.xlsx",
        sheet_name="S6 SF-36",
        header=None,
    )
    assert df.shape == (93, 33)  # title, blank, 2 header rows, 86 data rows, blank, 2 footnotes


# --------------------------------------------------------------------------- files: PDF, README
def test_pdf_table(generated, cohort):
    path = generated / "supplementary" / "supplementary_discontinuations.pdf"
    header = ["Participant ID", "Last visit", "Reason", "Details"]
    rows = []
    with pdfplumber.open(path) as pdf:
        assert "SYNTHETIC" in pdf.metadata["Title"] and "SYNTHETIC" in pdf.metadata["Subject"]
        assert pdf.metadata["CreationDate"].startswith("D:20250101")
        first_text = pdf.pages[0].extract_text()
        assert first_text.startswith(
            "Table S8. Participants who stopped treatment. SYNTHETIC DATA, not trial data."
        )
        assert len(pdf.pages) >= 2  # 40 rows do not fit one A4 page: exercises the repeated header
        for page in pdf.pages:
            tables = page.extract_tables()
            assert len(tables) == 1
            assert tables[0][0] == header
            rows += tables[0][1:]
        assert "Synthetic data generated for software testing" in pdf.pages[-1].extract_text()
    p = cohort.participants
    stopped = p[p["last_visit"] != "T3"].sort_values("participant_id")
    expected = stopped[
        ["participant_id", "last_visit", "stop_reason", "stop_detail"]
    ].values.tolist()
    assert len(rows) == 40
    assert rows == expected
    assert {r[1] for r in rows} == {"T0", "T1", "T2"}


def test_readme(generated):
    text = (generated / "supplementary" / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in text and "not results of the" in text
    assert f"python -m rapamycin_mecfs generate --seed {SEED} --participants 86" in text
    for needle in (
        "<0.05",
        "850",
        '"RAP 12"',
        '"rap-031"',
        '"RAP-045 "',
        "NA",
        "n/a",
        "\u2014",
        "ND",
    ):
        assert needle in text, needle
    for key in GRIDS:
        assert f"`{key}`" in text or key == "dose_mg_week", key


def test_docstring_documents_every_parameter():
    import rapamycin_mecfs.synthetic as package

    doc = package.__doc__
    for key in [*GRIDS, "patg13", "beclin1"]:
        assert key in doc, key
    for constant in [
        "REFERENCE_SITE_SIZES",
        "RESPONDER_PROPORTION",
        "RESPONSE_TIME_COURSE",
        "DROPOUT_SCORE_NOISE_SD",
        "REASON_SCORE_NOISE_SD",
        "SITE_SEVERITY_SD",
        "BIOMARKER_LLOQ",
        "BIOMARKER_MISSING_PROBABILITY",
        "INCOMPLETE_PATTERNS",
        "FEMALE_PROPORTION",
    ]:
        assert constant in doc and hasattr(model, constant), constant
    for spec in model.OUTCOMES:  # the table in the docstring carries the same numbers
        line = next(text for text in doc.splitlines() if text.strip().startswith(spec.key + " "))
        cells = line.split()
        assert float(cells[1]) == spec.baseline_mean and float(cells[2]) == spec.between_sd, (
            spec.key
        )
        assert float(cells[3]) == spec.severity_loading and abs(float(cells[4])) == spec.effect, (
            spec.key
        )
        assert float(cells[5]) == spec.noise_sd, spec.key


# --------------------------------------------------------------------------- determinism, scale
def test_byte_identical_regeneration(generated, tmp_path):
    time.sleep(1.1)  # a new second, so that any wall-clock timestamp would show
    out = tmp_path / "again"
    assert (
        cli_main(
            ["generate", "--out", str(out), "--corrections", str(tmp_path / "corrections.csv")]
        )
        == 0
    )
    for name in ("supplementary_tables.xlsx", "supplementary_discontinuations.pdf", "README.md"):
        assert (out / name).read_bytes() == (generated / "supplementary" / name).read_bytes(), name
    assert (tmp_path / "corrections.csv").read_bytes() == (
        generated / "corrections.csv"
    ).read_bytes()
    other = tmp_path / "other_seed"
    assert (
        cli_main(
            [
                "generate",
                "--out",
                str(other),
                "--corrections",
                str(tmp_path / "c2.csv"),
                "--seed",
                "1",
            ]
        )
        == 0
    )
    assert (other / "supplementary_tables.xlsx").read_bytes() != (
        out / "supplementary_tables.xlsx"
    ).read_bytes()


# How long these take (model under 5 s, model and files under 20 s):
# tests/benchmarks/bench_scale.py.
def test_ten_thousand_participants():
    c = simulate_cohort(10000, SEED)
    p = c.participants
    assert (
        len(p) == 10000
        and p["participant_id"].iloc[0] == "RAP-00001"
        and p["participant_id"].iloc[-1] == "RAP-10000"
    )
    assert p["last_visit"].value_counts().to_dict() == {
        "T3": half_up(46 * 10000 / 86),
        "T0": 10000 - half_up(70 * 10000 / 86),
        "T1": half_up(70 * 10000 / 86) - half_up(56 * 10000 / 86),
        "T2": half_up(56 * 10000 / 86) - half_up(46 * 10000 / 86),
    }
    assert p["is_completer"].sum() == half_up(46 * 10000 / 86) - half_up(6 * 10000 / 86)
    sites = sorted(p["site"].value_counts().tolist(), reverse=True)
    assert sum(sites) == 10000
    assert all(abs(a - s * 10000 / 86) < 1 for a, s in zip(sites, (22, 18, 12, 10, 9, 7, 5, 3)))
    reasons = p["stop_reason"].value_counts()
    assert reasons.is_monotonic_decreasing and len(reasons) == 4
    bio = c.measurements[c.measurements["outcome_key"].isin(["patg13", "beclin1"])][
        "value"
    ].dropna()
    assert 0.03 <= (bio < 0.05).mean() <= 0.05


@pytest.mark.workflow  # writing 10,000 participants' workbook and PDF takes about 15 s
def test_ten_thousand_participants_files(tmp_path):
    c = simulate_cohort(10000, SEED)
    result = write_supplement(c, tmp_path / "big", tmp_path / "corrections.csv", SEED)
    assert result["corrections"].iloc[0]["participant_id"] == "RAP-00023"
    wb = openpyxl.load_workbook(tmp_path / "big" / "supplementary_tables.xlsx", read_only=True)
    ids = [
        r[0] for r in wb["S4 SSS"].iter_rows(min_row=5, max_row=10004, max_col=1, values_only=True)
    ]
    wb.close()
    assert len(ids) == 10000 and [ids[11], ids[30], ids[44]] == [
        "RAP 12",
        "rap-00031",
        "RAP-00045 ",
    ]
    assert (tmp_path / "big" / "supplementary_discontinuations.pdf").stat().st_size > 100_000
