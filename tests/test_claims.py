"""Claims audit and GRIM, against hand calculations."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import yaml
from rapamycin_mecfs.claim_specs import load_claims
from rapamycin_mecfs.claims import audit_claims, grim_consistent, grim_table
from rapamycin_mecfs.errors import SupplementError


def test_grim_flags_the_textbook_inconsistent_mean():
    # Brown & Heathers: 28 integer scores sum to an integer k; 145/28 = 5.1786 and 146/28 = 5.2143,
    # so a mean reported as 5.19 is impossible, and 5.18 is possible.
    ok, nearest = grim_consistent(5.19, 28, 2)
    assert not ok and nearest == ["5.18", "5.21"]
    assert grim_consistent(5.18, 28, 2)[0]
    assert grim_consistent(5.21, 28, 2)[0]


def test_grim_counts_items_per_person():
    # 10 people x 3 items = 30 integers: 3.43 is 103/30 = 3.4333; with one item only tenths are
    # possible.
    assert grim_consistent(3.43, 10, 2, items=3)[0]
    assert not grim_consistent(3.43, 10, 2, items=1)[0]


def test_grim_rounds_half_up_as_papers_do():
    # 5/8 = 0.625 must round to 0.63 (half up), although binary floats and banker's rounding give
    # 0.62.
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
    {
        "analysis_set": ["completers", "reached_first_follow_up_locf"],
        "responders": [2, 3],
        "n": [2, 4],
        "rule": ["r", "r"],
    }
)


def test_counts_and_proportions_are_recomputed_and_compared():
    claims = [
        {
            "id": "started",
            "statement": "6 started",
            "source": "s",
            "published": {"count": 6},
            "recompute": {"kind": "count", "set": "set_enrolled"},
        },
        {
            "id": "t1",
            "statement": "5 reached T1",
            "source": "s",
            "published": {"count": 5},
            "recompute": {"kind": "count", "set": "set_reached_first_follow_up"},
        },
        {
            "id": "rec",
            "statement": "3/4 (75%)",
            "source": "s",
            "published": {"numerator": 3, "denominator": 4, "percent": 75.0, "decimals": 1},
            "recompute": {"kind": "responders", "analysis_set": "reached_first_follow_up_locf"},
        },
        {
            "id": "bad_pct",
            "statement": "2/3 (67.0%)",
            "source": "s",
            "published": {"numerator": 2, "denominator": 3, "percent": 67.0, "decimals": 1},
            "recompute": {"kind": "responders", "analysis_set": "completers"},
        },
    ]
    audit = audit_claims(claims, participants(), RESPONDERS).set_index("claim_id")
    assert audit.loc["started", "recomputed"] == "6" and audit.loc["started", "consistent"]
    assert audit.loc["t1", "recomputed"] == "4" and not audit.loc["t1", "consistent"]
    assert audit.loc["rec", "recomputed"] == "3/4 (75.0%)" and audit.loc["rec", "consistent"]
    assert audit.loc["rec", "published_arithmetic"] == "consistent"
    # 2/3 = 66.666...% rounds to 66.7, not 67.0; and the data give 2/2.
    assert audit.loc["bad_pct", "published_arithmetic"].startswith(
        "inconsistent (numerator/denominator gives 66.7%)"
    )
    assert (
        audit.loc["bad_pct", "recomputed"] == "2/2 (100.0%)"
        and not audit.loc["bad_pct", "consistent"]
    )


def test_shipped_claims_file_lists_the_published_numbers():
    document = load_claims("resources/published_claims.yaml")
    published = {c["id"]: c["published"] for c in document["claims"]}
    assert published["started"] == {"count": 86}
    assert published["reached_t1"] == {"count": 70}
    assert (
        published["recovered_of_t1"]["numerator"] == 52
        and published["recovered_of_t1"]["denominator"] == 70
    )
    assert published["completed_90_days"] == {"count": 46}
    assert published["analysed"] == {"count": 40}
    assert (
        published["strong_recovery"]["numerator"],
        published["strong_recovery"]["denominator"],
    ) == (29, 40)
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


# --- categorical and direction claims ------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
SEED, N_PARTICIPANTS = 20250523, 86  # how resources/supplementary was generated (its README)


def small_config(alpha=0.05):
    """A two-instrument study: a scored outcome, a marker without direction, a table of stops."""
    scale = {"label": "Score", "unit": "points", "min": 0, "max": 10, "step": 1}
    return {
        "visits": [{"id": "pre"}, {"id": "mid"}, {"id": "post"}],
        "instruments": {
            "scale": {
                "table": "scores",
                "label": "Scale",
                "outcomes": {
                    "score": {**scale, "direction": "lower_is_better"},
                    "marker": {**scale, "direction": "none"},
                },
            }
        },
        "tables": {
            "scores": {
                "file": "s.xlsx",
                "id_header": "ID",
                "outcomes": {"Score": "score"},
                "visits": {"Pre": "pre", "Post": "post"},
            },
            "stops": {"file": "s.pdf", "id_header": "ID", "fields": {"Why": "why", "When": "when"}},
        },
        "missing_tokens": ["", "NA", "-"],
        "analysis": {"alpha": alpha, "confidence": 0.95, "multiplicity": {"methods": ["holm"]}},
    }


def stops(values):
    """An extracted table of one field, one row per value, as results/extracted/<table>.csv."""
    return pd.DataFrame(
        {
            "raw_participant_id": [f"P{i}" for i in range(len(values))],
            "outcome": "why",
            "visit": "",
            "raw_value": values,
        }
    )


def categorical(claim_id, most_common, categories=None, table="stops", column="why"):
    recompute = {"kind": "categorical", "table": table, "column": column}
    if categories is not None:
        recompute["categories"] = categories
    return {
        "id": claim_id,
        "statement": f"most stopped because of {most_common}",
        "source": "s",
        "published": {"most_common": most_common},
        "recompute": recompute,
    }


def direction(claim_id, finding="significant_improvement", **recompute):
    return {
        "id": claim_id,
        "statement": "the score improved significantly",
        "source": "s",
        "published": {"finding": finding},
        "recompute": {
            "kind": "direction",
            "outcome": "score",
            "analysis_set": "completers",
            **recompute,
        },
    }


def audit_one(claim, config=None, **inputs):
    frame = audit_claims([claim], participants(), None, config=config or small_config(), **inputs)
    return frame.iloc[0]


def test_categorical_claim_on_the_synthetic_supplement_shows_the_counts_behind_it(tmp_path):
    from rapamycin_mecfs.atomic import read_csv, write_csv
    from rapamycin_mecfs.cells import IdNormaliser
    from rapamycin_mecfs.config import check_config
    from rapamycin_mecfs.extract import extract_table
    from rapamycin_mecfs.synthetic import simulate_cohort

    config = check_config(yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8")))
    spec = config["tables"]["discontinuations"]
    extracted = extract_table("discontinuations", spec, IdNormaliser(**config["participant_ids"]))
    write_csv(extracted, tmp_path / "discontinuations.csv")  # round trip, as between jobs
    table = read_csv(tmp_path / "discontinuations.csv")

    # Independently: the generator's own participants (before any writing or reading), counted.
    cohort = simulate_cohort(N_PARTICIPANTS, SEED).participants
    stopped = cohort[cohort["stop_reason"].notna()]
    truth = Counter(stopped["stop_reason"])
    # The counts its docstring documents for N = 86; the table holds exactly these people.
    assert truth == {"Lack of perceived benefit": 18, "Side effects": 11, "Cost": 7, "Other": 4}
    reasons = table[table["outcome"] == "reason"]
    assert sorted(zip(reasons["raw_participant_id"], reasons["raw_value"])) == sorted(
        zip(stopped["participant_id"], stopped["stop_reason"])
    )

    claims = {c["id"]: c for c in load_claims(ROOT / "resources/published_claims.yaml")["claims"]}
    claim = claims["stop_reason_financial"]
    row = audit_claims(
        [claim], participants(), None, tables={"discontinuations": table}, config=config
    ).iloc[0]
    # The claim's mapping: "Cost" is a financial barrier; the other reasons keep their names.
    shown = {"Cost": "Financial barriers"}
    ordered = sorted(truth.items(), key=lambda item: (-item[1], shown.get(item[0], item[0])))
    parts = [f"{shown[r]} {k} [{r} {k}]" if r in shown else f"{r} {k}" for r, k in ordered]
    n = sum(truth.values())
    top, top_count = ordered[0]
    assert row["kind"] == "categorical"
    assert row["published"] == "most common: financial barriers"
    assert row["recomputed"] == f"{top} ({top_count} of {n})"
    assert row["recomputed"] == "Lack of perceived benefit (18 of 40)"
    assert row["n"] == n == 40
    assert row["evidence"] == (
        "; ".join(parts) + f". claimed: Financial barriers, {truth['Cost']} of {n}, rank 3"
    )
    assert row["evidence"].startswith(
        "Lack of perceived benefit 18; Side effects 11; Financial barriers 7 [Cost 7]; Other 4"
    )
    assert not row["consistent"]
    assert (
        "discontinuations.csv: column reason, 40 non-missing values in 40 rows"
        in row["recomputed_from"]
    )


def test_a_tie_is_stated_and_does_not_confirm_the_claim():
    # By hand: Alpha 3 (Alpha x2, "alpha " x1), Beta 3 (Beta x2, beta x1), Gamma 1; NA and "" are
    # missing tokens, left out: n = 7.
    values = ["Alpha", "alpha ", "Beta", "Gamma", "beta", "Alpha", "NA", "", "Beta"]
    row = audit_one(categorical("tied", "ALPHA"), tables={"stops": stops(values)})
    assert row["recomputed"] == "tie: Alpha and Beta (3 each of 7)"
    assert row["n"] == 7 and not row["consistent"]
    assert row["evidence"] == (
        "Alpha 3; Beta 3; Gamma 1. 2 missing value(s) left out. tie for the largest count between "
        "Alpha and Beta. a tie does not make the claimed value the most common. claimed: Alpha, "
        "3 of 7, rank 1"
    )
    # The unique most common value, written in another case and spacing, holds.
    held = audit_one(categorical("alone", "  beta "), tables={"stops": stops(values + ["BETA"])})
    assert held["recomputed"] == "Beta (4 of 8)" and held["consistent"]
    assert held["evidence"] == "Beta 4; Alpha 3; Gamma 1. 2 missing value(s) left out"


def test_synonyms_keywords_and_patterns_map_raw_values_onto_the_claimed_category():
    categories = {
        "Money": {"synonyms": ["financial"], "keywords": ["cost", "costs", "afford"]},
        "Side effects": {"patterns": [r"^side[- ]effects?\b", r"\bnausea\b"]},
        "No benefit": ["lack of benefit", "did not help"],
    }
    values = [
        "Cost",
        "  COSTS ",
        "financial",
        "Could not afford the drug",  # Money 4
        "Side effects",
        "side-effect: rash",
        "Nausea",  # Side effects 3
        "Did not help",
        "lack of  benefit",  # No benefit 2
        "Moved away",
        "Costa Rica trip",  # unmapped: "cost" is not a whole word in "Costa"
    ]
    claim = categorical("money", "could not afford", categories)
    row = audit_one(claim, tables={"stops": stops(values)})
    assert row["published"] == "most common: could not afford (category Money)"
    assert row["recomputed"] == "Money (4 of 11)" and row["consistent"] and row["n"] == 11
    assert row["evidence"] == (
        "Money 4 [Cost 1, COSTS 1, Could not afford the drug 1, financial 1]; "
        "Side effects 3 [Nausea 1, Side effects 1, side-effect: rash 1]; "
        "No benefit 2 [Did not help 1, lack of benefit 1]; Costa Rica trip 1; Moved away 1"
    )
    # Without the mapping every spelling counts as written (case and spacing ignored).
    plain = audit_one(categorical("plain", "cost"), tables={"stops": stops(values)})
    assert plain["recomputed"].startswith("tie: ") and not plain["consistent"]
    assert plain["evidence"].startswith("Cost 1; Costa Rica trip 1; COSTS 1; Could not afford")


def test_a_value_two_categories_match_is_an_error_naming_the_claim():
    categories = {"Money": {"keywords": ["cost"]}, "Travel": {"keywords": ["travel"]}}
    claim = categorical("overlap", "money", categories)
    with pytest.raises(
        SupplementError,
        match=r"claim overlap: .*value 'travel cost' matches "
        r"categories \['Money', 'Travel'\]",
    ):
        audit_one(claim, tables={"stops": stops(["travel cost", "cost"])})


def paired_frame():
    """A hand-built paired_tests.csv (text, as read_csv gives it): estimate > 0 = improvement."""
    rows = [
        # outcome, visit, set, test, n_pairs, estimate, p_value, p_holm
        ("score", "post", "completers", "wilcoxon_signed_rank", 12, 1.5, 0.004, 0.02),
        ("score", "post", "completers", "paired_t", 12, 1.2, 0.03, 0.09),
        ("score", "mid", "completers", "wilcoxon_signed_rank", 15, -2.0, 0.001, 0.004),
        ("score", "post", "available_pairs", "wilcoxon_signed_rank", 20, 0.5, 0.2, 0.6),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "outcome",
            "visit",
            "analysis_set",
            "test",
            "n_pairs",
            "estimate",
            "p_value",
            "p_holm",
        ],
    )
    frame["baseline_visit"] = "pre"
    frame["estimate_name"] = "improvement"
    frame["ci_low"], frame["ci_high"] = frame["estimate"] - 1, frame["estimate"] + 1
    frame["family_size"] = 4
    frame["family"] = "analysis_set, test"
    return frame.astype(str)


def test_direction_claim_is_read_from_the_paired_tests_with_its_sign_convention():
    paired = {"paired_tests": paired_frame()}
    # Default visit: the last; default test: Wilcoxon; unadjusted p 0.004 < 0.05, estimate 1.5 > 0.
    row = audit_one(direction("improved"), **paired)
    assert row["kind"] == "direction" and row["n"] == 12 and row["consistent"]
    assert row["published"] == "significant improvement"
    assert row["recomputed"] == "significant improvement (p_value = 0.004 < 0.05)"
    assert row["evidence"] == (
        "wilcoxon_signed_rank: improvement 1.5 (95% CI 0.5 to 2.5); p_value = 0.004 (unadjusted); "
        "alpha 0.05; n = 12 pairs; estimate > 0 = improvement"
    )
    assert row["recomputed_from"] == (
        "paired_tests.csv: outcome score, visit post vs pre, analysis set completers, "
        "test wilcoxon_signed_rank, p_value"
    )
    # Holm-adjusted 0.02 still < 0.05; the paired t's adjusted 0.09 is not.
    assert audit_one(direction("holm", p_adjustment="holm"), **paired)["consistent"]
    t_holm = audit_one(direction("t", test="paired_t", p_adjustment="holm"), **paired)
    assert not t_holm["consistent"]
    assert t_holm["recomputed"] == "no significant change (p_holm = 0.09 >= 0.05)"
    assert "adjusted within its family of 4 tests" in t_holm["evidence"]
    # A negative estimate is a worsening, whatever the scale's direction (the table flipped it).
    mid = audit_one(direction("mid", visit="mid"), **paired)
    assert mid["recomputed"] == "significant worsening (p_value = 0.001 < 0.05)"
    assert not mid["consistent"]
    worse = direction("mid2", "significant_worsening", visit="mid")
    assert audit_one(worse, **paired)["consistent"]
    # alpha comes from the config: at 0.001 the Wilcoxon p 0.004 is not significant.
    strict = audit_one(direction("strict"), config=small_config(alpha=0.001), **paired)
    assert strict["recomputed"] == "no significant change (p_value = 0.004 >= 0.001)"
    assert audit_one(
        direction("none", "no_significant_change", analysis_set="available_pairs"), **paired
    )["consistent"]


def test_claims_naming_what_the_config_lacks_are_errors_naming_each_claim():
    claims = [
        direction("no_such_outcome", outcome="nope"),
        direction("a_marker", outcome="marker"),
        direction("no_such_visit", visit="later"),
        direction("at_baseline", visit="pre"),
        direction("bad_adjustment", p_adjustment="bonferroni"),
        categorical("no_such_table", "x", table="nope"),
        categorical("no_such_column", "x", column="reason"),
        categorical("by_visit", "x", table="scores", column="score"),
    ]
    with pytest.raises(SupplementError) as error:
        audit_claims(claims, participants(), None, config=small_config())
    assert error.value.problems == [
        "claim no_such_outcome: recompute outcome 'nope' is not an outcome of the config "
        "(instruments); expected one of ['score']",
        "claim a_marker: recompute outcome 'marker' is not analysed (analysis/outcomes); expected "
        "one of ['score']",
        "claim no_such_visit: recompute visit 'later' is not a visit of the config (visits); "
        "expected a follow-up visit, one of ['mid', 'post']",
        "claim at_baseline: recompute visit 'pre' is the baseline visit; expected a follow-up "
        "visit, one of ['mid', 'post']",
        "claim bad_adjustment: recompute p_adjustment 'bonferroni' is not a multiplicity method "
        "of the config (analysis/multiplicity/methods); expected none or one of ['holm']",
        "claim no_such_table: recompute table 'nope' is not a table of the config (tables); "
        "expected one of ['scores', 'stops']",
        "claim no_such_column: recompute column 'reason' is not a field of table 'stops'; "
        "expected one of ['when', 'why']",
        "claim by_visit: recompute table 'scores' holds outcomes by visit; expected a table with "
        "one value per participant (tables/<table>/fields)",
    ]


def test_a_set_or_test_the_paired_tests_lack_is_named():
    claim = direction("no_set", analysis_set="everyone")
    with pytest.raises(
        SupplementError,
        match=r"claim no_set: paired_tests.csv has no row with "
        r"analysis_set 'everyone' .*expected one of "
        r"\['available_pairs', 'completers'\]",
    ):
        audit_one(claim, paired_tests=paired_frame())


def test_claims_file_shape_errors_name_the_claim(tmp_path):
    path = tmp_path / "claims.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "claims": [
                    {
                        **categorical("no_column", "x"),
                        "recompute": {"kind": "categorical", "table": "stops"},
                    },
                    categorical("bad_regex", "x", {"Money": {"patterns": ["(cost"]}}),
                    categorical("bad_matcher", "x", {"Money": {"words": ["cost"]}}),
                    direction("bad_finding", finding="improved"),
                    {**direction("typo"), "recompute": {"kind": "directon"}},
                ]
            }
        )
    )
    with pytest.raises(SupplementError) as error:
        load_claims(path)
    problems = "\n".join(error.value.problems)
    assert (
        "claim no_column]: recompute key 'column' missing; kind categorical needs table, "
        "column" in problems
    )
    assert (
        "claim bad_regex: recompute categories 'Money': pattern '(cost' is not a regular "
        "expression" in problems
    )
    assert "claim bad_matcher: recompute categories 'Money': unknown key 'words'" in problems
    assert (
        "claim bad_finding]: published finding 'improved'; expected one of "
        "significant_improvement, significant_worsening, no_significant_change" in problems
    )
    assert "claim typo]: unknown recompute kind 'directon'" in problems
    assert len(error.value.problems) == 5


def test_shipped_claims_file_has_the_categorical_and_direction_claims():
    claims = {c["id"]: c for c in load_claims(ROOT / "resources/published_claims.yaml")["claims"]}
    stop = claims["stop_reason_financial"]
    assert stop["source"] == "preprint"
    assert stop["published"] == {"most_common": "financial barriers"}
    assert stop["recompute"]["table"] == "discontinuations"
    assert stop["recompute"]["column"] == "reason"
    improved = claims["pem_improved_completers"]
    assert improved["published"] == {"finding": "significant_improvement"}
    assert improved["recompute"]["analysis_set"] == "completers"


def test_the_rule_reads_the_extracted_tables_and_paired_tests_the_claims_need():
    from rapamycin_mecfs.claim_specs import claim_inputs
    from rapamycin_mecfs.config import check_config

    config = check_config(yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8")))
    assert claim_inputs(config, "out") == {
        "tables": ["out/extracted/discontinuations.csv"],
        "paired_tests": ["out/tables/paired_tests.csv"],
    }
