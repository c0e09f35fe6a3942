"""Simulation models for the tests, built from the project config with a configured baseline (no
supplement)."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
from rapamycin_mecfs.config import load_config
from rapamycin_mecfs.simulate import model as sim
from rapamycin_mecfs.simulate import scenarios

ROOT = Path(__file__).resolve().parents[1]
# Roughly the synthetic supplement's enrolled baseline (mean, SD).
BASELINE = {
    "bas": {"mean": 27.3, "sd": 10.9},
    "sss_fatigue": {"mean": 7.3, "sd": 1.5},
    "sss_sleep": {"mean": 6.9, "sd": 1.6},
    "sss_pem": {"mean": 7.7, "sd": 1.6},
    "sss_oi": {"mean": 6.6, "sd": 2.1},
    "mfi_general_fatigue": {"mean": 18.1, "sd": 1.9},
    "sf36_physical_functioning": {"mean": 33.3, "sd": 16.7},
}
RETENTION = [70 / 86, 56 / 86, 46 / 86]
_PROJECT = load_config(ROOT / "config.yaml")


def project_config(**scenario) -> dict:
    """The project config with a configured baseline and one scenario `test` (keys as under
    simulation/scenarios)."""
    config = copy.deepcopy(_PROJECT)
    section = config["simulation"]
    section["baseline"] = {
        "source": "config",
        "outcomes": copy.deepcopy(BASELINE),
        "correlation": 0.4,
    }
    section["calibration_size"] = 5000
    section["scenarios"] = {"test": {"description": "test scenario", **scenario}}
    scenarios.check(config)
    return config


def make_model(config: dict | None = None, supplement_n: int = 86, **scenario) -> sim.Model:
    config = config or project_config(**scenario)
    settings = scenarios.model_settings(config, "test")
    baseline = sim.baseline_from_config(settings["baseline"], list(settings["outcomes"]))
    return sim.model_from_settings(settings, baseline, supplement_n, RETENTION)


def rng(*entropy: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(list(entropy) or [1]))
