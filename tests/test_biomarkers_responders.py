"""biomarkers/responders.py: responders vs non-responders on marker level and change (Mann-Whitney
U)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from biomarker_fixtures import wide
from rapamycin_mecfs.biomarkers.responders import marker_measures, responders_compare
from scipy.stats import mannwhitneyu

#            T0    T1    T2    T3       status
VALUES = {
    "A": [0.50, 0.30, 0.35, 0.40],  # responder
    "B": [0.80, 0.50, None, 0.60],  # responder
    "C": [0.40, 0.35, 0.30, 0.45],  # responder
    "D": [0.60, 0.20, 0.25, 0.30],  # responder
    "E": [0.70, 0.65, 0.60, 0.75],  # non-responder
    "F": [0.30, 0.28, 0.30, 0.32],  # non-responder
    "G": [0.90, 0.60, 0.70, 0.95],  # non-responder
    "H": [0.55, 0.40, None, None],  # not evaluable (stopped)
    "I": [None, 0.40, 0.45, 0.50],  # responder without baseline
}
STATUS = pd.Series(
    {"A": 1.0, "B": 1.0, "C": 1.0, "D": 1.0, "E": 0.0, "F": 0.0, "G": 0.0, "H": np.nan, "I": 1.0}
)


def test_measures_are_baseline_then_raw_changes():
    measures = marker_measures(wide(VALUES), "T0", ["T1", "T3"])
    assert [m[0] for m in measures] == ["baseline_level", "change_T0_T1", "change_T0_T3"]
    assert measures[1][3]["D"] == pytest.approx(0.20 - 0.60)


def test_compare_matches_scipy_and_hand_medians():
    table = responders_compare(
        wide(VALUES), STATUS, "T0", ["T1", "T3"], "T3", "rule text", "assumption text"
    )
    k = {"baseline_level": 0, "change_T0_T1": 1, "change_T0_T3": 3}
    for row in table.itertuples():

        def values(ids, row=row):
            out = []
            for p in ids:
                v = VALUES[p]
                if v[0] is None or v[k[row.measure]] is None:
                    continue
                out.append(v[0] if row.measure == "baseline_level" else v[k[row.measure]] - v[0])
            return np.array(out)

        responders, others = values("ABCDI"), values("EFG")  # H is not evaluable
        expected = mannwhitneyu(
            responders, others, alternative="two-sided", use_continuity=True, method="asymptotic"
        )
        assert (row.n_responders, row.n_non_responders) == (responders.size, others.size)
        assert row.U == expected.statistic
        assert row.p_value == pytest.approx(expected.pvalue, rel=1e-12)
        assert row.rank_biserial == pytest.approx(
            2 * expected.statistic / (responders.size * others.size) - 1
        )
        assert row.median_responders == pytest.approx(np.median(responders))
        assert row.median_non_responders == pytest.approx(np.median(others))
        assert row.analysis_set == "responder_evaluable" and "Mann-Whitney" in row.method
        assert row.responder_rule == "rule text" and row.assumption == "assumption text"
    assert table.loc[0, "n_responders"] == 4  # I has no baseline


def test_not_computed_with_one_non_responder():
    status = STATUS.copy()
    status[["E", "F"]] = 1.0
    table = responders_compare(wide(VALUES), status, "T0", [], "T3", "rule")
    assert np.isnan(table.loc[0, "p_value"]) and "not computed" in table.loc[0, "method"]
