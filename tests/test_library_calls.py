"""Each statistic is computed by the library the project names for it, not by hand.

A spy wraps the library function (so results are unchanged) and the test asserts the call and
the arguments that decide the method; the hand-written replacements must be gone. The three
measured exceptions (Hodges-Lehmann interval, REML fit, the simulator's vectorised statistics)
are tested against the libraries and R in their own test files.
"""

from __future__ import annotations

import importlib
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from rapamycin_mecfs.biomarkers.roc import bootstrap_auc_ci
from rapamycin_mecfs.stats.association import mann_whitney, spearman_with_ci
from rapamycin_mecfs.stats.multiplicity import adjust
from rapamycin_mecfs.stats.paired import paired_t, wilcoxon_signed_rank
from rapamycin_mecfs.stats.proportions import wilson_ci
from rapamycin_mecfs.stats.repeated import friedman

D = np.array([1.5, 2.0, -0.5, 3.0, 2.5, 4.0, 0.0, 1.0])
X = np.array([3.1, 4.5, 2.2, 5.0, 4.5, 6.1, 3.3])
Y = np.array([2.0, 2.2, 3.0, 1.5, 4.5, 2.8])
WIDE = pd.DataFrame(
    {"T0": [1, 2, 3, 4, 5], "T1": [2, 2, 4, 5, 7], "T2": [3, 1, 5, 6, 6]}, dtype=float
)

# statistic, call, library function (module, attribute), keyword arguments the call must pass
CALLS = [
    (
        "signed-rank p",
        lambda: wilcoxon_signed_rank(D),
        ("pingouin", "wilcoxon"),
        {"zero_method": "wilcox", "correction": True, "method": "asymptotic"},
    ),
    (
        "signed-rank p, Pratt (BOCF)",
        lambda: wilcoxon_signed_rank(D, zero_method="pratt", correction=False),
        ("pingouin", "wilcoxon"),
        {"zero_method": "pratt", "correction": False},
    ),
    ("paired t", lambda: paired_t(D), ("pingouin", "ttest"), {}),
    ("paired t interval", lambda: paired_t(D), ("scipy.stats", "ttest_1samp"), {}),
    (
        "Cohen's d_z",
        lambda: paired_t(D),
        ("pingouin", "compute_effsize"),
        {"eftype": "cohen_dz", "paired": True},
    ),
    ("Friedman", lambda: friedman(WIDE), ("pingouin", "friedman"), {"method": "chisq"}),
    (
        "Mann-Whitney U",
        lambda: mann_whitney(X, Y),
        ("pingouin", "mwu"),
        {"method": "asymptotic", "use_continuity": True},
    ),
    (
        "Spearman rho",
        lambda: spearman_with_ci(X, X**2 + 1),
        ("pingouin", "corr"),
        {"method": "spearman"},
    ),
    (
        "Spearman interval",
        lambda: spearman_with_ci(X, X**2 + 1),
        ("pingouin", "compute_esci"),
        {"eftype": "r"},
    ),
    (
        "Holm",
        lambda: adjust([0.01, 0.2, np.nan], "holm"),
        ("pingouin", "multicomp"),
        {"method": "holm"},
    ),
    (
        "Benjamini-Hochberg",
        lambda: adjust([0.01, 0.2], "fdr_bh"),
        ("pingouin", "multicomp"),
        {"method": "fdr_bh"},
    ),
    (
        "Wilson interval",
        lambda: wilson_ci(29, 40),
        ("statsmodels.stats.proportion", "proportion_confint"),
        {"method": "wilson"},
    ),
    (
        "AUC bootstrap",
        lambda: bootstrap_auc_ci(X, Y, 50, 1),
        ("scipy.stats", "bootstrap"),
        {"method": "percentile"},
    ),
]


@pytest.mark.parametrize("statistic, call, target, kwargs", CALLS, ids=[c[0] for c in CALLS])
def test_the_named_library_function_computes_it(statistic, call, target, kwargs):
    module = importlib.import_module(target[0])
    original = getattr(module, target[1])
    with mock.patch.object(module, target[1], wraps=original) as spy:
        call()
    assert spy.called, f"{statistic}: {target[0]}.{target[1]} was not called"
    passed = spy.call_args.kwargs
    assert {k: passed.get(k) for k in kwargs} == kwargs


# Hand-written code the libraries replaced: module -> names that must not come back.
REPLACED = {
    "rapamycin_mecfs.stats.paired": ["_signed_rank_pmf", "rank_biserial_paired"],
    "rapamycin_mecfs.stats.multiplicity": ["_holm", "_fdr_bh", "_PROCEDURES"],
    "rapamycin_mecfs.biomarkers.roc": ["_weighted_u", "_counts", "bootstrap_auc_replicates"],
}


@pytest.mark.parametrize("module, name", [(m, n) for m, names in REPLACED.items() for n in names])
def test_replaced_hand_written_functions_are_gone(module, name):
    assert not hasattr(importlib.import_module(module), name)
