"""plots/: every figure from small hand-made tables; byte-identical output; numbers drawn checked by hand.

The tables below mimic the pipeline's CSVs as `atomic.read_csv` returns them (every cell a string),
with three visits (T0, T1, T2 on days 0, 14, 42) so nothing depends on the shipped four-visit design.
"""

from __future__ import annotations

import io
import math
import os
import subprocess
import sys
import textwrap
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from scipy import stats

from rapamycin_mecfs.plots import (
    attrition,
    biomarkers,
    consistency,
    dose,
    flow,
    forest,
    registry,
    responders,
    style,
    theme,
    trajectories,
)

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

# participant: (values T0, T1, T2 of outcome "fat" (lower is better); completer; stopped after; doses T0-T2)
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
        row = {"participant_id": pid, "set_enrolled": "True", "set_completers": str(completer),
               "stopped": str(bool(stop)), "stop_after_visit": stop, "set_reached_first_follow_up": str(values[1] is not None)}
        for visit, value, d in zip(IDS, values, doses):
            row[f"has_data_{visit}"] = str(value is not None)
            row[f"dose_{visit}"] = "" if d is None else f"{d:g}"
        rows.append(row)
    return frame(rows)


def clean_table(outcome: str = "fat", scale: float = 1.0, offset: float = 0.0) -> pd.DataFrame:
    rows = []
    for pid, (values, *_rest) in PEOPLE.items():
        for visit, value in zip(IDS, values):
            rows.append({"participant_id": pid, "outcome": outcome, "visit": visit,
                         "value": "" if value is None else f"{value * scale + offset:g}",
                         "flag": "missing" if value is None else ""})
    return frame(rows)


def attrition_table() -> pd.DataFrame:
    rows = [{"category": "enrolled", "visit": "T0", "reason": "", "n": 6}]
    rows += [{"category": "data_at_visit", "visit": v, "reason": "", "n": n} for v, n in zip(IDS, (6, 5, 4))]
    rows += [{"category": "completers", "visit": "T2", "reason": "", "n": 4},
             {"category": "stopped", "visit": "", "reason": "", "n": 2},
             {"category": "stopped_after_visit", "visit": "T0", "reason": "Side effects", "n": 1},
             {"category": "stopped_after_visit", "visit": "T1", "reason": "Cost", "n": 1}]
    return frame(rows)


def saved(fig, tmp_path: Path, name: str, synthetic: bool = True) -> tuple[bytes, bytes, tuple[int, int]]:
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


# --- the CI of the median ---------------------------------------------------------------------


def hand_ranks(n: int, confidence: float = 0.95) -> tuple[int, int] | None:
    """Largest r with P(B <= r - 1) <= alpha/2, B ~ Binomial(n, 1/2), in exact fractions."""
    alpha_half = Fraction(1 - Fraction(confidence).limit_denominator(1000)) / 2
    best = None
    cumulative = Fraction(0)
    for k in range(n):
        cumulative += Fraction(math.comb(n, k), 2**n)  # P(B <= k)
        if cumulative <= alpha_half:
            best = k + 1
        else:
            break
    return None if best is None else (best, n + 1 - best)


@pytest.mark.parametrize("n", range(1, 101))
def test_median_ci_ranks_equal_exact_binomial_computation(n):
    assert trajectories.median_ci_ranks(n) == hand_ranks(n)


def test_median_ci_ranks_match_published_tables():
    # Order-statistic CIs of the median (e.g. Gardner & Altman, Statistics with Confidence, table 18.4).
    assert trajectories.median_ci_ranks(10) == (2, 9)
    assert trajectories.median_ci_ranks(20) == (6, 15)
    assert trajectories.median_ci_ranks(40) == (14, 27)
    assert trajectories.median_ci_ranks(5) is None  # P(B = 0) = 1/32 > 0.025


def test_median_ci_coverage_is_at_least_the_level():
    for n in range(6, 80):
        r, s = trajectories.median_ci_ranks(n)
        coverage = stats.binom.cdf(s - 1, n, 0.5) - stats.binom.cdf(r - 1, n, 0.5)
        assert coverage >= 0.95 - 1e-12
        # and r is the largest such rank: one rank narrower falls below the level
        if r + 1 <= s - 1:
            assert stats.binom.cdf(s - 2, n, 0.5) - stats.binom.cdf(r, n, 0.5) < 0.95


def test_median_ci_values_by_hand():
    values = [7, 1, 9, 3, 5, 2, 8, 10, 4, 6]  # n = 10: ranks 2 and 9 of 1..10
    assert trajectories.median_ci(values) == (5.5, 2.0, 9.0)
    assert trajectories.median_ci([np.nan, 3, 1]) [0] == 2.0
    median, low, high = trajectories.median_ci([3, 1, 2])
    assert median == 2.0 and math.isnan(low) and math.isnan(high)


def test_trajectory_summary_is_what_is_drawn():
    wide = trajectories.wide_values(clean_table(), "fat", IDS)
    summary = trajectories.summarise(wide, 0.95)
    assert summary["n"].tolist() == [6, 5, 4]
    assert summary["median"].tolist() == [11.5, 10.0, 8.5]
    # n = 6: ranks 1 and 6 (P(B = 0) = 1/64 <= 0.025), i.e. min and max
    assert (summary.loc[0, "ci_low"], summary.loc[0, "ci_high"]) == (9.0, 15.0)
    assert math.isnan(summary.loc[2, "ci_low"])  # n = 4: no order-statistic interval reaches 95%


def test_trajectories_figure_draws_the_median_and_its_ci(tmp_path):
    completers = [p for p, (_, c, _, _) in PEOPLE.items() if c]
    fig = trajectories.trajectories_figure(clean_table(), completers, {"fat": FAT}, AXIS, "Test scale", True)
    ax_completers = fig.axes[0]
    # The bold line is the errorbar's data line: medians of the completers 11.5, 10.5, 8.5 at days 0, 14, 42.
    bold = [line for line in ax_completers.get_lines() if line.get_linewidth() == pytest.approx(2.6) and line.get_marker() == "o"]
    assert len(bold) == 1
    assert bold[0].get_xdata().tolist() == [0, 14, 42]
    expected = [np.median([10, 12, 11, 14]), np.median([8, 12, 10, 11]), np.median([6, 9, 10, 8])]
    assert bold[0].get_ydata().tolist() == expected
    labels = [t.get_text() for t in ax_completers.get_xticklabels()]
    assert labels[0] == "T0\nday 0\nn = 4"
    assert "lower = better" in ax_completers.get_ylabel()
    # Right panel, every available value: at T0 n = 6, so the 95% CI is [x_(1), x_(6)] = [9, 15]; at T2 n = 4: none.
    bars = fig.axes[1].containers[0].lines[2][0].get_segments()
    assert bars[0].tolist() == [[0.0, 9.0], [0.0, 15.0]]
    assert np.isnan(bars[2]).all()
    png, svg, size = saved(fig, tmp_path, "trajectories")
    assert size == (1650, 750)  # 11 in wide; 1.3 in + 2.6 in per outcome, at least 5 in
    assert_image(png, svg, size)


# --- determinism ---------------------------------------------------------------------------------


def responders_table() -> pd.DataFrame:
    rows = []
    for name, k, n in (("completers", 3, 4), ("reached_first_follow_up_locf", 3, 5), ("enrolled_worst_case", 3, 6)):
        low, high = _wilson(k, n)
        rows.append({"analysis_set": name, "responders": k, "n": n, "proportion": k / n, "ci_low": low, "ci_high": high,
                     "rule": "test rule", "assumption": "Response = a test rule.", "method": "Wilson score interval, 95% two-sided"})
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
    style.save(fig, sys.argv[1] + "/responders.png", sys.argv[1] + "/responders.svg", True, "Responders")
    fig = trajectories.trajectories_figure(clean_table(), ["P1", "P2"], {{"fat": {fat!r}}}, {visits!r}, "Test", True)
    style.save(fig, sys.argv[1] + "/traj.png", sys.argv[1] + "/traj.svg", True, "Trajectories")
    """
)


@pytest.mark.parametrize("participants, raster", [(style.VECTOR_PARTICIPANTS, False), (style.VECTOR_PARTICIPANTS + 1, True)])
def test_participant_marks_are_rasterized_in_svg_only_for_large_cohorts(tmp_path, participants, raster):
    rng = np.random.default_rng(0)
    wide = pd.DataFrame(rng.normal(size=(participants, 3)), columns=IDS)
    wide.iloc[0, 1] = np.nan  # the middle visit missing: two single points, no line for this participant
    with style.context():
        fig, ax = style.new_figure(4, 3, "lines", False)
        trajectories.participant_lines(ax, wide, np.array([0.0, 14.0, 42.0]))
    collections = ax.collections
    assert len(collections[0].get_paths()) == participants - 1
    assert len(collections[1].get_offsets()) == 3 * participants - 1
    assert [c.get_rasterized() for c in collections] == [raster, raster]
    png, svg, expected = saved(fig, tmp_path, "lines", synthetic=False)
    assert_image(png, svg, expected)
    assert (b"<image" in svg) == raster
    (tmp_path / "again").mkdir()
    assert saved(fig, tmp_path / "again", "lines", synthetic=False)[:2] == (png, svg)  # the raster layer is deterministic too


def test_svg_places_the_axes_where_the_png_has_them(tmp_path):
    """One constrained-layout pass: the SVG reuses the PNG's layout (in points, y from the top)."""
    import re

    fig = responders.responders_figure(responders_table(), True)
    engine = fig.get_layout_engine()
    _, svg, _ = saved(fig, tmp_path, "r")
    assert fig.get_layout_engine() is engine  # restored for any later save
    height = fig.get_size_inches()[1] * 72
    first = re.search(rb'<clipPath id="[^"]+">\s*<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', svg)
    box = fig.axes[0].get_window_extent()  # pixels at the figure's dpi, y from the bottom
    scale = 72 / fig.dpi
    expected = [box.x0 * scale, height - box.y1 * scale, box.width * scale, box.height * scale]
    assert [float(v) for v in first.groups()] == pytest.approx(expected, abs=1e-3)


def test_same_bytes_across_two_calls(tmp_path):
    first = saved(responders.responders_figure(responders_table(), True), tmp_path / "a", "r")
    second = saved(responders.responders_figure(responders_table(), True), tmp_path / "b", "r")
    assert first[0] == second[0]  # PNG
    assert first[1] == second[1]  # SVG


def test_same_bytes_in_fresh_processes(tmp_path):
    """Two interpreters with different hash seeds write identical PNG and SVG files."""
    script = tmp_path / "render.py"
    script.write_text(RENDER.format(tests=str(Path(__file__).parent), fat=FAT, visits=AXIS))
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"run{seed}"
        out.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed, "MPLBACKEND": "pdf"}  # the backend must not matter
        subprocess.run([sys.executable, str(script), str(out)], check=True, env=env, capture_output=True)
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert sorted(outputs[0]) == ["responders.png", "responders.svg", "traj.png", "traj.svg"]
    assert outputs[0] == outputs[1]


def test_theme_file_is_what_the_pinned_seaborn_defines():
    """plots/theme.json must be regenerated (python -m rapamycin_mecfs.plots.theme) when seaborn changes."""
    assert theme.THEME_FILE.read_text(encoding="utf-8") == theme.theme_text(theme.seaborn_theme())
    import seaborn as sns

    assert style.PALETTE == list(sns.color_palette("colorblind", 10))
    for key, value in sns.axes_style("whitegrid").items():
        if key not in ("font.family", "font.sans-serif", "image.cmap"):  # our overrides; seaborn-only colormap
            assert style.RC[key] == (list(value) if isinstance(value, tuple) else value), key


def test_figure_modules_load_only_matplotlib():
    """A figure job must not pay for seaborn, pyplot or scipy.stats (seconds per job) it does not use."""
    code = (
        "import sys\n"
        "from rapamycin_mecfs.plots import attrition, biomarkers, dose, flow, forest, responders, trajectories\n"
        "from rapamycin_mecfs.simulate import plot\n"
        "print(sorted(m for m in ('seaborn', 'matplotlib.pyplot', 'scipy.stats', 'scipy.optimize') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "x, y",
    [
        ([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]),
        ([1, 1, 2, 3, 3, 3, 9], [2.5, 0.1, 0.1, 4.0, -1.0, 3.0, 3.0]),  # ties in both
        ([3, 1, 2], [1, 2, 3]),
    ],
)
def test_spearman_rho_equals_scipy(x, y):
    assert consistency.spearman_rho(x, y) == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-12)


def test_spearman_rho_of_a_constant_is_nan():
    assert math.isnan(consistency.spearman_rho([1, 1, 1], [1, 2, 3]))


def test_files_carry_no_timestamp_or_version(tmp_path):
    png, svg, _ = saved(responders.responders_figure(responders_table(), True), tmp_path, "r")
    with Image.open(io.BytesIO(png)) as image:
        info = dict(image.text)
    assert "Software" not in info and "Creation Time" not in info
    assert info["Warning"] == style.SYNTHETIC_METADATA
    assert b"<dc:date>" not in svg and b"Matplotlib v" not in svg
    assert b"SYNTHETIC DATA - not trial results" in svg  # in the SVG metadata (text itself is drawn as paths)


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
                paired.append({"outcome": outcome, "label": label, "instrument": "x", "visit": "T2", "analysis_set": analysis_set,
                               "test": test, "n_pairs": n, "estimate": raw * factor, "ci_low": raw * factor - 1, "ci_high": raw * factor + 1})
        mixed.append({"outcome": outcome, "label": label, "instrument": "x", "visit": "T2", "improvement_estimate": raw * 0.8,
                      "improvement_ci_low": raw * 0.8 - 2, "improvement_ci_high": raw * 0.8 + 2, "n_participants": 6, "n_visit": 4})
        sd.append({"outcome": outcome, "baseline_sd": {"fat": 2.0, "act": 20.0}[outcome]})
    return frame(paired), frame(mixed), frame(sd)


def test_forest_standardisation_by_hand(tmp_path):
    table = forest.forest_table(*forest_tables(), "T2").set_index(["outcome", "analysis"])
    assert table.loc[("fat", "completers"), ["estimate", "ci_low", "ci_high"]].tolist() == [1.0, 0.5, 1.5]
    assert table.loc[("fat", "enrolled_bocf"), ["estimate", "ci_low", "ci_high"]].tolist() == [0.5, 0.0, 1.0]
    assert table.loc[("act", "enrolled_available"), ["estimate", "ci_low", "ci_high"]].tolist() == pytest.approx([0.4, 0.3, 0.5])
    assert table.loc[("fat", "enrolled_available"), "n_at_visit"] == 4
    fig = forest.forest_figure(forest.forest_table(*forest_tables(), "T2"), "T2", True)
    legend = [t.get_text() for t in fig.legends[0].get_texts()] if fig.legends else []
    legend = legend or [t.get_text() for t in fig.subfigs[1].legends[0].get_texts()]
    assert any("n = 4 pairs" in t for t in legend) and any("n = 6 participants, 4 with T2" in t for t in legend)
    png, svg, size = saved(fig, tmp_path, "forest")
    assert_image(png, svg, size)


def test_forest_needs_every_baseline_sd():
    paired, mixed, sd = forest_tables()
    with pytest.raises(ValueError, match="baseline SD"):
        forest.forest_table(paired, mixed, sd[sd["outcome"] == "fat"], "T2")


# --- responders, baseline by completion ------------------------------------------------------------


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


def test_baseline_smd_is_turned_so_positive_means_completers_better(tmp_path):
    table = frame([
        {"outcome": "fat", "label": "Fatigue", "direction": "lower_is_better", "smd": -0.3, "group_1": "completers",
         "group_2": "stopped", "n_1": 4, "n_2": 2, "p_fdr_bh": 0.01},
        {"outcome": "act", "label": "Activity", "direction": "higher_is_better", "smd": -0.15, "group_1": "completers",
         "group_2": "stopped", "n_1": 4, "n_2": 2, "p_fdr_bh": 0.5},
    ])
    aligned = attrition.aligned_smd(table).set_index("outcome")["smd_better"]
    assert aligned.to_dict() == {"fat": 0.3, "act": -0.15}
    fig = attrition.baseline_smd_figure(table, True)
    filled, hollow = fig.axes[0].collections[1], fig.axes[0].collections[0]
    assert hollow.get_offsets().tolist() == [[-0.15, 1.0]]
    assert filled.get_offsets().tolist() == [[0.3, 0.0]]
    png, svg, size = saved(fig, tmp_path, "bbc")
    assert_image(png, svg, size)


def test_baseline_smd_when_nobody_stopped_says_so(tmp_path):
    # As analysis/attrition.baseline_by_completion writes it when the stopped group is empty: no smd, no p.
    table = frame([
        {"outcome": "fat", "label": "Fatigue", "direction": "lower_is_better", "group_1": "completers",
         "group_2": "stopped", "n_1": 6, "n_2": 0, "method": "not computed: fewer than 2 in a group"},
    ])
    fig = attrition.baseline_smd_figure(table, False)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("no standardised difference computed") for t in texts)
    drawn = [xy for c in fig.axes[0].collections for xy in np.asarray(c.get_offsets(), dtype=float)]
    assert not any(np.isfinite(xy).all() for xy in drawn)  # no point is placed
    png, svg, size = saved(fig, tmp_path, "bbc0")
    assert_image(png, svg, size)


# --- dose -------------------------------------------------------------------------------------------


def test_dose_points_by_hand():
    points = dose.dose_points(clean_table(), participants_table(), "lower_is_better", IDS, IDS[-1])
    # improvement = -(last observed - baseline); last dose = dose at the last visit with a dose
    expected = {"P1": (2, 4), "P2": (3, 3), "P3": (2, 0), "P5": (1, 1), "P6": (4, 6)}  # P4: no follow-up
    assert {pid: (row.last_dose, row.improvement) for pid, row in points.iterrows()} == expected


def dose_tables(points: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    rho = stats.spearmanr(points["last_dose"], points["improvement"]).statistic
    table = frame([{"outcome": "fat", "change": "last_observation", "dose_measure": "last_dose", "n": len(points),
                    "rho": rho, "ci_low": -0.5, "ci_high": 0.99}])
    bands = frame([{"outcome": "fat", "change": "last_observation", "dose_band": "0 < dose <= 2", "n": 3,
                    "median_improvement": 1, "q1": 0.5, "q3": 2.5},
                   {"outcome": "fat", "change": "last_observation", "dose_band": "2 < dose <= 4", "n": 2,
                    "median_improvement": 4.5, "q1": 3.75, "q3": 5.25}])
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
    panel = {"outcome": "fat", "label": "Fatigue", "unit": "points", "direction": "lower_is_better", "points": points, "row": row, "bands": parsed}
    fig = dose.dose_response_figure([panel, {**panel, "label": "Fatigue again"}], True, "mg/day")
    assert fig.axes[0].get_xlabel() == "last dose, mg/day"
    title = fig.axes[0].get_title()
    assert f"n = {len(points)}" in title and "\N{GREEK SMALL LETTER RHO} = " in title
    png, svg, size = saved(fig, tmp_path, "dose")
    assert size == (1650, int(round((1.7 + 3.9) * 150)))
    assert_image(png, svg, size)


# --- biomarkers -------------------------------------------------------------------------------------

MARKER = {"label": "Marker A", "unit": "ng/mL", "lloq": 0.05, "direction": "none"}
MARKER_VALUES = {  # T0, T1, T2; 0.025 = below LLOQ (substituted LLOQ/2)
    "P1": (1.0, 0.5, 0.6), "P2": (0.8, 0.025, 0.4), "P3": (1.2, 0.9, None), "P4": (0.025, None, None),
    "P5": (0.7, 0.6, 0.9), "P6": (1.5, 0.7, 0.8),
}


def marker_clean() -> pd.DataFrame:
    rows = []
    for pid, values in MARKER_VALUES.items():
        for visit, value in zip(IDS, values):
            flag = "missing" if value is None else ("below_lloq" if value == 0.025 else "")
            rows.append({"participant_id": pid, "outcome": "mk", "visit": visit, "value": "" if value is None else f"{value:g}", "flag": flag})
    return frame(rows)


def test_biomarker_trajectories(tmp_path):
    counts = frame([{"marker": "mk", "visit": v, "n_below_lloq": n, "lloq": 0.05} for v, n in zip(IDS, (1, 1, 0))])
    traj = frame([{"marker": "mk", "visit": v, "analysis_set": "available_pairs", "test": "wilcoxon_signed_rank", "estimate": -0.3,
                   "ci_low": -0.5, "ci_high": -0.1, "p_fdr_bh": 0.04, "n_pairs": 4} for v in IDS[1:]])
    fig = biomarkers.biomarker_trajectories_figure(marker_clean(), {"mk": MARKER}, AXIS, counts, traj, True)
    ax = fig.axes[0]
    crosses = [c for c in ax.collections if c.get_offsets().shape[0] == 2]
    assert sorted(map(tuple, crosses[0].get_offsets().tolist())) == [(0.0, 0.025), (14.0, 0.025)]
    assert "< LLOQ: 1" in ax.get_xticklabels()[0].get_text()
    png, svg, size = saved(fig, tmp_path, "bt")
    assert_image(png, svg, size)
    counts.loc[0, "n_below_lloq"] = "2"
    with pytest.raises(ValueError, match="below LLOQ"):
        biomarkers.biomarker_trajectories_figure(marker_clean(), {"mk": MARKER}, AXIS, counts, traj, True)


def test_biomarker_heatmap(tmp_path):
    rows = []
    for i, visit in enumerate(IDS):
        for outcome, label, direction in (("fat", "Fatigue", "lower_is_better"), ("act", "Activity", "higher_is_better")):
            rows.append({"marker": "mk", "outcome": outcome, "outcome_label": label, "outcome_direction": direction, "visit": visit,
                         "rho": 0.1 * (i + 1) * (1 if outcome == "fat" else -1), "p_fdr_bh": 0.01 if i == 2 else 0.5, "n": 6 - i})
    table = frame(rows)
    rho, sig, n, columns = biomarkers.heatmap_matrix(table, ["mk"], IDS, ["fat", "act"])
    np.testing.assert_allclose(rho, [[0.1, 0.2, 0.3], [-0.1, -0.2, -0.3]])
    assert sig.tolist() == [[False, False, True], [False, False, True]]
    fig = biomarkers.biomarker_heatmap_figure(table, {"mk": MARKER}, IDS, True)
    assert "0.30*" in [t.get_text() for t in fig.axes[0].texts]
    png, svg, size = saved(fig, tmp_path, "bh")
    assert_image(png, svg, size)


def test_change_points_and_scatter(tmp_path):
    clean = pd.concat([marker_clean(), clean_table()], ignore_index=True)
    points = biomarkers.change_points(clean, "mk", "fat", "T0", "T2", list(PEOPLE))
    # by hand: marker T2 - T0 and fatigue T2 - T0 for those with all four values
    expected = {"P1": (-0.4, -4, False), "P2": (-0.4, -3, False), "P5": (0.2, -1, False), "P6": (-0.7, -6, False)}
    got = {pid: (round(r.d_marker, 10), r.d_outcome, r.below_lloq) for pid, r in points.iterrows()}
    assert got == expected
    at_t1 = biomarkers.change_points(clean, "mk", "fat", "T0", "T1", list(PEOPLE))
    assert bool(at_t1.loc["P2", "below_lloq"]) is True
    rho = stats.spearmanr(points["d_marker"], points["d_outcome"]).statistic
    row = pd.Series({"n": "4", "rho": str(rho), "ci_low": "-0.9", "ci_high": "0.9", "p_fdr_bh": "0.3"})
    biomarkers.check_rho(points, row, "mk vs fat")
    with pytest.raises(ValueError):
        biomarkers.check_rho(points, pd.Series({**row, "n": "5"}), "mk vs fat")
    panel = {"marker_label": "Marker A", "marker_unit": "ng/mL", "outcome_label": "Fatigue", "outcome_unit": "points",
             "outcome_direction": "lower_is_better", "points": points, "row": row}
    fig = biomarkers.biomarker_change_scatter_figure([panel], "T0", "T2", True)
    assert "negative = better" in fig.axes[0].get_ylabel()
    png, svg, size = saved(fig, tmp_path, "bc")
    assert_image(png, svg, size)


def brute_force_auc(pos, neg) -> float:
    """P(responder scores higher) + P(tie) / 2 over every pair."""
    total = sum((p > q) + 0.5 * (p == q) for p in pos for q in neg)
    return total / (len(pos) * len(neg))


@pytest.mark.parametrize(
    "pos,neg",
    [([3, 4, 5], [1, 2]), ([1, 2], [3, 4, 5]), ([1, 2, 2, 3], [2, 2, 0]), ([0.5, 0.5], [0.5]), ([5, 1, 3, 3], [3, 2, 4, 0, 3])],
)
def test_roc_curve_area_equals_pairwise_auc(pos, neg):
    fpr, tpr = biomarkers.roc_curve(pos, neg)
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0, 0, 1, 1)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)
    assert np.trapezoid(tpr, fpr) == pytest.approx(brute_force_auc(pos, neg), abs=1e-12)


def test_roc_figure_checks_the_table(tmp_path):
    status = pd.Series({"P1": 1.0, "P2": 0.0, "P3": np.nan, "P5": 1.0, "P6": 0.0, "P4": 0.0})
    wide = trajectories.wide_values(marker_clean(), "mk", IDS)
    pos, neg = biomarkers.roc_groups(wide["T0"], status)
    assert sorted(pos.tolist()) == [0.7, 1.0] and sorted(neg.tolist()) == [0.025, 0.8, 1.5]
    auc = brute_force_auc(pos, neg)
    row = pd.Series({"auc": str(auc), "ci_low": "0.1", "ci_high": "0.9", "n_responders": "2", "n_non_responders": "3",
                     "confidence": "0.95", "assumption": "Response = a test rule."})
    curve = {"measure_label": "baseline level (T0)", "positives": pos, "negatives": neg, "row": row}
    fig = biomarkers.biomarker_roc_figure([{"label": "Marker A", "curves": [curve]}], True)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(f"AUC {auc:.2f}" in t and "2 responders, 3 non-responders" in t for t in legend)
    png, svg, size = saved(fig, tmp_path, "roc")
    assert_image(png, svg, size)
    with pytest.raises(ValueError, match="area of the drawn curve"):
        biomarkers.biomarker_roc_figure([{"label": "Marker A", "curves": [{**curve, "row": pd.Series({**row, "auc": "0.9"})}]}], True)


def test_roc_figure_with_everyone_a_responder_draws_no_curve():
    pos = np.array([0.7, 1.0])
    row = pd.Series({"auc": "", "ci_low": "", "ci_high": "", "n_responders": "2", "n_non_responders": "0",
                     "confidence": "0.95", "assumption": "Response = a test rule."})
    curve = {"measure_label": "baseline level (T0)", "positives": pos, "negatives": np.array([]), "row": row}
    fig = biomarkers.biomarker_roc_figure([{"label": "Marker A", "curves": [curve]}], False)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "baseline level (T0): no AUC (2 responders, 0 non-responders)" in legend
    with pytest.raises(ValueError, match="a group is empty"):
        biomarkers.biomarker_roc_figure([{"label": "A", "curves": [{**curve, "row": pd.Series({**row, "auc": "0.5"})}]}], False)


# --- registry, captions and plan ----------------------------------------------------------------------


def shipped_plan():
    from rapamycin_mecfs.config import load_config
    from rapamycin_mecfs.plan import StudyPlan

    return StudyPlan(load_config(ROOT / "config.yaml"))


def test_registry_entries():
    plan = shipped_plan()
    entries = registry.figures(plan)
    names = [entry["name"] for entry in entries]
    assert len(names) == len(set(names))
    trajectories_ = [f"trajectories_{name}" for name in plan.outcome_instruments(plan.analysed_outcomes)]
    assert names[: 2 + len(trajectories_)] == ["participant_flow", *trajectories_, f"forest_{plan.final.lower()}"]
    assert set(registry.BIOMARKER_FIGURES) <= set(names)
    for entry in entries:
        assert set(entry) == {"name", "title", "section", "caption"}
        assert entry["section"] in plan.sections()
        assert "SYNTHETIC" in entry["caption"]


def test_one_caption_serves_both_reports():
    """Snakemake's report renders workflow/report/caption.rst with each rule's caption param: the registry's text."""
    from jinja2 import Environment

    template = (ROOT / "workflow" / "report" / "caption.rst").read_text(encoding="utf-8")
    assert sorted(p.name for p in (ROOT / "workflow" / "report").rglob("*.rst")) == ["caption.rst"]
    for entry in registry.figures(shipped_plan()):
        rendered = Environment().from_string(template).render(snakemake={"params": {"caption": entry["caption"]}})
        assert rendered.strip() == entry["caption"]


def test_captions_are_clean_rst():
    from docutils.core import publish_parts

    for entry in registry.figures(shipped_plan()):
        warnings = io.StringIO()
        publish_parts(entry["caption"], writer="html", settings_overrides={"warning_stream": warnings, "report_level": 1})
        assert warnings.getvalue() == "", entry["name"]


def test_plan_chooses_the_figure_outcomes_from_config():
    plan = shipped_plan()
    config = plan.config
    assert plan.dose_figure_outcomes == config["dose_response"]["figure_outcomes"]
    assert plan.scatter_outcomes == config["biomarker_analysis"]["scatter_outcomes"]
    with pytest.raises(KeyError, match="not drawn"):
        registry.figure(plan, "no_such_figure")
