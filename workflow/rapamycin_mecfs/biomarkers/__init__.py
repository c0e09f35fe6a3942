"""Biomarker analyses: do the plasma autophagy markers move, track the outcomes, or tell
responders from non-responders?

Two jobs per marker (``marker.marker_tables``: the marker alone and against the responder rule;
``marker.correlation_tables``: against the outcomes) return tidy tables; each row names its method,
analysis set and, where it has a p-value, the family it was adjusted in (``families``).

Modules (this package imports none of them, so importing it stays cheap; scipy
loads only in the modules that use them):

``lloq``         count of below-LLOQ and missing values per visit, and how they enter the analysis.
``trajectory``   paired Wilcoxon signed-rank (and paired t) of each follow-up visit vs baseline,
                 raw change (markers have no improvement direction).
``correlation``  cross-sectional Spearman at each visit and change-change Spearman.
``rmcorr``       repeated-measures correlation within participants (as pingouin.rm_corr, from
                 centred values).
``roc``          ROC AUC as U / (n1 n2) and its seeded, vectorised, stratified bootstrap CI (numpy).
``responders``   responders vs non-responders: Mann-Whitney U on marker level and change; ROC AUC.
``families``     Benjamini-Hochberg within families; the same rule per marker and across markers.
``marker``       every table of one marker.
"""
