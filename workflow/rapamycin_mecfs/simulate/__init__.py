"""Null-trial simulator: how much of a single-arm result attrition and regression to the mean make.

Simulates trials shaped like the analysed one (participants, visits, scales, baseline
distribution, measurement noise, selection at entry, dropout that may depend on how a participant
is doing) with a chosen true effect (default 0), and computes on each the numbers the pipeline
reports: completers' Wilcoxon p per outcome and the responder proportion under three denominators.

Modules: ``scenarios`` (config -> each job's settings, seeds, paths; standard library only, so
Snakemake can plan with it), ``model`` (the data-generating model and its calibration),
``stats_vectorised`` (the pipeline's statistics over many trials at once), ``summarise`` (per-trial
summaries and their aggregation) and ``plot`` (the figure).
"""
