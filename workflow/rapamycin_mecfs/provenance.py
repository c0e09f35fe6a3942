"""Provenance: hashes of inputs and outputs, the rule that made each output, and the software.

Built from Snakemake's own job records (.snakemake/metadata), so it states what actually ran.
Nothing time-dependent is recorded, so two clean runs write the same manifest.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def job_records(metadata_dir: str | Path = ".snakemake/metadata") -> dict[str, dict[str, Any]]:
    """output path -> Snakemake's record of the job that wrote it.

    Snakemake names each record by the URL-safe base64 of the output path, split into
    directories when long.
    """
    metadata_dir = Path(metadata_dir)
    records = {}
    if not metadata_dir.is_dir():
        return records
    for record in sorted(p for p in metadata_dir.rglob("*") if p.is_file()):
        encoded = "".join(record.relative_to(metadata_dir).parts)
        try:
            path = base64.urlsafe_b64decode(encoded.encode()).decode()
            records[path] = json.loads(record.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue  # not a job record
    return records


def script_of(record: dict[str, Any]) -> str:
    """The rule's script, from the code Snakemake recorded for it."""
    match = re.search(r'"([^"]+\.py)"', record.get("code") or "")
    return Path(match.group(1)).as_posix().replace("../", "workflow/") if match else ""


def as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            import ast

            parsed = ast.literal_eval(value)
            return [str(v) for v in parsed] if isinstance(parsed, (list, tuple)) else [value]
        except (ValueError, SyntaxError):
            return [value]
    return [str(v) for v in (value or [])]


def installed_versions(lock_file: str | Path) -> dict[str, str]:
    """Installed version of every package named in the lock (what ran, not what was asked for)."""
    versions = {}
    for line in Path(lock_file).read_text(encoding="utf-8").splitlines():
        name = line.split("#", 1)[0].strip().split("==")[0]
        if name:
            try:
                versions[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                versions[name] = "not installed"
    return dict(sorted(versions.items(), key=lambda item: item[0].lower()))


def code_version(directory: str | Path = ".") -> str:
    """git commit of the working tree (with -dirty if tracked files changed), or a note why not."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=directory, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=directory,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unavailable (not a git checkout)"
    return commit + ("-dirty" if dirty else "")


def build_manifest(
    results_dir: str | Path,
    exclude: set[str],
    records: dict[str, dict[str, Any]],
    header: dict[str, Any],
) -> dict[str, Any]:
    """Every file under results_dir (but `exclude`): its hash, rule, script, inputs with hashes,
    params."""
    files = {}
    for path in sorted(Path(results_dir).rglob("*")):
        name = path.as_posix()
        if not path.is_file() or name in exclude or path.name.startswith("."):
            continue
        record = records.get(name, {})
        inputs = {}
        for item in as_list(record.get("input")):
            inputs[item] = sha256_file(item) if Path(item).is_file() else "missing"
        files[name] = {
            "sha256": sha256_file(path),
            "rule": record.get("rule", "unknown (no job record)"),
            "script": script_of(record),
            "inputs": inputs,
            "params": as_list(record.get("params")),
        }
    return {**header, "files": files}


def write_manifest(manifest: dict[str, Any], path: str | Path) -> None:
    from .atomic import write_text

    write_text(json.dumps(manifest, indent=2, sort_keys=False, ensure_ascii=False) + "\n", path)
