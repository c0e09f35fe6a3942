"""Small, pure statistics functions for the re-analysis (no file I/O).

Modules (import the one you need; this package imports none of them, so importing
``rapamycin_mecfs.stats`` stays cheap and scipy/statsmodels load only when used):

``paired``        Wilcoxon signed-rank test, Hodges-Lehmann estimate and CI, matched-pairs
                  rank-biserial r, paired t, descriptive summary.
``multiplicity``  Holm and Benjamini-Hochberg adjustment that keeps NaN positions.
``repeated``      Friedman test with Kendall's W; linear mixed model of change from baseline.
``proportions``   Wilson score interval.
``association``   Spearman rho with CI, Mann-Whitney U, standardised mean difference.
``attrition``     Tipping-point analysis for participants who stopped; regression to the mean.
``imputation``    Multiple imputation by normal-regression draws; Rubin's rules (Barnard-Rubin
                  df); delta-adjusted pooled mean change.

Every function that returns a dict or DataFrame carries a ``method`` text naming the test,
whether it is exact or approximate, any correction, and the n used. The few functions that
return a bare number (as their callers need) document the same in their docstring.
"""

# How Spearman intervals are computed (``association.spearman_with_ci``); captions quote it. Kept
# here, where importing costs nothing, because figure captions are planned with the workflow.
SPEARMAN_CI = "Fisher z, SE = 1/sqrt(n - 3)"
