"""The documentation: README.md, docs/*.md and profiles/slurm/README.md.

- README.md is read in two minutes: at most ``README_MAX_LINES`` lines.
- Every relative link points to an existing file inside the project, and to an existing heading
  when it names an anchor (anchors computed from the headings as GitHub computes them). Every page
  is linked from the README, and no table is split by a blank line.
- Every fenced shell block (``sh``, ``bash``, ``shell``, ``console``) carries a marker, an HTML
  comment on the line just before its opening fence:

      <!-- run: test_docs.py::test_command_line_help -->
      <!-- not run: needs a SLURM cluster; tests/test_slurm.py runs it on one of its own -->

  ``run:`` names the test that runs the block: a test of this file that runs every block naming it
  (``RUNNERS``), or, for a block that is exactly ``snakemake --cores N``, a test of
  tests/test_workflow.py (each of which runs the pipeline in a copy of the project). ``not run:``
  gives the reason: the whole pipeline, a cluster, conda, the network, files the reader supplies.

The runners execute each block with bash, as written, in a fresh temporary copy of the project with
the test environment linked in as ``.venv`` and its ``bin/`` first on PATH, and check what it did.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import pytest
from test_workflow import PROJECT_FILES, copy_project

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
README_MAX_LINES = 150
# The environment the tests run in: linked into each project copy as .venv.
VENV = Path(sys.prefix)
SHELL_LANGUAGES = {"sh", "bash", "shell", "console"}
THIS_FILE = Path(__file__).name
# A block another test file runs: only the whole pipeline, which tests/test_workflow.py runs.
PIPELINE_RUN = re.compile(r"(\.venv/bin/)?snakemake --cores \d+")

MARKER = re.compile(r"^\s*<!--\s*(run|not run):\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
HTML_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")
CODE_SPAN = re.compile(r"(`+)[^`]+?\1")
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?", re.M)
EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")
TEST_REFERENCE = re.compile(r"\b(test_\w+\.py)(?:::(\w+))?")
TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def doc_files() -> list[Path]:
    """The pages this file checks."""
    return [
        README,
        *sorted((ROOT / "docs").glob("*.md")),
        ROOT / "profiles" / "slurm" / "README.md",
    ]


@dataclass(frozen=True)
class Block:
    """A fenced code block and the marker on the line before its opening fence."""

    path: Path
    line: int  # of the opening fence, 1-based
    language: str
    text: str
    marker: tuple[str, str] | None  # ("run" | "not run", test or reason)

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    def commands(self) -> str:
        """The shell text: console blocks keep only their `$ ` lines (and continuations)."""
        if self.language != "console":
            return self.text
        kept, continued = [], False
        for line in self.text.splitlines():
            if line.startswith("$ ") or continued:
                kept.append(line[2:] if line.startswith("$ ") and not continued else line)
                continued = line.rstrip().endswith("\\")
        return "\n".join(kept) + "\n"


@dataclass(frozen=True)
class Page:
    """A page split into its fenced blocks and its other lines (blanked where a block was)."""

    blocks: tuple[Block, ...]
    prose: tuple[str, ...]
    markers: tuple[int, ...]  # lines (1-based) holding a run / not run marker


@cache
def page(path: Path) -> Page:
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks, prose, markers = [], list(lines), []
    i = 0
    while i < len(lines):
        if MARKER.match(lines[i]):
            markers.append(i + 1)
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence = opening["fence"]
        closing = re.compile(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = next((j for j in range(i + 1, len(lines)) if closing.match(lines[j])), None)
        assert end is not None, (
            f"{path.relative_to(ROOT)}:{i + 1}: code fence {fence} is never closed"
        )
        indent = len(lines[i]) - len(lines[i].lstrip())
        body = [
            line[indent:] if not line[:indent].strip() else line.lstrip()
            for line in lines[i + 1 : end]
        ]
        marker = MARKER.match(lines[i - 1]) if i else None
        language = (opening["info"].split() or [""])[0].lower()
        blocks.append(
            Block(
                path,
                i + 1,
                language,
                "\n".join(body) + "\n",
                (marker[1], marker[2]) if marker else None,
            )
        )
        for j in range(i, end + 1):
            prose[j] = ""
        i = end + 1
    return Page(tuple(blocks), tuple(prose), tuple(markers))


def shell_blocks() -> list[Block]:
    return [
        block
        for path in doc_files()
        for block in page(path).blocks
        if block.language in SHELL_LANGUAGES
    ]


# --------------------------------------------------------------------------- length, links, tables


def test_readme_is_read_in_two_minutes():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f"README.md has {len(lines)} lines; at most {README_MAX_LINES}: move detail to docs/"
    )


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: links reduced to their text, tags dropped, lower case,
    every character but letters, digits, underscores, hyphens and spaces dropped, spaces to hyphens.

    >>> github_anchor("Dose–response: `snakemake -n` and [R](https://r-project.org)")
    'doseresponse-snakemake--n-and-r'
    """
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"<[^>]*>", "", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


@cache
def anchors(path: Path) -> frozenset[str]:
    """Every anchor of a page: one per heading (repeats get -1, -2, ...), and <a id/name=...>."""
    seen: Counter[str] = Counter()
    found = set()
    for line in page(path).prose:
        heading = HEADING.match(line)
        if heading:
            base = github_anchor(heading[2])
            found.add(base if not seen[base] else f"{base}-{seen[base]}")
            seen[base] += 1
        found.update(HTML_ANCHOR.findall(line))
    return frozenset(found)


def links(path: Path) -> Iterator[tuple[int, str]]:
    """(line, target) of every Markdown link and image outside code blocks and code spans."""
    text = "\n".join(page(path).prose)
    text = CODE_SPAN.sub(lambda span: re.sub(r"[^\n]", " ", span[0]), text)
    for pattern in (INLINE_LINK, REFERENCE_LINK):
        for match in pattern.finditer(text):
            yield text.count("\n", 0, match.start()) + 1, match[1]


def link_problem(path: Path, target: str) -> str | None:
    """Why a relative link does not resolve, or None."""
    file_part, _, anchor = target.partition("#")
    destination = (path.parent / unquote(file_part)).resolve() if file_part else path
    if not destination.is_relative_to(ROOT):
        return "points outside the project"
    if not destination.exists():
        return "no such file"
    if anchor and destination.suffix == ".md" and anchor not in anchors(destination):
        return (
            f"no heading with anchor #{anchor} in {destination.relative_to(ROOT)}; it has "
            f"{sorted(anchors(destination))}"
        )
    return None


def test_every_relative_link_resolves():
    checked, problems = 0, []
    for path in doc_files():
        for line, target in links(path):
            if EXTERNAL.match(target):
                continue
            checked += 1
            problem = link_problem(path, target)
            if problem:
                problems.append(f"{path.relative_to(ROOT)}:{line}: link {target!r}: {problem}")
    assert checked > 20, f"only {checked} relative links found: is the link pattern still right?"
    assert not problems, "\n".join(problems)


def test_the_link_checker_catches_a_missing_file_and_anchor(tmp_path):
    assert link_problem(README, "docs/methods.md#which-library-computes-what") is None
    assert link_problem(README, "docs/no-such-page.md") == "no such file"
    assert link_problem(README, "docs/methods.md#no-such-heading").startswith("no heading")
    assert (
        link_problem(README, "#the-data-are-synthetic-unless-you-supply-the-real-supplement")
        is None
    )
    assert link_problem(README, "../outside.md") == "points outside the project"


def test_every_page_is_linked_from_the_readme():
    linked = {
        (README.parent / unquote(target.partition("#")[0])).resolve()
        for _, target in links(README)
        if not EXTERNAL.match(target) and target.partition("#")[0]
    }
    missing = [
        str(path.relative_to(ROOT)) for path in doc_files()[1:] if path.resolve() not in linked
    ]
    assert not missing, f"pages the README does not link: {missing}"


def test_no_table_is_split_by_a_blank_line():
    """A table's rows follow its header and separator; after a blank line they would not render."""
    problems = []
    for path in doc_files():
        prose = page(path).prose
        for i, line in enumerate(prose):
            starts_table = line.lstrip().startswith("|") and not (
                i and prose[i - 1].lstrip().startswith("|")
            )
            if starts_table and not (i + 1 < len(prose) and TABLE_SEPARATOR.match(prose[i + 1])):
                problems.append(
                    f"{path.relative_to(ROOT)}:{i + 1}: table rows without a header row and "
                    "separator"
                )
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- shell blocks: marked


# Tests of this file that run the blocks whose marker names them.
RUNNERS: dict[str, Callable] = {}


def runs_blocks(test: Callable) -> Callable:
    RUNNERS[test.__name__] = test
    return test


@cache
def defined_tests(path: Path) -> frozenset[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return frozenset(
        node.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.name.startswith("test")
    )


def marker_problems(block: Block) -> list[str]:
    if block.marker is None:
        first = next((line for line in block.text.splitlines() if line.strip()), "")
        return [
            f"{block.where}: ```{block.language} block ({first.strip()!r}) has no marker on the "
            "line before its fence; add <!-- run: test_docs.py::test_... --> and a test that "
            "runs it, or <!-- not run: <reason> -->"
        ]
    kind, value = block.marker
    if not value:
        return [
            f"{block.where}: empty '{kind}:' marker; expected "
            f"{'a test' if kind == 'run' else 'the reason'}"
        ]
    if kind == "not run":
        # A reason naming a test that covers the block instead must name one that exists.
        return [
            f"{block.where}: the reason names {file}{'::' + name if name else ''}: no such test"
            for file, name in TEST_REFERENCE.findall(value)
            if not (ROOT / "tests" / file).is_file()
            or (name and name not in defined_tests(ROOT / "tests" / file))
        ]
    file, separator, name = value.partition("::")
    if not (separator and re.fullmatch(r"test_\w+\.py", file) and re.fullmatch(r"test\w*", name)):
        return [f"{block.where}: run marker {value!r}; expected <test file>::<test function>"]
    if file == THIS_FILE:
        if name not in RUNNERS:
            return [
                f"{block.where}: {value} does not run the blocks marked with it; expected one of "
                f"{sorted(RUNNERS)}, or a new test decorated with @runs_blocks"
            ]
        return []
    source = ROOT / "tests" / file
    if not source.is_file() or name not in defined_tests(source):
        return [f"{block.where}: {value}: no such test"]
    command = " ".join(
        line
        for line in block.commands().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    if file != "test_workflow.py" or not PIPELINE_RUN.fullmatch(command.strip()):
        return [
            f"{block.where}: {value} runs the pipeline, not {command!r}: only `snakemake --cores "
            "N` may name a test of tests/test_workflow.py; run the block here or mark it not run"
        ]
    return []


def test_every_shell_block_is_run_or_marked_not_run():
    blocks = shell_blocks()
    assert len(blocks) >= 10, (
        f"only {len(blocks)} shell blocks found: is the fence pattern still right?"
    )
    problems = [problem for block in blocks for problem in marker_problems(block)]
    assert not problems, "\n".join(problems)


def test_every_marker_sits_just_above_a_shell_block():
    marked = {(block.path, block.line - 1) for block in shell_blocks() if block.marker}
    stray = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in doc_files()
        for line in page(path).markers
        if (path, line) not in marked
    ]
    assert not stray, f"markers not on the line just before a shell block's fence: {stray}"


def test_the_marker_check_names_what_is_wrong():
    def block(marker, text="snakemake --cores 4\n"):
        return Block(README, 1, "sh", text, marker)

    assert "no marker" in marker_problems(block(None))[0]
    assert "empty" in marker_problems(block(("not run", "")))[0]
    assert marker_problems(block(("not run", "needs a SLURM cluster"))) == []
    assert (
        marker_problems(block(("not run", "the whole pipeline; tests/test_workflow.py runs it")))
        == []
    )
    assert (
        "no such test"
        in marker_problems(block(("not run", "slow; test_workflow.py::test_gone runs it")))[0]
    )
    assert "expected <test file>" in marker_problems(block(("run", "the workflow tests")))[0]
    assert (
        "does not run"
        in marker_problems(block(("run", f"{THIS_FILE}::test_readme_is_read_in_two_minutes")))[0]
    )
    assert "no such test" in marker_problems(block(("run", "test_workflow.py::test_nothing")))[0]
    workflow_test = ("run", "test_workflow.py::test_two_clean_runs_are_byte_identical")
    assert marker_problems(block(workflow_test)) == []
    assert (
        "only `snakemake --cores N`" in marker_problems(block(workflow_test, "snakemake -n\n"))[0]
    )


# --------------------------------------------------------------------------- shell blocks: run


def blocks_for(test_name: str) -> list[Block]:
    marked = [
        block for block in shell_blocks() if block.marker == ("run", f"{THIS_FILE}::{test_name}")
    ]
    assert marked, f"no shell block in the docs is marked <!-- run: {THIS_FILE}::{test_name} -->"
    return marked


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the project, with the test environment as its .venv."""
    copy = copy_project(
        tmp_path / "project",
        [*PROJECT_FILES, "Dockerfile", "environment.yml", "profiles", "tests/slurm"],
    )
    (copy / ".venv").symlink_to(VENV, target_is_directory=True)
    return copy


def run_block(block: Block, project: Path, check: bool = True) -> subprocess.CompletedProcess:
    """The block's commands, as written, in bash in the project copy (stopping at the first failure
    if ``check``), with the environment's bin/ first on PATH."""
    env = {**os.environ, "PATH": f"{VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    script = ("set -euo pipefail\n" if check else "") + block.commands()
    result = subprocess.run(
        ["bash", "-c", script], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{block.where}: exit status {result.returncode}\n{block.text}\n"
            f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}"
        )
    return result


@runs_blocks
def test_command_line_help(project):
    for block in blocks_for("test_command_line_help"):
        result = run_block(block, project)
        calls = re.findall(r"^\s*\.venv/bin/python -m rapamycin_mecfs\b", block.commands(), re.M)
        assert calls and result.stdout.count("usage: python -m rapamycin_mecfs") == len(calls), (
            result.stdout
        )


@pytest.mark.workflow  # runs snakemake -n in a copy of the project
@runs_blocks
def test_dry_run_plans_the_pipeline(project):
    for block in blocks_for("test_dry_run_plans_the_pipeline"):
        result = run_block(block, project)
        assert "This was a dry-run" in result.stdout
        assert re.search(r"^html_report\s+1$", result.stdout, re.M), result.stdout[-3000:]
        assert not (project / "results").exists()


@pytest.mark.workflow  # runs init, then snakemake -n in a copy of the project
@runs_blocks
def test_init_drafts_a_config_with_a_checklist(project):
    """init writes the draft; the dry run then refuses it, naming what the checklist asks for."""
    for block in blocks_for("test_init_drafts_a_config_with_a_checklist"):
        draft = project / re.search(r"-o\s+(\S+)", block.commands())[1]
        result = run_block(block, project, check=False)
        output = result.stdout + result.stderr
        assert f"wrote {draft.name}" in result.stdout, output[-3000:]
        assert "CHECKLIST" in draft.read_text(encoding="utf-8")
        assert result.returncode != 0, "the dry run accepted a draft with an empty checklist"
        assert "'direction' is a required property" in output, output[-3000:]
        assert "Traceback" not in output


@runs_blocks
def test_generate_rewrites_the_shipped_supplement(project):
    """The generator, run as documented, writes the shipped files again, byte for byte."""
    shipped = ["resources/corrections.csv"] + [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "resources" / "supplementary").iterdir())
    ]
    for name in shipped:
        (project / name).unlink()
    for block in blocks_for("test_generate_rewrites_the_shipped_supplement"):
        run_block(block, project)
    differing = [
        name for name in shipped if (project / name).read_bytes() != (ROOT / name).read_bytes()
    ]
    assert not differing


@pytest.mark.workflow  # runs snakemake --containerize in a copy of the project
@runs_blocks
def test_containerize_reproduces_the_dockerfile(project):
    (project / "Dockerfile").unlink()
    for block in blocks_for("test_containerize_reproduces_the_dockerfile"):
        run_block(block, project)
    assert (project / "Dockerfile").read_bytes() == (ROOT / "Dockerfile").read_bytes()
