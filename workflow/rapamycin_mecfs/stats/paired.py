"""Paired (within-participant) statistics on differences d = follow-up - baseline.

Every function takes the differences of complete pairs: drop pairs with a missing value before
calling (a NaN raises ValueError, so nothing is dropped silently). All tests are two-sided.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from ._validate import as_float_array, check_confidence, tie_sizes

ZERO_METHODS = {
    "wilcox": "zero differences dropped before ranking (zero_method='wilcox', as R wilcox.test)",
    "pratt": "zero differences ranked then given no sign (zero_method='pratt', Cureton's variance)",
}


def _signed_rank_pmf(n: int) -> np.ndarray:
    """Exact null distribution of V (sum of positive ranks 1..n, no ties), P(V = v) for v = 0..M."""
    total = n * (n + 1) // 2
    pmf = np.zeros(total + 1)
    pmf[0] = 1.0
    for rank in range(1, n + 1):
        shifted = np.zeros_like(pmf)
        shifted[rank:] = pmf[: total + 1 - rank]
        pmf = 0.5 * (pmf + shifted)
    return pmf


def wilcoxon_signed_rank(d, method: str = "approx", correction: bool = True, zero_method: str = "wilcox") -> dict:
    """Two-sided Wilcoxon signed-rank test of H0: differences symmetric about 0.

    V is the sum of the ranks of |d| over positive differences (R's ``V``). ``method="approx"``:
    normal approximation, variance corrected for ties (and, for Pratt, for zeros), continuity
    correction if ``correction``; equals R ``wilcox.test(x, y, paired=TRUE, exact=FALSE,
    correct=TRUE)`` and ``scipy.stats.wilcoxon(d, method="approx")``. ``method="exact"``: exact
    null distribution of V, valid only without ties and zeros; otherwise the approximation is used
    and the method text says so (as R does).

    Returns n_pairs, n_nonzero, n_zero, V, z (NaN when exact), p_value, p_method
    ("exact" | "approx"), zero_method, rank_biserial (see ``rank_biserial_paired``), method.
    """
    if method not in ("approx", "exact"):
        raise ValueError(f"method must be 'approx' or 'exact', got {method!r}")
    if zero_method not in ZERO_METHODS:
        raise ValueError(f"zero_method must be one of {sorted(ZERO_METHODS)}, got {zero_method!r}")
    d = as_float_array(d, "paired differences")
    zero = d == 0
    n_pairs, n_zero = d.size, int(zero.sum())
    n_nonzero = n_pairs - n_zero
    result = {
        "n_pairs": n_pairs,
        "n_nonzero": n_nonzero,
        "n_zero": n_zero,
        "V": 0.0,
        "z": math.nan,
        "p_value": math.nan,
        "p_method": "none",
        "zero_method": ZERO_METHODS[zero_method],
        "rank_biserial": math.nan,
    }
    counts = f"n = {n_pairs} pairs, {n_nonzero} non-zero differences"
    if n_nonzero == 0:
        result["method"] = f"Wilcoxon signed-rank test not computed: no non-zero differences; {counts}"
        return result

    used = d[~zero] if zero_method == "wilcox" else d
    ranks = stats.rankdata(np.abs(used))  # average ranks for ties
    v = float(ranks[used > 0].sum())
    result["V"] = v
    result["rank_biserial"] = rank_biserial_paired(d)
    ties = tie_sizes(np.abs(d[~zero]))  # tie groups among non-zero |d| (zeros never enter the correction)
    has_ties = bool((ties > 1).any())

    if method == "exact" and not has_ties and n_zero == 0:
        pmf = _signed_rank_pmf(n_nonzero)
        v_int = int(round(v))
        tail = pmf[v_int:].sum() if v > n_nonzero * (n_nonzero + 1) / 4 else pmf[: v_int + 1].sum()
        result["p_value"] = float(min(1.0, 2 * tail))
        result["p_method"] = "exact"
        result["method"] = f"Wilcoxon signed-rank test, two-sided; exact null distribution of V; {counts}"
        return result

    n = used.size
    mean = n * (n + 1) / 4
    var24 = n * (n + 1) * (2 * n + 1) - np.sum(ties**3 - ties) / 2
    if zero_method == "pratt":
        mean -= n_zero * (n_zero + 1) / 4
        var24 -= n_zero * (n_zero + 1) * (2 * n_zero + 1)
    sigma = math.sqrt(var24 / 24)
    centred = v - mean
    shift = 0.5 * np.sign(centred) if correction else 0.0
    z = (centred - shift) / sigma
    result["z"] = float(z)
    result["p_value"] = float(min(1.0, 2 * stats.norm.sf(abs(z))))
    result["p_method"] = "approx"
    fallback = ""
    if method == "exact":
        why = " and ".join(w for w, present in (("ties", has_ties), ("zero differences", n_zero > 0)) if present)
        fallback = f"exact p requested but not valid with {why}, so "
    result["method"] = (
        f"Wilcoxon signed-rank test, two-sided; {fallback}normal approximation with tie-corrected variance"
        f"{' and continuity correction' if correction else ', no continuity correction'}; "
        f"{ZERO_METHODS[zero_method]}; {counts}"
    )
    return result


def hodges_lehmann(d, confidence: float = 0.95, correction: bool = True, zero_method: str = "wilcox") -> dict:
    """Hodges-Lehmann estimate (pseudomedian) of paired differences with a distribution-free CI.

    Estimate: median of the M = n(n+1)/2 Walsh averages (d_i + d_j)/2, i <= j.
    CI: the Walsh averages of order k and M + 1 - k, with
    k = M - floor(M/2 + 0.5 + z * sigma), sigma = sqrt(n(n+1)(2n+1)/24 - sum(t^3 - t)/48) over tie
    groups t of the differences, z the normal quantile. This is exactly the set of shifts the
    continuity-corrected, tie-corrected normal-approximation signed-rank test does not reject:
    R ``wilcox.test(conf.int=TRUE, exact=FALSE, correct=TRUE)`` finds the same limits by
    ``uniroot`` (tolerance 1e-4) on that step function, so R agrees up to that tolerance. It is
    also Hollander & Wolfe's large-sample order-statistic interval (k = n(n+1)/4 - z sigma,
    rounded) up to ties at the rounding boundary. ``zero_method="wilcox"`` drops zero
    differences first, as R does; ``"include"`` keeps them.
    If k < 1 the level is not achievable with this n: the CI is NaN. If k = 1 the CI is
    [min, max] of the differences (for 95%: n = 6 without ties); there R lowers the level instead
    and warns, so R's interval differs in that one case.

    Returns n (differences used), n_zero_dropped, estimate, ci_low, ci_high, confidence, k,
    n_walsh, method.
    """
    if zero_method not in ("wilcox", "include"):
        raise ValueError(f"zero_method must be 'wilcox' or 'include', got {zero_method!r}")
    confidence = check_confidence(confidence)
    d = as_float_array(d, "paired differences")
    used = d[d != 0] if zero_method == "wilcox" else d
    n = used.size
    result = {
        "n": n,
        "n_zero_dropped": int(d.size - n),
        "estimate": math.nan,
        "ci_low": math.nan,
        "ci_high": math.nan,
        "confidence": confidence,
        "k": math.nan,
        "n_walsh": n * (n + 1) // 2,
    }
    zeros = "zero differences dropped, as R does" if zero_method == "wilcox" else "zero differences included"
    if n == 0:
        result["method"] = f"Hodges-Lehmann estimate not computed: no differences left ({zeros}); n = 0"
        return result
    i, j = np.triu_indices(n)
    walsh = np.sort((used[i] + used[j]) / 2)
    total = walsh.size
    result["estimate"] = float(np.median(walsh))
    ties = tie_sizes(used)
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - np.sum(ties**3 - ties) / 48)
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    k = total - math.floor(total / 2 + (0.5 if correction else 0.0) + z * sigma)
    level = f"{100 * confidence:g}%"
    text = (
        f"Hodges-Lehmann estimate = median of {total} Walsh averages of n = {n} paired differences "
        f"({zeros}); {level} CI = Walsh averages of order k and M+1-k, k from the normal approximation "
        f"to the signed-rank statistic (tie-corrected variance"
        f"{', continuity correction' if correction else ', no continuity correction'}): the inversion "
        f"R wilcox.test(conf.int=TRUE, exact=FALSE) solves numerically"
    )
    if k < 1:
        result["method"] = f"{text}; CI not achievable at {level} with n = {n} (k = {k})"
        return result
    if k == 1:
        text += "; k = 1 gives [min, max] (R would lower the level and warn)"
    result.update(k=k, ci_low=float(walsh[k - 1]), ci_high=float(walsh[total - k]), method=f"{text}; k = {k}")
    return result


def rank_biserial_paired(d) -> float:
    """Matched-pairs rank-biserial r = (R+ - R-) / (R+ + R-) over non-zero differences (Kerby 2014).

    Ranks are average ranks of |d| after dropping zeros; r > 0 when positive differences dominate
    (with d = x - y this is pingouin.wilcoxon(x, y)'s RBC). NaN if no difference is non-zero.
    """
    d = as_float_array(d, "paired differences")
    d = d[d != 0]
    if d.size == 0:
        return math.nan
    ranks = stats.rankdata(np.abs(d))
    r_plus, r_minus = ranks[d > 0].sum(), ranks[d < 0].sum()
    return float((r_plus - r_minus) / (r_plus + r_minus))


def paired_t(d, confidence: float = 0.95) -> dict:
    """One-sample t on paired differences: mean change, SD, t CI, two-sided p, Cohen's d_z = mean/SD.

    Returns n, mean, sd, se, ci_low, ci_high, confidence, t, df, p_value, d_z, method.
    """
    confidence = check_confidence(confidence)
    d = as_float_array(d, "paired differences")
    n = d.size
    nan = math.nan
    result = {"n": n, "mean": nan, "sd": nan, "se": nan, "ci_low": nan, "ci_high": nan,
              "confidence": confidence, "t": nan, "df": n - 1, "p_value": nan, "d_z": nan}
    text = f"paired t-test (one-sample t on differences), two-sided, t-distribution CI; d_z = mean/SD; n = {n} pairs"
    if n < 2:
        result["method"] = f"{text}; not computed: fewer than 2 pairs"
        return result
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    se = sd / math.sqrt(n)
    result.update(mean=mean, sd=sd, se=se)
    if sd == 0:
        result["method"] = f"{text}; t, p, CI and d_z not computed: all differences equal"
        return result
    half = stats.t.ppf(1 - (1 - confidence) / 2, n - 1) * se
    t = mean / se
    result.update(ci_low=float(mean - half), ci_high=float(mean + half), t=float(t),
                  p_value=float(2 * stats.t.sf(abs(t), n - 1)), d_z=mean / sd, method=text)
    return result


def describe(values) -> dict:
    """n (non-missing), n_missing, mean, sd (ddof=1), median, q1, q3, min, max, method.

    Quartiles use numpy's default linear interpolation, which is R's quantile type 7.
    """
    values = as_float_array(values, "values", allow_nan=True)
    present = values[~np.isnan(values)]
    n = present.size
    result = {"n": n, "n_missing": int(values.size - n)}
    if n == 0:
        result.update(mean=math.nan, sd=math.nan, median=math.nan, q1=math.nan, q3=math.nan,
                      min=math.nan, max=math.nan)
    else:
        q1, median, q3 = np.quantile(present, [0.25, 0.5, 0.75])
        result.update(mean=float(present.mean()), sd=float(present.std(ddof=1)) if n > 1 else math.nan,
                      median=float(median), q1=float(q1), q3=float(q3), min=float(present.min()),
                      max=float(present.max()))
    result["method"] = (
        f"descriptive summary of n = {n} non-missing values ({result['n_missing']} missing); SD with ddof=1; "
        "quartiles by linear interpolation (numpy default = R quantile type 7)"
    )
    return result
