"""The vectorised statistics agree with the functions the main analysis uses, on the same simulated
trials."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin
import pytest
from rapamycin_mecfs.analysis.data import Participants
from rapamycin_mecfs.analysis.responders import responder_proportions, responder_status
from rapamycin_mecfs.simulate import model as sim
from rapamycin_mecfs.simulate.stats_vectorised import average_ranks, wilcoxon_rows
from rapamycin_mecfs.simulate.summarise import completer_differences, trial_summaries
from rapamycin_mecfs.stats.paired import wilcoxon_signed_rank
from scipy import stats
from simulate_fixtures import make_model, project_config, rng


@pytest.fixture(scope="module")
def informative():
    """50 trials with informative dropout and selection: missing pairs, ties and zeros
    throughout."""
    model = make_model(dropout={"mode": "informative"}, selection={"enrol_fraction": 0.5})
    return model, sim.simulate(model, 50, rng(7))


def test_average_ranks_match_scipy():
    generator = rng(3)
    keys = generator.integers(0, 6, size=(40, 25)).astype(float)
    order, ranks, _ = average_ranks(keys)
    for row in range(keys.shape[0]):
        expected = stats.rankdata(keys[row])[order[row]]
        np.testing.assert_array_equal(ranks[row], expected)


@pytest.fixture(scope="module")
def one_trial_at_a_time(informative):
    """Per Wilcoxon outcome, per trial of `informative`: the pipeline's test of the completers'
    differences, and pingouin's p and scipy's z for them (None when the pipeline's p is NaN)."""
    model, trials = informative
    results = {}
    for outcome in model.analysis["wilcoxon_outcomes"]:
        results[outcome] = []
        for row in completer_differences(trials, model, outcome):
            present = row[~np.isnan(row)]
            one = wilcoxon_signed_rank(
                present, method="approx", correction=True, zero_method="wilcox"
            )
            library_p = reference_z = None
            if not np.isnan(one["p_value"]):
                library = pingouin.wilcoxon(present, correction=True, method="asymptotic")
                library_p = library.at["Wilcoxon", "p_val"]
                reference_z = stats.wilcoxon(
                    present, correction=True, method="asymptotic"
                ).zstatistic
            results[outcome].append((one, library_p, reference_z))
    return results


@pytest.mark.parametrize("ranks", ["sorting", "counting on the grid"])
def test_wilcoxon_rows_agree_with_pipeline_on_50_simulated_trials(
    informative, one_trial_at_a_time, ranks
):
    """Same V and counts as the pipeline's test, and p (to 1e-10) as a loop over
    pingouin.wilcoxon."""
    model, trials = informative
    checked = 0
    for outcome in model.analysis["wilcoxon_outcomes"]:
        d = completer_differences(trials, model, outcome)
        step = model.step[model.index[outcome]] if ranks != "sorting" else None
        rows = wilcoxon_rows(d, "approx", step=step)
        assert len(one_trial_at_a_time[outcome]) == d.shape[0]
        for i, (one, library_p, reference_z) in enumerate(one_trial_at_a_time[outcome]):
            assert rows["V"][i] == one["V"]
            assert rows["n_nonzero"][i] == one["n_nonzero"] and rows["n_zero"][i] == one["n_zero"]
            if np.isnan(one["p_value"]):
                assert np.isnan(rows["p_value"][i])
            else:
                assert abs(rows["p_value"][i] - library_p) <= 1e-10
                assert abs(abs(rows["z"][i]) - abs(reference_z)) <= 1e-10
            checked += 1
    assert checked == 50 * len(model.analysis["wilcoxon_outcomes"])


def test_trial_summaries_report_the_pipeline_p_values(informative, one_trial_at_a_time):
    model, trials = informative
    summary = trial_summaries(trials, model)
    expected = [one["p_value"] for one, _, _ in one_trial_at_a_time["sss_pem"]]
    np.testing.assert_allclose(summary["p_value__sss_pem"], expected, rtol=0, atol=1e-10)


def test_wilcoxon_rows_exact_method_matches_pipeline():
    generator = rng(11)
    d = generator.normal(0.3, 1, size=(30, 12))  # continuous: no ties, no zeros -> exact p
    d[:5, 0] = 0.0  # zeros: the approximation, as the pipeline falls back to
    d[5:10, -3:] = np.nan
    rows = wilcoxon_rows(d, "exact")
    for i in range(d.shape[0]):
        one = wilcoxon_signed_rank(d[i][~np.isnan(d[i])], method="exact")
        assert abs(rows["p_value"][i] - one["p_value"]) <= 1e-10


def test_counting_falls_back_to_sorting_off_the_grid():
    d = np.array([[0.5, -1.0, 1.5, 2.0, np.nan], [1.0, 2.0, -3.0, 1.0, 0.0]])
    for step in (1.0, 0.5, None):
        rows = wilcoxon_rows(d, step=step)
        for i in range(2):
            one = wilcoxon_signed_rank(d[i][~np.isnan(d[i])])
            assert rows["V"][i] == one["V"] and rows["p_value"][i] == pytest.approx(
                one["p_value"], abs=1e-12
            )


def test_wilcoxon_rows_edge_cases():
    d = np.array(
        [
            [0.0, 0.0, 0.0, np.nan],  # only zeros: not computed
            [np.nan] * 4,  # nobody
            [1.0, np.nan, np.nan, np.nan],  # one pair
            [1.0, -1.0, 2.0, -2.0],  # ties, centred: p = 1
        ]
    )
    rows = wilcoxon_rows(d, step=1.0)
    assert np.isnan(rows["p_value"][0]) and np.isnan(rows["p_value"][1])
    assert rows["n_zero"][0] == 3 and rows["n_pairs"][1] == 0
    for i in (2, 3):
        one = wilcoxon_signed_rank(d[i][~np.isnan(d[i])])
        assert rows["p_value"][i] == pytest.approx(one["p_value"], abs=1e-12)
    assert rows["p_value"][3] == 1.0
    with pytest.raises(ValueError):
        wilcoxon_rows(d, "bogus")


def _frames(model, trials, t, outcomes):
    """Trial t as the pipeline's inputs: a clean long table (these outcomes) and the participant
    table."""
    ids = np.array([f"SIM-{i:03d}" for i in range(model.n_enrolled)])
    n, v = model.n_enrolled, len(model.visits)
    parts = []
    for outcome in outcomes:
        values = trials.values[t, :, :, model.index[outcome]]  # (n, visits)
        text = np.where(np.isnan(values), "", values.astype(str))
        parts.append(
            pd.DataFrame(
                {
                    "participant_id": np.repeat(ids, v),
                    "outcome": outcome,
                    "visit": np.tile(model.visits, n),
                    "value": text.ravel(),
                }
            )
        )
    attended = trials.attended[t]
    completer = model.visits.index(model.analysis["completer_visit"])
    people = pd.DataFrame(
        {
            "set_enrolled": True,
            "set_reached_first_follow_up": attended[:, 1],
            "set_completers": attended[:, completer],
            "stopped": ~attended[:, -1],
        },
        index=pd.Index(ids, name="participant_id"),
    )
    return pd.concat(parts, ignore_index=True), Participants(people)


@pytest.mark.parametrize(
    "rule",
    [
        None,  # the configured rule (all of three SSS items >= 1 point)
        {
            "visit": "T2",
            "combine": "at_least",
            "k": 2,
            "criteria": [
                {"outcome": "sss_pem", "min_improvement": 10, "unit": "percent"},
                {"outcome": "sss_fatigue", "min_improvement": 1, "unit": "points"},
                {"outcome": "bas", "min_improvement": 10, "unit": "points"},
            ],
        },
    ],
)
def test_responder_counts_agree_with_pipeline_on_50_simulated_trials(rule):
    config = project_config(dropout={"mode": "informative"})
    if rule is not None:
        config["analysis"]["responders"] = {**rule, "assumption": ""}
    model = make_model(config)
    trials = sim.simulate(model, 50, rng(5))
    summary = trial_summaries(trials, model)
    rule = model.analysis["responders"]
    directions = {
        o: ("higher_is_better" if s > 0 else "lower_is_better")
        for o, s in zip(model.outcomes, model.sign)
    }
    for t in range(50):
        clean, people = _frames(model, trials, t, [c["outcome"] for c in rule["criteria"]])
        status = responder_status(clean, people, model.visits, rule, directions)
        table = responder_proportions(status, people, rule, 0.95, {}).set_index("analysis_set")
        for name in ("completers", "reached_first_follow_up_locf", "enrolled_worst_case"):
            assert summary[f"responders__{name}"][t] == table.loc[name, "responders"], (t, name)
            assert summary[f"n__{name}"][t] == table.loc[name, "n"], (t, name)
