"""The per-outcome tables, one line each: what it needs and how its p-values are adjusted.

Everything else is generated from `OUTCOME_TABLES`: the outputs of the analyse_outcome and
combine_outcome_tables rules (through ``StudyPlan.outcome_tables``), the multiplicity families of
the combine step, the tables the report reads, and the figures that draw them
(``plots.registry``). Adding a per-outcome analysis is its function (with its builder in
``analysis.outcome.BUILDERS``), one line here and its test.

Nothing here imports an analysis: the plan imports this module, and every job that reads the
plan would otherwise depend on (and rerun for an edit to) every analysis module.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OutcomeTable:
    """One per-outcome table (built by ``analysis.outcome.BUILDERS[name]``).

    needs: the plan component the table needs (None: every study has it).
    family_by: columns that join the configured multiplicity family key, for tables whose rows
    answer different questions within one test.
    adjust: False for a table whose rows are one test under different assumptions (a sensitivity
    grid), not a family of tests: its p-values are not adjusted.
    """

    needs: str | None = None
    family_by: tuple[str, ...] = field(default=())
    adjust: bool = True


# Report order.
OUTCOME_TABLES: dict[str, OutcomeTable] = {
    "visit_medians": OutcomeTable(),
    "paired_tests": OutcomeTable(),
    "friedman": OutcomeTable(needs="friedman"),
    "mixed_model": OutcomeTable(),
    "baseline_by_completion": OutcomeTable(needs="discontinuations"),
    "tipping_point": OutcomeTable(needs="tipping_point"),
    "tipping_point_mi": OutcomeTable(needs="tipping_point", adjust=False),
    "regression_to_mean": OutcomeTable(),
    "dose_response": OutcomeTable(needs="dose_response", family_by=("change", "dose_measure")),
    "dose_bands": OutcomeTable(needs="dose_response", family_by=("change",)),
}
