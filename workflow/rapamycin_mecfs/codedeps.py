"""Which of the project's source files a rule script runs, read from its imports.

Snakemake's code trigger sees only the file a rule's ``script:`` directive names, so the rules
list the package modules the script runs as inputs (``script_code`` in ``common.smk``); this
module works that list out, so it cannot drift from the code.

A script finds the project's code in two directories: the one above its own, which holds the
package (``_step.run_step`` puts it first on ``sys.path``), and its own, which holds the helper
``_step.py`` (Snakemake appends it). A module counts when it is found under one of those two,
looked up in that order; everything else (standard library, third-party packages) is left out.
The search is static: every ``import`` and ``from ... import`` anywhere in a file (also inside
functions, whether or not they run), followed through the files it names, with the
``__init__.py`` of every package on the way. So it errs on the side of more: a module imported
inside a function that a job never calls still counts. Each import statement is parsed with
``ast``, not the whole file (see ``_import_statements``), which keeps planning fast.

Standard library only: ``common.smk`` imports this while Snakemake plans, before any job's
environment exists. Each file is parsed once per process (``functools.cache``); a process that
edits sources and asks again calls ``clear_cache()`` first.
"""

from __future__ import annotations

import ast
import os
import re
from functools import cache
from pathlib import Path

__all__ = ["clear_cache", "imported_sources", "module_imports"]


def imported_sources(script: str | os.PathLike[str]) -> list[Path]:
    """Every source file of the project that a script imports, directly or through other files.

    Parameters
    ----------
    script : str or os.PathLike
        The script a rule runs, e.g. ``workflow/scripts/analyse_outcome.py``. Its directory's
        parent and its directory are where its imports are looked up, as when it runs.

    Returns
    -------
    list of pathlib.Path
        Sorted, each built on the given path's form (relative stays relative), without the
        script itself. Standard-library and third-party modules are not in it.

    Examples
    --------
    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> root = Path(tmp.name)
    >>> for name, text in {
    ...     "scripts/job.py": "from _step import run\\nfrom pkg.sub import tool\\nimport numpy",
    ...     "scripts/_step.py": "import logging",
    ...     "pkg/__init__.py": "",
    ...     "pkg/sub/__init__.py": "",
    ...     "pkg/sub/tool.py": "from .. import base",
    ...     "pkg/base.py": "def helper():\\n    from .sub import other",
    ...     "pkg/sub/other.py": "",
    ...     "pkg/unused.py": "",
    ... }.items():
    ...     path = root / name
    ...     path.parent.mkdir(parents=True, exist_ok=True)
    ...     _ = path.write_text(text)
    >>> for path in imported_sources(root / "scripts" / "job.py"):
    ...     print(path.relative_to(root).as_posix())
    pkg/__init__.py
    pkg/base.py
    pkg/sub/__init__.py
    pkg/sub/other.py
    pkg/sub/tool.py
    scripts/_step.py
    >>> tmp.cleanup()
    """
    script = Path(script)
    return list(_closure(script, (script.parent.parent, script.parent)))


@cache
def _closure(script: Path, search: tuple[Path, ...]) -> tuple[Path, ...]:
    """The files reachable from ``script`` through imports, sorted, without the script."""
    seen = {script}
    pending = [script]
    while pending:  # a file already seen is not followed again, so import cycles end
        for found in module_imports(pending.pop(), search):
            if found not in seen:
                seen.add(found)
                pending.append(found)
    seen.discard(script)
    return tuple(sorted(seen))


@cache
def module_imports(path: Path, search: tuple[Path, ...]) -> frozenset[Path]:
    """The project files one source file imports directly, with their packages' ``__init__.py``.

    Parameters
    ----------
    path : pathlib.Path
        A Python source file.
    search : tuple of pathlib.Path
        Directories absolute imports are looked up in, in ``sys.path`` order.

    Returns
    -------
    frozenset of pathlib.Path
        Files found under ``search``; relative imports are resolved from ``path``'s package.
    """
    found: set[Path] = set()
    for node in _import_statements(path.read_bytes()):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.update(_absolute(alias.name, search))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _relative_base(path, node.level)
                module = _module_in(base, node.module) if base is not None else None
            else:
                module = _absolute_module(node.module, search)
            if module is None:
                continue
            found.update(_with_packages(module))
            if module.name == "__init__.py":  # names may be submodules: `from pkg import mod`
                for alias in node.names:
                    submodule = _module_in(module.parent, alias.name)
                    if submodule is not None:
                        found.update(_with_packages(submodule))
    found.discard(path)
    return frozenset(found)


# Where a statement can start with `import` or `from`: at the start of a line, after a `;`, or
# after the `:` of a one-line compound statement (`if x: import y`).
_CANDIDATE = re.compile(rb"(?:^|[;:\r])[ \t\f]*(import|from)\b", re.MULTILINE)
_NEWLINE, _CR, _SEMICOLON, _HASH, _BACKSLASH = b"\n\r;#\\"
_OPEN, _CLOSE = b"()"


def _import_statements(source: bytes) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement in a module's source, at any depth (functions, classes, branches).

    Parsing a whole module with ``ast`` costs about ten times as much, and planning does this for
    every module the scripts reach. So each place where a statement may begin with ``import`` or
    ``from`` is parsed with ``ast`` alone, up to the end of its logical line (through brackets and
    backslash continuations); what does not parse as one import statement is dropped. An import
    written inside a string or a comment can count too (more, never fewer);
    ``tests/test_codedeps.py`` compares this with a full parse of every module of the project.

    Examples
    --------
    >>> source = b"import a, b.c\\nif x: from .d import (e,  # (f\\n    g)\\nprint('import z')\\n"
    >>> [ast.unparse(node) for node in _import_statements(source)]
    ['import a, b.c', 'from .d import e, g']
    """
    statements = []
    end = len(source)
    for match in _CANDIDATE.finditer(source):
        start = stop = match.start(1)
        depth = 0
        while stop < end:
            char = source[stop]
            if char == _OPEN:
                depth += 1
            elif char == _CLOSE:
                depth -= 1
            elif char == _BACKSLASH:
                stop += 1  # the next character (a line break) continues the line
            elif char == _HASH and depth > 0:  # a comment inside brackets: skip to its line end
                while stop + 1 < end and source[stop + 1] not in (_NEWLINE, _CR):
                    stop += 1
            elif char in (_NEWLINE, _CR, _SEMICOLON, _HASH) and depth <= 0:
                break
            stop += 1
        try:
            body = ast.parse(source[start:stop]).body
        except (SyntaxError, ValueError):
            continue
        if len(body) == 1 and isinstance(body[0], (ast.Import, ast.ImportFrom)):
            statements.append(body[0])
    return statements


def clear_cache() -> None:
    """Forget every parsed file and every looked-up module (after editing sources)."""
    for cached in (_closure, module_imports, _module_in, _relative_base, _with_packages):
        cached.cache_clear()


@cache
def _module_in(directory: Path, dotted: str | None) -> Path | None:
    """The file of module ``dotted`` below ``directory`` (a package's ``__init__.py`` for a
    package; the package ``directory`` itself for None), or None when there is none."""
    target = directory
    for part in dotted.split(".") if dotted else []:
        target = target / part
    if dotted:
        file = target.with_name(target.name + ".py")
        if file.is_file():
            return file
    init = target / "__init__.py"
    return init if init.is_file() else None


def _absolute_module(dotted: str, search: tuple[Path, ...]) -> Path | None:
    """File of an absolute module, from the first search directory holding its top level
    (as Python picks it); None for modules outside the project."""
    top = dotted.split(".", 1)[0]
    for directory in search:
        if _module_in(directory, top) is not None:
            return _module_in(directory, dotted)
    return None


def _absolute(dotted: str, search: tuple[Path, ...]) -> set[Path]:
    """``import a.b.c`` runs ``a``, ``a.b`` and ``a.b.c``: the files of every one found."""
    parts = dotted.split(".")
    found: set[Path] = set()
    for end in range(1, len(parts) + 1):
        module = _absolute_module(".".join(parts[:end]), search)
        if module is not None:
            found.update(_with_packages(module))
    return found


@cache
def _relative_base(path: Path, level: int) -> Path | None:
    """The package directory a relative import with ``level`` dots starts from, or None when
    ``path`` is not that deep inside packages (such an import fails when run)."""
    base = path.parent
    for _ in range(level - 1):
        base = base.parent
    inside = path.parent
    while inside != base:
        if not (inside / "__init__.py").is_file():
            return None
        inside = inside.parent
    return base if (base / "__init__.py").is_file() else None


@cache
def _with_packages(module: Path) -> frozenset[Path]:
    """A module's file and the ``__init__.py`` of each package around it (importing
    ``a.b.c`` runs ``a/__init__.py`` and ``a/b/__init__.py`` first)."""
    found = {module}
    directory = module.parent
    while (directory / "__init__.py").is_file():
        found.add(directory / "__init__.py")
        directory = directory.parent
    return frozenset(found)
