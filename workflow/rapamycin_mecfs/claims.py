"""Claims audit: the paper's published statements against the same statements recomputed from the
data, and GRIM checks of reported means of integer-valued scores.

The claims file, its kinds of recomputation and how categories are matched, is read and checked by
:mod:`claim_specs`.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from .cells import normalise_text
from .claim_specs import (
    DEFAULT_TEST,
    FINDINGS,
    PAIRED_TESTS,
    UNADJUSTED,
    Category,
    check_claims,
    fold_text,
    parse_categories,
)
from .errors import SupplementError

AUDIT_COLUMNS = [
    "claim_id",
    "kind",
    "statement",
    "source",
    "published",
    "recomputed",
    "consistent",
    "n",
    "evidence",
    "published_arithmetic",
    "recomputed_from",
]
GRIM_COLUMNS = [
    "mean_id",
    "statement",
    "source",
    "mean",
    "n",
    "decimals",
    "items",
    "grim_consistent",
    "nearest_possible",
]


def round_half_up(value: float, decimals: int) -> Decimal:
    """Rounding as papers report it (0.5 up), not banker's rounding."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def grim_consistent(mean: float, n: int, decimals: int, items: int = 1) -> tuple[bool, list[str]]:
    """GRIM (Brown & Heathers 2017): can a mean of n integer scores (items each) round to `mean`?

    The sum of n x items integers is an integer k, so the mean must be k / (n x items) for some k.
    Returns whether one such k rounds to the reported mean, and the nearest possible means.
    """
    if n < 1 or items < 1:
        raise ValueError("n and items must be positive")
    grains = n * items
    reported = round_half_up(mean, decimals)
    centre = math.floor(mean * grains)
    candidates = [k / grains for k in range(centre - 2, centre + 4)]
    rounded = [round_half_up(c, decimals) for c in candidates]
    nearest = sorted({str(r) for r in rounded}, key=lambda r: abs(Decimal(r) - reported))[:2]
    return reported in rounded, nearest


@dataclass(frozen=True)
class Audit:
    """One claim recomputed: the texts and verdict of its audit row."""

    published: str
    recomputed: str
    consistent: bool
    origin: str
    n: int | None = None
    evidence: str = ""
    arithmetic: str = ""


def _format(published: dict[str, Any]) -> str:
    if "count" in published:
        return str(published["count"])
    text = f"{published['numerator']}/{published['denominator']}"
    return text + (f" ({published['percent']}%)" if "percent" in published else "")


def recompute(
    claim: dict[str, Any], participants: pd.DataFrame, responders: pd.DataFrame | None
) -> tuple[dict[str, Any], str]:
    """The recomputed value (same shape as `published`) of a count or responder claim, and where
    it came from.

    `responders` is None when the study has no responder rule: a responder claim then names that.
    """
    spec = claim["recompute"]
    if spec["kind"] == "count":
        column = spec["set"]
        if column not in participants:
            raise SupplementError(
                f"claim {claim['id']}: recompute set '{column}' is not a participant-table column"
            )
        flags = participants[column].astype(str).str.lower() == "true"
        return {"count": int(flags.sum())}, f"participants.csv: number of rows with {column} = True"
    if spec["kind"] == "responders":
        if responders is None:
            raise SupplementError(
                f"claim {claim['id']}: recomputes a responder proportion, but no responder rule is "
                "configured (analysis/responders); expected a rule, or no responder claim"
            )
        row = responders[responders["analysis_set"] == spec["analysis_set"]]
        if row.empty:
            raise SupplementError(
                f"claim {claim['id']}: no responder row for analysis set '{spec['analysis_set']}'"
            )
        k, n = int(row["responders"].iloc[0]), int(row["n"].iloc[0])
        decimals = claim["published"].get("decimals", 1)
        percent = float(round_half_up(100 * k / n, decimals)) if n else math.nan
        return {"numerator": k, "denominator": n, "percent": percent}, (
            f"responders.csv: analysis set {spec['analysis_set']} ({row['rule'].iloc[0]})"
        )
    raise SupplementError(
        f"claim {claim['id']}: unknown recompute kind '{spec['kind']}'; expected count or "
        "responders"
    )


def _number_audit(
    claim: dict[str, Any], participants: pd.DataFrame, responders: pd.DataFrame | None
) -> Audit:
    """A count or responder claim against its recomputed value, and the published arithmetic."""
    published = claim["published"]
    value, origin = recompute(claim, participants, responders)
    keys = ["count"] if "count" in published else ["numerator", "denominator"]
    arithmetic = ""
    if "percent" in published:
        expected = round_half_up(
            100 * published["numerator"] / published["denominator"], published.get("decimals", 1)
        )
        arithmetic = (
            "consistent"
            if Decimal(str(published["percent"])) == expected
            else f"inconsistent (numerator/denominator gives {expected}%)"
        )
    return Audit(
        published=_format(published),
        recomputed=_format(value),
        consistent=all(published[k] == value[k] for k in keys),
        origin=origin,
        n=value.get("denominator"),
        arithmetic=arithmetic,
    )


@dataclass(frozen=True)
class Tally:
    """One category of a column and how often it occurs.

    Attributes
    ----------
    key : str
        The folded category name (or folded value, for a value no category claims).
    category : str
        The category as shown: the claim's name, or the value's most common spelling.
    count : int
        Number of values counted as the category.
    raw : tuple of (str, int)
        The raw values behind it (runs of whitespace collapsed), count descending then value.
    mapped : bool
        Whether a category of the claim matched (else the value stands for itself).
    """

    key: str
    category: str
    count: int
    raw: tuple[tuple[str, int], ...]
    mapped: bool

    def text(self) -> str:
        """The category and its count, with the raw values behind a mapped category."""
        shown = f"{self.category} {self.count}"
        if self.mapped and [fold_text(v) for v, _ in self.raw] != [self.key]:
            shown += " [" + ", ".join(f"{v} {k}" for v, k in self.raw) + "]"
        return shown


def _category_of(value: str, categories: list[Category], where: str) -> Category | None:
    hits = [c for c in categories if c.matches(value)]
    if len(hits) > 1:
        raise SupplementError(
            f"{where}: value {value!r} matches categories {[c.name for c in hits]}; expected the "
            "claim's categories to give each value one category"
        )
    return hits[0] if hits else None


def _ordered(counter: Counter) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0].casefold(), item[0]))


def tally(values: list[str], categories: list[Category], where: str = "values") -> list[Tally]:
    """Count values by category, in a stable order: count descending, then category.

    Parameters
    ----------
    values : list of str
        Raw, non-missing values.
    categories : list of Category
        The claim's categories; a value none of them matches is a category of its own (values
        that differ only in case or spacing count together).
    where : str
        Whose values these are, for messages.

    Returns
    -------
    list of Tally

    Raises
    ------
    SupplementError
        Naming every value that more than one category matches.
    """
    groups: dict[str, tuple[Category | None, Counter]] = {}
    problems = []
    for value in values:
        text = normalise_text(value)
        try:
            category = _category_of(text, categories, where)
        except SupplementError as error:
            problems.extend(p for p in error.problems if p not in problems)
            continue
        key = fold_text(category.name) if category else fold_text(text)
        groups.setdefault(key, (category, Counter()))[1][text] += 1
    if problems:
        raise SupplementError(problems)
    tallies = []
    for key, (category, raw) in groups.items():
        spellings = _ordered(raw)
        name = category.name if category else spellings[0][0]
        tallies.append(Tally(key, name, sum(raw.values()), tuple(spellings), category is not None))
    return sorted(tallies, key=lambda t: (-t.count, t.category.casefold(), t.category))


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _categorical_audit(claim: dict[str, Any], table: pd.DataFrame, missing: list[str]) -> Audit:
    """The most common category of a column of an extracted table against the claimed one."""
    spec, where = claim["recompute"], f"claim {claim['id']}"
    categories = parse_categories(claim)
    cells = table.loc[table["outcome"] == spec["column"], "raw_value"].astype(str).tolist()
    absent = {fold_text(token) for token in missing} | {""}
    values = [v for v in cells if fold_text(v) not in absent]
    tallies = tally(values, categories, f"{where}: table {spec['table']}, column {spec['column']}")
    claimed = claim["published"]["most_common"]
    category = _category_of(claimed, categories, f"{where}: published most_common")
    claimed_key = fold_text(category.name) if category else fold_text(claimed)
    published = f"most common: {claimed}"
    if category and fold_text(category.name) != fold_text(claimed):
        published += f" (category {category.name})"
    n = len(values)
    notes = []
    if n < len(cells):
        notes.append(f"{len(cells) - n} missing value(s) left out")
    top = [t for t in tallies if tallies and t.count == tallies[0].count]
    names = [t.category for t in top]
    if not tallies:
        recomputed, consistent = "no values", False
    elif len(top) == 1:
        recomputed = f"{names[0]} ({top[0].count} of {n})"
        consistent = top[0].key == claimed_key
    else:
        recomputed = f"tie: {_and(names)} ({top[0].count} each of {n})"
        consistent = False
        notes.append(f"tie for the largest count between {_and(names)}")
        if claimed_key in {t.key for t in top}:
            notes.append("a tie does not make the claimed value the most common")
    found = [t for t in tallies if t.key == claimed_key]
    if not found:
        notes.append(f"the claimed value does not occur in the column (0 of {n})")
    elif not consistent:
        rank = 1 + sum(t.count > found[0].count for t in tallies)
        notes.append(f"claimed: {found[0].category}, {found[0].count} of {n}, rank {rank}")
    evidence = "; ".join(t.text() for t in tallies) or "no values"
    origin = (
        f"extracted/{spec['table']}.csv: column {spec['column']}, {n} non-missing values in "
        f"{len(cells)} rows; categories as the claim maps them, case and spacing ignored; "
        "ordered by count, then name"
    )
    return Audit(
        published=published,
        recomputed=recomputed,
        consistent=consistent,
        origin=origin,
        n=n,
        evidence=". ".join([evidence, *notes]),
    )


def _paired_row(claim: dict[str, Any], paired: pd.DataFrame, visit: str, test: str) -> pd.Series:
    """The one paired-test row a direction claim names, or an error listing what the table has."""
    spec, where = claim["recompute"], f"claim {claim['id']}"
    wanted = {
        "outcome": spec["outcome"],
        "visit": visit,
        "analysis_set": spec["analysis_set"],
        "test": test,
    }
    rows = paired
    for column, value in wanted.items():
        narrowed = rows[rows[column].astype(str) == value]
        if narrowed.empty:
            present = sorted(rows[column].astype(str).unique())
            raise SupplementError(
                f"{where}: {PAIRED_TESTS} has no row with {column} '{value}' (given "
                + ", ".join(f"{k} {v}" for k, v in wanted.items() if k != column and k in rows)
                + f"); expected one of {present}"
            )
        rows = narrowed
    if len(rows) > 1:
        raise SupplementError(
            f"{where}: {PAIRED_TESTS} has {len(rows)} rows for {wanted}; expected one"
        )
    return rows.iloc[0]


def _number(value: Any) -> float:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return float(number) if pd.notna(number) else math.nan


def _direction_audit(claim: dict[str, Any], paired: pd.DataFrame, config: dict[str, Any]) -> Audit:
    """A stated significant change (or none) against the paired-test table's estimate and p."""
    from .plan import StudyPlan

    spec, plan = claim["recompute"], StudyPlan(config)
    analysis = config.get("analysis", {})
    alpha, confidence = float(analysis.get("alpha", 0.05)), float(analysis.get("confidence", 0.95))
    visit, test = spec.get("visit", plan.final), spec.get("test", DEFAULT_TEST)
    adjustment = spec.get("p_adjustment", UNADJUSTED)
    p_column = "p_value" if adjustment == UNADJUSTED else f"p_{adjustment}"
    if p_column not in paired:
        raise SupplementError(
            f"claim {claim['id']}: {PAIRED_TESTS} has no column {p_column}; expected a column of "
            "adjusted p-values for each method of analysis/multiplicity/methods"
        )
    row = _paired_row(claim, paired, visit, test)
    estimate, p = _number(row["estimate"]), _number(row[p_column])
    significant = p < alpha
    if math.isnan(p):
        finding, recomputed = None, "not tested (no p-value)"
    elif not significant:
        finding = "no_significant_change"
    elif estimate > 0:
        finding = "significant_improvement"
    elif estimate < 0:
        finding = "significant_worsening"
    else:
        finding, recomputed = None, f"significant, but the estimate is {estimate:g} (no direction)"
    if finding:
        recomputed = (
            f"{FINDINGS[finding]} ({p_column} = {p:.3g} {'<' if significant else '>='} {alpha:g})"
        )
    pairs = _number(row.get("n_pairs"))
    n = None if math.isnan(pairs) else int(pairs)
    adjusted = "unadjusted"
    if adjustment != UNADJUSTED:
        size = _number(row.get("family_size"))
        adjusted = f"{adjustment}-adjusted within its family"
        adjusted += f" of {size:g} tests" if not math.isnan(size) else ""
        adjusted += f": {row['family']}" if "family" in row else ""
    evidence = (
        f"{test}: {row.get('estimate_name', 'estimate')} {estimate:.4g} "
        f"({confidence:.0%} CI {_number(row.get('ci_low')):.4g} to "
        f"{_number(row.get('ci_high')):.4g}); "
        f"{p_column} = {p:.3g} ({adjusted}); alpha {alpha:g}; n = {n} pairs; "
        "estimate > 0 = improvement"
    )
    origin = (
        f"{PAIRED_TESTS}: outcome {spec['outcome']}, visit {visit} vs "
        f"{row.get('baseline_visit', plan.baseline)}, analysis set {spec['analysis_set']}, "
        f"test {test}, {p_column}"
    )
    return Audit(
        published=FINDINGS[claim["published"]["finding"]],
        recomputed=recomputed,
        consistent=finding == claim["published"]["finding"],
        origin=origin,
        n=n,
        evidence=evidence,
    )


def audit_claims(
    claims: list[dict[str, Any]],
    participants: pd.DataFrame,
    responders: pd.DataFrame | None,
    paired_tests: pd.DataFrame | None = None,
    tables: dict[str, pd.DataFrame] | None = None,
    config: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Every claim against its recomputed value: one audit row each, in the claims' order.

    Parameters
    ----------
    claims : list of dict
        Claims as `load_claims` returns them.
    participants : pandas.DataFrame
        The clean participant table (count claims).
    responders : pandas.DataFrame or None
        The responder table (responder claims); None when no responder rule is configured.
    paired_tests : pandas.DataFrame, optional
        The combined paired-test table (direction claims).
    tables : dict of str to pandas.DataFrame, optional
        Extracted source tables by config key (categorical claims).
    config : dict, optional
        The validated config; categorical and direction claims need it.

    Returns
    -------
    pandas.DataFrame
        Columns `AUDIT_COLUMNS`.

    Raises
    ------
    SupplementError
        When a claim names what the config or the tables lack, naming the claim.
    """
    tables = tables or {}
    needs_config = [
        c["id"] for c in claims if c["recompute"]["kind"] in ("categorical", "direction")
    ]
    if needs_config and config is None:
        raise SupplementError(
            f"claims {needs_config}: recomputing them needs the config; none was given"
        )
    if config is not None:
        check_claims(claims, config)
    rows = []
    for claim in claims:
        kind = claim["recompute"]["kind"]
        if kind == "categorical":
            table = claim["recompute"]["table"]
            if table not in tables:
                raise SupplementError(
                    f"claim {claim['id']}: extracted table '{table}' was not given to the audit"
                )
            audit = _categorical_audit(claim, tables[table], list(config.get("missing_tokens", [])))
        elif kind == "direction":
            if paired_tests is None:
                raise SupplementError(
                    f"claim {claim['id']}: the paired-test table was not given to the audit"
                )
            audit = _direction_audit(claim, paired_tests, config)
        else:
            audit = _number_audit(claim, participants, responders)
        rows.append(
            {
                "claim_id": claim["id"],
                "kind": kind,
                "statement": claim["statement"],
                "source": claim["source"],
                "published": audit.published,
                "recomputed": audit.recomputed,
                "consistent": audit.consistent,
                "n": audit.n,
                "evidence": audit.evidence,
                "published_arithmetic": audit.arithmetic,
                "recomputed_from": audit.origin,
            }
        )
    frame = pd.DataFrame(rows, columns=AUDIT_COLUMNS)
    frame["n"] = frame["n"].astype("Int64")
    return frame


def grim_table(means: list[dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for entry in means:
        ok, nearest = grim_consistent(
            entry["mean"], entry["n"], entry["decimals"], entry.get("items", 1)
        )
        rows.append(
            {
                "mean_id": entry["id"],
                "statement": entry.get("statement", ""),
                "source": entry.get("source", ""),
                "mean": entry["mean"],
                "n": entry["n"],
                "decimals": entry["decimals"],
                "items": entry.get("items", 1),
                "grim_consistent": ok,
                "nearest_possible": " or ".join(nearest),
            }
        )
    return pd.DataFrame(rows, columns=GRIM_COLUMNS)
