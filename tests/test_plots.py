"""plots/: every figure from small hand-made tables; byte-identical output; numbers drawn checked by
hand.

Each statistical figure is drawn by seaborn's axes-level functions (a spy names the call behind
each one) from the tables' values: seaborn estimates nothing, and the tests check that what is
drawn (bars, points, lines, cells) equals the table it came from.

The tables below mimic the pipeline's CSVs as `atomic.read_csv` returns them (every cell a string),
with three visits (T0, T1, T2 on days 0, 14, 42) so nothing depends on the shipped four-visit
design.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from unittest import mock

import matplotlib
import numpy as np
import pandas as pd
import pytest
import seaborn as sns
from matplotlib.collections import LineCollection, PathCollection, QuadMesh
from PIL import Image
from rapamycin_mecfs.plots import (
    attrition,
    biomarkers,
    consistency,
    dose,
    flow,
    forest,
    registry,
    responders,
    simulation,
    style,
    trajectories,
)
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
VISITS = [{"id": "T0", "day": 0}, {"id": "T1", "day": 14}, {"id": "T2", "day": 42}]
IDS = [v["id"] for v in VISITS]
DAYS = {v["id"]: v["day"] for v in VISITS}
# Visits as the figures' time axis takes them from the plan (StudyPlan.visit_axis).
AXIS = [{"id": v["id"], "x": float(v["day"]), "tick": f"{v['id']}\nday {v['day']}"} for v in VISITS]
LABELS = {v["id"]: f"{v['id']} (day {v['day']})" for v in VISITS}


def frame(rows: list[dict]) -> pd.DataFrame:
    """A table as read_csv returns it: every cell a string, empty for missing."""
    return pd.DataFrame(rows).fillna("").astype(str)


# --- hand-made tables ----------------------------------------------------------------------------

# participant: (values T0, T1, T2 of outcome "fat" (lower is better); completer; stopped after;
# doses T0-T2)
PEOPLE = {
    "P1": ((10, 8, 6), True, "", (1, 2, 2)),
    "P2": ((12, 12, 9), True, "", (1, 1, 3)),
    "P3": ((9, 9, None), False, "T1", (2, 2, None)),
    "P4": ((15, None, None), False, "T0", (1, None, None)),
    "P5": ((11, 10, 10), True, "", (0.5, 1, 1)),
    "P6": ((14, 11, 8), True, "", (2, 4, 4)),
}
FAT = {"label": "Fatigue", "unit": "points", "min": 4, "max": 20, "direction": "lower_is_better"}
ACT = {"label": "Activity", "unit": "points", "min": 0, "max": 100, "direction": "higher_is_better"}


def participants_table() -> pd.DataFrame:
    rows = []
    for pid, (values, completer, stop, doses) in PEOPLE.items():
        row = {
            "participant_id": pid,
            "set_enrolled": "True",
            "set_completers": str(completer),
            "stopped": str(bool(stop)),
            "stop_after_visit": stop,
            "set_reached_first_follow_up": str(values[1] is not None),
        }
        for visit, value, d in zip(IDS, values, doses):
            row[f"has_data_{visit}"] = str(value is not None)
            row[f"dose_{visit}"] = "" if d is None else f"{d:g}"
        rows.append(row)
    return frame(rows)


def clean_table(outcome: str = "fat", scale: float = 1.0, offset: float = 0.0) -> pd.DataFrame:
    rows = []
    for pid, (values, *_rest) in PEOPLE.items():
        for visit, value in zip(IDS, values):
            rows.append(
                {
                    "participant_id": pid,
                    "outcome": outcome,
                    "visit": visit,
                    "value": "" if value is None else f"{value * scale + offset:g}",
                    "flag": "missing" if value is None else "",
                }
            )
    return frame(rows)


def attrition_table() -> pd.DataFrame:
    rows = [{"category": "enrolled", "visit": "T0", "reason": "", "n": 6}]
    rows += [
        {"category": "data_at_visit", "visit": v, "reason": "", "n": n}
        for v, n in zip(IDS, (6, 5, 4))
    ]
    rows += [
        {"category": "completers", "visit": "T2", "reason": "", "n": 4},
        {"category": "stopped", "visit": "", "reason": "", "n": 2},
        {"category": "stopped_after_visit", "visit": "T0", "reason": "Side effects", "n": 1},
        {"category": "stopped_after_visit", "visit": "T1", "reason": "Cost", "n": 1},
    ]
    return frame(rows)


def saved(
    fig, tmp_path: Path, name: str, synthetic: bool = True
) -> tuple[bytes, bytes, tuple[int, int]]:
    """Save like the pipeline does; return PNG bytes, SVG bytes and the expected pixel size."""
    width, height = fig.get_size_inches()
    expected = (int(round(width * style.DPI)), int(round(height * style.DPI)))
    png, svg = tmp_path / f"{name}.png", tmp_path / f"{name}.svg"
    style.save(fig, png, svg, synthetic, name)
    return png.read_bytes(), svg.read_bytes(), expected


def assert_image(png: bytes, svg: bytes, expected: tuple[int, int]) -> None:
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == expected
        # Not blank: the figure drew something besides the white background.
        assert np.unique(np.asarray(image.convert("L"))).size > 10
    assert svg.startswith(b"<?xml") and b"<svg" in svg


# --- medians drawn from the visit_medians table -----------------------------------------------


def medians_table(outcome: str, rows: dict[str, list[tuple]]) -> pd.DataFrame:
    """visit_medians.csv rows: analysis set -> [(n, median, ci_low, ci_high) per visit of IDS]."""
    return frame(
        [
            {
                "outcome": outcome,
                "analysis_set": analysis_set,
                "visit": visit,
                "n": n,
                "median": median,
                "ci_low": "" if low is None else low,
                "ci_high": "" if high is None else high,
                "confidence": 0.95,
                "method": "median; 95% CI: order-statistic (test)",
            }
            for analysis_set, values in rows.items()
            for visit, (n, median, low, high) in zip(IDS, values)
        ]
    )


# Deliberately not the medians of clean_table(): the figure must draw the table, not estimate.
FAT_MEDIANS = {
    "completers_at_visit": [(4, 11.0, 9.0, 13.0), (4, 10.0, None, None), (4, 8.0, 6.5, 9.5)],
    "available_at_visit": [(6, 11.5, 9.0, 15.0), (5, 10.0, 8.0, 12.0), (4, 8.5, None, None)],
}


def test_trajectories_figure_draws_the_median_and_its_ci(tmp_path):
    completers = [p for p, (_, c, _, _) in PEOPLE.items() if c]
    fig = trajectories.trajectories_figure(
        clean_table(),
        completers,
        medians_table("fat", FAT_MEDIANS),
        {"fat": FAT},
        AXIS,
        "Test scale",
        True,
    )
    ax_completers = fig.axes[0]
    # The bold line: the table's completer medians 11, 10, 8 at days 0, 14, 42 (the data's are
    # 11.5, 10.5, 8.5: nothing is estimated from the values).
    bold = [
        line
        for line in ax_completers.get_lines()
        if line.get_linewidth() == pytest.approx(2.6) and line.get_marker() == "o"
    ]
    assert len(bold) == 1
    assert bold[0].get_xdata().tolist() == [0, 14, 42]
    assert bold[0].get_ydata().tolist() == [11.0, 10.0, 8.0]
    labels = [t.get_text() for t in ax_completers.get_xticklabels()]
    assert labels[0] == "T0\nday 0\nn = 4"
    assert "lower = better" in ax_completers.get_ylabel()
    bars = ax_completers.containers[0].lines[2][0].get_segments()
    assert bars[2].tolist() == [[42.0, 6.5], [42.0, 9.5]]
    # Right panel, every available value: the table's CIs, none where the table has none.
    bars = fig.axes[1].containers[0].lines[2][0].get_segments()
    assert bars[0].tolist() == [[0.0, 9.0], [0.0, 15.0]]
    assert bars[1].tolist() == [[14.0, 8.0], [14.0, 12.0]]
    assert np.isnan(bars[2]).all()
    texts = [t.get_text() for f in fig.subfigs or [fig] for t in f.texts]
    assert any("95% CI (order-statistic (test))" in t for t in texts), texts
    png, svg, size = saved(fig, tmp_path, "trajectories")
    assert size == (1650, 750)  # 11 in wide; 1.3 in + 2.6 in per outcome, at least 5 in
    assert_image(png, svg, size)


def test_trajectories_figure_needs_a_median_row_per_visit():
    medians = medians_table("fat", FAT_MEDIANS)
    medians = medians[
        ~((medians["visit"] == "T1") & (medians["analysis_set"] == "available_at_visit"))
    ]
    with pytest.raises(ValueError, match=r"no row for fat, available_at_visit at \['T1'\]"):
        trajectories.trajectories_figure(
            clean_table(), ["P1"], medians, {"fat": FAT}, AXIS, "Test", True
        )


# --- determinism ---------------------------------------------------------------------------------


def responders_table() -> pd.DataFrame:
    rows = []
    for name, k, n in (
        ("completers", 3, 4),
        ("reached_first_follow_up_locf", 3, 5),
        ("enrolled_worst_case", 3, 6),
    ):
        low, high = _wilson(k, n)
        rows.append(
            {
                "analysis_set": name,
                "responders": k,
                "n": n,
                "proportion": k / n,
                "ci_low": low,
                "ci_high": high,
                "rule": "test rule",
                "assumption": "Response = a test rule.",
                "method": "Wilson score interval, 95% two-sided",
            }
        )
    return frame(rows)


def _wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


RENDER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests!r})
    from test_plots import responders_table, participants_table, clean_table
    from rapamycin_mecfs.plots import responders, trajectories, style
    fig = responders.responders_figure(responders_table(), True)
    style.save(
        fig, sys.argv[1] + "/responders.png", sys.argv[1] + "/responders.svg", True, "Responders"
    )
    from test_plots import medians_table, FAT_MEDIANS
    fig = trajectories.trajectories_figure(
        clean_table(), ["P1", "P2"], medians_table("fat", FAT_MEDIANS), {{"fat": {fat!r}}},
        {visits!r}, "Test", True,
    )
    style.save(fig, sys.argv[1] + "/traj.png", sys.argv[1] + "/traj.svg", True, "Trajectories")
    """
)


def test_long_values_break_a_participant_line_at_a_missing_visit():
    values = [[1.0, np.nan, 2.0, 3.0], [4.0, 5.0, 6.0, np.nan]]
    wide = pd.DataFrame(values, index=["A", "B"], columns=list("abcd"))
    long = trajectories.long_values(wide, np.array([0.0, 1.0, 2.0, 3.0]))
    assert long["participant"].tolist() == ["A", "A", "A", "B", "B", "B"]
    assert long["x"].tolist() == [0, 2, 3, 0, 1, 2] and long["value"].tolist() == [1, 2, 3, 4, 5, 6]
    # runs: A's lone baseline, A's last two visits, B's first three
    assert long.groupby("run")["value"].apply(list).tolist() == [[1.0], [2.0, 3.0], [4.0, 5.0, 6.0]]


@pytest.mark.parametrize(
    "participants, raster",
    [(style.VECTOR_PARTICIPANTS, False), (style.VECTOR_PARTICIPANTS + 1, True)],
)
def test_participant_lines_by_seaborn_up_to_the_threshold_raster_collection_above(
    tmp_path, participants, raster
):
    """Up to VECTOR_PARTICIPANTS seaborn.lineplot, a Line2D per participant; above, one
    LineCollection, rasterized in the SVG."""
    rng = np.random.default_rng(0)
    wide = pd.DataFrame(rng.normal(size=(participants, 3)), columns=IDS)
    wide.iloc[0, 1] = (
        np.nan
    )  # the middle visit missing: two single points, no line for this participant
    x = np.array([0.0, 14.0, 42.0])
    with mock.patch("seaborn.lineplot", wraps=sns.lineplot) as lineplot, style.context():
        fig, ax = style.new_figure(4, 3, "lines", False)
        trajectories.participant_lines(ax, wide, x)
    # every participant but the first, who has no two consecutive values
    expected = sorted(tuple(zip(x, row)) for row in wide.to_numpy()[1:])
    if raster:
        assert not lineplot.called
        (lines,) = [c for c in ax.collections if isinstance(c, LineCollection)]
        assert lines.get_rasterized()
        drawn = sorted(tuple(map(tuple, segment)) for segment in lines.get_segments())
    else:
        assert lineplot.call_args.kwargs["estimator"] is None
        assert lineplot.call_args.kwargs["units"] == "run"
        assert not any(line.get_rasterized() for line in ax.get_lines())
        drawn = sorted(tuple(map(tuple, line.get_xydata())) for line in ax.get_lines())
    assert drawn == expected
    (points,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(points.get_offsets()) == 3 * participants - 1
    assert points.get_rasterized() == raster
    png, svg, expected_size = saved(fig, tmp_path, "lines", synthetic=False)
    assert_image(png, svg, expected_size)
    assert (b"<image" in svg) == raster
    (tmp_path / "again").mkdir()
    assert saved(fig, tmp_path / "again", "lines", synthetic=False)[:2] == (
        png,
        svg,
    )  # the raster layer is deterministic too


def test_svg_places_the_axes_where_the_png_has_them(tmp_path):
    """One constrained-layout pass: the SVG reuses the PNG's layout (in points, y from the top)."""
    import re

    fig = responders.responders_figure(responders_table(), True)
    engine = fig.get_layout_engine()
    _, svg, _ = saved(fig, tmp_path, "r")
    assert fig.get_layout_engine() is engine  # restored for any later save
    height = fig.get_size_inches()[1] * 72
    first = re.search(
        rb'<clipPath id="[^"]+">\s*<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" '
        rb'height="([\d.]+)"',
        svg,
    )
    box = fig.axes[0].get_window_extent()  # pixels at the figure's dpi, y from the bottom
    scale = 72 / fig.dpi
    expected = [box.x0 * scale, height - box.y1 * scale, box.width * scale, box.height * scale]
    assert [float(v) for v in first.groups()] == pytest.approx(expected, abs=1e-3)


def test_same_bytes_in_fresh_processes(tmp_path):
    """Two interpreters with different hash seeds write identical PNG and SVG files."""
    script = tmp_path / "render.py"
    script.write_text(RENDER.format(tests=str(Path(__file__).parent), fat=FAT, visits=AXIS))
    runs = {}
    for seed in ("1", "2"):  # both at once: each mostly imports matplotlib and seaborn
        out = tmp_path / f"run{seed}"
        out.mkdir()
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "MPLBACKEND": "pdf",
        }  # the backend must not matter
        runs[out] = subprocess.Popen(
            [sys.executable, str(script), str(out)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
    outputs = []
    for out, run in runs.items():
        output = run.communicate(timeout=300)[0]
        assert run.returncode == 0, output.decode(errors="replace")[-3000:]
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert sorted(outputs[0]) == ["responders.png", "responders.svg", "traj.png", "traj.svg"]
    assert outputs[0] == outputs[1]


def test_context_is_seaborns_theme_and_changes_nothing_global():
    """style.context(): seaborn's whitegrid/paper theme and colour-blind palette, our rc over it."""
    before = dict(matplotlib.rcParams)
    with style.context():
        inside = dict(matplotlib.rcParams)
    assert dict(matplotlib.rcParams) == before
    assert matplotlib.colors.to_rgb("g") == (0.0, 0.5, 0.0)  # seaborn's colour codes not applied
    theme = {**sns.axes_style("whitegrid"), **sns.plotting_context("paper", font_scale=1.15)}
    expected = {**theme, **style.RC_OVERRIDES}
    for key, value in expected.items():
        # as rcParams validates (stores) the value
        assert inside[key] == matplotlib.RcParams({key: value})[key], key
    assert inside["axes.prop_cycle"].by_key()["color"] == list(sns.color_palette("colorblind"))
    assert style.SET_COLOURS["completers"] == sns.color_palette("colorblind")[0]


@pytest.mark.parametrize(
    "x, y",
    [
        ([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]),
        ([1, 1, 2, 3, 3, 3, 9], [2.5, 0.1, 0.1, 4.0, -1.0, 3.0, 3.0]),  # ties in both
        ([3, 1, 2], [1, 2, 3]),
    ],
)
def test_spearman_rho_equals_scipy(x, y):
    assert consistency.spearman_rho(x, y) == pytest.approx(
        stats.spearmanr(x, y).statistic, abs=1e-12
    )


def test_spearman_rho_of_a_constant_is_nan():
    assert math.isnan(consistency.spearman_rho([1, 1, 1], [1, 2, 3]))


def test_files_carry_no_timestamp_or_version(tmp_path):
    png, svg, _ = saved(responders.responders_figure(responders_table(), True), tmp_path, "r")
    with Image.open(io.BytesIO(png)) as image:
        info = dict(image.text)
    assert "Software" not in info and "Creation Time" not in info
    assert info["Warning"] == style.SYNTHETIC_METADATA
    assert b"<dc:date>" not in svg and b"Matplotlib v" not in svg
    assert (
        b"SYNTHETIC DATA - not trial results" in svg
    )  # in the SVG metadata (text itself is drawn as paths)


def test_synthetic_banner_only_when_synthetic():
    def texts(fig):
        return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]

    assert style.SYNTHETIC_LABEL in texts(responders.responders_figure(responders_table(), True))
    assert "SYNTHETIC DATA" in texts(responders.responders_figure(responders_table(), True))
    real = texts(responders.responders_figure(responders_table(), False))
    assert not any("SYNTHETIC" in t for t in real)


# --- participant flow -----------------------------------------------------------------------------


def test_flow_counts_by_hand():
    counts = flow.flow_counts(attrition_table(), participants_table(), IDS, LABELS, IDS[-1])
    assert counts.enrolled == 6 and counts.completers == 4
    assert counts.data_at == {"T0": 6, "T1": 5, "T2": 4}
    assert counts.stopped_after == {"T0": [("Side effects", 1)], "T1": [("Cost", 1)]}
    assert counts.unexplained("T0") == 0 and counts.unexplained("T1") == 0
    assert counts.final_not_completer == 0


def test_flow_counts_refuse_disagreeing_tables():
    people = participants_table()
    people.loc[people["participant_id"] == "P3", "set_completers"] = "True"
    with pytest.raises(ValueError, match="completers"):
        flow.flow_counts(attrition_table(), people, IDS, LABELS, IDS[-1])


def test_flow_shows_an_unexplained_loss(tmp_path):
    table = attrition_table()
    table.loc[(table["category"] == "data_at_visit") & (table["visit"] == "T2"), "n"] = "3"
    table.loc[table["category"] == "completers", "n"] = "4"
    counts = flow.flow_counts(table, participants_table(), IDS, LABELS, IDS[-1])
    assert counts.unexplained("T1") == 1
    fig = flow.participant_flow_figure(counts, True, "Started the test drug")
    text = "\n".join(t.get_text() for t in fig.axes[0].texts)
    assert "No data at T2, not listed as stopped: 1" in text
    assert "Stopped after T0: n = 1" in text and "Side effects: 1" in text
    assert "Started the test drug (enrolled)" in text and "Data at T1 (day 14)" in text
    png, svg, size = saved(fig, tmp_path, "flow")
    assert size[0] == 1275  # 8.5 in at 150 dpi
    assert_image(png, svg, size)


# --- forest ---------------------------------------------------------------------------------------


def forest_tables():
    paired, mixed, sd = [], [], []
    for outcome, label, raw in (("fat", "Fatigue", 2.0), ("act", "Activity", 10.0)):
        for analysis_set, factor, n in (("completers", 1.0, 4), ("enrolled_bocf", 0.5, 6)):
            for test in ("paired_t", "wilcoxon_signed_rank"):
                paired.append(
                    {
                        "outcome": outcome,
                        "label": label,
                        "instrument": "x",
                        "visit": "T2",
                        "analysis_set": analysis_set,
                        "test": test,
                        "n_pairs": n,
                        "estimate": raw * factor,
                        "ci_low": raw * factor - 1,
                        "ci_high": raw * factor + 1,
                    }
                )
        mixed.append(
            {
                "outcome": outcome,
                "label": label,
                "instrument": "x",
                "visit": "T2",
                "improvement_estimate": raw * 0.8,
                "improvement_ci_low": raw * 0.8 - 2,
                "improvement_ci_high": raw * 0.8 + 2,
                "n_participants": 6,
                "n_visit": 4,
            }
        )
        sd.append({"outcome": outcome, "baseline_sd": {"fat": 2.0, "act": 20.0}[outcome]})
    return frame(paired), frame(mixed), frame(sd)


def test_forest_standardisation_by_hand(tmp_path):
    table = forest.forest_table(*forest_tables(), "T2").set_index(["outcome", "analysis"])
    assert table.loc[("fat", "completers"), ["estimate", "ci_low", "ci_high"]].tolist() == [
        1.0,
        0.5,
        1.5,
    ]
    assert table.loc[("fat", "enrolled_bocf"), ["estimate", "ci_low", "ci_high"]].tolist() == [
        0.5,
        0.0,
        1.0,
    ]
    assert table.loc[
        ("act", "enrolled_available"), ["estimate", "ci_low", "ci_high"]
    ].tolist() == pytest.approx([0.4, 0.3, 0.5])
    assert table.loc[("fat", "enrolled_available"), "n_at_visit"] == 4
    fig = forest.forest_figure(forest.forest_table(*forest_tables(), "T2"), "T2", True)
    legend = [t.get_text() for t in fig.legends[0].get_texts()] if fig.legends else []
    legend = legend or [t.get_text() for t in fig.subfigs[1].legends[0].get_texts()]
    assert any("n = 4 pairs" in t for t in legend) and any(
        "n = 6 participants, 4 with T2" in t for t in legend
    )
    png, svg, size = saved(fig, tmp_path, "forest")
    assert_image(png, svg, size)


def test_forest_needs_every_baseline_sd():
    paired, mixed, sd = forest_tables()
    with pytest.raises(ValueError, match="baseline SD"):
        forest.forest_table(paired, mixed, sd[sd["outcome"] == "fat"], "T2")


# --- responders, baseline by completion -----------------------------------------------------------


def test_responders_figure(tmp_path):
    fig = responders.responders_figure(responders_table(), True)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "3/4 = 75.0%" in texts[0] and "3/6 = 50.0%" in texts[2]
    png, svg, size = saved(fig, tmp_path, "responders")
    assert size == (1350, int(round((3.3 + 0.75 * 3) * 150)))
    assert_image(png, svg, size)


def test_responders_refuse_inconsistent_proportion():
    table = responders_table()
    table.loc[0, "proportion"] = "0.5"
    with pytest.raises(ValueError, match="proportion"):
        responders.responders_figure(table, True)


def baseline_table() -> pd.DataFrame:
    return frame(
        [
            {
                "outcome": "fat",
                "label": "Fatigue",
                "direction": "lower_is_better",
                "smd": -0.3,
                "group_1": "completers",
                "group_2": "stopped",
                "n_1": 4,
                "n_2": 2,
                "p_fdr_bh": 0.01,
            },
            {
                "outcome": "act",
                "label": "Activity",
                "direction": "higher_is_better",
                "smd": -0.15,
                "group_1": "completers",
                "group_2": "stopped",
                "n_1": 4,
                "n_2": 2,
                "p_fdr_bh": 0.5,
            },
        ]
    )


def test_baseline_smd_is_turned_so_positive_means_completers_better(tmp_path):
    table = baseline_table()
    aligned = attrition.aligned_smd(table).set_index("outcome")["smd_better"]
    assert aligned.to_dict() == {"fat": 0.3, "act": -0.15}
    fig = attrition.baseline_smd_figure(table, True)
    # Only the SMD points are collections: hollow (not significant) first, then filled.
    hollow, filled = fig.axes[0].collections
    assert hollow.get_offsets().tolist() == [[-0.15, 1.0]]
    assert filled.get_offsets().tolist() == [[0.3, 0.0]]
    assert matplotlib.colors.to_hex(hollow.get_facecolors()[0]) == "#ffffff"
    completers = style.SET_COLOURS["completers"]
    assert matplotlib.colors.to_rgb(filled.get_facecolors()[0]) == pytest.approx(completers)
    png, svg, size = saved(fig, tmp_path, "bbc")
    assert_image(png, svg, size)


def test_baseline_smd_when_nobody_stopped_says_so(tmp_path):
    # As analysis/attrition.baseline_by_completion writes it when the stopped group is empty: no
    # smd, no p.
    table = frame(
        [
            {
                "outcome": "fat",
                "label": "Fatigue",
                "direction": "lower_is_better",
                "group_1": "completers",
                "group_2": "stopped",
                "n_1": 6,
                "n_2": 0,
                "method": "not computed: fewer than 2 in a group",
            },
        ]
    )
    fig = attrition.baseline_smd_figure(table, False)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("no standardised difference computed") for t in texts)
    drawn = [xy for c in fig.axes[0].collections for xy in np.asarray(c.get_offsets(), dtype=float)]
    assert not any(np.isfinite(xy).all() for xy in drawn)  # no point is placed
    png, svg, size = saved(fig, tmp_path, "bbc0")
    assert_image(png, svg, size)


# --- dose -----------------------------------------------------------------------------------------


def test_dose_points_by_hand():
    points = dose.dose_points(clean_table(), participants_table(), "lower_is_better", IDS, IDS[-1])
    # improvement = -(last observed - baseline); last dose = dose at the last visit with a dose
    expected = {
        "P1": (2, 4),
        "P2": (3, 3),
        "P3": (2, 0),
        "P5": (1, 1),
        "P6": (4, 6),
    }  # P4: no follow-up
    assert {pid: (row.last_dose, row.improvement) for pid, row in points.iterrows()} == expected


def dose_tables(points: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    rho = stats.spearmanr(points["last_dose"], points["improvement"]).statistic
    table = frame(
        [
            {
                "outcome": "fat",
                "change": "last_observation",
                "dose_measure": "last_dose",
                "n": len(points),
                "rho": rho,
                "ci_low": -0.5,
                "ci_high": 0.99,
            }
        ]
    )
    bands = frame(
        [
            {
                "outcome": "fat",
                "change": "last_observation",
                "dose_band": "0 < dose <= 2",
                "n": 3,
                "median_improvement": 1,
                "q1": 0.5,
                "q3": 2.5,
            },
            {
                "outcome": "fat",
                "change": "last_observation",
                "dose_band": "2 < dose <= 4",
                "n": 2,
                "median_improvement": 4.5,
                "q1": 3.75,
                "q3": 5.25,
            },
        ]
    )
    return table, bands


def test_dose_figure_checks_the_table_and_draws(tmp_path):
    points = dose.dose_points(clean_table(), participants_table(), "lower_is_better", IDS, IDS[-1])
    table, bands = dose_tables(points)
    row = dose.table_row(table, "fat")
    dose.check_against_table(points, row, "fat")
    wrong = row.copy()
    wrong["rho"] = "0.1"
    with pytest.raises(ValueError, match="rho"):
        dose.check_against_table(points, wrong, "fat")
    with pytest.raises(ValueError, match="points drawn"):
        dose.check_against_table(points.iloc[1:], row, "fat")
    parsed = dose.parse_bands(bands, "fat")
    assert parsed[["low", "high", "median"]].values.tolist() == [[0, 2, 1], [2, 4, 4.5]]
    panel = {
        "outcome": "fat",
        "label": "Fatigue",
        "unit": "points",
        "direction": "lower_is_better",
        "points": points,
        "row": row,
        "bands": parsed,
    }
    fig = dose.dose_response_figure([panel, {**panel, "label": "Fatigue again"}], True, "mg/day")
    assert fig.axes[0].get_xlabel() == "last dose, mg/day"
    title = fig.axes[0].get_title()
    assert f"n = {len(points)}" in title and "\N{GREEK SMALL LETTER RHO} = " in title
    png, svg, size = saved(fig, tmp_path, "dose")
    assert size == (1650, int(round((1.7 + 3.9) * 150)))
    assert_image(png, svg, size)


# --- biomarkers -----------------------------------------------------------------------------------

MARKER = {"label": "Marker A", "unit": "ng/mL", "lloq": 0.05, "direction": "none"}
MARKER_VALUES = {  # T0, T1, T2; 0.025 = below LLOQ (substituted LLOQ/2)
    "P1": (1.0, 0.5, 0.6),
    "P2": (0.8, 0.025, 0.4),
    "P3": (1.2, 0.9, None),
    "P4": (0.025, None, None),
    "P5": (0.7, 0.6, 0.9),
    "P6": (1.5, 0.7, 0.8),
}


def marker_clean() -> pd.DataFrame:
    rows = []
    for pid, values in MARKER_VALUES.items():
        for visit, value in zip(IDS, values):
            flag = "missing" if value is None else ("below_lloq" if value == 0.025 else "")
            rows.append(
                {
                    "participant_id": pid,
                    "outcome": "mk",
                    "visit": visit,
                    "value": "" if value is None else f"{value:g}",
                    "flag": flag,
                }
            )
    return frame(rows)


def marker_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """lloq_counts.csv, visit_medians.csv and trajectory.csv of marker_clean()."""
    counts = frame(
        [
            {"marker": "mk", "visit": v, "n_below_lloq": n, "lloq": 0.05}
            for v, n in zip(IDS, (1, 1, 0))
        ]
    )
    traj = frame(
        [
            {
                "marker": "mk",
                "visit": v,
                "analysis_set": "available_pairs",
                "test": "wilcoxon_signed_rank",
                "estimate": -0.3,
                "ci_low": -0.5,
                "ci_high": -0.1,
                "p_fdr_bh": 0.04,
                "n_pairs": 4,
            }
            for v in IDS[1:]
        ]
    )
    # The medians of every available value, by hand (n = 6, 5, 4), with made-up intervals.
    medians = medians_table(
        "mk",
        {"available_at_visit": [(6, 0.9, 0.5, 1.2), (5, 0.6, None, None), (4, 0.7, None, None)]},
    ).rename(columns={"outcome": "marker"})
    return counts, medians, traj


def test_biomarker_trajectories(tmp_path):
    counts, medians, traj = marker_tables()
    fig = biomarkers.biomarker_trajectories_figure(
        marker_clean(), {"mk": MARKER}, AXIS, counts, medians, traj, True
    )
    ax = fig.axes[0]
    crosses = [c for c in ax.collections if c.get_offsets().shape[0] == 2]
    assert sorted(map(tuple, crosses[0].get_offsets().tolist())) == [(0.0, 0.025), (14.0, 0.025)]
    # The bold line: medians of every available value, by hand (n = 6, 5, 4).
    bold = [line for line in ax.get_lines() if line.get_linewidth() == pytest.approx(2.6)]
    assert [line.get_xydata().tolist() for line in bold] == [[[0, 0.9], [14, 0.6], [42, 0.7]]]
    bars = ax.containers[0].lines[2][0].get_segments()
    assert bars[0].tolist() == [[0.0, 0.5], [0.0, 1.2]] and np.isnan(bars[1]).all()
    assert "< LLOQ: 1" in ax.get_xticklabels()[0].get_text()
    png, svg, size = saved(fig, tmp_path, "bt")
    assert_image(png, svg, size)
    counts.loc[0, "n_below_lloq"] = "2"
    with pytest.raises(ValueError, match="below LLOQ"):
        biomarkers.biomarker_trajectories_figure(
            marker_clean(), {"mk": MARKER}, AXIS, counts, medians, traj, True
        )


def heatmap_table(missing: tuple[str, str] | None = None) -> pd.DataFrame:
    """spearman_cross_sectional.csv: rho 0.1, 0.2, 0.3 at T0-T2 (act negative), p < 0.05 at T2."""
    rows = []
    for i, visit in enumerate(IDS):
        for outcome, label, direction in (
            ("fat", "Fatigue", "lower_is_better"),
            ("act", "Activity", "higher_is_better"),
        ):
            rows.append(
                {
                    "marker": "mk",
                    "outcome": outcome,
                    "outcome_label": label,
                    "outcome_direction": direction,
                    "visit": visit,
                    "rho": 0.1 * (i + 1) * (1 if outcome == "fat" else -1),
                    "p_fdr_bh": 0.01 if i == 2 else 0.5,
                    "n": 6 - i,
                }
            )
    table = frame(rows)
    if missing:
        at = (table["outcome"] == missing[0]) & (table["visit"] == missing[1])
        table.loc[at, ["rho", "p_fdr_bh"]] = ""
    return table


def test_biomarker_heatmap(tmp_path):
    table = heatmap_table()
    rho, sig, n, columns = biomarkers.heatmap_matrix(table, ["mk"], IDS, ["fat", "act"])
    np.testing.assert_allclose(rho, [[0.1, 0.2, 0.3], [-0.1, -0.2, -0.3]])
    assert sig.tolist() == [[False, False, True], [False, False, True]]
    fig = biomarkers.biomarker_heatmap_figure(table, {"mk": MARKER}, IDS, True)
    assert "0.30*" in [t.get_text() for t in fig.axes[0].texts]
    png, svg, size = saved(fig, tmp_path, "bh")
    assert_image(png, svg, size)


def change_panel() -> dict:
    """A change-scatter panel: marker_clean() vs fat, T0 to T2, with its spearman_change.csv row."""
    clean = pd.concat([marker_clean(), clean_table()], ignore_index=True)
    points = biomarkers.change_points(clean, "mk", "fat", "T0", "T2", list(PEOPLE))
    rho = stats.spearmanr(points["d_marker"], points["d_outcome"]).statistic
    row = pd.Series(
        {
            "n": str(len(points)),
            "rho": str(rho),
            "ci_low": "-0.9",
            "ci_high": "0.9",
            "p_fdr_bh": "0.3",
        }
    )
    return {
        "marker_label": "Marker A",
        "marker_unit": "ng/mL",
        "outcome_label": "Fatigue",
        "outcome_unit": "points",
        "outcome_direction": "lower_is_better",
        "points": points,
        "row": row,
    }


def test_change_points_and_scatter(tmp_path):
    clean = pd.concat([marker_clean(), clean_table()], ignore_index=True)
    points = biomarkers.change_points(clean, "mk", "fat", "T0", "T2", list(PEOPLE))
    # by hand: marker T2 - T0 and fatigue T2 - T0 for those with all four values
    expected = {
        "P1": (-0.4, -4, False),
        "P2": (-0.4, -3, False),
        "P5": (0.2, -1, False),
        "P6": (-0.7, -6, False),
    }
    got = {pid: (round(r.d_marker, 10), r.d_outcome, r.below_lloq) for pid, r in points.iterrows()}
    assert got == expected
    at_t1 = biomarkers.change_points(clean, "mk", "fat", "T0", "T1", list(PEOPLE))
    assert bool(at_t1.loc["P2", "below_lloq"]) is True
    rho = stats.spearmanr(points["d_marker"], points["d_outcome"]).statistic
    row = pd.Series(
        {"n": "4", "rho": str(rho), "ci_low": "-0.9", "ci_high": "0.9", "p_fdr_bh": "0.3"}
    )
    biomarkers.check_rho(points, row, "mk vs fat")
    with pytest.raises(ValueError):
        biomarkers.check_rho(points, pd.Series({**row, "n": "5"}), "mk vs fat")
    panel = {
        "marker_label": "Marker A",
        "marker_unit": "ng/mL",
        "outcome_label": "Fatigue",
        "outcome_unit": "points",
        "outcome_direction": "lower_is_better",
        "points": points,
        "row": row,
    }
    fig = biomarkers.biomarker_change_scatter_figure([panel], "T0", "T2", True)
    assert "negative = better" in fig.axes[0].get_ylabel()
    png, svg, size = saved(fig, tmp_path, "bc")
    assert_image(png, svg, size)


def brute_force_auc(pos, neg) -> float:
    """P(responder scores higher) + P(tie) / 2 over every pair."""
    total = sum((p > q) + 0.5 * (p == q) for p in pos for q in neg)
    return total / (len(pos) * len(neg))


def roc_input(pos, neg) -> dict:
    """One curve as plot_biomarker_roc passes it: its roc_curve.csv rows (vertices by hand from
    the scores) and the roc_auc.csv row of its groups."""
    pos, neg = np.asarray(pos, float), np.asarray(neg, float)
    thresholds = np.unique(np.concatenate([pos, neg]))[::-1]
    fpr = [0.0] + [float((neg >= t).mean()) for t in thresholds]
    tpr = [0.0] + [float((pos >= t).mean()) for t in thresholds]
    points = frame(
        [
            {
                "vertex": i,
                "fpr": f,
                "tpr": t,
                "n_responders": len(pos),
                "n_non_responders": len(neg),
            }
            for i, (f, t) in enumerate(zip(fpr, tpr))
        ]
    )
    row = pd.Series(
        {
            "auc": str(brute_force_auc(pos, neg)),
            "ci_low": "0.1",
            "ci_high": "0.9",
            "n_responders": str(len(pos)),
            "n_non_responders": str(len(neg)),
            "confidence": "0.95",
            "assumption": "Response = a test rule.",
        }
    )
    return {"measure_label": "baseline level (T0)", "points": points, "row": row}


def test_roc_figure_checks_the_table(tmp_path):
    pos, neg = [0.7, 1.0], [0.025, 0.8, 1.5]
    auc = brute_force_auc(pos, neg)
    curve = roc_input(pos, neg)
    row = curve["row"]
    fig = biomarkers.biomarker_roc_figure([{"label": "Marker A", "curves": [curve]}], True)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(f"AUC {auc:.2f}" in t and "2 responders, 3 non-responders" in t for t in legend)
    png, svg, size = saved(fig, tmp_path, "roc")
    assert_image(png, svg, size)
    with pytest.raises(ValueError, match="area of the drawn curve"):
        biomarkers.biomarker_roc_figure(
            [{"label": "Marker A", "curves": [{**curve, "row": pd.Series({**row, "auc": "0.9"})}]}],
            True,
        )
    with pytest.raises(ValueError, match="groups"):
        points = curve["points"].assign(n_responders="3")
        biomarkers.biomarker_roc_figure(
            [{"label": "Marker A", "curves": [{**curve, "points": points}]}], True
        )


def test_roc_figure_with_everyone_a_responder_draws_no_curve():
    row = pd.Series(
        {
            "auc": "",
            "ci_low": "",
            "ci_high": "",
            "n_responders": "2",
            "n_non_responders": "0",
            "confidence": "0.95",
            "assumption": "Response = a test rule.",
        }
    )
    curve = {"measure_label": "baseline level (T0)", "points": frame([]), "row": row}
    fig = biomarkers.biomarker_roc_figure([{"label": "Marker A", "curves": [curve]}], False)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "baseline level (T0): no AUC (2 responders, 0 non-responders)" in legend
    with pytest.raises(ValueError, match="no vertices"):
        biomarkers.biomarker_roc_figure(
            [{"label": "A", "curves": [{**curve, "row": pd.Series({**row, "auc": "0.5"})}]}], False
        )


# --- registry, captions and plan ------------------------------------------------------------------


def shipped_plan():
    from rapamycin_mecfs.config import load_config
    from rapamycin_mecfs.plan import StudyPlan

    return StudyPlan(load_config(ROOT / "config.yaml"))


def test_registry_entries():
    plan = shipped_plan()
    entries = registry.figures(plan)
    names = [entry["name"] for entry in entries]
    assert len(names) == len(set(names))
    trajectories_ = [
        f"trajectories_{name}" for name in plan.outcome_instruments(plan.analysed_outcomes)
    ]
    assert names[: 2 + len(trajectories_)] == [
        "participant_flow",
        *trajectories_,
        f"forest_{plan.final.lower()}",
    ]
    assert set(registry.BIOMARKER_FIGURES) <= set(names)
    for entry in entries:
        assert set(entry) == {"name", "title", "section", "caption"}
        assert entry["section"] in plan.sections()
        assert "SYNTHETIC" in entry["caption"]


def test_one_caption_serves_both_reports():
    """Snakemake's report renders workflow/report/caption.rst with each rule's caption param: the
    registry's text."""
    from jinja2 import Environment

    template = (ROOT / "workflow" / "report" / "caption.rst").read_text(encoding="utf-8")
    assert sorted(p.name for p in (ROOT / "workflow" / "report").rglob("*.rst")) == ["caption.rst"]
    for entry in registry.figures(shipped_plan()):
        rendered = (
            Environment()
            .from_string(template)
            .render(snakemake={"params": {"caption": entry["caption"]}})
        )
        assert rendered.strip() == entry["caption"]


def test_captions_are_clean_rst():
    from docutils.core import publish_parts

    for entry in registry.figures(shipped_plan()):
        warnings = io.StringIO()
        publish_parts(
            entry["caption"],
            writer="html",
            settings_overrides={"warning_stream": warnings, "report_level": 1},
        )
        assert warnings.getvalue() == "", entry["name"]


def test_plan_chooses_the_figure_outcomes_from_config():
    plan = shipped_plan()
    config = plan.config
    assert plan.dose_figure_outcomes == config["dose_response"]["figure_outcomes"]
    assert plan.scatter_outcomes == config["biomarker_analysis"]["scatter_outcomes"]
    with pytest.raises(KeyError, match="not drawn"):
        registry.figure(plan, "no_such_figure")


# --- simulation figure ---------------------------------------------------------------------------

# scenario: (true effect, {analysis set: (q2_5, q50, q97_5)}); observed 0.5 / 0.3, p as below
SIM = {
    "no_effect": (
        0.0,
        {"completers": (0.10, 0.25, 0.45), "enrolled_worst_case": (0.05, 0.15, 0.30)},
    ),
    "small_effect": (
        0.3,
        {"completers": (0.20, 0.40, 0.60), "enrolled_worst_case": (0.10, 0.25, 0.40)},
    ),
}
SIM_OBSERVED = {"completers": 0.5, "enrolled_worst_case": 0.3}


def simulation_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """simulation_summary.csv (responder_proportion rows), simulation_distribution.csv (4 bins)."""
    summary, distribution = [], []
    for scenario, (effect, sets) in SIM.items():
        for name, (low, mid, high) in sets.items():
            summary.append(
                {
                    "measure": "responder_proportion",
                    "scenario": scenario,
                    "analysis_set": name,
                    "true_effect": effect,
                    "observed": SIM_OBSERVED[name],
                    "simulation_p_value": 0.0 if effect == 0 else 0.25,
                    "q2_5": low,
                    "q50": mid,
                    "q97_5": high,
                    "n_trials": 200,
                }
            )
            for k, share in enumerate((0.1, 0.4, 0.3, 0.2)):
                distribution.append(
                    {
                        "scenario": scenario,
                        "analysis_set": name,
                        "bin_low": 0.2 * k,
                        "bin_high": 0.2 * (k + 1),
                        "share": share,
                    }
                )
    return frame(summary), frame(distribution)


def test_simulation_figure_draws_the_summary_table(tmp_path):
    fig = simulation.simulation_figure(*simulation_tables(), True)
    scenarios = list(SIM)
    for ax, name in zip(fig.axes, ("completers", "enrolled_worst_case")):
        (medians,) = [c for c in ax.collections if isinstance(c, PathCollection)]
        y = [i + simulation.RANGE_OFFSET for i in range(len(scenarios))]
        np.testing.assert_allclose(
            medians.get_offsets(),
            [[100 * SIM[s][1][name][1], y[i]] for i, s in enumerate(scenarios)],
        )
        (ranges,) = [c for c in ax.collections if isinstance(c, LineCollection)]
        expected = [
            [[100 * SIM[s][1][name][0], y[i]], [100 * SIM[s][1][name][2], y[i]]]
            for i, s in enumerate(scenarios)
        ]
        np.testing.assert_allclose(np.asarray(ranges.get_segments()), expected)
        # The first scenario's ridge: the shares scaled so the largest is RIDGE_HEIGHT above row 0.
        ridge = next(p for p in ax.patches if p.get_fill())
        assert ridge.get_data().values.tolist() == pytest.approx(
            [0 - s / 0.4 * simulation.RIDGE_HEIGHT for s in (0.1, 0.4, 0.3, 0.2)]
        )
        assert ridge.get_data().edges.tolist() == pytest.approx([0, 20, 40, 60, 80])
    assert "p < 0.005" in [t.get_text() for t in fig.axes[0].texts]
    png, svg, size = saved(fig, tmp_path, "sim")
    assert_image(png, svg, size)


# --- what each figure draws equals its table -----------------------------------------------------


def test_responder_bars_are_the_table_proportions_with_its_wilson_intervals():
    table = responders_table()
    fig = responders.responders_figure(table, True)
    ax = fig.axes[0]
    bars = sorted(ax.patches, key=lambda bar: bar.get_y())
    expected = [100 * float(p) for p in table["proportion"]]
    assert [bar.get_width() for bar in bars] == pytest.approx(expected)
    assert [bar.get_y() + bar.get_height() / 2 for bar in bars] == pytest.approx([0, 1, 2])
    (intervals,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    ends = [[segment[0][0], segment[1][0]] for segment in intervals.get_segments()]
    # by hand: the Wilson interval of k/n (test helper), not the table's copy of it
    np.testing.assert_allclose(
        ends, [[100 * v for v in _wilson(k, n)] for k, n in ((3, 4), (3, 5), (3, 6))]
    )


def test_forest_points_and_intervals_are_the_table_values():
    table = forest.forest_table(*forest_tables(), "T2")
    fig = forest.forest_figure(table, "T2", True)
    ax = fig.axes[0]
    (points,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    # by hand: estimate / baseline SD; rows by outcome (fat, act), analyses offset -0.24, 0, +0.24
    expected = {(1.0, -0.24), (0.8, 0.0), (0.5, 0.24), (0.5, 0.76), (0.4, 1.0), (0.25, 1.24)}
    assert {tuple(np.round(xy, 10)) for xy in points.get_offsets()} == expected
    intervals = [c for c in ax.collections if isinstance(c, LineCollection)]
    drawn = {
        tuple(np.round([s[0][0], s[1][0], s[0][1]], 10))
        for c in intervals
        for s in c.get_segments()
    }
    assert (0.5, 1.5, -0.24) in drawn and (0.0, 1.0, 0.24) in drawn and (0.3, 0.5, 1.0) in drawn
    assert len(drawn) == 6


def test_heatmap_cells_are_the_table_rho_and_a_missing_cell_says_so():
    fig = biomarkers.biomarker_heatmap_figure(
        heatmap_table(missing=("act", "T1")), {"mk": MARKER}, IDS, True
    )
    ax = fig.axes[0]
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    cells = np.ma.filled(mesh.get_array().astype(float), np.nan).reshape(2, 3)  # masked: NaN
    np.testing.assert_allclose(cells, [[0.1, 0.2, 0.3], [-0.1, np.nan, -0.3]])
    texts = {t.get_position(): (t.get_text(), t.get_fontweight()) for t in ax.texts}
    assert texts[(2.5, 0.5)] == ("0.30*", "bold")
    assert texts[(0.5, 1.5)] == ("\N{MINUS SIGN}0.10", "normal")
    assert texts[(1.5, 1.5)][0] == "n/a"


def test_roc_line_is_every_vertex_and_a_tie_stays_diagonal():
    # A responder and a non-responder tie at 0.8: both rates move at once, the curve diagonally.
    pos, neg = [0.8, 1.0], [0.8, 0.025, 1.5]
    fig = biomarkers.biomarker_roc_figure(
        [{"label": "Marker A", "curves": [roc_input(pos, neg)]}], True
    )
    (line,) = [line for line in fig.axes[0].get_lines() if line.get_linewidth() == pytest.approx(2)]
    # by hand, thresholds 1.5, 1.0, 0.8, 0.025: (FPR, TPR) from (0, 0)
    np.testing.assert_allclose(
        line.get_xydata(), [[0, 0], [1 / 3, 0], [1 / 3, 0.5], [2 / 3, 1], [1, 1]]
    )
    assert line.get_drawstyle() == "default"
    x, y = line.get_xydata().T
    assert np.trapezoid(y, x) == pytest.approx(brute_force_auc(pos, neg))


def dose_panel(points: pd.DataFrame) -> dict:
    """A dose figure panel of `points`, with the tables of dose_tables(points)."""
    table, bands = dose_tables(points)
    return {
        "outcome": "fat",
        "label": "Fatigue",
        "unit": "points",
        "direction": "lower_is_better",
        "points": points,
        "row": dose.table_row(table, "fat"),
        "bands": dose.parse_bands(bands, "fat"),
    }


def test_dose_points_have_area_proportional_to_their_count():
    points = dose.dose_points(clean_table(), participants_table(), "lower_is_better", IDS, IDS[-1])
    points = pd.concat([points, points.iloc[[0, 0]]])  # P1's point three times
    fig = dose.dose_response_figure([dose_panel(points)], True, "mg/day")
    (drawn,) = [c for c in fig.axes[0].collections if isinstance(c, PathCollection)]
    got = {tuple(xy): size for xy, size in zip(drawn.get_offsets().tolist(), drawn.get_sizes())}
    assert got == {
        (2.0, 4.0): 3 * dose.POINT_AREA,
        (3.0, 3.0): dose.POINT_AREA,
        (2.0, 0.0): dose.POINT_AREA,
        (1.0, 1.0): dose.POINT_AREA,
        (4.0, 6.0): dose.POINT_AREA,
    }


def test_change_scatter_points_are_the_checked_points():
    panel = change_panel()
    biomarkers.check_rho(panel["points"], panel["row"], "mk vs fat")
    fig = biomarkers.biomarker_change_scatter_figure([panel], "T0", "T2", True)
    drawn = [xy for c in fig.axes[0].collections for xy in c.get_offsets().tolist()]
    assert sorted(map(tuple, drawn)) == sorted(
        map(tuple, panel["points"][["d_marker", "d_outcome"]].to_numpy().tolist())
    )


# --- seaborn behind each figure; every figure deterministic --------------------------------------


def _dose_figure():
    points = dose.dose_points(clean_table(), participants_table(), "lower_is_better", IDS, IDS[-1])
    return dose.dose_response_figure([dose_panel(points)], True, "mg/day")


# figure -> (build it from the hand-made tables, the seaborn functions that draw it)
FIGURES = {
    "participant_flow": (
        lambda: flow.participant_flow_figure(
            flow.flow_counts(attrition_table(), participants_table(), IDS, LABELS, IDS[-1]),
            True,
            "Started",
        ),
        set(),
    ),
    "trajectories": (
        lambda: trajectories.trajectories_figure(
            clean_table(),
            ["P1", "P2", "P5", "P6"],
            medians_table("fat", FAT_MEDIANS),
            {"fat": FAT},
            AXIS,
            "Test",
            True,
        ),
        {"lineplot", "scatterplot"},
    ),
    "forest": (
        lambda: forest.forest_figure(forest.forest_table(*forest_tables(), "T2"), "T2", True),
        {"scatterplot"},
    ),
    "responders": (lambda: responders.responders_figure(responders_table(), True), {"barplot"}),
    "baseline_by_completion": (
        lambda: attrition.baseline_smd_figure(baseline_table(), True),
        {"scatterplot"},
    ),
    "dose_response": (_dose_figure, {"scatterplot"}),
    "biomarker_trajectories": (
        lambda: biomarkers.biomarker_trajectories_figure(
            marker_clean(), {"mk": MARKER}, AXIS, *marker_tables(), True
        ),
        {"lineplot", "scatterplot"},
    ),
    "biomarker_heatmap": (
        lambda: biomarkers.biomarker_heatmap_figure(heatmap_table(), {"mk": MARKER}, IDS, True),
        {"heatmap"},
    ),
    "biomarker_change_scatter": (
        lambda: biomarkers.biomarker_change_scatter_figure([change_panel()], "T0", "T2", True),
        {"scatterplot"},
    ),
    "biomarker_roc": (
        lambda: biomarkers.biomarker_roc_figure(
            [{"label": "Marker A", "curves": [roc_input([0.8, 1.0], [0.8, 0.025, 1.5])]}], True
        ),
        {"lineplot"},
    ),
    "simulation": (
        lambda: simulation.simulation_figure(*simulation_tables(), True),
        {"scatterplot"},
    ),
}
SEABORN = ("lineplot", "scatterplot", "barplot", "pointplot", "heatmap", "histplot", "kdeplot")


@pytest.mark.parametrize("name", list(FIGURES))
def test_each_figure_is_drawn_by_its_seaborn_functions_which_estimate_nothing(name):
    build, expected = FIGURES[name]
    spies = {}
    with contextlib.ExitStack() as stack:
        for function in SEABORN:
            spies[function] = stack.enter_context(
                mock.patch(f"seaborn.{function}", wraps=getattr(sns, function))
            )
        build()
    assert {function for function, spy in spies.items() if spy.called} == expected
    # Table values only: lines join the given values, bars are one value each with no error bar.
    for call in spies["lineplot"].call_args_list:
        assert call.kwargs["estimator"] is None
    for call in spies["barplot"].call_args_list:
        assert call.kwargs["errorbar"] is None
        data, y = call.kwargs["data"], call.kwargs["y"]
        # One row per bar: the mean seaborn takes of it is the table's value.
        assert not data[y].duplicated().any()


@pytest.mark.parametrize("name", list(FIGURES))
def test_each_figure_renders_to_the_same_bytes_twice(tmp_path, name):
    build, _ = FIGURES[name]
    first = saved(build(), tmp_path / "a", name)
    second = saved(build(), tmp_path / "b", name)
    assert first[0] == second[0]  # PNG
    assert first[1] == second[1]  # SVG
    assert_image(*first)
