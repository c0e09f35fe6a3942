"""The draft and its text: `Draft` holds the drafted config, checklist, guesses to confirm and
comments, and `render` writes it as commented YAML (checklist and guesses at the top), read back and
compared with the config before it is returned.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..cells import normalise_text

SCHEMA_HINT = "workflow/schemas/config.schema.yaml"


@dataclass
class Draft:
    """A drafted config, the checklist validation will name, the guesses to confirm, and the
    rendering."""

    config: dict[str, Any]
    checklist: list[tuple[str, tuple[str, ...], str]]  # (key path, properties, hint)
    confirm: list[str]
    comments: dict[str, list[str]]  # key path -> comment lines written above it
    files: list[str]
    output: str
    notes: list[str] = field(default_factory=list)  # what was left out or will stop extraction

    @property
    def text(self) -> str:
        return render(self)


# ----------------------------------------------------------------------- writing YAML with comments


def _scalar(value: Any, flow: bool = False) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if flow:
        return _yaml_text(text, f"[{text}]", [text])
    return _yaml_text(text, f"k: {text}", {"k": text})


def _key(key: str) -> str:
    return _yaml_text(key, f"{key}: 0", {key: 0})


def _yaml_text(text: str, probe: str, expected: Any) -> str:
    """`text` as written when YAML reads `probe` back as `expected`, else quoted (JSON for control
    characters)."""
    try:
        plain = text == text.strip() and text != "" and yaml.safe_load(probe) == expected
    except yaml.YAMLError:
        plain = False
    if plain:
        return text
    if re.search(r"[\x00-\x1f\x7f]", text):
        return json.dumps(text, ensure_ascii=False)
    return "'" + text.replace("'", "''") + "'"


def _flow_list(values: list[Any]) -> str:
    return "[" + ", ".join(_scalar(v, flow=True) for v in values) + "]"


class _Text:
    def __init__(self):
        self.lines: list[str] = []

    def comment(self, indent: int, text: str) -> None:
        prefix = " " * indent + "# "
        for line in textwrap.wrap(
            normalise_text(text), width=max(40, 110 - len(prefix)), break_on_hyphens=False
        ) or [""]:
            self.lines.append(prefix + line)

    def raw_comment(self, indent: int, text: str) -> None:
        self.lines.append(" " * indent + "# " + text)

    def pair(self, indent: int, key: str, value: Any = ..., flow: bool = False) -> None:
        if value is ...:
            self.lines.append(" " * indent + f"{_key(key)}:")
        elif isinstance(value, list):
            self.lines.append(" " * indent + f"{_key(key)}: {_flow_list(value)}")
        elif isinstance(value, dict) and not value:
            self.lines.append(" " * indent + f"{_key(key)}: {{}}")
        else:
            self.lines.append(" " * indent + f"{_key(key)}: {_scalar(value)}")

    def blank(self) -> None:
        self.lines.append("")


def render(draft: Draft) -> str:
    """The draft as commented YAML: the checklist and the guesses to confirm at the top.

    The text is read back with ``yaml.safe_load`` and must give ``draft.config`` exactly.

    Parameters
    ----------
    draft : Draft

    Returns
    -------
    str

    Examples
    --------
    >>> config = {"results_dir": "results_x", "visits": [{"id": "pre"}, {"id": "post", "day": 7}]}
    >>> rule = [("analysis/responders/criteria", ("criteria",), "the rule")]
    >>> text = render(Draft(config, rule, [], {}, ["x.csv"], "x.yaml"))
    >>> yaml.safe_load(text) == config, "[ ] analysis/responders/criteria: the rule" in text
    (True, True)
    """
    config = draft.config
    out = _Text()
    out.raw_comment(
        0,
        "DRAFT configuration written by `python -m rapamycin_mecfs init` from "
        f"{', '.join(draft.files)}.",
    )
    out.raw_comment(
        0, "File paths are relative to the directory init ran in: run the pipeline from there,"
    )
    out.raw_comment(0, f"    snakemake --cores 4 --configfile {draft.output}")
    out.raw_comment(
        0, f"Every key is described in {SCHEMA_HINT}; config.yaml is a complete, commented example."
    )
    out.raw_comment(0, "")
    out.raw_comment(
        0,
        f"CHECKLIST: {len(draft.checklist)} item(s) the files cannot tell. The pipeline refuses "
        "this file until each is",
    )
    out.raw_comment(
        0,
        "filled in: each is one validation problem now (snakemake -n lists them). Observed "
        "values are in",
    )
    out.raw_comment(0, "the comments beside each outcome.")
    for path, properties, hint in draft.checklist:
        what = hint or ", ".join(properties)
        out.raw_comment(0, f"  [ ] {path}: {what}")
    if draft.confirm or draft.notes:
        out.raw_comment(0, "")
        out.raw_comment(
            0,
            "CONFIRM: drafted from the files; the pipeline uses them as they are unless you "
            "change them.",
        )
        for note in draft.confirm + draft.notes:
            wrapped = textwrap.wrap(normalise_text(note), width=104, break_on_hyphens=False)
            out.raw_comment(0, "  - " + wrapped[0])
            for line in wrapped[1:]:
                out.raw_comment(0, "    " + line)
    out.blank()
    _render_body(out, config, draft.comments)
    text = "\n".join(out.lines) + "\n"
    if yaml.safe_load(text) != config:
        raise AssertionError(
            "the drafted YAML does not read back as the drafted config"
        )  # a bug here, not bad input
    return text


def _render_body(out: _Text, config: dict[str, Any], comments: dict[str, list[str]]) -> None:
    def note(indent: int, path: str) -> None:
        for line in comments.get(path, []):
            out.comment(indent, line)

    sections = {
        "synthetic": "True while the input is a generated synthetic supplement; every output then "
        "says so.",
        "study": "Words about the study for headings, captions and the participant flow (left out: "
        "generic wording).",
        "results_dir": "Where the pipeline writes this study's outputs; its own, so another "
        "study's results stay as they are.",
        "corrections": "Corrections ledger (CSV), one row per value changed after extraction; "
        "null = none.",
        "claims": "The paper's published numbers and how to recompute each (YAML); null = no "
        "claims audit.",
        "visits": "Visits in order (first = baseline, second = first follow-up, last = final), "
        "from the visit headers; `day` is the study day where the header states one.",
        "participant_ids": "How participant IDs are written (case-insensitive regular "
        "expression, one capture group for the number) and their canonical form.",
        "missing_tokens": "Cell texts that mean 'no value' (found in the value cells); any "
        "other text that is not a number stops cleaning.",
        "below_lloq": "Values below an assay's limit ('<0.05'): lloq_half, lloq or missing.",
        "tables": "Source tables: header text -> key. Headers must match the file's text (case and "
        "spaces aside).",
        "instruments": "Outcomes grouped by source table, with each outcome's scale.",
        "analysis": "The analysis plan; everything not written here takes the schema's defaults.",
    }
    for key, value in config.items():
        out.comment(0, sections.get(key, ""))
        if key == "study":
            out.pair(0, key)
            out.comment(2, "Report title.")
            out.pair(2, "title", value["title"])
            out.comment(
                2, "The publication re-analysed (authors, journal, year, doi); empty = none."
            )
            out.pair(2, "citation", value["citation"])
            out.comment(
                2,
                "What participants received, as a noun phrase; the design and what it cannot "
                "show; the first box of the participant flow. Uncomment and write them:",
            )
            out.raw_comment(2, "intervention: <what participants received>")
            out.raw_comment(2, "design: <single arm, no control group: ...>")
            out.raw_comment(2, "arm_label: <Started treatment>")
        elif key == "visits":
            out.pair(0, key)
            for visit in value:
                first = True
                for name, item in visit.items():
                    out.lines.append(
                        ("  - " if first else "    ") + f"{_key(name)}: {_scalar(item)}"
                    )
                    first = False
        elif key == "participant_ids":
            out.pair(0, key)
            out.pair(2, "pattern", value["pattern"])
            out.pair(2, "canonical", value["canonical"])
        elif key == "below_lloq":
            out.pair(0, key)
            out.pair(2, "substitute", value["substitute"])
        elif key == "tables":
            out.pair(0, key)
            for name, spec in value.items():
                note(2, f"tables/{name}")
                out.pair(2, name)
                for item, setting in spec.items():
                    if isinstance(setting, dict):
                        out.pair(4, item)
                        for header, target in setting.items():
                            out.pair(6, header, target)
                    else:
                        out.pair(4, item, setting)
        elif key == "instruments":
            out.pair(0, key)
            for name, instrument in value.items():
                out.pair(2, name)
                out.comment(4, "Source table key under tables.")
                out.pair(4, "table", instrument["table"])
                out.comment(4, "Human-readable name (drafted: the sheet or file name).")
                out.pair(4, "label", instrument["label"])
                out.pair(4, "outcomes")
                for outcome, definition in instrument["outcomes"].items():
                    out.pair(6, outcome)
                    note(8, f"instruments/{name}/outcomes/{outcome}")
                    out.comment(8, "Name in tables and figures (drafted: the header).")
                    out.pair(8, "label", definition["label"])
                    out.comment(
                        8, "Unit of the value (drafted: the header's parenthesis, else points)."
                    )
                    out.pair(8, "unit", definition["unit"])
                    if "lloq" in definition:
                        out.comment(8, "Lower limit of quantification.")
                        out.pair(8, "lloq", definition["lloq"])
                    out.raw_comment(
                        8,
                        "TODO direction: higher_is_better, lower_is_better or none (not an "
                        "outcome: a dose, a marker)",
                    )
                    out.raw_comment(
                        8,
                        "TODO min: smallest possible value of the scale (not the smallest "
                        "observed)",
                    )
                    out.raw_comment(8, "TODO max: largest possible value of the scale")
                    out.raw_comment(8, "TODO step: values must be multiples of it (0 = continuous)")
            _suggestions(out, config)
        elif key == "analysis":
            out.pair(0, key)
            out.comment(2, "The responder rule. TODO: write at least one criterion, for example")
            out.raw_comment(
                2,
                "  - {outcome: <outcome key>, min_improvement: 1, unit: points}   # unit: "
                "points or percent",
            )
            out.comment(
                2,
                "or delete `responders:` and its lines: no responder tables, no marker ROC, no "
                "simulator.",
            )
            out.pair(2, "responders")
            out.comment(
                4, "Visit at which response is judged against baseline (left out: the final visit)."
            )
            out.raw_comment(4, "visit: <visit id>")
            out.comment(4, "How criteria combine: all, any or at_least (with k).")
            out.pair(4, "combine", value["responders"]["combine"])
            out.comment(4, "Why this rule; printed with every responder result.")
            out.raw_comment(4, "assumption: <why this threshold>")
            out.pair(4, "criteria", value["responders"]["criteria"])
        else:
            out.pair(0, key, value)
        out.blank()


def _suggestions(out: _Text, config: dict[str, Any]) -> None:
    """Optional parts the tables suggest, as comments: the dose and the markers."""
    outcomes = {
        key: spec
        for inst in config["instruments"].values()
        for key, spec in inst["outcomes"].items()
    }
    dose = [
        key
        for key, spec in outcomes.items()
        if re.search(r"\bdose\b", spec["label"], re.IGNORECASE)
    ]
    markers = [
        key
        for inst in config["instruments"].values()
        if any("lloq" in spec for spec in inst["outcomes"].values())
        for key in inst["outcomes"]
    ]
    if dose:
        out.blank()
        out.comment(
            0,
            f"A dose by visit ({dose[0]}; give it direction none) enables the dose-response "
            "analysis:",
        )
        out.raw_comment(
            0,
            f"dose_response: {{dose_outcome: {dose[0]}, bands: [<upper bound of each dose band>]}}",
        )
    if markers:
        out.blank()
        out.comment(
            0, "Tables with below-limit cells look like assay markers (give them direction none):"
        )
        out.raw_comment(0, f"biomarker_analysis: {{markers: {_flow_list(markers)}}}")
