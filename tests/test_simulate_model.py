"""The data-generating model: null calibration, retention calibration, selection, determinism."""

from __future__ import annotations

import json

import numpy as np
import pytest
from rapamycin_mecfs.simulate import model as sim
from rapamycin_mecfs.simulate import scenarios
from rapamycin_mecfs.simulate.summarise import run_shard
from scipy import stats
from simulate_fixtures import RETENTION, make_model, rng

ALPHA = 0.05


def test_false_positive_rate_is_alpha_without_attrition_selection_or_effect():
    """Acceptance 2: true effect 0, no attrition, no selection -> Wilcoxon rejects at about
    alpha."""
    model = make_model(true_effect=0, dropout={"mode": "none"}, selection={"enrol_fraction": 1})
    assert model.analysis["alpha"] == ALPHA
    trials = 2000
    summary = run_shard(model, trials, rng(20250607, 1))
    low, high = stats.binom.ppf([0.005, 0.995], trials, ALPHA)  # binomial 99% interval of the count
    for outcome in model.analysis["wilcoxon_outcomes"]:
        significant = int((summary[f"p_value__{outcome}"] < ALPHA).sum())
        assert low <= significant <= high, (outcome, significant / trials)
        assert (
            abs(summary[f"mean_improvement__{outcome}"].mean())
            < 0.05 * model.scale_sd[model.index[outcome]]
        )
    assert (summary["n__completers"] == 86).all()


def test_true_effect_gives_power():
    model = make_model(true_effect=0.5)
    summary = run_shard(model, 100, rng(2))
    assert (summary["p_value__sss_pem"] < ALPHA).mean() > 0.9
    # Improvement in the right direction for both kinds of scale, about 0.5 baseline SD.
    for outcome in ("sss_pem", "bas"):
        change = (
            summary[f"mean_improvement__{outcome}"].mean() / model.scale_sd[model.index[outcome]]
        )
        assert 0.35 < change < 0.65, (outcome, change)


def test_values_are_on_the_grid_and_in_range():
    model = make_model(dropout={"mode": "random"})
    values = sim.simulate(model, 20, rng(3)).values
    for k in range(len(model.outcomes)):
        v = values[..., k][~np.isnan(values[..., k])]
        assert v.min() >= model.lo[k] and v.max() <= model.hi[k]
        np.testing.assert_allclose(
            (v - model.lo[k]) / model.step[k], np.rint((v - model.lo[k]) / model.step[k]), atol=1e-9
        )


@pytest.mark.parametrize(
    "dropout",
    [
        {"mode": "random"},
        {"mode": "informative"},
        {"mode": "informative", "change_at": "last_observed"},
    ],
)
def test_dropout_is_calibrated_to_the_observed_retention(dropout):
    model = make_model(dropout=dropout)
    np.testing.assert_allclose(model.diagnostics["retention_expected"], RETENTION, atol=1e-6)
    summary = run_shard(model, 400, rng(4))
    for visit, share in zip(model.visits[1:], RETENTION):
        assert summary[f"n_attended_{visit}"].mean() == pytest.approx(86 * share, abs=1.0)
    assert summary["n__completers"].mean() == pytest.approx(46, abs=1.0)


def test_informative_dropout_and_selection_make_completers_look_better():
    """No true effect: random dropout leaves completers unchanged on average; informative dropout
    and selection at entry (regression to the mean) make them improve, in that order."""
    change = {}
    for name, scenario in {
        "random": {"dropout": {"mode": "random"}},
        "informative": {"dropout": {"mode": "informative"}},
        "selection": {"dropout": {"mode": "none"}, "selection": {"enrol_fraction": 0.5}},
        "both": {"dropout": {"mode": "informative"}, "selection": {"enrol_fraction": 0.5}},
    }.items():
        summary = run_shard(make_model(**scenario), 200, rng(5))
        change[name] = summary["mean_improvement__sss_pem"].mean()
    assert abs(change["random"]) < 0.05
    assert change["informative"] > 0.1 and change["selection"] > 0.1
    assert change["both"] > max(change["informative"], change["selection"])


def test_selection_recentres_the_enrolled_baseline():
    model = make_model(selection={"enrol_fraction": 0.5, "recentre": True})
    assert model.diagnostics["selection_achieved_enrol_fraction"] == pytest.approx(0.5, abs=0.05)
    np.testing.assert_allclose(
        model.diagnostics["calibration_enrolled_baseline_mean"],
        model.scale_mean,
        atol=0.03 * model.scale_sd.max(),
    )
    trials = sim.simulate(model, 100, rng(6))
    baseline = trials.values[:, :, 0, :].reshape(-1, len(model.outcomes)).mean(axis=0)
    assert (np.abs(baseline - model.scale_mean) <= 0.1 * model.scale_sd).all(), (
        baseline - model.scale_mean
    )
    # Without recentring the enrolled are more severe than the supplement's enrolled.
    plain = make_model(selection={"enrol_fraction": 0.5, "recentre": False})
    pem = plain.index["sss_pem"]
    assert (
        plain.diagnostics["calibration_enrolled_baseline_mean"][pem] > plain.scale_mean[pem] + 0.3
    )


def test_same_seed_same_trials_and_shards_differ():
    model = make_model(dropout={"mode": "informative"}, selection={"enrol_fraction": 0.5})
    first = run_shard(model, 30, rng(*scenarios.shard_entropy(1, "test", 0)))
    again = run_shard(model, 30, rng(*scenarios.shard_entropy(1, "test", 0)))
    other = run_shard(model, 30, rng(*scenarios.shard_entropy(1, "test", 1)))
    assert first.equals(again)
    assert not first.equals(other)


def test_calibration_is_deterministic_and_model_round_trips_through_json():
    model = make_model(dropout={"mode": "informative"}, selection={"enrol_fraction": 0.5})
    again = make_model(dropout={"mode": "informative"}, selection={"enrol_fraction": 0.5})
    assert json.dumps(model.to_dict(), sort_keys=True) == json.dumps(
        again.to_dict(), sort_keys=True
    )
    loaded = sim.Model.from_dict(json.loads(json.dumps(model.to_dict())))
    assert run_shard(loaded, 20, rng(9)).equals(run_shard(model, 20, rng(9)))
    none = sim.Model.from_dict(json.loads(json.dumps(make_model().to_dict())))
    assert np.isneginf(none.dropout_intercepts).all()


def test_last_observed_dropout_is_random_before_the_first_follow_up():
    model = make_model(dropout={"mode": "informative", "change_at": "last_observed"})
    # Nothing observed yet before T1, so the first intercept is the random-dropout one.
    assert model.dropout_intercepts[0] == pytest.approx(
        np.log((1 - RETENTION[0]) / RETENTION[0]), abs=1e-6
    )


def test_configured_retention_and_trial_size():
    model = make_model(n_enrolled=40, dropout={"mode": "informative", "retention": [0.9, 0.8, 0.7]})
    summary = run_shard(model, 300, rng(8))
    assert (summary["n__enrolled_worst_case"] == 40).all()
    assert summary["n__completers"].mean() == pytest.approx(28, abs=1.0)
