"""R as referee: the pipeline's tables against R's own functions, run on the pipeline's cleaned
inputs.

One pipeline run (the session's ``local_project``, shared with the workflow tests), then one run
of tests/r_referee/referee.R on its results/clean/, then one comparison per row of COMPARISONS:
the single declaration of what is compared, with which R call and to what tolerance. Rows are
matched on their key columns; a row on one side only is a failure, as is every value outside
the tolerance (both NaN counts as agreement: neither side computed it). Where R's answer is an
interval of equally valid values (referee.R's low and high), the pipeline's value must lie in it.

Skipped when Rscript is not installed, except under CI (CI=true), where that is a failure.
Declarations sharing an R check differ in columns or in the rows `where` selects (on both sides).
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from rapamycin_mecfs.config import load_config
from rapamycin_mecfs.plan import StudyPlan
from test_slurm import in_ci

REFEREE = Path(__file__).resolve().parent / "r_referee" / "referee.R"
R_PACKAGES = "r-base-core r-cran-lme4 r-cran-lmertest r-cran-coin r-cran-mice"

pytestmark = [pytest.mark.r_referee, pytest.mark.workflow]


@dataclass(frozen=True)
class Tolerance:
    """Agreement when |pipeline - R| <= abs + rel * max(|pipeline|, |R|)."""

    rel: float = 0.0
    abs: float = 0.0

    def allows(self, ours: float, theirs: float) -> bool:
        if math.isnan(ours) or math.isnan(theirs):
            return math.isnan(ours) and math.isnan(theirs)
        return abs(ours - theirs) <= self.abs + self.rel * max(abs(ours), abs(theirs))

    def __str__(self) -> str:
        parts = [
            f"{self.rel:g} relative" if self.rel else "",
            f"{self.abs:g} absolute" if self.abs else "",
        ]
        return " + ".join(part for part in parts if part)


# 1e-6 relative. The absolute 1e-12 lets a value that is 0 on one side be ~1e-15 on the other, and
# p-values far in the tail (below 1e-7) differ by ~1e-16 absolutely between coin's and scipy's
# normal tails, which can exceed 1e-6 relatively.
EXACT = Tolerance(rel=1e-6, abs=1e-12)
# R's wilcox.test finds the Hodges-Lehmann estimate and interval limits by uniroot(tol = 1e-4) on
# the signed-rank step function (zeroin stops within tol + 4 eps |root|); the pipeline returns the
# exact Walsh averages, written to 10 significant digits.
UNIROOT = Tolerance(rel=1e-9, abs=1e-4)
# lmerTest's Satterthwaite df come from numerical derivatives (numDeriv) of the variance
# parameters at lme4's optimum, found to the optimiser's own tolerance; a p-value far in the tail
# then moves by about |t| times the relative difference in t.
SATTERTHWAITE = Tolerance(rel=1e-5, abs=1e-12)

PAIRED = ("outcome", "visit", "analysis_set", "test")
CORRELATION = ("marker", "outcome", "visit", "correlation")
DOSE = ("outcome", "change", "dose_measure", "test")
NOT_ACHIEVABLE = "requested conf.level not achievable"


def zero_and_largest_delta(table: pd.DataFrame) -> pd.Series:
    """Rows at delta = 0 and at each outcome's largest delta, of outcomes with m >= 2
    imputations."""
    delta = pd.to_numeric(table["delta"], errors="coerce")
    imputed = pd.to_numeric(table["m"], errors="coerce") >= 2
    largest = delta.where(imputed).groupby(table["outcome"]).transform("max")
    return imputed & ((delta == 0) | (delta == largest))


@dataclass(frozen=True)
class Comparison:
    """One declared comparison: `columns` of the `table` rows selected by `where`, matched on `keys`
    with the rows referee.R tags `check`."""

    check: str  # the tag of referee.R's rows
    table: str  # under results/tables/
    where: Mapping[str, tuple[str, ...]] | Callable[[pd.DataFrame], pd.Series]
    keys: tuple[str, ...]
    columns: tuple[str, ...]  # "x^2": the square of the pipeline's column x
    tolerance: Tolerance
    r_call: str
    # (text, columns, statement): where R's note contains the text, these columns are left out and
    # reported, and the pipeline's method must contain the statement, {level} = R's level there.
    exclude: tuple[str, tuple[str, ...], str] | None = None
    # Pipeline outputs (under results/; <outcome> = any outcome) and the columns the check reads
    # from them; when one is absent the check is skipped, naming what is missing.
    needs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        selected = (
            "".join(f"[{'|'.join(v)}]" for v in self.where.values())
            if isinstance(self.where, Mapping)
            else ""
        )
        return f"{self.check}{selected}[{','.join(self.columns)}]"


WILCOXON = {"test": ("wilcoxon_signed_rank",), "analysis_set": ("available_pairs", "completers")}
COMPARISONS = (
    Comparison(
        "signed_rank",
        "paired_tests.csv",
        WILCOXON,
        PAIRED,
        ("statistic", "p_value"),
        EXACT,
        "wilcox.test(x, y, paired = TRUE, exact = FALSE, correct = TRUE, conf.int = TRUE): V, "
        "p; x, y = follow-up, baseline (baseline, follow-up when lower is better: V of the "
        "improvement)",
    ),
    Comparison(
        "hodges_lehmann",
        "paired_tests.csv",
        WILCOXON,
        PAIRED,
        ("estimate", "ci_low", "ci_high"),
        UNIROOT,
        "the same wilcox.test call: $estimate, $conf.int",
        exclude=(NOT_ACHIEVABLE, ("ci_low", "ci_high"), "would lower the level to {level:.4g}%"),
    ),
    Comparison(
        "pratt_signed_rank",
        "paired_tests.csv",
        {"test": ("wilcoxon_signed_rank",), "analysis_set": ("enrolled_bocf",)},
        PAIRED,
        ("p_value",),
        EXACT,
        "coin::wilcoxsign_test(improvement ~ zero, zero.method = 'Pratt', distribution = "
        "'asymptotic')",
    ),
    Comparison(
        "paired_t",
        "paired_tests.csv",
        {"test": ("paired_t",)},
        PAIRED,
        ("statistic", "df", "p_value", "estimate", "ci_low", "ci_high"),
        EXACT,
        "t.test(x, y, paired = TRUE, conf.level = confidence), x - y = improvement, every "
        "analysis set",
    ),
    Comparison(
        "paired_adjusted",
        "paired_tests.csv",
        {},
        PAIRED,
        ("p_holm", "p_fdr_bh"),
        EXACT,
        "p.adjust(p, 'holm' | 'BH') within each family of analysis/multiplicity/family_by, "
        "on R's own p-values of the three checks above",
    ),
    Comparison(
        "friedman",
        "friedman.csv",
        {},
        ("outcome", "analysis_set", "test"),
        ("statistic", "df", "p_value"),
        EXACT,
        "friedman.test(matrix of the completers with the outcome at every visit)",
    ),
    Comparison(
        "mixed_model",
        "mixed_model.csv",
        {},
        PAIRED,
        ("estimate", "se"),
        EXACT,
        "lmerTest::lmer(value ~ visit + (1 | participant_id), REML = TRUE), everyone enrolled, "
        "every available value: coefficients of the visits",
    ),
    Comparison(
        "mixed_model",
        "mixed_model.csv",
        {},
        PAIRED,
        ("df", "t", "p_value"),
        SATTERTHWAITE,
        "the same lmer fit: Satterthwaite df, t value, Pr(>|t|)",
    ),
    Comparison(
        "wilson",
        "responders.csv",
        {},
        ("analysis_set",),
        ("ci_low", "ci_high"),
        EXACT,
        "prop.test(k, n, correct = FALSE, conf.level = confidence)$conf.int, k, n = the row's "
        "responders, n",
    ),
    Comparison(
        "dose_spearman",
        "dose_response.csv",
        {"dose_measure": ("last_dose",)},
        DOSE,
        ("rho", "p_value"),
        EXACT,
        "cor.test(last dose, improvement, method = 'spearman', exact = FALSE)",
    ),
    Comparison(
        "dose_spearman",
        "dose_response.csv",
        {"dose_measure": ("cumulative_dose",)},
        DOSE,
        ("rho", "p_value"),
        EXACT,
        "cor.test(cumulative dose, improvement, method = 'spearman', exact = FALSE); cumulative "
        "dose = sum of dose x days to the next visit attended, / 7 (equal totals tie)",
    ),
    Comparison(
        "spearman_cross_sectional",
        "biomarkers/spearman_cross_sectional.csv",
        {},
        CORRELATION,
        ("rho", "p_value"),
        EXACT,
        "cor.test(marker, outcome, method = 'spearman', exact = FALSE) at each visit, everyone "
        "enrolled",
    ),
    Comparison(
        "spearman_change",
        "biomarkers/spearman_change.csv",
        {},
        CORRELATION,
        ("rho", "p_value"),
        EXACT,
        "cor.test(marker change, outcome change, method = 'spearman', exact = FALSE), everyone "
        "enrolled",
    ),
    Comparison(
        "mice_pool",
        "tipping_point_mi.csv",
        zero_and_largest_delta,
        ("outcome", "visit", "analysis_set", "delta"),
        ("estimate", "se^2", "df"),
        EXACT,
        "mice::pool(as.mira(lm(change ~ 1) of each of the pipeline's completed sets, imputed "
        "values shifted by delta towards worsening)): $estimate, $t, $df",
        needs={
            "tables/tipping_point_mi.csv": (
                "outcome",
                "visit",
                "analysis_set",
                "delta",
                "m",
                "estimate",
                "se",
                "df",
            ),
            "imputations/<outcome>.csv": ("participant_id", "imputation", "baseline", "follow_up"),
        },
    ),
)


def rscript() -> str:
    """Rscript's path; skip without it, but fail under CI, where .ci/run installs it."""
    found = shutil.which("Rscript")
    if found:
        return found
    if in_ci():
        pytest.fail(
            "Rscript is not installed; CI is set, so this is a failure (.ci/run installs "
            f"{R_PACKAGES})"
        )
    pytest.skip(f"Rscript is not installed (Debian: apt-get install {R_PACKAGES})")


def write_spec(config: dict, directory: Path) -> Path:
    """The study plan as referee.R reads it: outcomes.csv, visits.csv, settings.csv."""
    plan = StudyPlan(config)
    markers = plan.markers if plan.has("biomarkers") else []
    pd.DataFrame(
        [
            {
                "outcome": key,
                "instrument": spec["instrument"],
                "direction": spec["direction"],
                "analysed": key in plan.analysed_outcomes,
                "marker": key in markers,
                "correlated": bool(markers) and key in plan.correlated_outcomes,
            }
            for key, spec in plan.outcomes.items()
        ]
    ).to_csv(directory / "outcomes.csv", index=False)
    days = plan.days or {}
    pd.DataFrame({"visit": plan.visits, "day": [days.get(v, "") for v in plan.visits]}).to_csv(
        directory / "visits.csv", index=False
    )
    multiplicity = config["analysis"]["multiplicity"]
    settings = {
        "confidence": config["analysis"]["confidence"],
        "final_visit": plan.final,
        "dose_outcome": plan.dose_outcome if plan.has("dose_response") else "",
        "change_visits": ";".join(plan.change_visits) if markers else "",
        "multiplicity_family_by": ";".join(multiplicity["family_by"]),
        "multiplicity_methods": ";".join(multiplicity["methods"]),
    }
    settings_table = pd.DataFrame({"name": list(settings), "value": list(settings.values())})
    settings_table.to_csv(directory / "settings.csv", index=False)
    return directory


@pytest.fixture(scope="module")
def referee(request, tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """(the pipeline's project directory, referee.R's tidy output)."""
    executable = rscript()  # before the pipeline run, so a missing Rscript costs nothing
    project = request.getfixturevalue("local_project")
    spec = write_spec(load_config(project / "config.yaml"), tmp_path_factory.mktemp("r_referee"))
    output = spec / "referee.csv"
    result = subprocess.run(
        [executable, str(REFEREE), str(project), str(spec), str(output)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0:
        pytest.fail(
            f"referee.R failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return project, pd.read_csv(output, dtype=str, keep_default_na=False)


def test_every_r_check_is_declared(referee):
    _, r_rows = referee
    undeclared = set(r_rows["check"]) - {c.check for c in COMPARISONS}
    assert not undeclared, (
        f"referee.R emits checks that COMPARISONS does not declare: {sorted(undeclared)}"
    )


def pipeline_values(table: pd.DataFrame, column: str) -> pd.Series | None:
    """A compared column as numbers ("x^2": the square of x); None when the table lacks it."""
    source = column.removesuffix("^2")
    if source not in table:
        return None
    values = pd.to_numeric(table[source], errors="coerce")  # "" (not computed) -> NaN
    return values**2 if column.endswith("^2") else values


def missing_needs(results: Path, needs: Mapping[str, tuple[str, ...]]) -> list[str]:
    """What of `needs` the pipeline did not write: files, or columns of the first matching file."""
    absent = []
    for need, columns in needs.items():
        found = sorted(results.glob(need.replace("<outcome>", "*")))
        if not found:
            absent.append(f"results/{need}")
            continue
        header = pd.read_csv(found[0], nrows=0).columns
        lacking = [c for c in columns if c not in header]
        if lacking:
            absent.append(f"column(s) {', '.join(lacking)} of results/{need}")
    return absent


def describe(keys: tuple[str, ...], values: tuple[str, ...]) -> str:
    return ", ".join(f"{k}={v}" for k, v in zip(keys, values))


@pytest.mark.parametrize("comparison", COMPARISONS, ids=lambda c: c.id)
def test_pipeline_agrees_with_r(referee, comparison: Comparison):
    project, r_rows = referee
    results = project / "results"
    absent = missing_needs(results, comparison.needs)
    if absent:
        pytest.skip(
            f"{comparison.check}: this pipeline version writes no {' and no '.join(absent)} to "
            "compare with R"
        )
    path = results / "tables" / comparison.table
    theirs = r_rows[
        (r_rows["check"] == comparison.check) & r_rows["column"].isin(comparison.columns)
    ]
    if not path.exists():
        assert theirs.empty, (
            f"R has {comparison.check} rows; the pipeline wrote no "
            f"results/tables/{comparison.table}"
        )
        pytest.skip(
            f"this study's plan writes no results/tables/{comparison.table} (and R computes none)"
        )
    ours = pd.read_csv(path, dtype=str, keep_default_na=False)
    if callable(comparison.where):  # R computes only these rows
        ours = ours[comparison.where(ours)]
    else:
        for column, allowed in comparison.where.items():
            ours = ours[ours[column].isin(allowed)]
            theirs = theirs[theirs[column].isin(allowed)] if column in theirs else theirs
    label = f"{comparison.table} ({comparison.r_call})"

    problems = []
    ours_by_key = {tuple(row[k] for k in comparison.keys): i for i, row in ours.iterrows()}
    theirs_keys = set(map(tuple, theirs[list(comparison.keys)].to_numpy()))
    for key in sorted(set(ours_by_key) - theirs_keys):
        problems.append(f"row only in the pipeline's table: {describe(comparison.keys, key)}")
    for key in sorted(theirs_keys - set(ours_by_key)):
        problems.append(f"row only in R's output: {describe(comparison.keys, key)}")
    if ours_by_key and len(ours_by_key) != len(ours):
        problems.append(f"the pipeline's table has duplicate rows on {comparison.keys}")

    excluded, intervals, largest = [], [], {}
    for column in comparison.columns:
        values = pipeline_values(ours, column)
        if values is None:
            problems.append(f"column {column!r} is not in the pipeline's table")
            continue
        worst_abs = worst_rel = 0.0
        for _, r_row in theirs[theirs["column"] == column].iterrows():
            key = tuple(r_row[k] for k in comparison.keys)
            if key not in ours_by_key:
                continue
            if (
                comparison.exclude
                and comparison.exclude[0] in r_row["note"]
                and column in comparison.exclude[1]
            ):
                excluded.append((key, column, r_row["note"]))
                continue
            mine, r_value = float(values.loc[ours_by_key[key]]), float(r_row["value"])
            low, high = float(r_row["low"]), float(r_row["high"])
            if not (math.isnan(low) or math.isnan(high)):  # R's answer: any value in [low, high]
                intervals.append((key, column, mine, r_row["note"]))
                r_value = min(max(mine, low), high)  # the nearest of R's answers
            if not (math.isnan(mine) or math.isnan(r_value)):
                worst_abs = max(worst_abs, abs(mine - r_value))
                worst_rel = max(
                    worst_rel, abs(mine - r_value) / max(abs(mine), abs(r_value), 1e-300)
                )
            if not comparison.tolerance.allows(mine, r_value):
                note = f" [R: {r_row['note']}]" if r_row["note"] else ""
                problems.append(
                    f"{describe(comparison.keys, key)}: {column} pipeline {mine!r} vs R "
                    f"{r_value!r} (difference {abs(mine - r_value):.3g}, tolerance "
                    f"{comparison.tolerance}){note}"
                )
        largest[column] = (worst_abs, worst_rel)
    print(
        f"\n{comparison.id}: {len(ours_by_key)} pipeline rows, {len(theirs_keys)} R rows; "
        "largest differences "
        + "; ".join(f"{c}: {a:.3g} absolute, {r:.3g} relative" for c, (a, r) in largest.items())
    )
    if intervals:
        print(
            "R's answer is an interval here (compared with its nearest point):\n"
            + "\n".join(
                f"  {describe(comparison.keys, k)}: {c} pipeline {v!r}; R: {n}"
                for k, c, v, n in intervals
            )
        )
    if excluded:
        listing = "\n".join(f"  {describe(comparison.keys, k)}: {c} ({n})" for k, c, n in excluded)
        warnings.warn(
            f"{comparison.id}: not compared where {comparison.exclude[0]!r}:\n{listing}",
            stacklevel=1,
        )
        for key, note in sorted({(k, n) for k, _, n in excluded}):
            level = re.search(r"R's level ([0-9.e+-]+)", note)
            statement = (
                comparison.exclude[2].format(level=100 * float(level.group(1))) if level else "?"
            )
            method = ours.loc[ours_by_key[key], "method"]
            if statement not in method:
                problems.append(
                    f"{describe(comparison.keys, key)}: R warns {note!r}, and the pipeline's "
                    f"method does not say {statement!r}: {method!r}"
                )
    assert not problems, f"{label}: {len(problems)} mismatch(es) with R:\n" + "\n".join(problems)
