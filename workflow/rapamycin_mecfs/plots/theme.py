"""The figures' look from seaborn: its colour-blind palette and its "whitegrid" / "paper" theme.

The values live in theme.json beside this module, written from seaborn by
``python -m rapamycin_mecfs.plots.theme`` and checked against the pinned seaborn by the tests.
Importing seaborn imports pyplot and scipy.stats, about two seconds per figure job, only to read
constants; reading them from the file keeps each figure job to matplotlib alone.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

PALETTE_NAME = "colorblind"
AXES_STYLE = "whitegrid"
CONTEXT = "paper"
FONT_SCALE = 1.15
THEME_FILE = Path(__file__).with_name("theme.json")


def _plain(value: Any) -> Any:
    """JSON-friendly: tuples (colours, dash patterns) become lists."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def seaborn_theme() -> dict[str, Any]:
    """{"source", "palette": 10 RGB triples, "rc": matplotlib rc settings}, asked of seaborn now."""
    import seaborn as sns

    rc = {**sns.axes_style(AXES_STYLE), **sns.plotting_context(CONTEXT, font_scale=FONT_SCALE)}
    # "rocket" exists only once seaborn is imported, which figure jobs do not do; every image names its colormap.
    del rc["image.cmap"]
    return {
        "source": f"seaborn {sns.__version__}: color_palette({PALETTE_NAME!r}, 10), "
        f"axes_style({AXES_STYLE!r}), plotting_context({CONTEXT!r}, font_scale={FONT_SCALE})",
        "palette": [_plain(colour) for colour in sns.color_palette(PALETTE_NAME, 10)],
        "rc": {key: _plain(value) for key, value in sorted(rc.items())},
    }


def theme_text(theme: dict[str, Any]) -> str:
    """The file's content: sorted keys, floats as repr (they read back bit for bit)."""
    return json.dumps(theme, indent=2, sort_keys=True) + "\n"


def write_theme(path: str | os.PathLike = THEME_FILE) -> None:
    from ..atomic import write_text

    write_text(theme_text(seaborn_theme()), path)


def for_drawing(theme: dict[str, Any]) -> dict[str, Any]:
    """Colours back to tuples, as seaborn gives them (matplotlib treats some lists differently)."""
    return {**theme, "palette": [tuple(colour) for colour in theme["palette"]]}


def read_theme(path: str | os.PathLike = THEME_FILE) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return for_drawing(json.load(handle))


if __name__ == "__main__":  # after a seaborn upgrade: python -m rapamycin_mecfs.plots.theme
    write_theme()
    print(f"wrote {THEME_FILE}")
