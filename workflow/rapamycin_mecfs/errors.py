"""One error type for bad input, with the location a user needs to fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where a value sits in the supplement: file plus sheet/cell or page/table/row/col."""

    file: str
    locator: str = ""

    def __str__(self) -> str:
        return f"{self.file} [{self.locator}]" if self.locator else self.file


class SupplementError(Exception):
    """Bad input: names the file, the sheet/page and cell, the value found and what was expected.

    Several problems found in one pass are reported together, one per line, so a user can fix
    them all before rerunning.
    """

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self.problems) == 1:
            return self.problems[0]
        shown = self.problems[:50]
        lines = [f"{len(self.problems)} problems:"] + [f"  - {p}" for p in shown]
        if len(self.problems) > len(shown):
            lines.append(f"  ... and {len(self.problems) - len(shown)} more")
        return "\n".join(lines)


def describe(location: Location | str, value: object, problem: str, expected: str) -> str:
    """The one-line message format used for every bad value."""
    return f"{location}: value {value!r}: {problem}; expected {expected}"
