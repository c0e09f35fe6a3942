"""The methods section, rendered from the configuration that ran (so what ran is what is described)."""

from __future__ import annotations

from typing import Any


def methods(config: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(heading, paragraphs) pairs describing the analysis plan in config.yaml."""
    visits = ", ".join(f"{v['id']} (day {v['day']})" for v in config["visits"])
    sections = []
    data = [
        f"Visits: {visits}. Baseline is {config['visits'][0]['id']}.",
        "Source tables: "
        + "; ".join(
            f"{key} from {table['file']}" + (f" sheet '{table['sheet']}'" if "sheet" in table else " (PDF tables)")
            for key, table in config["tables"].items()
        )
        + ". Every value keeps its source cell.",
        f"Cells reading any of {config['missing_tokens']} are missing; any other text that is not a number stops the run.",
        f"Values below an assay's lower limit of quantification are flagged and replaced by "
        f"{ {'lloq_half': 'LLOQ/2', 'lloq': 'the LLOQ', 'missing': 'a missing value'}[config['below_lloq']['substitute']] }.",
        f"Corrections are applied from {config['corrections']}; each must match the current value, and each changed value carries its correction id.",
        "Every value is checked against its scale's range and grid: "
        + "; ".join(
            f"{spec['label']} {spec['min']:g}–{spec['max']:g}"
            + (f" in steps of {spec['step']:g}" if spec["step"] else "")
            + {"higher_is_better": " (higher = better)", "lower_is_better": " (higher = worse)", "none": ""}[spec["direction"]]
            for instrument in config["instruments"].values()
            for spec in instrument["outcomes"].values()
        )
        + ".",
    ]
    sections.append(("Data and cleaning", data))
    completer = config["analysis_sets"]["completer_visit"]
    sections.append(
        (
            "Analysis sets",
            [
                "Enrolled: everyone in the participants table.",
                f"Reached {config['visits'][1]['id']}: any questionnaire value at {config['visits'][1]['id']}.",
                f"Completers: every questionnaire outcome present at {completer}.",
                "Available pairs: baseline and the follow-up visit present for that outcome.",
                "Baseline carried forward (enrolled_bocf): everyone enrolled; a missing follow-up is replaced by baseline.",
            ],
        )
    )
    analysis = config.get("analysis", {})
    if analysis:
        multiplicity = analysis["multiplicity"]
        rule = analysis["responders"]
        criteria = "; ".join(
            f"{c['outcome']} improves by at least {c['min_improvement']:g} {'%' if c['unit'] == 'percent' else 'points'}"
            for c in rule["criteria"]
        )
        how = {"all": "all of", "any": "any of", "at_least": f"at least {rule['k']} of"}[rule["combine"]]
        sections.append(
            (
                "Statistical analysis",
                [
                    "Improvement is follow-up minus baseline, with the sign flipped where lower scores are better, so positive is better.",
                    "Wilcoxon signed-rank test of each follow-up visit against baseline: "
                    + (
                        "normal approximation with tie and continuity corrections (as R wilcox.test(paired = TRUE, exact = FALSE, correct = TRUE))"
                        if analysis["wilcoxon_method"] == "approx"
                        else "exact null distribution where there are no ties or zeros, otherwise the normal approximation"
                    )
                    + "; V is the sum of ranks of improvements; zero differences are dropped except in the baseline-carried-forward set (Pratt); "
                    "Hodges–Lehmann estimate with its confidence interval; matched-pairs rank-biserial correlation.",
                    "Paired t-test: mean improvement with t-based confidence interval and Cohen's d_z.",
                    f"Confidence level {analysis['confidence']:.0%}; significance level {analysis['alpha']}.",
                    f"Multiplicity: {', '.join(multiplicity['methods'])} within families defined by {', '.join(multiplicity['family_by'])} (across outcomes and visits).",
                    "Friedman test over all visits in completers with complete data for the outcome, with Kendall's W.",
                    "Linear mixed model per outcome on every enrolled participant's available values (random intercept per participant, visit as a categorical fixed effect, REML): assumes values are missing at random.",
                    f"Responder rule: {how} [{criteria}] at {rule.get('visit') or config['visits'][-1]['id']} against baseline. {rule.get('assumption', '')}",
                    "Responder proportions with Wilson 95% intervals under three denominators: completers; everyone who reached T1 with the last observation carried forward; everyone enrolled, with those who stopped counted as non-responders.",
                    "Attrition: baseline of completers and those who stopped compared by standardised mean difference and Mann–Whitney U.",
                    f"Tipping point: the missing follow-up values of those who stopped are set to baseline shifted towards worsening by δ, up to {analysis['tipping_point']['max_shift_sd']:g} baseline SDs, until the change is no longer significant.",
                    "Regression to the mean: baseline SD per outcome; "
                    + (
                        "expected change from regression to the mean alone = (1 − reliability) × (reference mean − baseline mean) for "
                        + ", ".join(f"{o} (reliability {v['reliability']}, reference mean {v['reference_mean']}; {v['source']})" for o, v in analysis["regression_to_mean"].items())
                        if analysis["regression_to_mean"]
                        else "no test–retest reliability is configured, so no expected change is computed."
                    ),
                    f"Dose–response: Spearman ρ (Fisher-z confidence interval) of the last dose and the cumulative dose against improvement; improvement by dose band (upper bounds {analysis['dose_bands']} mg/week).",
                ],
            )
        )
    biomarkers = config.get("biomarker_analysis")
    if biomarkers:
        sections.append(("Biomarkers", [f"{key}: {value}" for key, value in biomarkers.items()]))
    return sections
