"""Assemble the report: read the pipeline's tables and figures, render the Jinja2 template."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd

from ..atomic import read_csv
from ..plan import StudyPlan
from ..provenance import sha256_file, sha256_text
from . import sections
from .findings import key_findings
from .formatting import html_table, number, p_value
from .methods import methods

TEMPLATE = Path(__file__).resolve().parents[2] / "report" / "report.html.j2"


def _numeric(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        converted = pd.to_numeric(frame[column].where(frame[column] != ""), errors="coerce")
        if converted.notna().sum() == (frame[column] != "").sum() and (frame[column] != "").any():
            frame[column] = converted
    return frame


def load_tables(paths: dict[str, str]) -> dict[str, pd.DataFrame]:
    return {name: _numeric(read_csv(path)) for name, path in paths.items()}


# Figures are embedded at screen width; the print-resolution files stay in results/figures/.
SCREEN_WIDTH = 1100


def embed_png(path: str | Path) -> str:
    """The figure as a data URI, scaled down to ``SCREEN_WIDTH`` pixels if wider."""
    from PIL import Image

    with Image.open(path) as image:
        if image.width > SCREEN_WIDTH:
            height = round(image.height * SCREEN_WIDTH / image.width)
            image = image.resize((SCREEN_WIDTH, height), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def table_links(plan: StudyPlan) -> dict[str, list[str]]:
    """Every CSV a complete run writes under results/tables/: top level, and one level down."""
    names = plan.result_tables()
    return {
        "main": [name for name in names if "/" not in name],
        "nested": [name for name in names if "/" in name],
    }


def _figures_by_section(
    figures: dict[str, str], registry: list[dict[str, Any]]
) -> dict[str, list[dict[str, str]]]:
    placed: dict[str, list[dict[str, str]]] = {}
    for entry in registry:
        if entry["name"] in figures:
            placed.setdefault(entry["section"], []).append(
                {
                    "title": entry["title"],
                    "caption": entry["caption"],
                    "src": embed_png(figures[entry["name"]]),
                    "name": entry["name"],
                }
            )
    return placed


def primary_rows(frame: pd.DataFrame, final: str, primary_sets: list[str]) -> pd.DataFrame:
    """The rows a reader needs inline: the final visit and the primary analysis sets.

    Tables without a visit or analysis-set column are kept whole; if the filter leaves
    nothing (a table without the primary sets), the table is kept whole too.
    """
    keep = pd.Series(True, index=frame.index)
    if "visit" in frame and (frame["visit"].astype(str) == final).any():
        keep &= frame["visit"].astype(str) == final
    if "analysis_set" in frame and frame["analysis_set"].isin(primary_sets).any():
        keep &= frame["analysis_set"].isin(primary_sets)
    return frame[keep]


def outcome_tables(
    tables: dict[str, pd.DataFrame], config: dict[str, Any], final: str, primary_sets: list[str]
) -> list[dict[str, str]]:
    paired = primary_rows(tables["paired_tests"], final, primary_sets)
    blocks = []
    for instrument, definition in config["instruments"].items():
        if instrument not in set(paired["instrument"]):
            continue
        for test, title in (
            ("wilcoxon_signed_rank", "Wilcoxon signed-rank"),
            ("paired_t", "Paired t-test"),
        ):
            frame = sections.paired_display(paired, instrument, test)
            blocks.append({"title": f"{definition['label']}: {title}", "html": html_table(frame)})
    return blocks


# Shown open in the attrition section (by table name or title); the rest fold into <details>:
# the baseline comparison and the primary tipping point answer the attrition question, the
# others support them (the mixed model and baseline carried forward are in the key findings).
SHOWN_ATTRITION = ("baseline_by_completion",)
PRIMARY_TIPPING_POINT = "Tipping point, primary"


def attrition_tables(tables: dict[str, pd.DataFrame], final: str) -> list[dict[str, str]]:
    blocks = []
    spec = [
        (
            "baseline_by_completion",
            "Baseline: completers vs those who stopped",
            {
                "label": "Outcome",
                "n_1": "n completers",
                "n_2": "n stopped",
                "median_1": "Median completers",
                "median_2": "Median stopped",
                "smd": "SMD",
                "U": "U",
                "p_value": "p",
                "p_holm": "p Holm",
            },
        ),
        (
            "tipping_point",
            "Tipping point, primary: delta-adjusted multiple imputation (shift δ of the imputed "
            "values towards worsening at which the pooled change stops being significant)",
            {
                "label": "Outcome",
                "visit": "Visit",
                "n": "n",
                "mi_n_imputed": "n imputed",
                "mi_m": "Imputations",
                "mi_p_at_zero": "p at δ = 0",
                "mi_delta_units": "δ (outcome units)",
                "mi_delta_baseline_sd": "δ (baseline SD)",
                "mi_result": "Result",
            },
        ),
        (
            "tipping_point",
            "Tipping point, secondary: one value, baseline shifted by δ, for everyone missing",
            {
                "label": "Outcome",
                "visit": "Visit",
                "n": "n",
                "n_missing_follow_up": "n imputed",
                "p_at_zero_shift": "p at δ = 0",
                "delta_units": "δ (outcome units)",
                "delta_baseline_sd": "δ (baseline SD)",
                "p_at_delta": "p at δ",
            },
        ),
        (
            "mixed_model",
            "Linear mixed model on all enrolled (missing at random assumed): improvement vs "
            "baseline",
            {
                "label": "Outcome",
                "visit": "Visit",
                "n_obs": "Observations",
                "n_participants": "Participants",
                "improvement_estimate": "Improvement",
                "improvement_ci_low": "CI low",
                "improvement_ci_high": "CI high",
                "p_value": "p",
                "p_holm": "p Holm",
            },
        ),
        (
            "friedman",
            "Friedman test over all visits (completers with complete data)",
            {
                "label": "Outcome",
                "n": "n",
                "statistic": "χ²",
                "df": "df",
                "effect_size": "Kendall's W",
                "p_value": "p",
                "p_holm": "p Holm",
            },
        ),
        (
            "regression_to_mean",
            "Regression to the mean",
            {
                "label": "Outcome",
                "n": "n",
                "baseline_mean": "Baseline mean",
                "baseline_sd": "Baseline SD",
                "reliability": "Reliability",
                "expected_improvement": "Expected improvement from RTM alone",
                "method": "Method",
            },
        ),
    ]
    p_columns = {"p_value", "p_holm", "p_at_zero_shift", "p_at_delta", "mi_p_at_zero"}
    text_columns = ("label", "visit", "method", "mi_result")
    for name, title, columns in spec:
        if name in tables:
            frame = primary_rows(tables[name], final, [])
            numeric = [
                c for c in columns if c not in p_columns and c not in text_columns and c in frame
            ]
            blocks.append(
                {
                    "title": title,
                    "html": html_table(
                        sections.generic_display(frame, columns, p_columns, numeric)
                    ),
                    "collapsed": name not in SHOWN_ATTRITION
                    and not title.startswith(PRIMARY_TIPPING_POINT),
                }
            )
    if "paired_tests" in tables:
        paired = tables["paired_tests"]
        bocf = paired[(paired["analysis_set"] == "enrolled_bocf") & (paired["visit"] == final)]
        columns = {
            "label": "Outcome",
            "test": "Test",
            "n_pairs": "n",
            "n_imputed": "n imputed",
            "estimate": "Estimate",
            "ci_low": "CI low",
            "ci_high": "CI high",
            "p_value": "p",
            "p_holm": "p Holm",
        }
        blocks.append(
            {
                "title": "Baseline carried forward for everyone enrolled (no change for those "
                f"without {final})",
                "html": html_table(
                    sections.generic_display(
                        bocf, columns, {"p_value", "p_holm"}, ["estimate", "ci_low", "ci_high"]
                    )
                ),
                "collapsed": True,
            }
        )
    return blocks


def dose_tables(tables: dict[str, pd.DataFrame]) -> list[dict[str, str]]:
    if "dose_response" not in tables:
        return []
    columns = {
        "label": "Outcome",
        "change": "Change",
        "dose_measure": "Dose",
        "n": "n",
        "rho": "ρ",
        "ci_low": "CI low",
        "ci_high": "CI high",
        "p_value": "p",
        "p_fdr_bh": "p BH",
    }
    frame = sections.generic_display(
        tables["dose_response"], columns, {"p_value", "p_fdr_bh"}, ["rho", "ci_low", "ci_high"]
    )
    return [{"title": "Achieved dose against improvement (Spearman)", "html": html_table(frame)}]


# Biomarker tables shown open: change over visits and whether it separates responders.
SHOWN_BIOMARKER_TABLES = ("trajectory", "responders_compare", "roc_auc")


def biomarker_tables(
    tables: dict[str, pd.DataFrame], final: str, primary_sets: list[str]
) -> list[dict[str, str]]:
    """Every biomarker table that exists: its rows at the final visit in the primary sets."""
    blocks = []
    for name, frame in tables.items():
        if not name.startswith("biomarkers/"):
            continue
        frame = primary_rows(frame, final, primary_sets)
        shown = frame.drop(columns=[c for c in ("data_status",) if c in frame])
        formatted = shown.copy()
        for column in shown.columns:
            if pd.api.types.is_float_dtype(shown[column]):
                formatted[column] = shown[column].map(p_value if column.startswith("p") else number)
        short = name.split("/", 1)[1]
        blocks.append(
            {
                "title": short.replace("_", " ").capitalize(),
                "html": html_table(formatted),
                "collapsed": short not in SHOWN_BIOMARKER_TABLES,
            }
        )
    return blocks


def simulation_tables(tables: dict[str, pd.DataFrame]) -> list[dict[str, str]]:
    """The simulation's summary tables, shown whole (tidy and labelled by the simulation)."""
    blocks = []
    for name, frame in tables.items():
        if not name.startswith("simulation_"):
            continue
        shown = frame.drop(columns=[c for c in ("data_status",) if c in frame])
        formatted = shown.copy()
        for column in shown.columns:
            if pd.api.types.is_float_dtype(shown[column]):
                formatted[column] = shown[column].map(
                    p_value if column.startswith("p_") or column == "p" else number
                )
        blocks.append(
            {
                "title": name.replace("_", " ").capitalize(),
                "html": html_table(formatted),
                "collapsed": name != "simulation_summary",
            }
        )
    return blocks


def claims_tables(tables: dict[str, pd.DataFrame]) -> list[dict[str, str]]:
    blocks = []
    if "claims_audit" in tables:
        frame = tables["claims_audit"].drop(columns=["data_status"], errors="ignore")
        blocks.append({"title": "Published vs recomputed", "html": html_table(frame)})
    if "grim" in tables:
        frame = tables["grim"].drop(columns=["data_status"], errors="ignore")
        blocks.append(
            {
                "title": "GRIM check of reported means of integer-valued scores",
                "html": html_table(frame)
                if len(frame)
                else "<p>No reported means are listed in the claims file.</p>",
            }
        )
    return blocks


def provenance(
    inputs: dict[str, list[str]],
    config: dict[str, Any],
    code_version: str,
    versions: dict[str, str],
    audit: pd.DataFrame,
) -> dict[str, Any]:
    files = [
        {"path": path, "sha256": sha256_file(path)}
        for group in ("supplement", "ledger", "claims", "config_file")
        for path in inputs.get(group, [])
    ]
    corrections = audit.drop(columns=["data_status"], errors="ignore")
    return {
        "files": files,
        "config_sha256": sha256_text(json.dumps(config, sort_keys=True, default=str)),
        "code_version": code_version,
        "packages": versions,
        "corrections_html": html_table(corrections)
        if len(corrections)
        else "<p>No corrections applied.</p>",
    }


def render(
    tables: dict[str, pd.DataFrame],
    figures: dict[str, str],
    registry: list[dict[str, Any]],
    config: dict[str, Any],
    inputs: dict[str, list[str]],
    code_version: str,
    versions: dict[str, str],
) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(TEMPLATE.parent),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    plan = StudyPlan(config)
    # The schema fills report/primary_sets; without it (a hand-built config) tables show every set.
    primary_sets = list(config.get("report", {}).get("primary_sets", []))
    responders = tables.get("responders")
    context = {
        "findings": key_findings(tables, plan),
        "final_label": plan.visit_label(plan.final),
        "table_links": table_links(plan),
        "synthetic": plan.synthetic,
        "study": plan.study,
        "sections": plan.sections(),
        "runs": plan.section_runs(),
        "not_run": plan.not_run_by_section(),
        "figures": _figures_by_section(figures, registry),
        "attrition": html_table(sections.attrition_display(tables["attrition"])),
        "baseline": html_table(sections.baseline_characteristics(tables["participants"]))
        if plan.has("participants_table")
        else "",
        "outcome_tables": outcome_tables(tables, config, plan.final, primary_sets),
        "responders": html_table(sections.responders_display(responders))
        if responders is not None
        else "",
        "responder_rule": responders["rule"].iloc[0] if responders is not None else "",
        "responder_assumption": responders["assumption"].iloc[0] if responders is not None else "",
        "attrition_tables": attrition_tables(tables, plan.final),
        "biomarker_tables": biomarker_tables(tables, plan.final, primary_sets),
        "dose_tables": dose_tables(tables),
        "claims_tables": claims_tables(tables),
        "simulation_tables": simulation_tables(tables),
        "methods": methods(plan),
        "provenance": provenance(
            inputs, config, code_version, versions, tables["corrections_audit"]
        ),
    }
    return environment.get_template(TEMPLATE.name).render(**context)
