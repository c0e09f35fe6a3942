"""Every figure the pipeline draws for a study: name, title, report section and caption, in report
order.

Standard library only: Snakemake plans with it and the report reads it. The one caption of each
figure is written here; the HTML report prints it under the figure, and `snakemake --report`
shows the same text through each figure rule's `caption` param (workflow/report/caption.rst).
Only the figures whose components are on are listed, so the list is also what the rules plan.
"""

from __future__ import annotations

from ..plan import StudyPlan
from ..stats import SPEARMAN_CI

SYNTHETIC_NOTE = (
    "While the config says synthetic: true, every figure carries a red SYNTHETIC DATA banner "
    "and watermark: its numbers are not the trial's results."
)

# The per-outcome tables (analysis/registry.py) each figure draws, by figure name or name prefix:
# a figure whose table the study does not produce is not drawn (its rule is not planned).
OUTCOME_TABLES_DRAWN = {
    "trajectories_": ("visit_medians",),
    "forest_": ("paired_tests", "mixed_model", "regression_to_mean"),
    "baseline_by_completion": ("baseline_by_completion",),
    "dose_response": ("dose_response", "dose_bands"),
}


def tables_drawn(name: str) -> tuple[str, ...]:
    """The per-outcome tables figure `name` draws (none for figures drawn from other tables)."""
    return next((t for key, t in OUTCOME_TABLES_DRAWN.items() if name.startswith(key)), ())


BIOMARKER_FIGURES = (
    "biomarker_trajectories",
    "biomarker_heatmap",
    "biomarker_change_scatter",
    "biomarker_roc",
)


def trajectory_name(instrument: str) -> str:
    return f"trajectories_{instrument}"


def forest_name(visit: str) -> str:
    return f"forest_{visit.lower()}"


def _time_axis(plan: StudyPlan) -> str:
    return (
        "study day" if plan.days else "visit (no study days configured: visits are evenly spaced)"
    )


def figures(plan: StudyPlan) -> list[dict[str, str]]:
    """The figures this study's plan draws, in report order: name, title, section, caption."""
    final, first = plan.final, plan.first_follow_up
    completers = f"completers (every completion outcome present at {final})"
    level = f"{100 * plan.config['analysis']['confidence']:g}%"
    out = [
        (
            "participant_flow",
            "Participant flow",
            "participant_flow",
            "CONSORT-style flow of the single-arm study: everyone who received "
            f"{plan.study['intervention']} (first box), how many had any attendance-outcome "
            f"value at each follow-up visit, and how many were analysed as {completers}. "
            + (
                "Side boxes give how many stopped after each visit and their reasons as listed "
                "in the supplement's discontinuations table, and the participants with "
                "final-visit data who are not completers. "
                if plan.has("discontinuations")
                else "No discontinuations table is configured, so no one is shown as having "
                "stopped. "
            )
            + "Counts from results/clean/attrition.csv; the non-completers with final-visit "
            "data from results/clean/participants.csv. A difference between consecutive "
            "boxes not explained by the listed discontinuations is printed, not hidden.",
        )
    ]
    for instrument in plan.outcome_instruments(plan.analysed_outcomes):
        label = plan.config["instruments"][instrument]["label"]
        out.append(
            (
                trajectory_name(instrument),
                f"{label}: trajectories",
                "outcomes",
                f"{label}, one row of panels per analysed outcome; x axis: {_time_axis(plan)}. "
                "Faint lines: one participant's values over the visits "
                "(results/clean/outcomes/<outcome>.csv). Bold: the median at each visit with "
                f"its {level} confidence interval by the distribution-free order-statistic "
                "method (the order statistics of ranks r and n + 1 - r, r from the "
                f"Binomial(n, 1/2) distribution; coverage at least {level}; no resampling, "
                "not drawn when n is too small), and n under each tick: the rows of "
                "results/tables/visit_medians.csv, drawn as they are. Left: "
                f"{completers} (analysis set completers_at_visit); right: everyone with a "
                "value at the visit (available_at_visit), so later visits hold fewer, "
                "self-selected participants. The y axis spans the scale's range and states "
                "which direction is better.",
            )
        )
    out.append(
        (
            forest_name(final),
            f"Standardised improvement at {final}",
            "key_findings",
            f"Improvement from baseline to {final} for every analysed outcome, on one "
            "standardised scale: the estimate and its 95% CI divided by the baseline SD of "
            "everyone enrolled (baseline_sd in results/tables/regression_to_mean.csv; the SD is "
            "treated as fixed). Positive = better on every scale (improvement is sign-flipped "
            "for lower-is-better outcomes). Three analyses side by side: completers, paired t "
            "mean improvement (results/tables/paired_tests.csv, analysis_set completers, test "
            "paired_t); all enrolled, linear mixed model on every available value, missing at "
            "random assumed (improvement_estimate in results/tables/mixed_model.csv); all "
            "enrolled, baseline carried forward (a missing follow-up counts as no change; "
            "paired_tests.csv, analysis_set enrolled_bocf). The legend gives n per outcome "
            "(pairs, or participants and those observed at the visit for the mixed model).",
        )
    )
    if plan.has("responders"):
        out.append(
            (
                "responders",
                "Responders under three denominators",
                "responders",
                "Proportion of responders under the configured responder rule (printed above "
                "the plot; its threshold is a stated assumption) with 95% Wilson score "
                "intervals, under three denominators: completers evaluable on every criterion; "
                f"everyone with data at {first}, last observation carried forward; everyone "
                "enrolled, with anyone who stopped counted as a non-responder. Counts, "
                "proportions and intervals from results/tables/responders.csv (responders/n "
                "above each bar).",
            )
        )
    if plan.has("discontinuations"):
        out.append(
            (
                "baseline_by_completion",
                "Baseline of completers vs those who stopped",
                "attrition",
                "Were those who stopped different at baseline? Standardised mean difference of "
                "each outcome's baseline, completers minus those who stopped, pooled SD "
                "sqrt((SD1^2 + SD2^2) / 2), from results/tables/baseline_by_completion.csv, "
                "multiplied by -1 for lower-is-better outcomes so that positive always means "
                "the completers were better off at baseline. Shaded bands: absolute SMD below "
                "0.1 (darker) and below 0.2. Filled markers: Mann-Whitney U Benjamini-Hochberg "
                "adjusted p < 0.05 across outcomes. Group sizes (n_1, n_2 in the table) in the "
                "subtitle; participants who neither completed nor stopped are in neither group. "
                "When no one stopped, the figure says so.",
            )
        )
    if plan.has("dose_response"):
        unit = plan.dose["spec"]["unit"]
        out.append(
            (
                "dose_response",
                "Achieved dose vs improvement",
                "dose_response",
                f"Each participant's last dose ({unit}) against their improvement at their last "
                "visit with a value (last observation carried forward; positive = better), for "
                "the outcomes listed under dose_response/figure_outcomes; everyone with a "
                "baseline and at least one follow-up value. Coinciding points are drawn once "
                "with area proportional to their count. Black bars: median improvement per dose "
                "band, shaded: interquartile range (results/tables/dose_bands.csv). Panel "
                f"titles: Spearman rho with its 95% CI ({SPEARMAN_CI}) and n from "
                "results/tables/dose_response.csv; the figure recomputes rho and n from the "
                "points it draws and stops if they differ from the table. Dose was not "
                "randomised: an association here is not a dose effect.",
            )
        )
    if plan.has("biomarkers"):
        out += [
            (
                "biomarker_trajectories",
                "Markers over the course",
                "biomarkers",
                f"Each configured marker at each visit (log scale; x axis: {_time_axis(plan)}). "
                f"Faint lines: one participant. Bold: median with {level} CI by the "
                "order-statistic method, every available value "
                "(results/tables/biomarkers/visit_medians.csv, available_at_visit). Crosses: "
                "values below the assay's lower limit of quantification (LLOQ, dashed line), "
                "drawn at the value substituted for them in the analysis; counts below the "
                "LLOQ under each tick "
                "(results/tables/biomarkers/lloq_counts.csv, checked against the flags in the "
                "cleaned table). Under each panel: change from baseline by the Hodges-Lehmann "
                "estimate with 95% CI and Benjamini-Hochberg adjusted Wilcoxon signed-rank p, "
                "available pairs (results/tables/biomarkers/trajectory.csv). n under each tick: "
                "participants with a value.",
            ),
            (
                "biomarker_heatmap",
                "Marker vs outcome correlations",
                "biomarkers",
                "Spearman rho between each marker's level and each outcome's score at the same "
                "visit, everyone enrolled with both values at that visit "
                "(results/tables/biomarkers/spearman_cross_sectional.csv; n range in the "
                "subtitle). Raw values, no sign flip: the row label says which direction of the "
                "outcome is better. An asterisk marks a Benjamini-Hochberg adjusted p < 0.05 "
                "within the marker's family of outcomes x visits.",
            ),
            (
                "biomarker_change_scatter",
                "Marker change vs outcome change",
                "biomarkers",
                "Change in each marker against change in the outcomes listed under "
                f"biomarker_analysis/scatter_outcomes from baseline to {final}, raw changes "
                "(follow-up minus baseline, no sign flip; axis labels say which direction is "
                "better), everyone enrolled with both values at both visits. Crosses: a marker "
                "value below the LLOQ at either visit (substituted value used). Panel titles: "
                "Spearman rho with 95% CI (Fisher z), Benjamini-Hochberg adjusted p and n from "
                "results/tables/biomarkers/spearman_change.csv; the figure recomputes rho and n "
                "from the points drawn and stops if they differ.",
            ),
        ]
    if plan.has("biomarker_responders"):
        out.append(
            (
                "biomarker_roc",
                "Biomarkers and response: ROC curves",
                "biomarkers",
                "ROC curves of each marker's baseline level and of its early change (baseline "
                "to each change visit before the responder visit) for telling responders from "
                "non-responders under the configured rule (an assumption, printed above the "
                "plot). Participants whose responder status is observed at the responder visit "
                "and who have the measure; higher values scored as responder; the curve's "
                "vertices are the rows of results/tables/biomarkers/roc_curve.csv. Legend: "
                "AUC = U / (n1 n2) with its 95% stratified percentile bootstrap CI (seeded) "
                "and the group sizes, "
                "from results/tables/biomarkers/roc_auc.csv; the figure checks the area under "
                "the drawn curve and the group sizes against the table.",
            )
        )
    if plan.has("simulation"):
        out.append(
            (
                "simulation_null",
                "Apparent results of simulated trials with no treatment effect",
                "simulation",
                "Distribution of the responder proportion under each denominator in simulated "
                "single-arm trials shaped like this one, per scenario (attrition and selection "
                "at entry as configured under simulation in the config); the observed "
                "proportion is marked. Same responder rule and statistics as the main analysis.",
            )
        )
    note = f" {SYNTHETIC_NOTE}" if plan.synthetic else ""
    produced = set(plan.outcome_tables)
    return [
        {"name": name, "title": title, "section": section, "caption": caption + note}
        for name, title, section, caption in out
        if set(tables_drawn(name)) <= produced
    ]


def figure(plan: StudyPlan, name: str) -> dict[str, str]:
    """One figure's entry; a KeyError names the figures this plan draws."""
    entries = {entry["name"]: entry for entry in figures(plan)}
    if name not in entries:
        raise KeyError(f"figure {name!r} is not drawn for this study; drawn: {sorted(entries)}")
    return entries[name]
