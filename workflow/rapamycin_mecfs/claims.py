"""Claims audit: the paper's published numbers against the same numbers recomputed from the data,
and GRIM checks of reported means of integer-valued scores."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .errors import SupplementError

AUDIT_COLUMNS = [
    "claim_id",
    "statement",
    "source",
    "published",
    "recomputed",
    "consistent",
    "published_arithmetic",
    "recomputed_from",
]
GRIM_COLUMNS = ["mean_id", "statement", "source", "mean", "n", "decimals", "items", "grim_consistent", "nearest_possible"]


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


def load_claims(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.exists():
        raise SupplementError(f"{path}: claims file not found; expected a YAML file with 'claims' and 'means'")
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    problems = []
    for i, claim in enumerate(document.get("claims", []), start=1):
        for key in ("id", "statement", "source", "published", "recompute"):
            if key not in claim:
                problems.append(f"{path} [claims item {i}]: key '{key}' missing; expected id, statement, source, published, recompute")
    if problems:
        raise SupplementError(problems)
    return {"claims": document.get("claims", []), "means": document.get("means", [])}


def _format(published: dict[str, Any]) -> str:
    if "count" in published:
        return str(published["count"])
    text = f"{published['numerator']}/{published['denominator']}"
    return text + (f" ({published['percent']}%)" if "percent" in published else "")


def recompute(claim: dict[str, Any], participants: pd.DataFrame, responders: pd.DataFrame | None) -> tuple[dict[str, Any], str]:
    """The recomputed value (same shape as `published`) and where it came from.

    `responders` is None when the study has no responder rule: a responder claim then names that.
    """
    spec = claim["recompute"]
    if spec["kind"] == "count":
        column = spec["set"]
        if column not in participants:
            raise SupplementError(f"claim {claim['id']}: recompute set '{column}' is not a participant-table column")
        flags = participants[column].astype(str).str.lower() == "true"
        return {"count": int(flags.sum())}, f"participants.csv: number of rows with {column} = True"
    if spec["kind"] == "responders":
        if responders is None:
            raise SupplementError(
                f"claim {claim['id']}: recomputes a responder proportion, but no responder rule is configured "
                "(analysis/responders); expected a rule, or no responder claim"
            )
        row = responders[responders["analysis_set"] == spec["analysis_set"]]
        if row.empty:
            raise SupplementError(f"claim {claim['id']}: no responder row for analysis set '{spec['analysis_set']}'")
        k, n = int(row["responders"].iloc[0]), int(row["n"].iloc[0])
        decimals = claim["published"].get("decimals", 1)
        percent = float(round_half_up(100 * k / n, decimals)) if n else math.nan
        return {"numerator": k, "denominator": n, "percent": percent}, (
            f"responders.csv: analysis set {spec['analysis_set']} ({row['rule'].iloc[0]})"
        )
    raise SupplementError(f"claim {claim['id']}: unknown recompute kind '{spec['kind']}'; expected count or responders")


def audit_claims(claims: list[dict[str, Any]], participants: pd.DataFrame, responders: pd.DataFrame | None) -> pd.DataFrame:
    rows = []
    for claim in claims:
        published = claim["published"]
        value, origin = recompute(claim, participants, responders)
        keys = ["count"] if "count" in published else ["numerator", "denominator"]
        arithmetic = ""
        if "percent" in published:
            expected = round_half_up(100 * published["numerator"] / published["denominator"], published.get("decimals", 1))
            arithmetic = "consistent" if Decimal(str(published["percent"])) == expected else f"inconsistent (numerator/denominator gives {expected}%)"
        rows.append(
            {
                "claim_id": claim["id"],
                "statement": claim["statement"],
                "source": claim["source"],
                "published": _format(published),
                "recomputed": _format(value),
                "consistent": all(published[k] == value[k] for k in keys),
                "published_arithmetic": arithmetic,
                "recomputed_from": origin,
            }
        )
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def grim_table(means: list[dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for entry in means:
        ok, nearest = grim_consistent(entry["mean"], entry["n"], entry["decimals"], entry.get("items", 1))
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
