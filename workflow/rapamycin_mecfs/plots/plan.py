"""What the figure rules need from the config (standard library only: Snakemake plans with it)."""

from __future__ import annotations

import os
from typing import Any

from . import registry


def questionnaires(config: dict[str, Any]) -> list[str]:
    return [name for name, inst in config["instruments"].items() if inst.get("questionnaire", False)]


def final_visit(config: dict[str, Any]) -> str:
    return config["visits"][-1]["id"]


def markers(config: dict[str, Any]) -> list[str]:
    return list(config.get("biomarker_analysis", {}).get("markers", []))


def figures(config: dict[str, Any]) -> list[dict[str, str]]:
    """The registry for this config's questionnaire instruments and final visit."""
    labels = {name: config["instruments"][name]["label"] for name in questionnaires(config)}
    return registry.figures(labels, final_visit(config))


def titles(config: dict[str, Any]) -> dict[str, str]:
    return {entry["name"]: entry["title"] for entry in figures(config)}


def outcome_specs(config: dict[str, Any], keys: list[str]) -> dict[str, dict[str, Any]]:
    """Outcome key -> its scale definition (label, unit, min, max, direction, ...), in the given order."""
    owner = {key: spec for inst in config["instruments"].values() for key, spec in inst["outcomes"].items()}
    return {key: owner[key] for key in keys}


def analysed_outcomes(config: dict[str, Any]) -> list[str]:
    chosen = config["analysis"].get("outcomes") or []
    return list(chosen) or [key for name in questionnaires(config) for key in config["instruments"][name]["outcomes"]]


def dose_outcomes(config: dict[str, Any]) -> list[str]:
    """The registry's key outcomes that are analysed; else the first four analysed outcomes."""
    analysed = analysed_outcomes(config)
    return [o for o in registry.DOSE_OUTCOMES if o in analysed] or analysed[:4]


def change_scatter_outcomes(config: dict[str, Any], correlated: list[str]) -> list[str]:
    """The registry's key outcomes among those the markers are correlated with; else the first three."""
    return [o for o in registry.CHANGE_SCATTER_OUTCOMES if o in correlated] or list(correlated[:3])


def biomarkers_planned(config: dict[str, Any], workflow: Any, table: str) -> bool:
    """Markers configured, and some rule writes (or the run already has) the biomarker table `table`."""
    if not markers(config):
        return False
    return any(_writes(path, table) for rule in workflow.rules for path in rule.output) or os.path.exists(table)


def _writes(output: Any, path: str) -> bool:
    """Whether a rule's output (a Snakemake file, possibly with wildcards, or a plain path) can be `path`."""
    match = getattr(output, "match", None)  # Snakemake's IOFile matches its wildcard pattern
    return str(output) == path or (callable(match) and match(path) is not None)


def figure_pngs(config: dict[str, Any], results: str, workflow: Any, biomarker_table: str) -> dict[str, str]:
    """figure name -> PNG path, in the registry's order; biomarker figures only when planned."""
    names = [entry["name"] for entry in figures(config)]
    if not biomarkers_planned(config, workflow, biomarker_table):
        names = [n for n in names if n not in registry.BIOMARKER_FIGURES]
    return {name: f"{results}/figures/{name}.png" for name in names}


def figure_files(config: dict[str, Any], results: str, workflow: Any, biomarker_table: str) -> list[str]:
    """Every figure as PNG and SVG, for rule all."""
    return [
        path
        for png in figure_pngs(config, results, workflow, biomarker_table).values()
        for path in (png, png[: -len(".png")] + ".svg")
    ]
