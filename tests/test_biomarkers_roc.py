"""biomarkers/roc.py and the ROC table: AUC = U/(n1 n2), and a reproducible seeded bootstrap CI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rapamycin_mecfs.biomarkers.responders import roc_auc
from rapamycin_mecfs.biomarkers.roc import _BATCH, auc_from_u, bootstrap_auc_ci
from rapamycin_mecfs.stats.association import mann_whitney
from scipy import stats
from scipy.stats import mannwhitneyu
from sklearn.metrics import roc_auc_score

# Ties within and across groups on purpose (ELISA values at LLOQ/2 tie).
RESPONDERS = np.array([0.025, 0.31, 0.12, 0.44, 0.025, 0.27, 0.12, 0.5, 0.38])
OTHERS = np.array([0.025, 0.09, 0.12, 0.2, 0.025, 0.15, 0.31, 0.11])
SEED, RESAMPLES = 20250523, 2000


def sklearn_auc(positives, negatives) -> float:
    y = np.r_[np.ones(len(positives)), np.zeros(len(negatives))]
    return roc_auc_score(y, np.r_[positives, negatives])


def pair_auc(positives, negatives) -> float:
    difference = positives[:, None] - negatives[None, :]
    return float(np.mean((difference > 0) + 0.5 * (difference == 0)))


def test_auc_equals_u_over_n1_n2_and_sklearn():
    u = mannwhitneyu(
        RESPONDERS, OTHERS, alternative="two-sided", use_continuity=True, method="asymptotic"
    ).statistic
    n1, n2 = RESPONDERS.size, OTHERS.size
    # Hand count: pairs with the responder higher, ties counted 1/2.
    by_hand = sum((p > q) + 0.5 * (p == q) for p in RESPONDERS for q in OTHERS)
    assert u == by_hand
    assert auc_from_u(u, n1, n2) == pytest.approx(u / (n1 * n2), abs=1e-15)
    assert auc_from_u(mann_whitney(RESPONDERS, OTHERS)["U"], n1, n2) == pytest.approx(
        sklearn_auc(RESPONDERS, OTHERS), abs=1e-12
    )


def pair_auc_along_last_axis(positives, negatives, axis=-1):
    difference = positives[..., :, None] - negatives[..., None, :]
    return np.mean((difference > 0) + 0.5 * (difference == 0), axis=(-2, -1))


def test_auc_from_u_needs_both_groups():
    with pytest.raises(ValueError):
        auc_from_u(0, 0, 3)


def test_ci_is_scipys_percentile_bootstrap_of_the_pair_auc():
    # The same resamples (same rng, same batches) with the AUC from each resample's full pair
    # matrix: another route to each replicate than the code's U from ranks.
    expected = stats.bootstrap(
        (RESPONDERS, OTHERS),
        pair_auc_along_last_axis,
        n_resamples=RESAMPLES,
        confidence_level=0.95,
        method="percentile",
        vectorized=True,
        paired=False,
        batch=_BATCH,
        rng=np.random.default_rng(SEED),
    ).confidence_interval
    ci = bootstrap_auc_ci(RESPONDERS, OTHERS, RESAMPLES, SEED, confidence=0.95)
    assert ci["ci_low"] == pytest.approx(expected.low, abs=1e-12)
    assert ci["ci_high"] == pytest.approx(expected.high, abs=1e-12)
    assert ci["ci_spans_0_5"] is bool(expected.low <= 0.5 <= expected.high)
    assert (
        "stratified" in ci["scheme"]
        and str(SEED) in ci["method"]
        and str(RESAMPLES) in ci["method"]
    )


def test_same_seed_same_ci_other_seed_other_ci():
    first = bootstrap_auc_ci(RESPONDERS, OTHERS, RESAMPLES, SEED)
    again = bootstrap_auc_ci(RESPONDERS, OTHERS, RESAMPLES, SEED)
    other = bootstrap_auc_ci(RESPONDERS, OTHERS, RESAMPLES, SEED + 1)
    assert (first["ci_low"], first["ci_high"]) == (again["ci_low"], again["ci_high"])
    # A different seed may give a different interval; for these data it does.
    assert (first["ci_low"], first["ci_high"]) != (other["ci_low"], other["ci_high"])


def test_perfect_separation_gives_auc_one_and_a_ci_excluding_half():
    ci = bootstrap_auc_ci([5.0, 6.0, 7.0], [1.0, 2.0], 500, 1)
    assert (ci["ci_low"], ci["ci_high"], ci["ci_spans_0_5"]) == (1.0, 1.0, False)


def test_roc_table_identity_and_reproducibility():
    ids = [f"R{i}" for i in range(RESPONDERS.size)] + [f"N{i}" for i in range(OTHERS.size)] + ["X1"]
    baseline = np.r_[RESPONDERS, OTHERS, 0.3]
    t1 = baseline + np.linspace(-0.1, 0.1, baseline.size)
    wide = pd.DataFrame(
        {"T0": baseline, "T1": t1, "T2": np.nan, "T3": np.nan},
        index=pd.Index(ids, name="participant_id"),
    )
    status = pd.Series([1.0] * RESPONDERS.size + [0.0] * OTHERS.size + [np.nan], index=ids)
    bootstrap = {"resamples": RESAMPLES, "seed": SEED}
    table = roc_auc(wide, status, "T0", ["T1"], "T3", "rule", bootstrap, 0.95)
    assert list(table["measure"]) == ["baseline_level", "change_T0_T1"]
    for row, values in zip(table.itertuples(), (baseline, t1 - baseline)):
        positives, negatives = (
            values[: RESPONDERS.size],
            values[RESPONDERS.size : -1],
        )  # X1 not evaluable
        u = mannwhitneyu(
            positives, negatives, alternative="two-sided", method="asymptotic"
        ).statistic
        assert (row.n_responders, row.n_non_responders) == (positives.size, negatives.size)
        assert row.U == u
        assert row.auc == pytest.approx(u / (positives.size * negatives.size), abs=1e-15)
        assert row.auc == pytest.approx(sklearn_auc(positives, negatives), abs=1e-12)
        assert row.ci_low <= row.auc <= row.ci_high or not (0 < row.auc < 1)
        assert row.ci_spans_0_5 == (row.ci_low <= 0.5 <= row.ci_high)
        assert (row.bootstrap_seed, row.bootstrap_resamples) == (SEED, RESAMPLES)
        assert row.analysis_set == "responder_evaluable" and "U/(n1 n2)" in row.method
    again = roc_auc(wide, status, "T0", ["T1"], "T3", "rule", bootstrap, 0.95)
    pd.testing.assert_frame_equal(table, again)
    moved = roc_auc(
        wide, status, "T0", ["T1"], "T3", "rule", {"resamples": RESAMPLES, "seed": 1}, 0.95
    )
    assert (moved["auc"] == table["auc"]).all()  # the point estimate does not depend on the seed


def test_roc_not_computed_with_fewer_than_two_in_a_group():
    wide = pd.DataFrame(
        {"T0": [1.0, 2.0, 3.0]}, index=pd.Index(["a", "b", "c"], name="participant_id")
    )
    status = pd.Series([1.0, 1.0, 0.0], index=["a", "b", "c"])
    table = roc_auc(wide, status, "T0", [], "T3", "rule", {"resamples": 100, "seed": 1}, 0.95)
    assert np.isnan(table.loc[0, "auc"]) and "not computed" in table.loc[0, "method"]


@pytest.mark.parametrize(
    "pos,neg",
    [
        ([3, 4, 5], [1, 2]),
        ([1, 2], [3, 4, 5]),
        ([1, 2, 2, 3], [2, 2, 0]),
        ([0.5, 0.5], [0.5]),
        ([5, 1, 3, 3], [3, 2, 4, 0, 3]),
    ],
)
def test_roc_curve_area_is_u_over_n1_n2(pos, neg):
    from rapamycin_mecfs.biomarkers.responders import roc_curve

    ids = [f"p{i}" for i in range(len(pos) + len(neg))]
    wide = pd.DataFrame({"V0": [float(v) for v in pos + neg]}, index=ids)
    status = pd.Series([1.0] * len(pos) + [0.0] * len(neg), index=ids)
    table = roc_curve(wide, status, "V0", [], "V1")
    fpr, tpr, threshold = (table[c].to_numpy() for c in ("fpr", "tpr", "threshold"))
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0, 0, 1, 1)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)
    assert threshold[0] == np.inf and np.all(np.diff(threshold) < 0)
    # Every distinct value is a vertex (none dropped), at the rates counted by hand.
    assert threshold[1:].tolist() == sorted(set(pos + neg), reverse=True)
    for t, f, r in zip(threshold[1:], fpr[1:], tpr[1:]):
        assert (f, r) == (np.mean(np.array(neg) >= t), np.mean(np.array(pos) >= t))
    u = stats.mannwhitneyu(pos, neg, method="asymptotic").statistic
    assert np.trapezoid(tpr, fpr) == pytest.approx(u / (len(pos) * len(neg)), abs=1e-12)


def test_roc_curve_table_has_each_measure_and_skips_an_empty_group():
    from rapamycin_mecfs.biomarkers.responders import roc_curve

    wide = pd.DataFrame(
        {"V0": [1.0, 2.0, 3.0, 4.0], "V1": [2.0, 2.0, 5.0, 4.0]}, index=["a", "b", "c", "d"]
    )
    status = pd.Series([1.0, 1.0, 0.0, 0.0], index=wide.index)
    table = roc_curve(wide, status, "V0", ["V1"], "V1")
    assert table["measure"].unique().tolist() == ["baseline_level", "change_V0_V1"]
    # Baseline: responders 1, 2, non-responders 3, 4: thresholds 4, 3, 2, 1.
    base = table[table["measure"] == "baseline_level"]
    assert base["fpr"].tolist() == [0, 0.5, 1, 1, 1] and base["tpr"].tolist() == [0, 0, 0, 0.5, 1]
    # Changes: responders 1, 0; non-responders 2, 0 (a tie at 0 moves both rates at once).
    change = table[table["measure"] == "change_V0_V1"]
    assert change["fpr"].tolist() == [0, 0.5, 0.5, 1] and change["tpr"].tolist() == [0, 0, 0.5, 1]
    assert (table["n_responders"] == 2).all() and (table["n_non_responders"] == 2).all()
    nobody = roc_curve(wide, pd.Series(1.0, index=wide.index), "V0", ["V1"], "V1")
    assert nobody.empty and "fpr" in nobody.columns
