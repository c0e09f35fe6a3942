"""Assemble the report: read the pipeline's tables and figures, render the Jinja2 template."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pandas as pd

from ..atomic import read_csv
from ..plan import StudyPlan
from ..provenance import sha256_file, sha256_text
from . import sections
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


def embed_png(path: str | Path) -> str:
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def _figures_by_section(figures: dict[str, str], registry: list[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    placed: dict[str, list[dict[str, str]]] = {}
    for entry in registry:
        if entry["name"] in figures:
            placed.setdefault(entry["section"], []).append(
                {"title": entry["title"], "caption": entry["caption"], "src": embed_png(figures[entry["name"]]), "name": entry["name"]}
            )
    return placed


def outcome_tables(tables: dict[str, pd.DataFrame], config: dict[str, Any]) -> list[dict[str, str]]:
    paired = tables["paired_tests"]
    blocks = []
    for instrument, definition in config["instruments"].items():
        if instrument not in set(paired["instrument"]):
            continue
        for test, title in (("wilcoxon_signed_rank", "Wilcoxon signed-rank"), ("paired_t", "Paired t-test")):
            frame = sections.paired_display(paired, instrument, test)
            blocks.append({"title": f"{definition['label']}: {title}", "html": html_table(frame)})
    return blocks


def attrition_tables(tables: dict[str, pd.DataFrame], final: str) -> list[dict[str, str]]:
    blocks = []
    spec = [
        (
            "baseline_by_completion",
            "Baseline: completers vs those who stopped",
            {"label": "Outcome", "n_1": "n completers", "n_2": "n stopped", "median_1": "Median completers", "median_2": "Median stopped", "smd": "SMD", "U": "U", "p_value": "p", "p_holm": "p Holm"},
        ),
        (
            "tipping_point",
            "Tipping point, primary: delta-adjusted multiple imputation (shift δ of the imputed "
            "values towards worsening at which the pooled change stops being significant)",
            {
                "label": "Outcome", "visit": "Visit", "n": "n", "mi_n_imputed": "n imputed",
                "mi_m": "Imputations", "mi_p_at_zero": "p at δ = 0",
                "mi_delta_units": "δ (outcome units)", "mi_delta_baseline_sd": "δ (baseline SD)",
                "mi_result": "Result",
            },
        ),
        (
            "tipping_point",
            "Tipping point, secondary: one value, baseline shifted by δ, for everyone missing",
            {
                "label": "Outcome", "visit": "Visit", "n": "n", "n_missing_follow_up": "n imputed",
                "p_at_zero_shift": "p at δ = 0", "delta_units": "δ (outcome units)",
                "delta_baseline_sd": "δ (baseline SD)", "p_at_delta": "p at δ",
            },
        ),
        (
            "mixed_model",
            "Linear mixed model on all enrolled (missing at random assumed): improvement vs baseline",
            {"label": "Outcome", "visit": "Visit", "n_obs": "Observations", "n_participants": "Participants", "improvement_estimate": "Improvement", "improvement_ci_low": "CI low", "improvement_ci_high": "CI high", "p_value": "p", "p_holm": "p Holm"},
        ),
        (
            "friedman",
            "Friedman test over all visits (completers with complete data)",
            {"label": "Outcome", "n": "n", "statistic": "χ²", "df": "df", "effect_size": "Kendall's W", "p_value": "p", "p_holm": "p Holm"},
        ),
        (
            "regression_to_mean",
            "Regression to the mean",
            {"label": "Outcome", "n": "n", "baseline_mean": "Baseline mean", "baseline_sd": "Baseline SD", "reliability": "Reliability", "expected_improvement": "Expected improvement from RTM alone", "method": "Method"},
        ),
    ]
    p_columns = {"p_value", "p_holm", "p_at_zero_shift", "p_at_delta", "mi_p_at_zero"}
    text_columns = ("label", "visit", "method", "mi_result")
    for name, title, columns in spec:
        if name in tables:
            frame = tables[name]
            numeric = [
                c for c in columns if c not in p_columns and c not in text_columns and c in frame
            ]
            blocks.append({"title": title, "html": html_table(sections.generic_display(frame, columns, p_columns, numeric))})
    if "paired_tests" in tables:
        paired = tables["paired_tests"]
        bocf = paired[(paired["analysis_set"] == "enrolled_bocf") & (paired["visit"] == final)]
        columns = {"label": "Outcome", "test": "Test", "n_pairs": "n", "n_imputed": "n imputed", "estimate": "Estimate", "ci_low": "CI low", "ci_high": "CI high", "p_value": "p", "p_holm": "p Holm"}
        blocks.append(
            {
                "title": f"Baseline carried forward for everyone enrolled (no change for those without {final})",
                "html": html_table(sections.generic_display(bocf, columns, {"p_value", "p_holm"}, ["estimate", "ci_low", "ci_high"])),
            }
        )
    return blocks


def dose_tables(tables: dict[str, pd.DataFrame]) -> list[dict[str, str]]:
    if "dose_response" not in tables:
        return []
    columns = {"label": "Outcome", "change": "Change", "dose_measure": "Dose", "n": "n", "rho": "ρ", "ci_low": "CI low", "ci_high": "CI high", "p_value": "p", "p_fdr_bh": "p BH"}
    frame = sections.generic_display(tables["dose_response"], columns, {"p_value", "p_fdr_bh"}, ["rho", "ci_low", "ci_high"])
    return [{"title": "Achieved dose against improvement (Spearman)", "html": html_table(frame)}]


def biomarker_tables(tables: dict[str, pd.DataFrame]) -> list[dict[str, str]]:
    """Every biomarker table that exists, shown whole (they are tidy and already labelled)."""
    blocks = []
    for name, frame in tables.items():
        if not name.startswith("biomarkers/"):
            continue
        shown = frame.drop(columns=[c for c in ("data_status",) if c in frame])
        formatted = shown.copy()
        for column in shown.columns:
            if pd.api.types.is_float_dtype(shown[column]):
                formatted[column] = shown[column].map(p_value if column.startswith("p") else number)
        blocks.append({"title": name.split("/", 1)[1].replace("_", " ").capitalize(), "html": html_table(formatted)})
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
                formatted[column] = shown[column].map(p_value if column.startswith("p_") or column == "p" else number)
        blocks.append({"title": name.replace("_", " ").capitalize(), "html": html_table(formatted)})
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
                "html": html_table(frame) if len(frame) else "<p>No reported means are listed in the claims file.</p>",
            }
        )
    return blocks


def provenance(inputs: dict[str, list[str]], config: dict[str, Any], code_version: str, versions: dict[str, str], audit: pd.DataFrame) -> dict[str, Any]:
    files = [{"path": path, "sha256": sha256_file(path)} for group in ("supplement", "ledger", "claims", "config_file") for path in inputs.get(group, [])]
    corrections = audit.drop(columns=["data_status"], errors="ignore")
    return {
        "files": files,
        "config_sha256": sha256_text(json.dumps(config, sort_keys=True, default=str)),
        "code_version": code_version,
        "packages": versions,
        "corrections_html": html_table(corrections) if len(corrections) else "<p>No corrections applied.</p>",
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
    responders = tables.get("responders")
    context = {
        "synthetic": plan.synthetic,
        "study": plan.study,
        "sections": plan.sections(),
        "runs": plan.section_runs(),
        "not_run": plan.not_run_by_section(),
        "figures": _figures_by_section(figures, registry),
        "attrition": html_table(sections.attrition_display(tables["attrition"])),
        "baseline": html_table(sections.baseline_characteristics(tables["participants"])) if plan.has("participants_table") else "",
        "outcome_tables": outcome_tables(tables, config),
        "responders": html_table(sections.responders_display(responders)) if responders is not None else "",
        "responder_rule": responders["rule"].iloc[0] if responders is not None else "",
        "responder_assumption": responders["assumption"].iloc[0] if responders is not None else "",
        "attrition_tables": attrition_tables(tables, plan.final),
        "biomarker_tables": biomarker_tables(tables),
        "dose_tables": dose_tables(tables),
        "claims_tables": claims_tables(tables),
        "simulation_tables": simulation_tables(tables),
        "methods": methods(plan),
        "provenance": provenance(inputs, config, code_version, versions, tables["corrections_audit"]),
    }
    return environment.get_template(TEMPLATE.name).render(**context)
