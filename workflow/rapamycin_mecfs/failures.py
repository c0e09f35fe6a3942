"""After a failed run: every job's input problems as one list, and no stale report left behind.

Each rule script logs a bad-input error as "ERROR: <message>" (scripts/_step.py), one problem per
line when there are several. With keep-going (the default workflow profile) every independent job
runs, so the logs of one run hold every problem found; this module gathers them in file, sheet and
cell order. Standard library only: the Snakefile's `onerror:` calls it.
"""

from __future__ import annotations

import re
from pathlib import Path

_CELL = re.compile(r"^(?P<file>[^\[]*?)\s*\[(?P<where>[^\]]*)\]")
_REFERENCE = re.compile(r"([A-Z]+)(\d+)$")


def job_problems(log: str) -> list[str]:
    """The problems a job's log reports (ERROR: lines, and the "  - " items of a several-problem
    error).

    >>> job_problems("[rule] ERROR: 2 problems:\\n  - f [A1]: bad\\n  - f [A2]: bad\\n[rule] done")
    ['f [A1]: bad', 'f [A2]: bad']
    >>> job_problems("[rule] ERROR: f ['S1'!B3]: value 'x': bad")
    ["f ['S1'!B3]: value 'x': bad"]
    """
    problems: list[str] = []
    lines = log.splitlines()
    for i, line in enumerate(lines):
        _, marker, message = line.partition("ERROR: ")
        if not marker:
            continue
        if re.fullmatch(r"\d+ problems:", message.strip()):
            for item in lines[i + 1 :]:
                if not item.startswith("  - "):
                    break
                problems.append(item[4:])
        else:
            problems.append(message)
    return problems


def _order(problem: str) -> tuple:
    """File, then sheet or page, then row and column as numbers (B10 after B9)."""
    match = _CELL.match(problem)
    if not match:
        return (problem, "", 0, 0, problem)
    where = match.group("where")
    sheet, _, cell = where.rpartition("!")
    reference = _REFERENCE.search(cell)
    numbers = [int(n) for n in re.findall(r"\d+", cell)]
    if reference:
        letters, row = reference.groups()
        column = sum((ord(c) - 64) * 26**i for i, c in enumerate(reversed(letters)))
        numbers = [int(row), column]
    return (match.group("file"), sheet, *(numbers + [0, 0])[:2], problem)


def summarise(logs: str | Path, report: str | Path) -> str:
    """The final summary of a failed run; removes `report` (an earlier run's report) when it
    exists."""
    problems = sorted(
        {
            p
            for path in sorted(Path(logs).rglob("*.log"))
            for p in job_problems(path.read_text(encoding="utf-8", errors="replace"))
        },
        key=_order,
    )
    lines = []
    if problems:
        lines.append(
            f"The run stopped: {len(problems)} problem(s) in the input, in file, sheet and "
            "cell order:"
        )
        lines += [f"  - {p}" for p in problems]
    else:
        lines.append(
            f"The run stopped with no input problem logged; see the failed job's log under {logs}/."
        )
    report = Path(report)
    if report.exists():
        report.unlink()
        lines.append(
            f"{report} from an earlier run was removed, so that no stale report looks current."
        )
    return "\n".join(lines)
