"""stats.repeated: Friedman test with Kendall's W, and the mixed model of change from baseline."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from rapamycin_mecfs.stats.repeated import CHANGE_COLUMNS, friedman, mixed_model_change

# Hollander & Wolfe (1999, Table 7.1), R's ?friedman.test example: times to round first base by
# three methods for 22 players. R: Friedman chi-squared = 11.143, df = 2, p-value = 0.003805.
ROUNDING_TIMES = [
    [5.40, 5.50, 5.55], [5.85, 5.70, 5.75], [5.20, 5.60, 5.50], [5.55, 5.50, 5.40],
    [5.90, 5.85, 5.70], [5.45, 5.55, 5.60], [5.40, 5.40, 5.35], [5.45, 5.50, 5.35],
    [5.25, 5.15, 5.00], [5.85, 5.80, 5.70], [5.25, 5.20, 5.10], [5.65, 5.55, 5.45],
    [5.60, 5.35, 5.45], [5.05, 5.00, 4.95], [5.50, 5.50, 5.40], [5.45, 5.55, 5.50],
    [5.55, 5.55, 5.35], [5.45, 5.50, 5.55], [5.50, 5.45, 5.25], [5.65, 5.60, 5.40],
    [5.70, 5.65, 5.55], [6.30, 6.30, 6.25],
]  # fmt: skip


def test_friedman_textbook_example_by_hand():
    wide = pd.DataFrame(ROUNDING_TIMES, columns=["round_out", "narrow_angle", "wide_angle"])
    result = friedman(wide)
    n, k = 22, 3
    # Rank sums within players are 53, 47, 32; players 7, 15, 17 and 22 each have one pair tied.
    rank_sums = np.array([53.0, 47.0, 32.0])
    uncorrected = 12 / (n * k * (k + 1)) * np.sum(rank_sums**2) - 3 * n * (k + 1)  # 117/11
    tie_factor = 1 - 4 * (2**3 - 2) / (n * (k**3 - k))  # 21/22
    assert uncorrected / tie_factor == pytest.approx(78 / 7)
    assert result["chi2"] == pytest.approx(78 / 7, rel=1e-12)
    assert result["chi2"] == pytest.approx(11.143, abs=5e-4)  # R's printed value
    assert result["p_value"] == pytest.approx(0.003805, abs=5e-7)  # R's printed value
    assert result["p_value"] == pytest.approx(math.exp(-(78 / 7) / 2), rel=1e-12)  # chi2(2) tail = exp(-x/2)
    assert result["df"] == 2 and result["n"] == 22 and result["k"] == 3
    assert result["kendall_w"] == pytest.approx((78 / 7) / (22 * 2), rel=1e-12)
    assert result["mean_ranks"] == pytest.approx({"round_out": 53 / 22, "narrow_angle": 47 / 22, "wide_angle": 32 / 22})


def test_friedman_matches_scipy_on_random_data():
    rng = np.random.default_rng(3)
    values = np.round(rng.normal(size=(15, 4)) + [0, 0.3, 0.6, 0.9], 1)
    result = friedman(pd.DataFrame(values, columns=["T0", "T1", "T2", "T3"]))
    reference = scipy.stats.friedmanchisquare(*values.T)
    assert result["chi2"] == pytest.approx(reference.statistic, rel=1e-12)
    assert result["p_value"] == pytest.approx(reference.pvalue, rel=1e-12)
    assert result["kendall_w"] == pytest.approx(reference.statistic / (15 * 3), rel=1e-12)


def test_friedman_rejects_missing_values_and_two_visits():
    with pytest.raises(ValueError, match="missing"):
        friedman(pd.DataFrame({"T0": [1.0, 2.0], "T1": [2.0, np.nan], "T2": [3.0, 1.0]}))
    with pytest.raises(ValueError, match="at least 3"):
        friedman(pd.DataFrame({"T0": [1.0, 2.0], "T1": [2.0, 3.0]}))


# --- mixed_model_change ---------------------------------------------------------------------

VISITS = ["T0", "T1", "T2", "T3"]


def simulated(n=24, seed=11, missing=0.0):
    rng = np.random.default_rng(seed)
    ids = [f"RAP-{i:03d}" for i in range(1, n + 1)]
    frame = pd.DataFrame({"participant_id": np.repeat(ids, 4), "visit": np.tile(VISITS, n)})
    frame["value"] = (
        40 + np.repeat(rng.normal(0, 8, n), 4) + np.tile([0.0, 3.0, 5.0, 6.0], n) + rng.normal(0, 5, 4 * n)
    )
    if missing:
        drop = (rng.random(4 * n) < missing) & (frame["visit"] != "T0")
        frame.loc[drop, "value"] = np.nan
    return frame.sample(frac=1, random_state=1)  # row order must not matter


def direct_statsmodels(frame):
    import statsmodels.formula.api as smf

    data = frame.dropna(subset=["value"])
    model = smf.mixedlm("value ~ C(visit, Treatment(reference='T0'))", data, groups=data["participant_id"])
    return model.fit(reml=True, method=["powell"])


def test_balanced_data_estimates_are_differences_of_visit_means():
    frame = simulated()
    result = mixed_model_change(frame, visits=VISITS)
    assert list(result.columns) == CHANGE_COLUMNS
    assert list(result["visit"]) == ["T1", "T2", "T3"]
    means = frame.groupby("visit")["value"].mean()
    np.testing.assert_allclose(result["estimate"], means[["T1", "T2", "T3"]] - means["T0"], rtol=0, atol=1e-8)
    assert (result["n_obs"] == 96).all() and (result["n_participants"] == 24).all() and (result["n_visit"] == 24).all()
    assert result["converged"].all()
    assert "random intercept per participant, REML" in result["method"].iloc[0]
    assert "assumes missing at random" in result["method"].iloc[0]


@pytest.mark.parametrize("missing", [0.0, 0.25])
def test_matches_statsmodels_formula_api(missing):
    frame = simulated(missing=missing, seed=5)
    result = mixed_model_change(frame, visits=VISITS).set_index("visit")
    reference = direct_statsmodels(frame)
    ci = reference.conf_int(alpha=0.05)
    for visit in ["T1", "T2", "T3"]:
        term = f"C(visit, Treatment(reference='T0'))[T.{visit}]"
        se = reference.bse[term]
        assert result.loc[visit, "estimate"] == pytest.approx(reference.params[term], abs=1e-4 * se)
        assert result.loc[visit, "se"] == pytest.approx(se, rel=1e-4)
        assert result.loc[visit, "ci_low"] == pytest.approx(ci.loc[term, 0], abs=1e-3 * se)
        assert result.loc[visit, "ci_high"] == pytest.approx(ci.loc[term, 1], abs=1e-3 * se)
        assert result.loc[visit, "p_value"] == pytest.approx(reference.pvalues[term], rel=1e-3, abs=1e-12)


def test_missing_values_are_dropped_and_counted():
    frame = simulated(missing=0.25, seed=5)
    result = mixed_model_change(frame, visits=VISITS)
    observed = frame.dropna(subset=["value"])
    assert (result["n_obs"] == len(observed)).all()
    assert list(result["n_visit"]) == [int((observed["visit"] == v).sum()) for v in ["T1", "T2", "T3"]]
    n_missing = int(frame["value"].isna().sum())
    assert n_missing > 0 and f"{n_missing} missing value(s) dropped" in result["method"].iloc[0]


def test_deterministic_and_restricted_to_the_listed_visits():
    frame = simulated(missing=0.25, seed=9)
    first = mixed_model_change(frame, visits=VISITS)
    pd.testing.assert_frame_equal(first, mixed_model_change(frame, visits=VISITS))
    three = mixed_model_change(frame, visits=["T0", "T1", "T2"])
    assert list(three["visit"]) == ["T1", "T2"]
    assert three["n_obs"].iloc[0] == frame[frame["visit"] != "T3"]["value"].notna().sum()


def test_bad_tables_raise():
    frame = simulated(n=6)
    with pytest.raises(ValueError, match="more than one row"):
        mixed_model_change(pd.concat([frame, frame.iloc[:1]]), visits=VISITS)
    empty_t3 = frame.assign(value=np.where(frame["visit"] == "T3", np.nan, frame["value"]))
    with pytest.raises(ValueError, match="no observed values"):
        mixed_model_change(empty_t3, visits=VISITS)
    with pytest.raises(ValueError, match="column"):
        mixed_model_change(frame.rename(columns={"value": "score"}), visits=VISITS)
