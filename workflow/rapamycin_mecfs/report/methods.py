"""The methods section, rendered from the study plan that ran (so what ran is what is described)."""

from __future__ import annotations

from ..plan import StudyPlan

SUBSTITUTES = {"lloq_half": "LLOQ/2", "lloq": "the LLOQ", "missing": "a missing value"}
DIRECTIONS = {
    "higher_is_better": " (higher = better)",
    "lower_is_better": " (higher = worse)",
    "none": "",
}


def _data(plan: StudyPlan) -> list[str]:
    config = plan.config
    visits = ", ".join(plan.visit_label(v) for v in plan.visits)
    sources = "; ".join(
        f"{key} from {table['file']}"
        + (f" sheet '{table['sheet']}'" if "sheet" in table else " (PDF tables)")
        for key, table in config["tables"].items()
    )
    scales = "; ".join(
        f"{spec['label']} {spec['min']:g}–{spec['max']:g}"
        + (f" in steps of {spec['step']}" if spec["step"] else "")
        + DIRECTIONS[spec["direction"]]
        for spec in plan.outcomes.values()
    )
    return [
        f"Visits: {visits}. Baseline is {plan.baseline}; the first follow-up "
        f"{plan.first_follow_up}; the final visit {plan.final}."
        + (
            ""
            if plan.days
            else " No study days are configured: time axes show visits evenly spaced."
        ),
        f"Source tables: {sources}. Every value keeps its source cell.",
        f"Cells reading any of {config['missing_tokens']} are missing; any other text that is "
        "not a number stops the run.",
        "Values below an assay's lower limit of quantification are flagged and replaced by "
        f"{SUBSTITUTES[config['below_lloq']['substitute']]}.",
        f"Corrections are applied from {config['corrections']}; each must match the current "
        "value, and each changed value carries its correction id."
        if plan.has("corrections")
        else "No corrections ledger is configured: every value is analysed as extracted.",
        f"Every value is checked against its scale's range and grid: {scales}.",
    ]


def _sets(plan: StudyPlan) -> list[str]:
    labels = {key: spec["label"] for key, spec in plan.outcomes.items()}
    return [
        "Enrolled: everyone in the participants table."
        if plan.has("participants_table")
        else "Enrolled: everyone listed in an outcome table (no participants table is configured).",
        "Attended a visit: any value of "
        f"{', '.join(labels[o] for o in plan.attendance_outcomes)} at that visit.",
        f"Reached {plan.first_follow_up}: attended {plan.first_follow_up}.",
        f"Completers: every one of {', '.join(labels[o] for o in plan.completion_outcomes)} "
        f"present at {plan.final}.",
        "Available pairs: baseline and the follow-up visit present for that outcome.",
        "Baseline carried forward (enrolled_bocf): everyone enrolled; a missing follow-up is "
        "replaced by baseline.",
        "Stopped: listed in the discontinuations table."
        if plan.has("discontinuations")
        else "Stopped: no discontinuations table is configured, so no one is recorded as having "
        "stopped.",
    ]


def _statistics(plan: StudyPlan) -> list[str]:
    analysis = plan.config["analysis"]
    multiplicity = analysis["multiplicity"]
    paragraphs = [
        "Improvement is follow-up minus baseline, with the sign flipped where lower scores are "
        "better, so positive is better.",
        "Wilcoxon signed-rank test of each follow-up visit against baseline: "
        + (
            "normal approximation with tie and continuity corrections (as R wilcox.test(paired "
            "= TRUE, exact = FALSE, correct = TRUE))"
            if analysis["wilcoxon_method"] == "approx"
            else "exact null distribution where there are no ties or zeros, otherwise the normal "
            "approximation"
        )
        + "; V is the sum of ranks of improvements; zero differences are dropped except in "
        "the baseline-carried-forward set (Pratt); Hodges–Lehmann estimate with its "
        "confidence interval; matched-pairs rank-biserial correlation.",
        "Paired t-test: mean improvement with t-based confidence interval and Cohen's d_z.",
        f"Confidence level {analysis['confidence']:.0%}; significance level {analysis['alpha']}.",
        f"Multiplicity: {', '.join(multiplicity['methods'])} within families defined by "
        f"{', '.join(multiplicity['family_by'])} (across outcomes and visits).",
        "Friedman test over all visits in completers with complete data for the outcome, with "
        "Kendall's W."
        if plan.has("friedman")
        else f"Friedman test: not applicable ({plan.component('friedman').reason}).",
        "Linear mixed model per outcome on every enrolled participant's available values "
        "(random intercept per participant, visit as a categorical fixed effect, REML): assumes "
        "values are missing at random.",
    ]
    rule = plan.responder_rule
    if rule:
        labels = {key: spec["label"] for key, spec in plan.outcomes.items()}
        criteria = "; ".join(
            f"{labels[c['outcome']]} improves by at least {c['min_improvement']:g} "
            f"{'%' if c['unit'] == 'percent' else 'points'}"
            for c in rule["criteria"]
        )
        how = {"all": "all of", "any": "any of", "at_least": f"at least {rule['k']} of"}[
            rule["combine"]
        ]
        paragraphs += [
            f"Responder rule: {how} [{criteria}] at {rule['visit']} against baseline. "
            f"{rule.get('assumption', '')}",
            "Responder proportions with Wilson intervals under three denominators: completers; "
            f"everyone who reached {plan.first_follow_up} with the last observation carried "
            "forward; everyone enrolled, with those who stopped counted as non-responders.",
        ]
    if plan.has("discontinuations"):
        paragraphs.append(
            "Attrition: baseline of completers and those who stopped compared by standardised "
            "mean difference and Mann–Whitney U."
        )
    if plan.tipping_point:
        paragraphs += _tipping_point(plan)
    rtm = analysis["regression_to_mean"]
    paragraphs.append(
        "Regression to the mean: baseline SD per outcome; "
        + (
            "expected change from regression to the mean alone = (1 − reliability) × (reference "
            "mean − baseline mean) for "
            + ", ".join(
                f"{o} (reliability {v['reliability']}, reference mean {v['reference_mean']}; "
                f"{v['source']})"
                for o, v in rtm.items()
            )
            if rtm
            else "no test–retest reliability is configured, so no expected change is computed."
        )
    )
    if plan.dose:
        unit = plan.dose["spec"]["unit"]
        measures = (
            "the last dose and the cumulative dose"
            if plan.has("cumulative_dose")
            else "the last dose"
        )
        paragraphs.append(
            f"Dose–response: Spearman ρ (Fisher-z confidence interval) of {measures} against "
            f"improvement; improvement by dose band (upper bounds {plan.dose['bands']} {unit})."
        )
    return paragraphs


def _tipping_point(plan: StudyPlan) -> list[str]:
    """The primary (multiple imputation) and secondary (single shift) tipping-point paragraphs."""
    tip = plan.tipping_point
    visit, top = tip["visit"], tip["max_shift_sd"]
    explicit = [plan.outcomes[o]["label"] for o in tip["delta_grid"] if o in plan.outcomes]
    grid = (
        f"δ from 0 in steps of {tip['delta_step_sd']:g} baseline SD rounded down to 1, 2 or 5 × "
        f"a power of ten points, up to {top:g} baseline SDs"
        + (f"; explicit grids in points for {', '.join(explicit)}" if explicit else "")
    )
    return [
        f"Tipping point at {visit}, primary analysis: delta-adjusted multiple imputation. The "
        f"missing values at {visit} of everyone enrolled with a baseline are imputed "
        f"m = {tip['imputations']} times by proper draws from a normal linear regression on "
        "baseline and the earlier visits present (one model per pattern of earlier visits; "
        f"mice's norm method; seed {tip['seed']}; not rounded or clipped to the scale). The "
        "imputed values only are shifted towards worsening by δ points, each completed set is "
        "analysed as the mean change from baseline, and the results are pooled by Rubin's rules "
        "with Barnard–Rubin degrees of freedom. The tipping point is the first δ of the grid "
        f"({grid}) at which the pooled change is no longer significant.",
        f"Tipping point, secondary analysis: every missing value at {visit} set to baseline "
        f"shifted towards worsening by one δ, searched up to {top:g} baseline SDs, Wilcoxon "
        "signed-rank test with zero differences ranked (Pratt). The p-value jumps between δ = 0 "
        "and δ just above 0, where the imputed zeros become the smallest negative ranks (R's "
        'wilcox.test drops zeros; coin::wilcoxsign_test(zero.method = "Pratt") keeps them, as '
        "here).",
    ]


def methods(plan: StudyPlan) -> list[tuple[str, list[str]]]:
    """(heading, paragraphs) pairs describing the analysis plan of this run's config."""
    sections = [
        ("Data and cleaning", _data(plan)),
        ("Analysis sets", _sets(plan)),
        ("Statistical analysis", _statistics(plan)),
    ]
    if plan.has("biomarkers"):
        section = plan.config["biomarker_analysis"]
        sections.append(
            (
                "Biomarkers",
                [
                    f"Markers: {', '.join(plan.outcomes[m]['label'] for m in plan.markers)}.",
                    "Correlated with: "
                    f"{', '.join(plan.outcomes[o]['label'] for o in plan.correlated_outcomes)}.",
                    f"Change from baseline at: {', '.join(plan.change_visits)}.",
                    f"ROC AUC bootstrap: {section['bootstrap']['resamples']} resamples, seed "
                    f"{section['bootstrap']['seed']}."
                    if plan.has("biomarker_responders")
                    else "Responders and non-responders are not compared: no responder rule is "
                    "configured.",
                ],
            )
        )
    return sections
