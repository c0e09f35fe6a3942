"""stats.multiplicity.adjust against Holm and Benjamini-Hochberg worked by hand."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from rapamycin_mecfs.stats.multiplicity import adjust, describe_adjustment

P = [0.01, 0.04, 0.03, 0.005]
# Holm, sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 -> 0.02, 0.03, 0.06, 0.04, then running
# maximum -> 0.02, 0.03, 0.06, 0.06; back in input order:
HOLM = [0.03, 0.06, 0.06, 0.02]
# BH, sorted p times 4/rank -> 0.02, 0.02, 0.04, 0.04, running minimum from the top leaves them;
# back in input order:
BH = [0.02, 0.04, 0.04, 0.02]


@pytest.mark.parametrize("method, expected", [("holm", HOLM), ("fdr_bh", BH)])
def test_hand_worked_examples(method, expected):
    np.testing.assert_allclose(adjust(P, method), expected, rtol=1e-12)


@pytest.mark.parametrize("method, expected", [("holm", HOLM), ("fdr_bh", BH)])
def test_nan_positions_are_kept_and_not_counted(method, expected):
    with_gaps = [np.nan, 0.01, 0.04, np.nan, 0.03, 0.005]
    result = adjust(with_gaps, method)
    assert np.isnan(result[[0, 3]]).all()
    np.testing.assert_allclose(result[[1, 2, 4, 5]], expected, rtol=1e-12)


def test_capped_at_one_and_all_missing():
    np.testing.assert_allclose(adjust([0.6, 0.9], "holm"), [1.0, 1.0])
    assert np.isnan(adjust([np.nan, np.nan], "fdr_bh")).all()


def test_invalid_input_raises():
    with pytest.raises(ValueError):
        adjust(P, "bonferroni")
    with pytest.raises(ValueError):
        adjust([0.5, 1.2], "holm")


def test_method_text_names_procedure_and_family_size():
    text = describe_adjustment("holm", 12)
    assert "Holm" in text and "12 tests" in text


def test_importing_the_stats_package_loads_no_statistics_library():
    # The workflow imports rapamycin_mecfs.stats while planning (figure captions quote its
    # method names); a no-op run must not pay for scipy, statsmodels or pingouin.
    code = (
        "import sys, rapamycin_mecfs.stats; "
        "heavy = [m for m in ('scipy', 'statsmodels', 'pingouin') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("method", ["holm", "fdr_bh"])
@pytest.mark.parametrize("seed", range(5))
def test_equal_to_statsmodels(method, seed):
    """Random families with ties and values near 1: statsmodels.multipletests to the last bits."""
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(seed)
    p = np.round(rng.uniform(0, 1, size=int(rng.integers(1, 60))) ** 2, 2)  # rounding makes ties
    expected = multipletests(p, method=method, is_sorted=False, returnsorted=False)[1]
    np.testing.assert_allclose(adjust(p, method), expected, rtol=1e-14, atol=0)
