"""The study design is configuration: no name from the shipped study is written into the code.

Tokens come from the shipped config.yaml (the drug and disease in its study words, instrument and
outcome keys, visit ids, marker keys, the dose unit). They are searched in every string literal
(docstrings included) of the Snakefile, the rules, the rule scripts and the package outside the
synthetic generator, in the schema's `default:` values, and in the report templates. The import
name of the package is the only exemption.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "workflow" / "rapamycin_mecfs"
EXEMPT = "rapamycin_mecfs"


def study_tokens() -> dict[str, bool]:
    """token -> whether it is matched case-insensitively (words of prose), from the shipped
    config."""
    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    study = config["study"]
    tokens = {study["intervention"].split()[-1]: True, study["title"].split()[-1]: True}
    for name, instrument in config["instruments"].items():
        tokens[name] = False
        tokens.update({key: False for key in instrument["outcomes"]})
    tokens.update({visit["id"]: False for visit in config["visits"]})
    tokens.update({marker: False for marker in config["biomarker_analysis"]["markers"]})
    tokens[
        config["instruments"][_dose_instrument(config)]["outcomes"][
            config["dose_response"]["dose_outcome"]
        ]["unit"]
    ] = True
    return tokens


def _dose_instrument(config) -> str:
    return next(
        name
        for name, inst in config["instruments"].items()
        if config["dose_response"]["dose_outcome"] in inst["outcomes"]
    )


def _pattern(token: str, fold: bool) -> re.Pattern:
    return re.compile(
        rf"(?<![A-Za-z0-9]){re.escape(token)}(?![A-Za-z0-9])", re.IGNORECASE if fold else 0
    )


def python_literals(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string constant in a Python file, docstrings and f-string parts
    included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def snakemake_literals(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string token of a Snakefile or rule file (Snakemake syntax is not
    Python's)."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return [(token.start[0], token.string) for token in tokens if token.type == tokenize.STRING]


def schema_defaults(path: Path) -> list[tuple[int, str]]:
    found = []

    def walk(node, where):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "default":
                    found.append((0, f"{where}: {value!r}"))
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, where)

    walk(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
    return found


def scanned_files() -> list[tuple[Path, object]]:
    files = [(ROOT / "Snakefile", snakemake_literals)]
    files += [
        (path, snakemake_literals) for path in sorted((ROOT / "workflow" / "rules").glob("*.smk"))
    ]
    files += [
        (path, python_literals) for path in sorted((ROOT / "workflow" / "scripts").glob("*.py"))
    ]
    files += [
        (path, python_literals)
        for path in sorted(PACKAGE.rglob("*.py"))
        if "synthetic" not in path.relative_to(PACKAGE).parts
    ]
    files += [
        (path, schema_defaults) for path in sorted((ROOT / "workflow" / "schemas").glob("*.yaml"))
    ]
    files += [
        (path, lambda p: [(0, p.read_text(encoding="utf-8"))])
        for path in sorted((ROOT / "workflow" / "report").rglob("*"))
        if path.is_file()
    ]
    return files


def test_the_token_list_is_built_from_the_shipped_config():
    tokens = study_tokens()
    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    # An independent count: every outcome and instrument key, every visit, the two study words, the
    # dose unit.
    n_outcomes = sum(len(inst["outcomes"]) for inst in config["instruments"].values())
    expected = n_outcomes + len(config["instruments"]) + len(config["visits"]) + 3
    shared = len(
        {*config["instruments"]}
        & {o for inst in config["instruments"].values() for o in inst["outcomes"]}
    )
    assert len(tokens) == expected - shared
    assert (
        len(scanned_files()) > 60
    )  # the package, rules, scripts, schema and templates are all there


def test_the_scan_finds_a_planted_literal(tmp_path):
    tokens = study_tokens()
    visit = next(
        token for token, fold in tokens.items() if not fold and re.fullmatch(r"[A-Z]\d", token)
    )
    planted = tmp_path / "planted.py"
    planted.write_text(f'"""Doc."""\nCOLUMN = "reached_{visit}_locf"\n', encoding="utf-8")
    found = [text for _, text in python_literals(planted) if _pattern(visit, False).search(text)]
    assert found == [f"reached_{visit}_locf"]


@pytest.fixture(scope="module")
def patterns() -> dict[str, re.Pattern]:
    """Token -> its pattern; config.yaml is read once, not once per scanned file."""
    return {token: _pattern(token, fold) for token, fold in study_tokens().items()}


@pytest.mark.parametrize(
    "path,reader",
    scanned_files(),
    ids=lambda item: str(item.relative_to(ROOT)) if isinstance(item, Path) else "",
)
def test_no_study_name_in_code(path, reader, patterns):
    hits = []
    for line, text in reader(path):
        text = text.replace(EXEMPT, "")
        for token, pattern in patterns.items():
            if pattern.search(text):
                hits.append(f"{path.relative_to(ROOT)}:{line}: {token!r} in {text[:90]!r}")
    assert not hits, "\n".join(hits)
