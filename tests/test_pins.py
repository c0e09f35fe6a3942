"""The pip lock, environment.yml and the per-rule conda envs must name the same exact versions."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge packages whose name is not the PyPI name normalised
CONDA_TO_PYPI = {"python-tzdata": "tzdata"}
NOT_PYPI = {"python"}


def canonical(name: str) -> str:
    """PEP 503 normalisation, so 'PyYAML', 'pyyaml' and 'jupyter_core'/'jupyter-core' compare
    equal."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: Path = ROOT / "requirements.lock") -> dict[str, str]:
    pins = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^=\s]+)", line)
        assert match, f"{path.name}:{number}: {line!r} is not pinned with =="
        pins[canonical(match.group(1))] = match.group(2)
    return pins


def read_conda_env(path: Path) -> dict[str, str]:
    env = yaml.safe_load(path.read_text())
    pins = {}
    for dependency in env["dependencies"]:
        assert isinstance(dependency, str), (
            f"{path}: nested pip sections are not allowed: {dependency!r}"
        )
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)=([^=<>\s]+)", dependency)
        assert match, f"{path}: {dependency!r} is not an exact pin (name=version)"
        name = CONDA_TO_PYPI.get(match.group(1), match.group(1))
        pins[canonical(name)] = match.group(2)
    return pins


CONDA_FILES = [ROOT / "environment.yml", *sorted((ROOT / "workflow" / "envs").glob("*.yaml"))]


def test_lock_pins_every_package_exactly():
    lock = read_lock()
    assert {"snakemake", "pandas", "pingouin", "seaborn", "pytest"} <= set(lock)
    assert lock["snakemake"].split(".")[0] == "9"


@pytest.mark.parametrize("env_file", CONDA_FILES, ids=lambda p: p.name)
def test_conda_env_versions_equal_lock(env_file):
    lock = read_lock()
    env = read_conda_env(env_file)
    drift = {
        name: (version, lock.get(name))
        for name, version in env.items()
        if name not in NOT_PYPI and lock.get(name) != version
    }
    assert drift == {}, f"{env_file.name}: (conda, lock) versions differ"
    python = env.get("python", "")
    assert python.startswith("3.11."), f"{env_file.name}: python must be pinned to a 3.11 release"


def test_environment_yml_lists_the_whole_lock():
    lock = read_lock()
    env = read_conda_env(ROOT / "environment.yml")
    assert sorted(set(lock) - set(env)) == []


def test_installed_versions_equal_lock():
    """The environment running the tests is the locked one (catches a stale .venv)."""
    lock = read_lock()
    installed = {canonical(d.metadata["Name"]): d.version for d in metadata.distributions()}
    mismatched = {
        name: (version, installed.get(name))
        for name, version in lock.items()
        if installed.get(name) != version
    }
    assert mismatched == {}, "(lock, installed) versions differ"


def test_every_rule_has_a_conda_env_that_exists():
    rules = sorted((ROOT / "workflow" / "rules").glob("*.smk"))
    text = "\n".join(p.read_text() for p in rules)
    rule_count = len(re.findall(r"^\s*rule \w+:", text, flags=re.M))
    envs = re.findall(r'conda:\s*\n\s*"([^"]+)"', text)
    assert rule_count > 0 and len(envs) == rule_count
    for env in envs:
        assert (ROOT / "workflow" / "rules" / env).resolve().exists(), env
