"""Shared look, the synthetic-data watermark, and deterministic, atomic saving of figures.

The look is seaborn's: `context()` applies ``seaborn.set_theme`` (the "whitegrid" style, the
"paper" context scaled by 1.15 and the "colorblind" palette) inside a matplotlib rc context, with
this module's settings for fonts, titles and saving laid over it, so nothing global changes.

Byte-identical output across runs rests on:

* the Agg canvas attached to each Figure, whatever the environment says (seaborn imports pyplot,
  but no figure is made through it, so its backend and figure registry play no part);
* the font bundled with matplotlib (DejaVu Sans), so no system font can change the glyphs;
* SVG text drawn as paths (``svg.fonttype = "path"``: the file renders the same without the font)
  and a fixed ``svg.hashsalt`` and ``svg.id``, so the clip-path and glyph ids do not come from
  uuid4;
* no timestamp or version in the files: PNG ``Software`` and SVG ``Date`` and ``Creator`` removed;
* a fixed size and dpi (no ``bbox_inches="tight"``), so the pixel size is known in advance;
* anything random (none today) seeded by the caller.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..atomic import atomic_path

DPI = 150
SYNTHETIC_LABEL = "SYNTHETIC DATA \N{EM DASH} not trial results"
# ASCII versions for file metadata (PNG tEXt chunks are Latin-1).
SYNTHETIC_METADATA = "SYNTHETIC DATA - not trial results"
HASH_SALT = "reanalysis-figures"
BANNER_INCHES = 0.34
TITLE_INCHES = 0.30
SUBTITLE_LINE_INCHES = 0.2
HEADER_PAD = 0.06
WARNING_RED = "#b2182b"

NEUTRAL = "0.35"
# Up to this many participants, per-participant marks are SVG vectors; above, a raster layer.
VECTOR_PARTICIPANTS = 500
# seaborn's theme for every figure (see `context`).
PALETTE_NAME = "colorblind"
AXES_STYLE = "whitegrid"
CONTEXT = "paper"
FONT_SCALE = 1.15
# Palette position (seaborn "colorblind") per analysis set, fixed so every figure agrees.
_SET_PALETTE_INDEX = {
    "completers": 0,
    "enrolled_available": 1,
    "enrolled_bocf": 2,
    "all_available": 1,
    "reached_first_follow_up_locf": 1,
    "enrolled_worst_case": 2,
    "stopped": 3,
}
# Our settings, laid over seaborn's theme.
RC_OVERRIDES = {
    "font.family": "DejaVu Sans",
    "font.sans-serif": ["DejaVu Sans"],
    "mathtext.fontset": "dejavusans",
    "axes.unicode_minus": True,
    "axes.titleweight": "bold",
    "axes.titlesize": 10.5,
    "figure.titlesize": 13,
    "figure.titleweight": "bold",
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "svg.fonttype": "path",
    "svg.hashsalt": HASH_SALT,
    "svg.id": "figure",
    "svg.image_inline": True,
    "path.simplify": True,
    "legend.frameon": True,
    "legend.framealpha": 0.9,
}

PALETTE = sns.color_palette(PALETTE_NAME, 10)
SET_COLOURS = {name: PALETTE[index] for name, index in _SET_PALETTE_INDEX.items()}


@contextmanager
def context() -> Iterator[None]:
    """seaborn's theme, with RC_OVERRIDES over it, for building and saving a figure.

    ``seaborn.set_theme`` writes matplotlib's rcParams; the surrounding ``rc_context`` restores
    them on exit, so nothing global is changed. ``color_codes=False``: seaborn would otherwise
    redefine matplotlib's single-letter colours for the whole process.
    """
    with matplotlib.rc_context():
        sns.set_theme(
            context=CONTEXT,
            style=AXES_STYLE,
            palette=PALETTE_NAME,
            font_scale=FONT_SCALE,
            color_codes=False,
            rc=RC_OVERRIDES,
        )
        yield


def new_figure(
    width: float,
    height: float,
    title: str,
    synthetic: bool,
    subtitle: str | None = None,
    watermark_colour: str = WARNING_RED,
    **grid,
) -> tuple[Figure, object]:
    """A figure of fixed size: a header (banner when synthetic, bold title, plain subtitle lines)
    and a body.

    The header is its own subfigure of computed height, so constrained layout in the body never
    overlaps it. `grid` goes to `subplots` of the body (nrows, ncols, squeeze, ...); nrows = 0
    makes no axes and returns the body instead. Returns (figure, axes); the body is
    `axes.get_figure(root=False)` for legends and texts. Call inside `context()`.
    """
    # A bare Figure on the Agg canvas, not one from pyplot (nor in its global figure registry).
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    lines = [] if not subtitle else subtitle.split("\n")
    head = (
        HEADER_PAD
        + (BANNER_INCHES if synthetic else 0)
        + TITLE_INCHES
        + SUBTITLE_LINE_INCHES * len(lines)
        + HEADER_PAD
    )
    header, body = fig.subfigures(2, 1, height_ratios=[head, height - head], hspace=0)
    y = HEADER_PAD
    if synthetic:
        header.text(
            0.5,
            1 - (y + BANNER_INCHES / 2) / head,
            SYNTHETIC_LABEL,
            ha="center",
            va="center",
            color="white",
            fontsize=11,
            fontweight="bold",
            bbox={"boxstyle": "square,pad=0.3", "facecolor": WARNING_RED, "edgecolor": "none"},
        )
        y += BANNER_INCHES
    header.text(
        0.5,
        1 - (y + TITLE_INCHES / 2) / head,
        title,
        ha="center",
        va="center",
        fontsize=13,
        fontweight="bold",
    )
    y += TITLE_INCHES
    for line in lines:
        header.text(
            0.5,
            1 - (y + SUBTITLE_LINE_INCHES / 2) / head,
            line,
            ha="center",
            va="center",
            fontsize=9.5,
            color="0.2",
        )
        y += SUBTITLE_LINE_INCHES
    nrows, ncols = grid.pop("nrows", 1), grid.pop("ncols", 1)
    axes = (
        body.subplots(nrows, ncols, squeeze=grid.pop("squeeze", True), **grid)
        if nrows * ncols
        else body
    )
    watermark(fig, synthetic, watermark_colour)
    return fig, axes


def watermark(fig: Figure, synthetic: bool, colour: str = WARNING_RED) -> None:
    """A faint diagonal "SYNTHETIC DATA" across the whole figure, drawn last (over the data, 9%
    opaque)."""
    if not synthetic:
        return
    width, height = fig.get_size_inches()
    fig.text(
        0.5,
        0.45,
        "SYNTHETIC DATA",
        ha="center",
        va="center",
        rotation=30,
        color=colour,
        alpha=0.09,
        fontsize=min(width, height) * 9,
        fontweight="bold",
        zorder=10,
    )


def save(
    fig: Figure, png: str | os.PathLike, svg: str | os.PathLike, synthetic: bool, title: str = ""
) -> None:
    """Write the figure as PNG and SVG, atomically and without timestamps."""
    warning = {"Warning": SYNTHETIC_METADATA} if synthetic else {}
    with context():
        with atomic_path(png) as tmp:
            fig.savefig(
                tmp,
                format="png",
                dpi=DPI,
                metadata={"Software": None, "Title": _ascii(title), **warning},
            )
        # The SVG keeps the layout just computed for the PNG: both files then place everything
        # alike, and constrained layout, a third of the saving time, runs once.
        engine = fig.get_layout_engine()
        fig.set_layout_engine("none")
        with atomic_path(svg) as tmp:
            svg_meta = {"Date": None, "Creator": None, "Title": title}
            if synthetic:
                svg_meta["Description"] = SYNTHETIC_METADATA
            fig.savefig(tmp, format="svg", dpi=DPI, metadata=svg_meta)
        fig.set_layout_engine(engine)


def _ascii(text: str) -> str:
    return text.encode("ascii", "replace").decode("ascii")


def direction_text(direction: str) -> str:
    """Axis wording of which way is better."""
    return {
        "higher_is_better": "higher = better",
        "lower_is_better": "lower = better",
    }.get(direction, "no better direction")


def wrap(text: str, width: int = 90) -> str:
    return "\n".join(textwrap.wrap(text, width))


def fmt_ci(estimate: float, low: float, high: float, digits: int = 2) -> str:
    """'0.19 (95% CI −0.05 to 0.41)'-style text with a proper minus sign."""
    f = lambda x: f"{x:.{digits}f}".replace("-", "\N{MINUS SIGN}")  # noqa: E731
    return f"{f(estimate)} ({f(low)} to {f(high)})"


def minus(text: str) -> str:
    return text.replace("-", "\N{MINUS SIGN}")
