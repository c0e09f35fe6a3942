"""failures.py: the problems of every job's log, merged in file, sheet and cell order; stale report
removed."""

from __future__ import annotations

import doctest

from rapamycin_mecfs import failures


def test_docstring_examples():
    assert doctest.testmod(failures).failed == 0


def test_problems_of_several_logs_merge_in_file_sheet_and_cell_order(tmp_path):
    logs = tmp_path / "logs" / "results"
    (logs / "clean").mkdir(parents=True)
    (logs / "clean" / "b.log").write_text(
        "[clean_outcome] ERROR: 2 problems:\n"
        "  - s.xlsx ['S4 B'!B10]: value '12,5': bad\n"
        "  - s.xlsx ['S4 B'!B9]: value 'x': bad\n"
        "[clean_outcome] something else\n",
        encoding="utf-8",
    )
    (logs / "clean" / "a.log").write_text(
        "[clean_outcome] ERROR: s.xlsx ['S3 A'!AA2]: value '-': bad\n", encoding="utf-8"
    )
    (logs / "clean" / "ok.log").write_text("[clean_outcome] bas: 80 values\n", encoding="utf-8")
    (logs / "extract.log").write_text(
        "[extract_table] ERROR: r.csv [row 12/col 3]: value '?': bad\n", encoding="utf-8"
    )
    report = tmp_path / "results" / "report.html"
    report.parent.mkdir()
    report.write_text("old", encoding="utf-8")
    summary = failures.summarise(logs, report).splitlines()
    assert summary == [
        "The run stopped: 4 problem(s) in the input, in file, sheet and cell order:",
        "  - r.csv [row 12/col 3]: value '?': bad",
        "  - s.xlsx ['S3 A'!AA2]: value '-': bad",
        "  - s.xlsx ['S4 B'!B9]: value 'x': bad",  # row 9 before row 10, not as text sorts
        "  - s.xlsx ['S4 B'!B10]: value '12,5': bad",
        f"{report} from an earlier run was removed, so that no stale report looks current.",
    ]
    assert not report.exists()


def test_a_failure_without_input_problems_points_at_the_logs(tmp_path):
    summary = failures.summarise(tmp_path / "logs", tmp_path / "report.html")
    assert (
        summary == "The run stopped with no input problem logged; see the failed job's log under "
        f"{tmp_path / 'logs'}/."
    )
