"""Claims audit and GRIM, against hand calculations."""

from __future__ import annotations

import pandas as pd
import pytest

from rapamycin_mecfs.claims import audit_claims, grim_consistent, grim_table, load_claims
from rapamycin_mecfs.errors import SupplementError


def test_grim_flags_the_textbook_inconsistent_mean():
    # Brown & Heathers: 28 integer scores sum to an integer k; 145/28 = 5.1786 and 146/28 = 5.2143,
    # so a mean reported as 5.19 is impossible, and 5.18 is possible.
    ok, nearest = grim_consistent(5.19, 28, 2)
    assert not ok and nearest == ["5.18", "5.21"]
    assert grim_consistent(5.18, 28, 2)[0]
    assert grim_consistent(5.21, 28, 2)[0]


def test_grim_counts_items_per_person():
    # 10 people x 3 items = 30 integers: 3.43 is 103/30 = 3.4333; with one item only tenths are possible.
    assert grim_consistent(3.43, 10, 2, items=3)[0]
    assert not grim_consistent(3.43, 10, 2, items=1)[0]


def test_grim_rounds_half_up_as_papers_do():
    # 5/8 = 0.625 must round to 0.63 (half up), although binary floats and banker's rounding give 0.62.
    assert grim_consistent(0.63, 8, 2)[0]


def participants(n_enrolled=6, reached=(1, 1, 1, 1, 0, 0), completers=(1, 1, 0, 0, 0, 0)):
    return pd.DataFrame(
        {
            "participant_id": [f"P{i}" for i in range(n_enrolled)],
            "set_enrolled": ["True"] * n_enrolled,
            "set_reached_first_follow_up": [str(bool(x)) for x in reached],
            "set_completers": [str(bool(x)) for x in completers],
        }
    )


RESPONDERS = pd.DataFrame(
    {"analysis_set": ["completers", "reached_first_follow_up_locf"], "responders": [2, 3], "n": [2, 4], "rule": ["r", "r"]}
)


def test_counts_and_proportions_are_recomputed_and_compared():
    claims = [
        {"id": "started", "statement": "6 started", "source": "s", "published": {"count": 6}, "recompute": {"kind": "count", "set": "set_enrolled"}},
        {"id": "t1", "statement": "5 reached T1", "source": "s", "published": {"count": 5}, "recompute": {"kind": "count", "set": "set_reached_first_follow_up"}},
        {"id": "rec", "statement": "3/4 (75%)", "source": "s", "published": {"numerator": 3, "denominator": 4, "percent": 75.0, "decimals": 1}, "recompute": {"kind": "responders", "analysis_set": "reached_first_follow_up_locf"}},
        {"id": "bad_pct", "statement": "2/3 (67.0%)", "source": "s", "published": {"numerator": 2, "denominator": 3, "percent": 67.0, "decimals": 1}, "recompute": {"kind": "responders", "analysis_set": "completers"}},
    ]
    audit = audit_claims(claims, participants(), RESPONDERS).set_index("claim_id")
    assert audit.loc["started", "recomputed"] == "6" and audit.loc["started", "consistent"]
    assert audit.loc["t1", "recomputed"] == "4" and not audit.loc["t1", "consistent"]
    assert audit.loc["rec", "recomputed"] == "3/4 (75.0%)" and audit.loc["rec", "consistent"]
    assert audit.loc["rec", "published_arithmetic"] == "consistent"
    # 2/3 = 66.666...% rounds to 66.7, not 67.0; and the data give 2/2.
    assert audit.loc["bad_pct", "published_arithmetic"].startswith("inconsistent (numerator/denominator gives 66.7%)")
    assert audit.loc["bad_pct", "recomputed"] == "2/2 (100.0%)" and not audit.loc["bad_pct", "consistent"]


def test_shipped_claims_file_lists_the_published_numbers():
    document = load_claims("resources/published_claims.yaml")
    published = {c["id"]: c["published"] for c in document["claims"]}
    assert published["started"] == {"count": 86}
    assert published["reached_t1"] == {"count": 70}
    assert published["recovered_of_t1"]["numerator"] == 52 and published["recovered_of_t1"]["denominator"] == 70
    assert published["completed_90_days"] == {"count": 46}
    assert published["analysed"] == {"count": 40}
    assert (published["strong_recovery"]["numerator"], published["strong_recovery"]["denominator"]) == (29, 40)
    # The published percentages are the fractions rounded: 52/70 = 74.29 -> 74.3; 29/40 = 72.5.
    assert round(100 * 52 / 70, 1) == published["recovered_of_t1"]["percent"]
    assert 100 * 29 / 40 == published["strong_recovery"]["percent"]


def test_grim_table_and_bad_claims_file(tmp_path):
    table = grim_table([{"id": "m1", "mean": 5.19, "n": 28, "decimals": 2}])
    assert table.loc[0, "grim_consistent"] == False  # noqa: E712 - a numpy bool
    path = tmp_path / "claims.yaml"
    path.write_text("claims:\n  - id: x\n    statement: y\n")
    with pytest.raises(SupplementError, match=r"claims item 1\]: key 'source' missing"):
        load_claims(path)
