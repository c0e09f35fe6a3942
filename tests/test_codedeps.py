"""The code inputs of the rules: which project source files each rule's script imports.

Snakemake's code trigger sees only a rule's script, so every rule lists the package modules the
script runs as its ``code`` input (``script_code`` in common.smk, by ``rapamycin_mecfs.codedeps``).
Here: the resolver on small hand-made packages, every rule of the real workflow against it and
against what Python really loads, and (workflow mark) a completed run in which editing three
package modules replans exactly the jobs that import them and the jobs downstream of those.
"""

from __future__ import annotations

import ast
import doctest
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rapamycin_mecfs import codedeps
from rapamycin_mecfs.codedeps import clear_cache, imported_sources, module_imports

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "workflow" / "scripts"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test writes its own files; nothing parsed by another test may answer for them."""
    clear_cache()
    yield
    clear_cache()


def make(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (path below root -> text) and return root/workflow/scripts/job.py."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "workflow" / "scripts" / "job.py"


def found(root: Path, script: Path) -> set[str]:
    return {path.relative_to(root / "workflow").as_posix() for path in imported_sources(script)}


# --- the resolver on hand-made packages -----------------------------------------------------


def test_absolute_import_brings_the_module_and_its_packages(tmp_path):
    script = make(
        tmp_path,
        {
            "workflow/scripts/job.py": "import pkg.a.b.c\n",
            "workflow/pkg/__init__.py": "",
            "workflow/pkg/a/__init__.py": "",
            "workflow/pkg/a/b/__init__.py": "",
            "workflow/pkg/a/b/c.py": "",
            "workflow/pkg/a/other.py": "",
        },
    )
    assert found(tmp_path, script) == {
        "pkg/__init__.py",
        "pkg/a/__init__.py",
        "pkg/a/b/__init__.py",
        "pkg/a/b/c.py",
    }


def test_from_import_of_a_function_runs_the_init_chain(tmp_path):
    script = make(
        tmp_path,
        {
            "workflow/scripts/job.py": "from pkg.a.b.c import f, g as h\n",
            "workflow/pkg/__init__.py": "",
            "workflow/pkg/a/__init__.py": "",
            "workflow/pkg/a/b/__init__.py": "",
            "workflow/pkg/a/b/c.py": "def f(): pass\ng = 1\n",
        },
    )
    assert found(tmp_path, script) == {
        "pkg/__init__.py",
        "pkg/a/__init__.py",
        "pkg/a/b/__init__.py",
        "pkg/a/b/c.py",
    }


def test_standard_library_and_third_party_modules_are_left_out(tmp_path):
    script = make(
        tmp_path,
        {
            "workflow/scripts/job.py": (
                "from __future__ import annotations\nimport os, logging\n"
                "from collections import abc\nimport numpy as np\nfrom pandas import DataFrame\n"
                "import pkg.missing\nfrom pkg import not_a_module\n"
            ),
            "workflow/pkg/__init__.py": "not_a_module = 1\n",
        },
    )
    assert found(tmp_path, script) == {"pkg/__init__.py"}


def test_from_list_names_are_modules_when_their_file_exists(tmp_path):
    script = make(
        tmp_path,
        {
            "workflow/scripts/job.py": (
                "from pkg.plots import style, trajectories, CONSTANT\nfrom pkg import sub\n"
            ),
            "workflow/pkg/__init__.py": "",
            "workflow/pkg/plots/__init__.py": "CONSTANT = 1\n",
            "workflow/pkg/plots/style.py": "",
            "workflow/pkg/plots/trajectories.py": "",
            "workflow/pkg/plots/unused.py": "",
            "workflow/pkg/sub/__init__.py": "",
            "workflow/pkg/sub/deep.py": "",
        },
    )
    assert found(tmp_path, script) == {
        "pkg/__init__.py",
        "pkg/plots/__init__.py",
        "pkg/plots/style.py",
        "pkg/plots/trajectories.py",
        "pkg/sub/__init__.py",
    }


def test_relative_imports_resolve_from_the_importing_files_package(tmp_path):
    script = make(
        tmp_path,
        {
            "workflow/scripts/job.py": "from pkg.plots.forest import draw\n",
            "workflow/pkg/__init__.py": "",
            "workflow/pkg/atomic.py": "",
            "workflow/pkg/stats/__init__.py": "SPEARMAN = 'z'\n",
            "workflow/pkg/stats/paired.py": "",
            "workflow/pkg/plots/__init__.py": "",
            "workflow/pkg/plots/forest.py": (
                "from . import style\nfrom .trajectories import line\n"
                "from .. import atomic\nfrom ..stats import SPEARMAN\n"
            ),
            "workflow/pkg/plots/style.py": "",
            "workflow/pkg/plots/trajectories.py": "",
        },
    )
    assert found(tmp_path, script) == {
        "pkg/__init__.py",
        "pkg/atomic.py",
        "pkg/stats/__init__.py",  # SPEARMAN is a name in it; stats/paired.py is not run
        "pkg/plots/__init__.py",
        "pkg/plots/forest.py",
        "pkg/plots/style.py",
        "pkg/plots/trajectories.py",
    }


def test_relative_import_in_a_package_init_and_beyond_the_top_level(tmp_path):
    script = make(
        tmp_path,
        {
            "workflow/scripts/job.py": "import pkg\nfrom . import nothing\n",
            "workflow/pkg/__init__.py": "from .core import x\nfrom ... import too_far\n",
            "workflow/pkg/core.py": "",
        },
    )
    assert found(tmp_path, script) == {"pkg/__init__.py", "pkg/core.py"}


def test_imports_inside_functions_and_branches_count(tmp_path):
    script = make(
        tmp_path,
        {
            "workflow/scripts/job.py": (
                "def main():\n    from pkg.lazy import heavy\n"
                "    if True:\n        import pkg.branch\n"
            ),
            "workflow/pkg/__init__.py": "",
            "workflow/pkg/lazy.py": "class K:\n    def m(self):\n        from .deeper import x\n",
            "workflow/pkg/deeper.py": "",
            "workflow/pkg/branch.py": (
                "try:\n    from . import optional\nexcept ImportError:\n    pass\n"
                "match 1:\n    case 1:\n        with open('f'):\n            import pkg.in_match\n"
            ),
            "workflow/pkg/in_match.py": "",
            "workflow/pkg/optional.py": "",
        },
    )
    assert found(tmp_path, script) == {
        "pkg/__init__.py",
        "pkg/lazy.py",
        "pkg/deeper.py",
        "pkg/branch.py",
        "pkg/optional.py",
        "pkg/in_match.py",
    }


def test_the_scripts_step_helper_and_what_it_imports_count(tmp_path):
    script = make(
        tmp_path,
        {
            "workflow/scripts/job.py": "from _step import run_step\n",
            "workflow/scripts/_step.py": (
                "import sys\n\ndef run_step(main, snakemake):\n"
                "    from pkg.errors import SupplementError\n"
            ),
            "workflow/scripts/other_script.py": "",
            "workflow/pkg/__init__.py": "",
            "workflow/pkg/errors.py": "",
        },
    )
    assert found(tmp_path, script) == {"scripts/_step.py", "pkg/__init__.py", "pkg/errors.py"}


def test_import_cycles_end_and_the_script_is_not_its_own_input(tmp_path):
    script = make(
        tmp_path,
        {
            "workflow/scripts/job.py": "from _step import run_step\nimport pkg.a\n",
            "workflow/scripts/_step.py": "import job\n",  # back to the script
            "workflow/pkg/__init__.py": "from . import b\n",
            "workflow/pkg/a.py": "from . import b\nfrom .a import self_reference\n",
            "workflow/pkg/b.py": "from .a import x\nimport pkg\n",
        },
    )
    assert found(tmp_path, script) == {
        "scripts/_step.py",
        "pkg/__init__.py",
        "pkg/a.py",
        "pkg/b.py",
    }


def test_the_package_directory_comes_before_the_scripts_own(tmp_path):
    """As on ``sys.path`` when a script's main runs: ``_step.run_step`` puts the directory above
    the scripts first, and Snakemake appends the scripts' own."""
    script = make(
        tmp_path,
        {
            "workflow/scripts/job.py": "import helper\nimport _step\n",
            "workflow/scripts/helper.py": "",
            "workflow/scripts/_step.py": "",
            "workflow/helper.py": "",
        },
    )
    assert found(tmp_path, script) == {"helper.py", "scripts/_step.py"}


def test_a_file_python_cannot_parse_still_counts_its_imports(tmp_path):
    """Planning goes on; the job that runs the half-written file fails with the error itself."""
    script = make(
        tmp_path,
        {
            "workflow/scripts/job.py": "import pkg.broken\n",
            "workflow/pkg/__init__.py": "",
            "workflow/pkg/broken.py": "from . import other\ndef half_written(:\n",
            "workflow/pkg/other.py": "",
        },
    )
    assert found(tmp_path, script) == {"pkg/__init__.py", "pkg/broken.py", "pkg/other.py"}


def test_statements_are_found_wherever_a_statement_can_start(tmp_path):
    script = make(
        tmp_path,
        {
            "workflow/scripts/job.py": (
                "x = 1; import pkg.semicolon\n"
                "if x: from pkg import one_line\n"
                "from pkg import (  # a comment with a bracket (\n"
                "    in_brackets,\n"
                "    also_in_brackets as renamed,  # )) more\n"
                ")\n"
                "from pkg \\\n    import continued\n"
                "class K: import pkg.in_class\r\n"
                "y = 'text'  # import pkg.in_comment is only a comment\n"
                "z = x if x else None  # a: from pkg import from_comment\n"
                "print('from pkg import in_string')\n"
            ),
            "workflow/pkg/__init__.py": "",
            **{
                f"workflow/pkg/{name}.py": ""
                for name in (
                    "semicolon",
                    "one_line",
                    "in_brackets",
                    "also_in_brackets",
                    "continued",
                    "in_class",
                    "in_comment",
                    "from_comment",
                    "in_string",
                )
            },
        },
    )
    assert found(tmp_path, script) == {
        "pkg/__init__.py",
        "pkg/semicolon.py",
        "pkg/one_line.py",
        "pkg/in_brackets.py",
        "pkg/also_in_brackets.py",
        "pkg/continued.py",
        "pkg/in_class.py",
        # An import written in a comment after a colon counts (more, never fewer); one in a
        # string or plain comment text does not.
        "pkg/from_comment.py",
    }


def full_parse_imports(source: bytes) -> list[str]:
    return sorted(
        ast.dump(node)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.Import, ast.ImportFrom))
    )


def test_the_statement_scan_finds_what_a_full_parse_finds():
    """Over every module of the project: the same import statements as ``ast.walk`` of the
    whole file (the tests, with code in strings, may give more, never fewer)."""
    from rapamycin_mecfs.codedeps import _import_statements

    modules = sorted((ROOT / "workflow").rglob("*.py"))
    assert len(modules) > 80
    for path in modules:
        source = path.read_bytes()
        scanned = sorted(ast.dump(node) for node in _import_statements(source))
        assert scanned == full_parse_imports(source), path
    for path in sorted((ROOT / "tests").rglob("*.py")):
        source = path.read_bytes()
        scanned = Counter(ast.dump(node) for node in _import_statements(source))
        assert not Counter(full_parse_imports(source)) - scanned, path


def test_paths_keep_the_given_form_and_are_sorted(tmp_path, monkeypatch):
    make(
        tmp_path,
        {
            "workflow/scripts/job.py": "import pkg.z\nimport pkg.a\n",
            "workflow/pkg/__init__.py": "",
            "workflow/pkg/a.py": "",
            "workflow/pkg/z.py": "",
        },
    )
    monkeypatch.chdir(tmp_path)
    assert imported_sources("workflow/scripts/job.py") == [
        Path("workflow/pkg/__init__.py"),
        Path("workflow/pkg/a.py"),
        Path("workflow/pkg/z.py"),
    ]


def test_each_file_is_parsed_once_until_the_cache_is_cleared(tmp_path):
    script = make(
        tmp_path,
        {
            "workflow/scripts/job.py": "import pkg.a\n",
            "workflow/scripts/job2.py": "import pkg.a\n",
            "workflow/pkg/__init__.py": "",
            "workflow/pkg/a.py": "",
            "workflow/pkg/b.py": "",
        },
    )
    assert found(tmp_path, script) == {"pkg/__init__.py", "pkg/a.py"}
    assert found(tmp_path, script.with_name("job2.py")) == {"pkg/__init__.py", "pkg/a.py"}
    # job.py, job2.py, pkg/__init__.py and pkg/a.py parsed once each; the package's files reused.
    assert module_imports.cache_info().misses == 4 and module_imports.cache_info().hits >= 2
    (tmp_path / "workflow/pkg/a.py").write_text("from . import b\n", encoding="utf-8")
    assert found(tmp_path, script) == {"pkg/__init__.py", "pkg/a.py"}  # cached
    clear_cache()
    assert found(tmp_path, script) == {"pkg/__init__.py", "pkg/a.py", "pkg/b.py"}


def test_docstring_examples_run():
    assert doctest.testmod(codedeps).failed == 0


# --- every rule of the real workflow --------------------------------------------------------

# Loads the workflow with Snakemake's API (pinned in requirements.lock), forces every job into the
# DAG and writes, per job, its rule, the script its `script:` directive names and its inputs.
DUMP_JOBS = r"""
import json, sys
from pathlib import Path
from snakemake.api import DAGSettings, OutputSettings, ResourceSettings, SnakemakeApi
from snakemake.settings.enums import Quietness

root = Path.cwd()
jobs = []
with SnakemakeApi(OutputSettings(quiet={Quietness.ALL})) as api:
    workflow_api = api.workflow(
        resource_settings=ResourceSettings(cores=1), snakefile=root / "Snakefile", workdir=root
    )
    workflow_api.dag(DAGSettings(forceall=True))
    workflow = workflow_api._workflow
    workflow._prepare_dag(forceall=True, ignore_incomplete=True, lock_warn_only=True)
    workflow._build_dag()
    for job in workflow.dag.jobs:
        rule = job.rule
        names = dict(job.input._names)
        start, end = names.get("code", (0, 0))
        jobs.append(
            {
                "rule": rule.name,
                "script": str(Path(rule.basedir) / rule.script) if rule.script else None,
                "shell_or_run": bool(rule.shellcmd) or bool(rule.run_func and not rule.script),
                "code": [str(f) for f in list(job.input)[start:end]],
                "has_code": "code" in names,
                "input": [str(f) for f in job.input],
                "output": [str(f) for f in job.output],
            }
        )
Path(sys.argv[1]).write_text(json.dumps(jobs), encoding="utf-8")
"""


def dump_jobs(project: Path, out: Path) -> list[dict]:
    """Every job of the workflow in ``project``: its rule, script, code input, inputs, outputs.
    Read-only: Snakemake plans every job (``forceall``) without locking or running anything."""
    result = subprocess.run(
        [sys.executable, "-c", DUMP_JOBS, str(out)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def workflow_jobs(tmp_path_factory) -> list[dict]:
    return dump_jobs(ROOT, tmp_path_factory.mktemp("jobs") / "jobs.json")


@pytest.fixture(scope="module")
def rule_scripts(workflow_jobs) -> dict[str, Path]:
    """rule -> the script it runs (every rule but `all` runs one)."""
    scripts = {}
    for job in workflow_jobs:
        if job["rule"] != "all":
            scripts[job["rule"]] = Path(os.path.normpath(job["script"]))
    return scripts


def relative(paths, base: Path = ROOT) -> list[str]:
    return sorted(Path(os.path.relpath(path, base)).as_posix() for path in paths)


def direct_package_imports(script: Path) -> set[str]:
    """The project modules a script names in its own import statements (no closure)."""
    return set(relative(module_imports(script, (script.parent.parent, script.parent))))


def test_every_rule_but_all_runs_a_script_and_lists_its_code(workflow_jobs):
    """A rule with `shell:` or `run:` would need its own code input; there is none."""
    rules = {job["rule"] for job in workflow_jobs}
    assert len(rules) >= 25 and "all" in rules
    for job in workflow_jobs:
        if job["rule"] == "all":
            continue
        assert job["script"] and not job["shell_or_run"], job["rule"]
        assert job["has_code"] and job["code"], f"{job['rule']} has no code input"


def test_every_jobs_code_input_is_what_its_script_imports(workflow_jobs):
    for job in workflow_jobs:
        if job["rule"] == "all":
            continue
        script = Path(os.path.normpath(job["script"]))
        expected = relative(imported_sources(script))
        assert relative(ROOT / path for path in job["code"]) == expected, job["rule"]


def test_every_module_a_script_imports_itself_is_in_its_code(workflow_jobs, rule_scripts):
    codes = {job["rule"]: set(job["code"]) for job in workflow_jobs if job["rule"] != "all"}
    for rule, script in rule_scripts.items():
        direct = direct_package_imports(script)
        assert "workflow/scripts/_step.py" in direct, rule
        assert any(path.startswith("workflow/rapamycin_mecfs/") for path in direct), rule
        missing = direct - codes[rule]
        assert not missing, f"{rule}: {sorted(missing)}"


def test_the_hand_lists_drift_is_gone(workflow_jobs):
    """Modules the former hand-written lists left out (issue 18), and what cleaning needs."""
    codes = {job["rule"]: set(job["code"]) for job in workflow_jobs}
    package = "workflow/rapamycin_mecfs"
    for rule in ("responders", "combine_outcome_tables", "combine_biomarker_table"):
        assert f"{package}/stats/_validate.py" in codes[rule], rule
    assert f"{package}/stats/paired.py" in codes["simulation_summary"]
    for rule in ("clean_outcome", "participants"):
        assert f"{package}/corrections.py" in codes[rule], rule
    for rule in ("combine_instrument", "corrections_audit"):  # had no code input at all
        assert f"{package}/atomic.py" in codes[rule], rule
    for rule, code in codes.items():  # the helper every script starts with
        assert rule == "all" or "workflow/scripts/_step.py" in code, rule


# Imports, in one interpreter, every project module each script imports (its import statements,
# run at top level), with the project's modules unloaded between scripts, and writes what loaded.
RUNTIME_IMPORTS = r"""
import ast, json, sys
from pathlib import Path

scripts = Path(sys.argv[1]).resolve()
project = scripts.parent
sys.path[:0] = [str(project), str(scripts)]

def own_modules():  # found through the two paths above, so their files start with them
    return {
        name: module.__file__
        for name, module in list(sys.modules.items())
        if (getattr(module, "__file__", None) or "").startswith(str(project) + "/")
    }

loaded = {}
for script in sorted(scripts.glob("*.py")):
    if script.name.startswith("_"):
        continue
    for name in own_modules():
        del sys.modules[name]
    imports = [
        node
        for node in ast.walk(ast.parse(script.read_bytes()))
        if isinstance(node, (ast.Import, ast.ImportFrom))
    ]
    exec(compile(ast.Module(body=imports, type_ignores=[]), str(script), "exec"), {})
    loaded[str(script)] = sorted(map(str, own_modules().values()))
Path(sys.argv[2]).write_text(json.dumps(loaded), encoding="utf-8")
"""


def test_what_python_loads_for_each_script_is_in_its_code(tmp_path):
    """The static resolver against the import system: every project file Python runs when a
    script's import statements execute is among the script's code inputs (the static set also
    holds modules imported inside functions, which importing alone does not run)."""
    out = tmp_path / "loaded.json"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, "-c", RUNTIME_IMPORTS, str(SCRIPTS), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(out.read_text(encoding="utf-8"))
    assert len(loaded) == len([p for p in SCRIPTS.glob("*.py") if not p.name.startswith("_")])
    for script, files in loaded.items():
        static = {path.resolve() for path in imported_sources(Path(script))}
        assert files, script
        missing = sorted(set(map(Path, files)) - static)
        assert not missing, f"{Path(script).name}: {missing}"


def test_each_rule_names_its_script_in_its_code_input():
    """In the rule files, a rule's ``code=script_code("...")`` names the script of its own
    ``script:`` directive (rules that take their inputs from a function in common.smk name it
    there; the test above checks every job's code input, however it is built)."""
    blocks = []
    for path in sorted((ROOT / "workflow" / "rules").glob("*.smk")):
        text = re.sub(r"^\s*#.*$", "", path.read_text(encoding="utf-8"), flags=re.M)
        blocks += re.split(r"^\s*rule (?=\w+:$)", text, flags=re.M)[1:]
    paired = 0
    for block in blocks:
        name = block.split(":", 1)[0]
        script = re.search(r'^\s+script:\s*\n\s+"([^"]+)"', block, flags=re.M)
        for call in re.findall(r'script_code\(\s*"([^"]+)"\s*\)', block):
            assert script and call == script.group(1), name
            paired += 1
    assert paired >= 15


# --- a completed run: editing package modules replans exactly their jobs ---------------------

# Reached only through other package modules (stats/_validate.py), named by the figure scripts and
# through relative imports (plots/style.py), and by two of the three simulation scripts
# (simulate/summarise.py; the former hand list also gave it to the model jobs). The jobs expected
# to replan are computed from the resolver and the DAG, not listed, so they follow the imports.
EDITED = {
    "workflow/rapamycin_mecfs/stats/_validate.py",
    "workflow/rapamycin_mecfs/plots/style.py",
    "workflow/rapamycin_mecfs/simulate/summarise.py",
}


def planned_jobs(dry_run_output: str) -> dict[tuple, str]:
    """(rule, outputs) -> reason of every job a dry run plans."""
    jobs = {}
    for block in re.split(r"^(?=(?:local)?rule \w+:$)", dry_run_output, flags=re.M)[1:]:
        rule = re.match(r"(?:local)?rule (\w+):$", block, flags=re.M).group(1)
        output = re.search(r"^\s+output: (.*)$", block, flags=re.M)
        reason = re.search(r"^\s+reason: (.*)$", block, flags=re.M)
        outputs = tuple(sorted(output.group(1).split(", "))) if output else ()
        jobs[(rule, outputs)] = reason.group(1) if reason else ""
    return jobs


def updated_inputs(reason: str) -> set[str]:
    """The files a reason names as newer than the job's outputs."""
    for part in reason.split("; "):
        if part.startswith("Updated input files: "):
            return set(part.removeprefix("Updated input files: ").split(", "))
    return set()


@pytest.mark.workflow
def test_editing_three_modules_replans_exactly_the_jobs_that_import_them(local_project, tmp_path):
    """Jobs whose code input holds an edited module replan, with those modules as the reason, and
    so do the jobs downstream of them; no other job does. Snakemake names the updated inputs of a
    job only when nothing upstream of it replans; downstream, their replanning hides it."""
    from test_workflow import snakemake

    project = tmp_path / "project"
    shutil.copytree(local_project, project, symlinks=True)  # the session's completed run
    assert planned_jobs(snakemake(project, "-n").stdout) == {}, "the shared run is not complete"
    for name in sorted(EDITED):
        with (project / name).open("a", encoding="utf-8") as handle:
            handle.write("\n# edited by tests/test_codedeps.py\n")
    planned = planned_jobs(snakemake(project, "-n").stdout)

    # The resolver on the edited copy, for each job of the copy's workflow.
    jobs = {}
    for job in dump_jobs(project, tmp_path / "jobs.json"):
        key = (job["rule"], tuple(sorted(job["output"])))
        if job["script"]:
            script = Path(os.path.normpath(job["script"]))
            code = set(relative(imported_sources(script), project))
        else:
            code = set()
        jobs[key] = {"code": code, "input": set(job["input"]), "output": set(job["output"])}
    makers = {path: key for key, job in jobs.items() for path in job["output"]}
    upstream = {key: {makers[p] for p in job["input"] if p in makers} for key, job in jobs.items()}
    direct = {key for key, job in jobs.items() if job["code"] & EDITED}
    expected = set(direct)
    while True:  # and everything downstream of them
        more = {key for key in jobs if upstream[key] & expected} - expected
        if not more:
            break
        expected |= more

    assert direct and len(expected) < len(jobs)
    assert set(planned) == expected, (
        f"planned, not expected: {Counter(rule for rule, _ in set(planned) - expected)}; "
        f"expected, not planned: {Counter(rule for rule, _ in expected - set(planned))}"
    )
    shown = 0
    for key, reason in planned.items():
        updated = updated_inputs(reason)
        assert updated <= EDITED, (key, reason)
        if not upstream[key] & expected:  # nothing upstream replans: the reason is its own
            assert key in direct and updated == jobs[key]["code"] & EDITED, (key, reason)
            shown += 1
    assert shown >= 10
    # Whole rules are left alone (extract_table at least), so "no more" says something.
    assert {rule for rule, _ in jobs} - {rule for rule, _ in planned}
