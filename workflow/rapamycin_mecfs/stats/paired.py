"""Paired (within-participant) statistics on differences d = follow-up - baseline.

Every function takes the differences of complete pairs: drop pairs with a missing value before
calling (a NaN raises ValueError, so nothing is dropped silently). All tests are two-sided.
"""

from __future__ import annotations

import math

import numpy as np
import pingouin
from scipy import stats

from ._validate import as_float_array, check_confidence, tie_sizes

ZERO_METHODS = {
    "wilcox": "zero differences dropped before ranking (zero_method='wilcox')",
    "pratt": "zero differences ranked then given no sign (zero_method='pratt', Cureton's variance)",
}

# What R computes for the same differences, per zero method: said in every method text so that a
# reader comparing with R knows which call reproduces the row.
R_EQUIVALENT = {
    "wilcox": "R wilcox.test(paired = TRUE, exact = FALSE, correct = TRUE) gives the same V and p",
    "pratt": (
        'as R coin::wilcoxsign_test(zero.method = "Pratt", distribution = "asymptotic"); '
        "R wilcox.test would drop the zero differences instead"
    ),
}


def wilcoxon_signed_rank(
    d, method: str = "approx", correction: bool = True, zero_method: str = "wilcox"
) -> dict:
    """Two-sided Wilcoxon signed-rank test of H0: differences symmetric about 0.

    The p-value is ``pingouin.wilcoxon`` (which calls ``scipy.stats.wilcoxon``): normal
    approximation with tie-corrected variance (and, for Pratt, Cureton's correction for zeros),
    continuity correction if ``correction``. ``method="exact"`` asks for the exact null
    distribution, used only without ties and zeros; otherwise the approximation is used and the
    method text says so, as R does. V, the statistic R reports, is the sum of the ranks of the
    positive differences (zeros dropped, or ranked with no sign for Pratt); scipy reports
    min(V, V-) instead, so V is summed here from the same ranks.

    Rank-biserial r = (V - V-) / (sum of all ranks): for ``zero_method="wilcox"`` this is
    pingouin's RBC (Kerby 2014); for Pratt the zeros' ranks count in the denominator, so imputed
    zeros pull the effect towards 0.

    Parameters
    ----------
    d : array-like
        Paired differences (follow-up - baseline) of complete pairs; a NaN raises ValueError.
    method : str
        "approx" (normal approximation) or "exact" (used only without ties and zeros).
    correction : bool
        Continuity correction of the normal approximation.
    zero_method : str
        "wilcox" (drop zero differences, as R) or "pratt" (rank them, give them no sign).

    Returns
    -------
    dict
        n_pairs, n_nonzero, n_zero, V, p_value, p_method ("exact" | "approx"), zero_method,
        rank_biserial, method. With no non-zero difference V is 0 and p and r are NaN.

    Examples
    --------
    Six differences, one negative with the smallest |d|: ranks 1..6, V = 2 + 3 + 4 + 5 + 6 = 20;
    exactly 2 of the 2^6 sign patterns reach V >= 20, so the exact p = 2 x 2 / 64 = 0.0625 by
    hand, and r = (20 - 1) / 21:

    >>> r = wilcoxon_signed_rank([1.5, 2.0, -0.5, 3.0, 2.5, 4.0], method="exact")
    >>> r["V"], round(r["p_value"], 4), r["p_method"], round(r["rank_biserial"], 4)
    (20.0, 0.0625, 'exact', 0.9048)

    With a zero and a tie the normal approximation is used, the zero dropped:

    >>> r = wilcoxon_signed_rank([1.5, 2.0, -0.5, 3.0, 2.5, 4.0, 0.0, 2.0])
    >>> r["n_nonzero"], r["V"], round(r["p_value"], 4), r["p_method"]
    (7, 27.0, 0.0343, 'approx')
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
        "p_value": math.nan,
        "p_method": "none",
        "zero_method": ZERO_METHODS[zero_method],
        "rank_biserial": math.nan,
    }
    counts = f"n = {n_pairs} pairs, {n_nonzero} non-zero differences"
    if n_nonzero == 0:
        result["method"] = (
            f"Wilcoxon signed-rank test not computed: no non-zero differences; {counts}"
        )
        return result

    used = d[~zero] if zero_method == "wilcox" else d
    ranks = stats.rankdata(np.abs(used))  # average ranks for ties
    v, v_minus = float(ranks[used > 0].sum()), float(ranks[used < 0].sum())
    has_ties = bool((tie_sizes(np.abs(d[~zero])) > 1).any())
    exact = method == "exact" and not has_ties and n_zero == 0
    test = pingouin.wilcoxon(
        d,
        zero_method=zero_method,
        correction=correction,
        method="exact" if exact else "asymptotic",
    )
    result.update(
        V=v,
        p_value=float(test.at["Wilcoxon", "p_val"]),
        p_method="exact" if exact else "approx",
        rank_biserial=(v - v_minus) / float(ranks.sum()),
    )
    if exact:
        result["method"] = (
            "Wilcoxon signed-rank test, two-sided; exact null distribution of V "
            f"(R wilcox.test(paired = TRUE, exact = TRUE) gives the same V and p); {counts}"
        )
        return result
    fallback = ""
    if method == "exact":
        why = " and ".join(
            w for w, present in (("ties", has_ties), ("zero differences", n_zero > 0)) if present
        )
        fallback = f"exact p requested but not valid with {why} (R falls back likewise), so "
    result["method"] = (
        f"Wilcoxon signed-rank test, two-sided; {fallback}normal approximation with "
        "tie-corrected variance"
        f"{' and continuity correction' if correction else ', no continuity correction'}; "
        f"{ZERO_METHODS[zero_method]}; {_r_equivalent(zero_method, correction)}; {counts}"
    )
    return result


def _r_equivalent(zero_method: str, correction: bool) -> str:
    """Which R call gives this row's p, or how R's default call differs."""
    if zero_method == "wilcox":
        if correction:
            return R_EQUIVALENT["wilcox"]
        return "as R wilcox.test(paired = TRUE, exact = FALSE, correct = FALSE)"
    if correction:
        return (
            "R has no Pratt test with continuity correction (coin::wilcoxsign_test omits it); "
            "R wilcox.test would drop the zero differences"
        )
    return R_EQUIVALENT["pratt"]


# --- exact order statistics of the Walsh averages without listing them -------------------------
#
# With x sorted, the Walsh averages a(i, j) = (x_i + x_j) / 2, i <= j, form an upper-triangular
# matrix whose rows and columns are non-decreasing: IEEE rounding of + and / 2 is monotone, so
# this holds for the computed floats, not just the real numbers. The k-th smallest is selected
# over per-row candidate column ranges [lo, hi) (Johnson & Mizoguchi 1978; Monahan 1984, ACM
# Algorithm 616): each step compares every candidate with one pivot, the weighted median of the
# row medians, and keeps only the side holding rank k. At least a quarter of the candidates go
# each step, so O(log n) steps of O(n log n) vectorised work, and O(n) memory throughout.

# Once this many candidates per difference are left, list them and partition: O(n) memory.
_LIST_CANDIDATES_PER_ROW = 4
# Columns either side of the searchsorted guess in which the exact boundary is looked for first.
_GUESS_SLACK = 2


def _walsh_values(x: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Walsh averages at (rows, cols) of the sorted differences x.

    The arithmetic is the brute force's (used[i] + used[j]) / 2: IEEE addition commutes, so
    sorting x first changes the order of the averages but not one bit of any value.
    """
    return (x[rows] + x[cols]) / 2


def _reaches(
    x: np.ndarray, rows: np.ndarray, cols: np.ndarray, pivot: float, strict: bool
) -> np.ndarray:
    """Whether the Walsh averages at (rows, cols) are >= pivot (> pivot if strict)."""
    values = _walsh_values(x, rows, cols)
    return values > pivot if strict else values >= pivot


def _binary_search(
    x: np.ndarray, rows: np.ndarray, lo: np.ndarray, hi: np.ndarray, pivot: float, strict: bool
) -> np.ndarray:
    """Per row, the first column in [lo, hi) that reaches the pivot (see ``_reaches``); hi if none.

    All rows at once. Compares the computed floats themselves, so rounding cannot put an
    average on the wrong side of the pivot.
    """
    lo, hi = lo.copy(), hi.copy()
    while True:
        open_rows = np.flatnonzero(lo < hi)
        if open_rows.size == 0:
            return lo
        mid = (lo[open_rows] + hi[open_rows]) // 2
        reached = _reaches(x, rows[open_rows], mid, pivot, strict)
        lo[open_rows[~reached]] = mid[~reached] + 1
        hi[open_rows[reached]] = mid[reached]


def _first_reaching(
    x: np.ndarray, rows: np.ndarray, lo: np.ndarray, hi: np.ndarray, pivot: float, strict: bool
) -> np.ndarray:
    """Per row, the first column in [lo, hi) whose Walsh average is >= pivot (> pivot if strict).

    hi where there is none. x_j >= 2 pivot - x_i locates the column up to rounding in one
    searchsorted; the answer is then confirmed by an exact binary search in a few columns around
    that guess, or in all of [lo, hi) for the rows where the guess is off by more.
    """
    last = x.size - 1
    guess = np.clip(
        np.searchsorted(x, 2 * pivot - x[rows], side="right" if strict else "left"), lo, hi
    )
    left, right = np.maximum(guess - _GUESS_SLACK, lo), np.minimum(guess + _GUESS_SLACK, hi)
    # Window [left, right) is valid if the column before it does not reach and the one after does.
    left_ok = (left == lo) | ~_reaches(x, rows, np.maximum(left - 1, 0), pivot, strict)
    right_ok = (right == hi) | _reaches(x, rows, np.minimum(right, last), pivot, strict)
    return _binary_search(
        x, rows, np.where(left_ok, left, lo), np.where(right_ok, right, hi), pivot, strict
    )


def _pivot(x: np.ndarray, rows: np.ndarray, lo: np.ndarray, counts: np.ndarray) -> float:
    """Weighted median of the rows' candidate medians, weighted by candidate counts.

    Rows holding at least half the candidates have their median <= pivot, and each such row has
    at least half its candidates <= its median, so >= 1/4 of all candidates are <= pivot (and
    likewise >= pivot): whichever side is discarded, the candidates shrink geometrically.
    """
    medians = _walsh_values(x, rows, lo + (counts - 1) // 2)
    order = np.argsort(medians, kind="stable")
    cumulative = np.cumsum(counts[order])
    return medians[order[np.searchsorted(cumulative, cumulative[-1] / 2)]]


def _list_candidates(
    x: np.ndarray, rows: np.ndarray, lo: np.ndarray, counts: np.ndarray
) -> np.ndarray:
    """All Walsh averages in the candidate ranges, row after row."""
    starts = np.cumsum(counts) - counts
    cols = np.repeat(lo - starts, counts) + np.arange(counts.sum())
    return _walsh_values(x, np.repeat(rows, counts), cols)


def _walsh_order_statistic(x: np.ndarray, rank: int) -> float:
    """The rank-th smallest (1-based) of the n(n+1)/2 Walsh averages of the sorted array x.

    Returns one of the Walsh average floats itself, bit for bit as the brute force computes it.
    """
    n = x.size
    rows = np.arange(n)
    lo, hi = rows.copy(), np.full(n, n)  # row i holds columns i..n-1 (i <= j)
    while True:  # invariant: the answer is the rank-th smallest of the candidates
        counts = hi - lo
        keep = counts > 0
        rows, lo, hi, counts = rows[keep], lo[keep], hi[keep], counts[keep]
        if counts.sum() <= _LIST_CANDIDATES_PER_ROW * n:
            values = _list_candidates(x, rows, lo, counts)
            return float(np.partition(values, rank - 1)[rank - 1])
        pivot = _pivot(x, rows, lo, counts)
        not_below = _first_reaching(x, rows, lo, hi, pivot, strict=False)
        n_below = int((not_below - lo).sum())
        if rank <= n_below:  # answer < pivot: drop everything >= pivot
            hi = not_below
            continue
        above = _first_reaching(x, rows, not_below, hi, pivot, strict=True)
        n_not_above = int((above - lo).sum())
        if rank <= n_not_above:  # the pivot is a Walsh average of exactly this rank
            return float(pivot)
        rank -= n_not_above  # answer > pivot: drop everything <= pivot
        lo = above


def _walsh_successor(x: np.ndarray, value: float, rank: int) -> float:
    """The (rank + 1)-th smallest Walsh average, given that ``value`` is the rank-th smallest."""
    rows = np.arange(x.size)
    above = _first_reaching(x, rows, rows, np.full(x.size, x.size), value, strict=True)
    if int((above - rows).sum()) > rank:  # ties: the next one is equal to value
        return value
    has_above = above < x.size  # row minima above value; each row's first is its smallest
    return float(_walsh_values(x, rows[has_above], above[has_above]).min())


def _walsh_median(x: np.ndarray) -> float:
    """np.median of the Walsh averages of the sorted array x, from the one or two middle ones.

    np.median itself averages the middle pair, so applying it to just that pair gives the same
    float as applying it to all the averages.
    """
    total = x.size * (x.size + 1) // 2
    lower = _walsh_order_statistic(x, (total + 1) // 2)
    middle = [lower] if total % 2 else [lower, _walsh_successor(x, lower, total // 2)]
    return float(np.median(np.array(middle)))


def hodges_lehmann(
    d, confidence: float = 0.95, correction: bool = True, zero_method: str = "wilcox"
) -> dict:
    """Hodges-Lehmann estimate (pseudomedian) of paired differences with a distribution-free CI.

    Estimate: median of the M = n(n+1)/2 Walsh averages (d_i + d_j)/2, i <= j. The needed order
    statistics are found by exact selection in the sorted-matrix structure of the averages
    (O(n log^2 n) time, O(n) memory, see ``_walsh_order_statistic``), never by listing all M; the
    values are the same floats the full sort would give.
    CI: the Walsh averages of order k and M + 1 - k, with
    k = M - floor(M/2 + 0.5 + z * sigma), sigma = sqrt(n(n+1)(2n+1)/24 - sum(t^3 - t)/48) over tie
    groups t of the differences, z the normal quantile. This is exactly the set of shifts the
    continuity-corrected, tie-corrected normal-approximation signed-rank test does not reject:
    R ``wilcox.test(conf.int=TRUE, exact=FALSE, correct=TRUE)`` finds the same limits by
    ``uniroot`` (tolerance 1e-4) on that step function, so R agrees up to that tolerance. It is
    also Hollander & Wolfe's large-sample order-statistic interval (k = n(n+1)/4 - z sigma,
    rounded) up to ties at the rounding boundary. ``zero_method="wilcox"`` drops zero
    differences first, as R does; ``"include"`` keeps them.
    If k < 1 the level is not achievable with this n: the CI is NaN. R checks achievability
    differently: it evaluates the standardised statistic at the smallest and largest difference
    (where the differences equal to that extreme drop out as zeros) and, if the interval's ends
    would not lie inside, doubles alpha until they do and warns "requested conf.level not
    achievable". That happens with ties at the extremes even when k > 1; the interval here keeps
    the requested level and the method text then names the level R would use
    (``r_wilcox_conf_level``).

    Hand-written because no maintained Python library computes the Hodges-Lehmann interval
    (scipy, statsmodels and pingouin have neither estimate nor interval); tested against R.

    Parameters
    ----------
    d : array-like
        Paired differences of complete pairs; a NaN raises ValueError.
    confidence : float
        Two-sided confidence level.
    correction : bool
        Continuity correction in k (R's ``correct = TRUE``).
    zero_method : str
        "wilcox" (drop zero differences, as R) or "include" (keep them).

    Returns
    -------
    dict
        n (differences used), n_zero_dropped, estimate, ci_low, ci_high, confidence, k,
        n_walsh, method. Estimate and CI are NaN without differences; the CI alone is NaN when
        k < 1.

    Examples
    --------
    The differences 1, 2, ..., 10: the 55 Walsh averages are symmetric about 5.5, the
    estimate. k = 8 here, and the 8th smallest average is 3 (1, 1.5, 2, 2, 2.5, 2.5, 3, 3):

    >>> r = hodges_lehmann([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0])
    >>> r["estimate"], r["ci_low"], r["ci_high"], r["k"], r["n_walsh"]
    (5.5, 3.0, 8.0, 8, 55)
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
    zeros = (
        "zero differences dropped, as R does"
        if zero_method == "wilcox"
        else "zero differences included (R wilcox.test would drop them)"
    )
    if n == 0:
        result["method"] = (
            f"Hodges-Lehmann estimate not computed: no differences left ({zeros}); n = 0"
        )
        return result
    x = np.sort(used)
    total = n * (n + 1) // 2
    result["estimate"] = _walsh_median(x)
    ties = tie_sizes(used)
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - np.sum(ties**3 - ties) / 48)
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    k = total - math.floor(total / 2 + (0.5 if correction else 0.0) + z * sigma)
    level = f"{100 * confidence:g}%"
    text = (
        f"Hodges-Lehmann estimate = median of {total} Walsh averages of n = {n} paired "
        f"differences ({zeros}); {level} CI = Walsh averages of order k and M+1-k, k from the "
        f"normal approximation to the signed-rank statistic (tie-corrected variance"
        f"{', continuity correction' if correction else ', no continuity correction'}): "
        f"the inversion R wilcox.test(conf.int=TRUE, exact=FALSE) solves numerically"
    )
    if k < 1:
        result["method"] = f"{text}; CI not achievable at {level} with n = {n} (k = {k})"
        return result
    if k == 1:
        text += "; k = 1 gives [min, max]"
    if zero_method == "wilcox":
        r_level = r_wilcox_conf_level(used, confidence, correction)
        if r_level != confidence:
            text += (
                f"; R wilcox.test(conf.int = TRUE) would lower the level to {100 * r_level:.4g}% "
                f"here and warn; this interval keeps {level}"
            )
    # + 0.0 turns a -0.0 limit into 0.0, so tied zeros cannot change the printed sign between runs.
    low, high = _walsh_order_statistic(x, k) + 0.0, _walsh_order_statistic(x, total + 1 - k) + 0.0
    result.update(k=k, ci_low=low, ci_high=high, method=f"{text}; k = {k}")
    return result


def r_wilcox_conf_level(x, confidence: float = 0.95, correction: bool = True) -> float:
    """The level R ``wilcox.test(x, conf.int = TRUE, exact = FALSE)`` reports for its interval.

    R (stats 4.2, the normal-approximation branch) standardises the signed-rank statistic of
    x - d at d = min(x) and d = max(x), differences equal to d dropped; while either lies short
    of the normal quantile it doubles alpha, then reports 1 - min(1, alpha) as the level if the
    requested one cannot be reached.

    Parameters
    ----------
    x : array-like
        The non-zero differences R keeps (no NaN).
    confidence : float
        The requested level.
    correction : bool
        Continuity correction (R's ``correct``).

    Returns
    -------
    float
        The level R reports: equal to ``confidence`` when R keeps the requested level, lower
        when it would warn "requested conf.level not achievable"; 0 when the statistic cannot be
        standardised at an extreme (every difference equal to it).

    Examples
    --------
    Ten distinct differences reach 95%; four ties at the minimum do not, and R falls to 0:

    >>> r_wilcox_conf_level([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0])
    0.95
    >>> r_wilcox_conf_level([1.0, 1.0, 1.0, 1.0, 2.0])
    0.0
    """
    x = as_float_array(x, "differences")

    def standardised(shift: float) -> float:
        xd = x - shift
        xd = xd[xd != 0]
        nx = xd.size
        ranks = stats.rankdata(np.abs(xd))
        zd = ranks[xd > 0].sum() - nx * (nx + 1) / 4
        ties = tie_sizes(ranks)
        sigma = math.sqrt(nx * (nx + 1) * (2 * nx + 1) / 24 - np.sum(ties**3 - ties) / 48)
        shifted = zd - (0.5 * np.sign(zd) if correction else 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.divide(shifted, sigma))

    at_min, at_max = standardised(float(x.min())), standardised(float(x.max()))
    if not (math.isfinite(at_min) and math.isfinite(at_max)):
        return 0.0
    alpha = 1 - confidence
    while at_min - stats.norm.isf(alpha / 2) < 0 or at_max - stats.norm.ppf(alpha / 2) > 0:
        alpha *= 2
    if alpha >= 1 or 1 - confidence < alpha * 0.75:
        return 1 - min(1.0, alpha)
    return confidence


def paired_t(d, confidence: float = 0.95) -> dict:
    """One-sample t-test on paired differences: mean change with its t CI, and Cohen's d_z.

    t, df and p from ``pingouin.ttest(d, 0)``; the CI from
    ``scipy.stats.ttest_1samp(d, 0).confidence_interval`` (unrounded: pingouin rounds its CI
    column to 2 decimals); d_z = mean / SD of the differences from
    ``pingouin.compute_effsize(d, 0 * d, paired=True, eftype="cohen_dz")``. The same t, df, p and
    CI as R ``t.test(follow_up, baseline, paired = TRUE)``.

    Parameters
    ----------
    d : array-like
        Paired differences of complete pairs; a NaN raises ValueError.
    confidence : float
        Two-sided confidence level of the interval for the mean.

    Returns
    -------
    dict
        n, mean, sd, se, ci_low, ci_high, confidence, t, df, p_value, d_z, method. With fewer
        than 2 pairs only n is filled; with all differences equal t, p, CI and d_z are NaN.

    Examples
    --------
    Differences 1, 2, 3, 4: mean 2.5, SD sqrt(5/3) = 1.291, t = 2.5 / (1.291 / 2) = 3.873 by
    hand, and d_z = 2.5 / 1.291:

    >>> r = paired_t([1.0, 2.0, 3.0, 4.0])
    >>> r["mean"], round(r["t"], 4), r["df"], round(r["p_value"], 4)
    (2.5, 3.873, 3, 0.0305)
    >>> round(r["ci_low"], 4), round(r["ci_high"], 4), round(r["d_z"], 4)
    (0.4457, 4.5543, 1.9365)
    """
    confidence = check_confidence(confidence)
    d = as_float_array(d, "paired differences")
    n = d.size
    nan = math.nan
    result = {
        "n": n,
        "mean": nan,
        "sd": nan,
        "se": nan,
        "ci_low": nan,
        "ci_high": nan,
        "confidence": confidence,
        "t": nan,
        "df": n - 1,
        "p_value": nan,
        "d_z": nan,
    }
    text = (
        "paired t-test (one-sample t on differences), two-sided, t-distribution CI; "
        "d_z = mean/SD of differences; as R t.test(paired = TRUE); "
        f"n = {n} pairs"
    )
    if n < 2:
        result["method"] = f"{text}; not computed: fewer than 2 pairs"
        return result
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    result.update(mean=mean, sd=sd, se=sd / math.sqrt(n))
    if sd == 0:
        result["method"] = f"{text}; t, p, CI and d_z not computed: all differences equal"
        return result
    test = pingouin.ttest(d, 0, confidence=confidence)
    interval = stats.ttest_1samp(d, 0.0).confidence_interval(confidence_level=confidence)
    result.update(
        t=float(test.at["T_test", "T"]),
        df=int(test.at["T_test", "dof"]),
        p_value=float(test.at["T_test", "p_val"]),
        ci_low=float(interval.low),
        ci_high=float(interval.high),
        d_z=float(pingouin.compute_effsize(d, np.zeros_like(d), paired=True, eftype="cohen_dz")),
        method=text,
    )
    return result


def describe(values) -> dict:
    """Descriptive summary of one variable, missing values counted and left out.

    Quartiles use numpy's default linear interpolation, which is R's quantile type 7.

    Parameters
    ----------
    values : array-like
        The values; NaN marks a missing one.

    Returns
    -------
    dict
        n (non-missing), n_missing, mean, sd (ddof=1; NaN for n < 2), median, q1, q3, min, max,
        method; all statistics NaN when nothing is present.

    Examples
    --------
    >>> r = describe([3.0, 1.0, 4.0, 1.0, 5.0, float("nan")])
    >>> r["n"], r["n_missing"], r["mean"], round(r["sd"], 4)
    (5, 1, 2.8, 1.7889)
    >>> r["min"], r["q1"], r["median"], r["q3"], r["max"]
    (1.0, 1.0, 3.0, 4.0, 5.0)
    """
    values = as_float_array(values, "values", allow_nan=True)
    present = values[~np.isnan(values)]
    n = present.size
    result = {"n": n, "n_missing": int(values.size - n)}
    if n == 0:
        result.update(
            mean=math.nan,
            sd=math.nan,
            median=math.nan,
            q1=math.nan,
            q3=math.nan,
            min=math.nan,
            max=math.nan,
        )
    else:
        q1, median, q3 = np.quantile(present, [0.25, 0.5, 0.75])
        result.update(
            mean=float(present.mean()),
            sd=float(present.std(ddof=1)) if n > 1 else math.nan,
            median=float(median),
            q1=float(q1),
            q3=float(q3),
            min=float(present.min()),
            max=float(present.max()),
        )
    result["method"] = (
        f"descriptive summary of n = {n} non-missing values ({result['n_missing']} missing); "
        "SD with ddof=1; quartiles by linear interpolation (numpy default = R quantile type 7)"
    )
    return result
