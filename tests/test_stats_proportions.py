"""stats.proportions: Wilson score interval."""

from __future__ import annotations

import numpy as np
import pytest
from rapamycin_mecfs.stats.proportions import proportion_with_ci, wilson_ci
from statsmodels.stats.proportion import proportion_confint

Z95 = 1.959963984540054


def quadratic_limits(k, n, z=Z95):
    """The Wilson limits are the roots p of (k/n - p)^2 = z^2 p (1 - p) / n."""
    phat = k / n
    a, b, c = 1 + z**2 / n, -(2 * phat + z**2 / n), phat**2
    return tuple(sorted(np.roots([a, b, c]).real))


def test_hand_worked_29_of_40():
    low, high = wilson_ci(29, 40)
    # (29 + z^2/2) / (40 + z^2) = 0.70528; half-width z sqrt(29*11/40 + z^2/4) / (40 + z^2) =
    # 0.13363
    assert (low, high) == pytest.approx((0.57165, 0.83892), abs=5e-6)
    assert (low, high) == pytest.approx(quadratic_limits(29, 40), abs=1e-12)
    assert (low, high) == pytest.approx(
        proportion_confint(29, 40, alpha=0.05, method="wilson"), abs=1e-12
    )


@pytest.mark.parametrize(
    "k, n, confidence", [(0, 12, 0.95), (12, 12, 0.95), (1, 3, 0.9), (46, 86, 0.99)]
)
def test_against_statsmodels(k, n, confidence):
    expected = proportion_confint(k, n, alpha=1 - confidence, method="wilson")
    assert wilson_ci(k, n, confidence) == pytest.approx(expected, abs=1e-12)


def test_extremes_reach_the_bounds():
    assert wilson_ci(0, 10)[0] == 0.0
    assert wilson_ci(10, 10)[1] == 1.0


def test_dict_form_and_validation():
    result = proportion_with_ci(29, 40)
    assert result["proportion"] == pytest.approx(0.725) and "Wilson" in result["method"]
    for k, n in [(5, 4), (-1, 4), (1, 0), (1.5, 4)]:
        with pytest.raises(ValueError):
            wilson_ci(k, n)
