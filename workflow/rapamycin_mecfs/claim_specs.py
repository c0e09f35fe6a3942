"""The claims file: the statements of the paper that the claims audit recomputes, how each is
recomputed, and the files the audit reads for them. The audit itself is :mod:`claims`.

Each claim names how it is recomputed (``recompute.kind``):

count
    The number of participants in a participant-table set column (``set``).
responders
    Responders / denominator in the responder-table row ``analysis_set``.
categorical
    "The most common value of ``column`` of the source table ``table`` is X"
    (``published: {most_common: X}``), counted in the extracted table. The claim's ``categories``
    map raw values onto categories (the claim decides, never the code); values are compared case-
    and whitespace-insensitively. The claim holds when X's category alone has the largest count: a
    tie is stated, and does not confirm "most common".
direction
    "``outcome`` improved significantly at ``visit`` in ``analysis_set``"
    (``published: {finding: significant_improvement}``, or ``significant_worsening`` or
    ``no_significant_change``), read from the paired-test table, whose estimate is an improvement
    (positive = better). Significant means p < ``analysis/alpha`` of the config.

Example
-------
>>> category = Category.parse("money", {"synonyms": ["cost"], "keywords": ["afford"]})
>>> [category.matches(v) for v in (" COST ", "could not afford it", "affordable", "benefit")]
[True, True, False, False]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cells import normalise_text
from .errors import SupplementError

KINDS = ("count", "responders", "categorical", "direction")
# recompute keys each kind requires (beyond `kind`), and the keys it may have.
REQUIRED_KEYS = {
    "count": ("set",),
    "responders": ("analysis_set",),
    "categorical": ("table", "column"),
    "direction": ("outcome", "analysis_set"),
}
OPTIONAL_KEYS = {
    "count": (),
    "responders": (),
    "categorical": ("categories",),
    "direction": ("visit", "test", "p_adjustment"),
}
# How a category is recognised in a raw value: the whole value (synonyms), a whole word or phrase
# within it (keywords), or a regular expression found in it (patterns); all ignore case.
MATCHERS = ("synonyms", "keywords", "patterns")
# Findings a direction claim may state, and how the audit writes them.
FINDINGS = {
    "significant_improvement": "significant improvement",
    "significant_worsening": "significant worsening",
    "no_significant_change": "no significant change",
}
DEFAULT_TEST = "wilcoxon_signed_rank"
UNADJUSTED = "none"
PAIRED_TESTS = "paired_tests.csv"


def fold_text(text: object) -> str:
    """Text compared case- and whitespace-insensitively."""
    return normalise_text(text).casefold()


@dataclass(frozen=True)
class Category:
    """A category of a categorical claim and the raw values that count as it.

    Attributes
    ----------
    name : str
        The category as the claim names it; the name itself always counts as a synonym.
    synonyms : frozenset of str
        Whole values (folded: case and runs of whitespace ignored) that are this category.
    keywords : tuple of str
        Folded words or phrases; a value containing one as a whole word is this category.
    patterns : tuple of re.Pattern
        Regular expressions (case-insensitive); a value in which one is found is this category.
    """

    name: str
    synonyms: frozenset[str]
    keywords: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]

    @classmethod
    def parse(cls, name: str, spec: Any, where: str = "category") -> Category:
        """A category from the claim's entry: a list of synonyms, or a mapping of matcher lists.

        Parameters
        ----------
        name : str
            The category name.
        spec : list of str, dict or None
            ``[synonym, ...]``, or ``{synonyms: [...], keywords: [...], patterns: [...]}`` (a single
            string stands for a list of one).
        where : str
            Where the entry is, for messages.

        Returns
        -------
        Category

        Raises
        ------
        SupplementError
            Naming every malformed entry and every pattern that is not a regular expression.
        """
        if spec is None:
            spec = {}
        elif isinstance(spec, (list, str)):
            spec = {"synonyms": spec}
        if not isinstance(spec, dict):
            raise SupplementError(
                f"{where}: {spec!r} is not a list or mapping; expected a list of synonyms or "
                f"a mapping with {', '.join(MATCHERS)}"
            )
        problems = [
            f"{where}: unknown key '{key}'; expected {', '.join(MATCHERS)}"
            for key in spec
            if key not in MATCHERS
        ]
        lists: dict[str, list[str]] = {}
        for key in MATCHERS:
            value = spec.get(key) or []
            value = [value] if isinstance(value, str) else value
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.append(
                    f"{where}: {key} {value!r} is not a list of text; expected text items"
                )
                value = []
            lists[key] = value
        patterns = []
        for pattern in lists["patterns"]:
            try:
                patterns.append(re.compile(pattern, re.IGNORECASE))
            except re.error as error:
                problems.append(
                    f"{where}: pattern {pattern!r} is not a regular expression ({error}); "
                    "expected a Python regular expression"
                )
        if problems:
            raise SupplementError(problems)
        return cls(
            name=name,
            synonyms=frozenset(fold_text(s) for s in [name, *lists["synonyms"]]),
            keywords=tuple(fold_text(k) for k in lists["keywords"] if fold_text(k)),
            patterns=tuple(patterns),
        )

    def matches(self, value: object) -> bool:
        """Whether a raw value counts as this category.

        Parameters
        ----------
        value : object
            A raw cell value.

        Returns
        -------
        bool
        """
        folded = fold_text(value)
        if folded in self.synonyms:
            return True
        if any(re.search(rf"(?<!\w){re.escape(k)}(?!\w)", folded) for k in self.keywords):
            return True
        return any(p.search(normalise_text(value)) for p in self.patterns)


def parse_categories(claim: dict[str, Any]) -> list[Category]:
    """The categories of a categorical claim, in the claim's order.

    Parameters
    ----------
    claim : dict
        A claims-file entry of kind categorical.

    Returns
    -------
    list of Category

    Raises
    ------
    SupplementError
        When ``categories`` is not a mapping, an entry is malformed, or two category names are
        the same once case and spacing are ignored.
    """
    spec = claim["recompute"].get("categories") or {}
    where = f"claim {claim['id']}: recompute categories"
    if not isinstance(spec, dict):
        raise SupplementError(
            f"{where}: {spec!r} is not a mapping; expected category name -> synonyms or "
            f"{{{', '.join(MATCHERS)}}}"
        )
    categories, problems, seen = [], [], {}
    for name, entry in spec.items():
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}: category name {name!r} is not text; expected a quoted name")
            continue
        if fold_text(name) in seen:
            problems.append(
                f"{where}: categories '{seen[fold_text(name)]}' and '{name}' are the same name "
                "(case and spacing ignored); expected distinct names"
            )
            continue
        seen[fold_text(name)] = name
        try:
            categories.append(Category.parse(name, entry, f"{where} '{name}'"))
        except SupplementError as error:
            problems.extend(error.problems)
    if problems:
        raise SupplementError(problems)
    return categories


def _claim_problems(claim: dict[str, Any], where: str) -> list[str]:
    """Problems of one claim's shape (kind, recompute keys, published value), config aside."""
    spec, published = claim["recompute"], claim["published"]
    if not isinstance(spec, dict) or spec.get("kind") not in KINDS:
        kind = spec.get("kind") if isinstance(spec, dict) else spec
        return [f"{where}: unknown recompute kind {kind!r}; expected one of {', '.join(KINDS)}"]
    kind = spec["kind"]
    problems = [
        f"{where}: recompute key '{key}' missing; kind {kind} needs "
        f"{', '.join(REQUIRED_KEYS[kind])}"
        for key in REQUIRED_KEYS[kind]
        if not isinstance(spec.get(key), str) or not spec[key].strip()
    ]
    allowed = {"kind", *REQUIRED_KEYS[kind], *OPTIONAL_KEYS[kind]}
    problems += [
        f"{where}: unknown recompute key '{key}' for kind {kind}; expected "
        f"{', '.join(sorted(allowed))}"
        for key in spec
        if key not in allowed
    ]
    if not isinstance(published, dict):
        return problems + [f"{where}: published {published!r} is not a mapping"]
    if kind == "categorical":
        if (
            not isinstance(published.get("most_common"), str)
            or not published["most_common"].strip()
        ):
            problems.append(f"{where}: published needs most_common (the claimed most common value)")
        try:
            parse_categories(claim)
        except SupplementError as error:
            problems.extend(error.problems)
    if kind == "direction":
        if published.get("finding") not in FINDINGS:
            problems.append(
                f"{where}: published finding {published.get('finding')!r}; expected one of "
                f"{', '.join(FINDINGS)}"
            )
        for key in ("visit", "test", "p_adjustment"):
            if key in spec and not isinstance(spec[key], str):
                problems.append(f"{where}: recompute {key} {spec[key]!r} is not text")
    return problems


def load_claims(path: str | Path) -> dict[str, Any]:
    """Read a claims file and check the shape of every claim (config aside).

    Parameters
    ----------
    path : str or Path
        YAML file with ``claims`` and ``means``.

    Returns
    -------
    dict
        ``{"claims": [...], "means": [...]}``.

    Raises
    ------
    SupplementError
        Naming the file, the claim and the problem, for every problem found.
    """
    path = Path(path)
    if not path.exists():
        raise SupplementError(
            f"{path}: claims file not found; expected a YAML file with 'claims' and 'means'"
        )
    from .config import load_yaml

    document = load_yaml(path.read_text(encoding="utf-8")) or {}
    problems = []
    for i, claim in enumerate(document.get("claims", []), start=1):
        missing = [
            k for k in ("id", "statement", "source", "published", "recompute") if k not in claim
        ]
        for key in missing:
            problems.append(
                f"{path} [claims item {i}]: key '{key}' missing; expected id, statement, source, "
                "published, recompute"
            )
        if not missing:
            problems += _claim_problems(claim, f"{path} [claims item {i}, claim {claim['id']}]")
    if problems:
        raise SupplementError(problems)
    return {"claims": document.get("claims", []), "means": document.get("means", [])}


def claim_inputs(config: dict[str, Any], results: str) -> dict[str, list[str]]:
    """Files the claims audit reads beyond the participant and responder tables, for the rule.

    Parameters
    ----------
    config : dict
        The validated config (its claims file already checked).
    results : str
        The results directory.

    Returns
    -------
    dict
        ``tables``: the extracted source tables categorical claims count in (only tables the
        config has; the audit names any other); ``paired_tests``: the paired-test table when a
        direction claim needs it.
    """
    specs = [c["recompute"] for c in load_claims(config["claims"])["claims"]]
    configured = config.get("tables") or {}
    tables = sorted(
        {s["table"] for s in specs if s["kind"] == "categorical" and s["table"] in configured}
    )
    direction = any(s["kind"] == "direction" for s in specs)
    return {
        "tables": [f"{results}/extracted/{table}.csv" for table in tables],
        "paired_tests": [f"{results}/tables/{PAIRED_TESTS}"] if direction else [],
    }


def _config_problems(claim: dict[str, Any], config: dict[str, Any]) -> list[str]:
    """What a categorical or direction claim names that the config does not have."""
    from .plan import StudyPlan

    spec, where = claim["recompute"], f"claim {claim['id']}"
    if spec["kind"] == "categorical":
        tables = config.get("tables") or {}
        if spec["table"] not in tables:
            return [
                f"{where}: recompute table '{spec['table']}' is not a table of the config "
                f"(tables); expected one of {sorted(tables)}"
            ]
        fields = sorted((tables[spec["table"]].get("fields") or {}).values())
        if not fields:
            return [
                f"{where}: recompute table '{spec['table']}' holds outcomes by visit; expected a "
                "table with one value per participant (tables/<table>/fields)"
            ]
        if spec["column"] not in fields:
            return [
                f"{where}: recompute column '{spec['column']}' is not a field of table "
                f"'{spec['table']}'; expected one of {fields}"
            ]
        return []
    if spec["kind"] != "direction":
        return []
    plan, problems = StudyPlan(config), []
    if spec["outcome"] not in plan.analysed_outcomes:
        known = (
            "is not analysed (analysis/outcomes)"
            if spec["outcome"] in plan.outcomes
            else ("is not an outcome of the config (instruments)")
        )
        problems.append(
            f"{where}: recompute outcome '{spec['outcome']}' {known}; expected one of "
            f"{plan.analysed_outcomes}"
        )
    visit = spec.get("visit", plan.final)
    if visit not in plan.follow_ups:
        known = (
            "is the baseline visit"
            if visit == plan.baseline
            else "is not a visit of the config (visits)"
        )
        problems.append(
            f"{where}: recompute visit '{visit}' {known}; expected a follow-up visit, one of "
            f"{plan.follow_ups}"
        )
    methods = (config.get("analysis", {}).get("multiplicity") or {}).get("methods") or []
    adjustment = spec.get("p_adjustment", UNADJUSTED)
    if adjustment != UNADJUSTED and adjustment not in methods:
        problems.append(
            f"{where}: recompute p_adjustment '{adjustment}' is not a multiplicity method of the "
            f"config (analysis/multiplicity/methods); expected {UNADJUSTED} or one of "
            f"{list(methods)}"
        )
    return problems


def check_claims(claims: list[dict[str, Any]], config: dict[str, Any]) -> None:
    """Check that every claim names tables, columns, outcomes and visits the config has.

    Parameters
    ----------
    claims : list of dict
        Claims as `load_claims` returns them.
    config : dict
        The validated config.

    Raises
    ------
    SupplementError
        Naming the claim and what it names that the config lacks, for every such claim.
    """
    problems = [p for claim in claims for p in _config_problems(claim, config)]
    if problems:
        raise SupplementError(problems)
