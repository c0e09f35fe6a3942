"""analysis/paired.py: paired tests per visit x analysis set, checked against scipy and by hand."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from rapamycin_mecfs.analysis.paired import paired_tests
from scipy import stats
from test_analysis_data import MAIN, SETTINGS, VISITS, people_from, wide_from

# Who is in each analysis set, read off the fixture table by hand.
SETS = {
    ("T1", "available_pairs"): ["P01", "P02", "P03", "P04", "P05", "P06", "P07", "P08", "P09"],
    ("T2", "available_pairs"): ["P01", "P02", "P03", "P04", "P05", "P06", "P07", "P09"],
    ("T3", "available_pairs"): ["P01", "P02", "P03", "P04", "P05", "P06", "P09"],
    **{(v, "completers"): ["P01", "P02", "P03", "P04", "P05", "P06"] for v in ("T1", "T2", "T3")},
    **{(v, "enrolled_bocf"): [f"P{i:02d}" for i in range(1, 11)] for v in ("T1", "T2", "T3")},
}
IMPUTED = {"T1": 1, "T2": 2, "T3": 3}  # enrolled_bocf: P10; P08, P10; P07, P08, P10


def expected_pairs(visit: str, set_name: str) -> tuple[np.ndarray, np.ndarray]:
    """Baseline and follow-up arrays of a set, follow-up = baseline where missing (BOCF)."""
    col = VISITS.index(visit)
    base = np.array([MAIN[p][0] for p in SETS[visit, set_name]], dtype=float)
    follow = np.array(
        [MAIN[p][0] if MAIN[p][col] is None else MAIN[p][col] for p in SETS[visit, set_name]],
        dtype=float,
    )
    return base, follow


def signed_rank_sums(d: np.ndarray, drop_zeros: bool) -> tuple[float, float]:
    used = d[d != 0] if drop_zeros else d
    ranks = stats.rankdata(np.abs(used))
    return float(ranks[used > 0].sum()), float(ranks[used < 0].sum())


def walsh_median(d: np.ndarray) -> float:
    averages = [(a + b) / 2 for a, b in itertools.combinations_with_replacement(d, 2)]
    return float(np.median(averages))


@pytest.fixture(scope="module")
def tables():
    wide, people = wide_from(MAIN), people_from()
    return {
        direction: paired_tests(wide, people, direction, VISITS, SETTINGS)
        for direction in ("lower_is_better", "higher_is_better")
    }


def row(table: pd.DataFrame, visit: str, set_name: str, test: str) -> pd.Series:
    match = table[
        (table["visit"] == visit) & (table["analysis_set"] == set_name) & (table["test"] == test)
    ]
    assert len(match) == 1
    return match.iloc[0]


def test_one_row_per_visit_set_and_test(tables):
    table = tables["lower_is_better"]
    assert len(table) == 3 * 3 * 2
    assert set(table["visit"]) == {"T1", "T2", "T3"}
    assert (table["baseline_visit"] == "T0").all()
    assert set(table["analysis_set"]) == {"available_pairs", "completers", "enrolled_bocf"}


@pytest.mark.parametrize("visit, set_name", sorted(SETS))
def test_n_pairs_and_n_imputed(tables, visit, set_name):
    for test in ("wilcoxon_signed_rank", "paired_t"):
        got = row(tables["lower_is_better"], visit, set_name, test)
        assert got["n_pairs"] == len(SETS[visit, set_name])
        assert got["n_imputed"] == (IMPUTED[visit] if set_name == "enrolled_bocf" else 0)


def test_hand_computed_t3_available_pairs(tables):
    # Improvements (lower is better: T0 - T3): 3, 3, 1, 0, -1, 4, 2. Zero dropped; |d| ranks:
    # 1,1 -> 1.5 each; 2 -> 3; 3,3 -> 4.5 each; 4 -> 6. R+ = 4.5 + 4.5 + 1.5 + 6 + 3 = 19.5, R- =
    # 1.5.
    lower = row(tables["lower_is_better"], "T3", "available_pairs", "wilcoxon_signed_rank")
    assert lower["statistic"] == 19.5
    assert lower["mean_improvement"] == pytest.approx(12 / 7)
    assert lower["effect_size"] == pytest.approx((19.5 - 1.5) / 21)
    higher = row(tables["higher_is_better"], "T3", "available_pairs", "wilcoxon_signed_rank")
    assert higher["statistic"] == 1.5
    assert higher["mean_improvement"] == pytest.approx(-12 / 7)
    assert higher["p_value"] == pytest.approx(lower["p_value"], rel=1e-12)
    assert higher["estimate"] == pytest.approx(-lower["estimate"])
    assert lower["zero_handling"].startswith("1 zero differences dropped")


@pytest.mark.parametrize("direction, sign", [("lower_is_better", -1.0), ("higher_is_better", 1.0)])
@pytest.mark.parametrize("visit, set_name", sorted(SETS))
def test_wilcoxon_row_matches_scipy(tables, direction, sign, visit, set_name):
    base, follow = expected_pairs(visit, set_name)
    improvement = sign * (follow - base)
    bocf = set_name == "enrolled_bocf"
    got = row(tables[direction], visit, set_name, "wilcoxon_signed_rank")

    r_plus, r_minus = signed_rank_sums(improvement, drop_zeros=not bocf)
    assert got["statistic"] == pytest.approx(r_plus)
    # BOCF: Pratt without continuity correction, as R's coin::wilcoxsign_test.
    reference = stats.wilcoxon(
        improvement, method="approx", correction=not bocf, zero_method="pratt" if bocf else "wilcox"
    )
    assert reference.statistic == pytest.approx(min(r_plus, r_minus))  # scipy's two-sided statistic
    assert got["p_value"] == pytest.approx(reference.pvalue, rel=1e-10)
    # The rank-biserial r over all ranks used: under BOCF the zeros' ranks count too.
    n_ranked = len(improvement) if bocf else int((improvement != 0).sum())
    assert got["effect_size"] == pytest.approx((r_plus - r_minus) / (n_ranked * (n_ranked + 1) / 2))

    # Hodges-Lehmann: zeros dropped (as R) except under BOCF, where they are kept.
    used = improvement if bocf else improvement[improvement != 0]
    assert got["estimate"] == pytest.approx(walsh_median(used))
    if np.isnan(
        got["ci_low"]
    ):  # too few differences for a 95% interval (documented: NaN, not widened)
        assert np.isnan(got["ci_high"]) and "CI not achievable" in got["method"]
        assert len(used) <= 6
    else:
        assert got["ci_low"] <= got["estimate"] <= got["ci_high"]

    assert got["mean_improvement"] == pytest.approx(improvement.mean())
    n_zero = int((improvement == 0).sum())
    assert got["zero_handling"].startswith(f"{n_zero} zero differences")


@pytest.mark.parametrize("direction, sign", [("lower_is_better", -1.0), ("higher_is_better", 1.0)])
@pytest.mark.parametrize("visit, set_name", sorted(SETS))
def test_paired_t_row_matches_scipy(tables, direction, sign, visit, set_name):
    base, follow = expected_pairs(visit, set_name)
    improvement = sign * (follow - base)
    got = row(tables[direction], visit, set_name, "paired_t")
    reference = stats.ttest_1samp(improvement, 0.0)
    ci = reference.confidence_interval(0.95)
    assert got["statistic"] == pytest.approx(reference.statistic, rel=1e-10)
    assert got["p_value"] == pytest.approx(reference.pvalue, rel=1e-10)
    assert got["df"] == len(improvement) - 1
    assert got["estimate"] == pytest.approx(improvement.mean())
    assert got["ci_low"] == pytest.approx(ci.low) and got["ci_high"] == pytest.approx(ci.high)
    assert got["effect_size"] == pytest.approx(improvement.mean() / improvement.std(ddof=1))


@pytest.mark.parametrize("visit, set_name", sorted(SETS))
def test_describe_columns(tables, visit, set_name):
    base, follow = expected_pairs(visit, set_name)
    got = row(tables["lower_is_better"], visit, set_name, "wilcoxon_signed_rank")
    for name, values in (("baseline", base), ("follow_up", follow)):
        assert got[f"{name}_median"] == pytest.approx(np.percentile(values, 50))
        assert got[f"{name}_q1"] == pytest.approx(np.percentile(values, 25))
        assert got[f"{name}_q3"] == pytest.approx(np.percentile(values, 75))
        assert got[f"{name}_mean"] == pytest.approx(values.mean())
        assert got[f"{name}_sd"] == pytest.approx(values.std(ddof=1))


def test_bocf_keeps_imputed_zeros_in_the_test(tables):
    # T3 BOCF: 3, 3, 1, 0, -1, 4, 0, 0, 2, 0 -> Pratt ranks the four zeros (ranks 1-4, no sign),
    # so the p-value differs from dropping them (which would reproduce the 7 available pairs).
    got = row(tables["lower_is_better"], "T3", "enrolled_bocf", "wilcoxon_signed_rank")
    improvement = np.array([3, 3, 1, 0, -1, 4, 0, 0, 2, 0], dtype=float)
    dropped = stats.wilcoxon(
        improvement, method="approx", correction=True, zero_method="wilcox"
    ).pvalue
    assert got["p_value"] != pytest.approx(dropped)
    assert got["zero_handling"].startswith("4 zero differences ranked")


def test_visit_without_pairs_gives_not_computed_rows():
    values = {pid: [series[0], series[1], None, series[3]] for pid, series in MAIN.items()}
    table = paired_tests(wide_from(values), people_from(), "lower_is_better", VISITS, SETTINGS)
    for set_name in ("available_pairs", "completers"):
        for test in ("wilcoxon_signed_rank", "paired_t"):
            got = row(table, "T2", set_name, test)
            assert got["n_pairs"] == 0 and np.isnan(got["p_value"])
            assert got["method"] == "not computed: no pairs"
    bocf = row(table, "T2", "enrolled_bocf", "wilcoxon_signed_rank")
    assert bocf["n_pairs"] == 10 and bocf["n_imputed"] == 10 and np.isnan(bocf["p_value"])
