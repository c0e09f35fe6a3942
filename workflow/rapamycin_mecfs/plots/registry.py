"""Every figure the pipeline draws: name, title, report section and caption, in report order.

Standard library only: Snakemake plans with it and the report reads it. The report places each
figure under its `section` and prints its `caption` (rST-compatible plain text: method, analysis
set and where n comes from). workflow/report/figures/<name>.rst holds the same caption for
`snakemake --report` (trajectories_*: one template, trajectories.rst, rendered per instrument);
tests/test_plots.py checks they agree; `python -m rapamycin_mecfs.plots.registry` rewrites them.

`figures()` builds the list for any set of questionnaire instruments and final visit; FIGURES is
the list for the shipped configuration.
"""

from __future__ import annotations

import sys
from pathlib import Path

SECTIONS = ("participant_flow", "outcomes", "responders", "attrition", "biomarkers", "dose_response")

SYNTHETIC_NOTE = (
    "While the config says synthetic: true, every figure carries a red SYNTHETIC DATA banner and watermark: "
    "its numbers are not the trial's results."
)

DEFAULT_INSTRUMENTS = {
    "bas": "Bell Activity Scale",
    "sss": "Symptom Severity Scale v2.2",
    "mfi": "Multidimensional Fatigue Inventory (MFI-20)",
    "sf36": "RAND SF-36",
}

# Outcomes drawn in the dose and change-scatter figures (those not analysed are skipped).
DOSE_OUTCOMES = ("bas", "sss_pem", "mfi_general_fatigue", "sf36_physical_functioning")
CHANGE_SCATTER_OUTCOMES = ("mfi_general_fatigue", "sss_pem", "bas")


TRAJECTORY_CAPTION = (
    "{label}, one row of panels per outcome. Faint lines: one participant's values over the visits. "
    "Bold: the median at each visit with its 95% confidence interval by the distribution-free "
    "order-statistic method (the interval between the order statistics of ranks r and n + 1 - r, r "
    "from the Binomial(n, 1/2) distribution; coverage at least 95%; no resampling, not drawn when n is "
    "too small). Left: completers only (every questionnaire outcome present at the final visit, "
    "set_completers in results/clean/participants.csv); right: every available value, so later visits "
    "hold fewer, self-selected participants. n under each tick: participants with a value at that "
    "visit. Values from results/clean/outcomes/<outcome>.csv; the y axis spans the scale's range and "
    "states which direction is better."
)
# The trajectory rule is one wildcard rule (a job per instrument); its report caption is this template,
# which Snakemake renders with the job's params.
TRAJECTORY_CAPTION_FILE = "trajectories"
TRAJECTORY_LABEL_PARAM = "{{ snakemake.params.instrument_label }}"


def _entry(name: str, title: str, section: str, caption: str) -> dict[str, str]:
    assert section in SECTIONS, section
    return {"name": name, "title": title, "section": section, "caption": f"{caption} {SYNTHETIC_NOTE}"}


def trajectory_name(instrument: str) -> str:
    return f"trajectories_{instrument}"


def forest_name(visit: str) -> str:
    return f"forest_{visit.lower()}"


BIOMARKER_FIGURES = ("biomarker_trajectories", "biomarker_heatmap", "biomarker_change_scatter", "biomarker_roc")


def figures(instruments: dict[str, str] | None = None, final_visit: str = "T3", biomarkers: bool = True) -> list[dict[str, str]]:
    """The registry for these questionnaire instruments (key -> label) and final visit."""
    instruments = DEFAULT_INSTRUMENTS if instruments is None else instruments
    out = [
        _entry(
            "participant_flow",
            "Participant flow",
            "participant_flow",
            "CONSORT-style flow of the single-arm trial: everyone who started rapamycin, how many had any "
            "questionnaire value at each follow-up visit, and how many were analysed as completers (every "
            "questionnaire outcome present at the final visit). Side boxes give how many stopped after each visit "
            "and their reasons as listed in the supplement's discontinuations table, and the participants with "
            "final-visit data who are not completers. Counts from results/clean/attrition.csv; the non-completers "
            "with final-visit data from results/clean/participants.csv. A difference between consecutive boxes "
            "not explained by the listed discontinuations is printed, not hidden.",
        )
    ]
    for key, label in instruments.items():
        out.append(_entry(trajectory_name(key), f"{label}: trajectories", "outcomes", TRAJECTORY_CAPTION.format(label=label)))
    out.append(
        _entry(
            forest_name(final_visit),
            f"Standardised improvement at {final_visit}",
            "outcomes",
            f"Improvement from baseline to {final_visit} for every outcome, on one standardised scale: the estimate "
            "and its 95% CI divided by the baseline SD of everyone enrolled (baseline_sd in "
            "results/tables/regression_to_mean.csv; the SD is treated as fixed). Positive = better on every scale "
            "(improvement is sign-flipped for lower-is-better outcomes). Three analyses side by side: completers, "
            "paired t mean improvement (results/tables/paired_tests.csv, analysis_set completers, test paired_t); "
            "all enrolled, linear mixed model on every available value, missing at random assumed "
            "(improvement_estimate in results/tables/mixed_model.csv); all enrolled, baseline carried forward "
            "(a missing follow-up counts as no change; paired_tests.csv, analysis_set enrolled_bocf). The legend "
            "gives n per outcome (pairs, or participants and those observed at the visit for the mixed model).",
        )
    )
    out.append(
        _entry(
            "responders",
            "Responders under three denominators",
            "responders",
            "Proportion of responders under the configured responder rule (printed above the plot; its threshold "
            "is a stated assumption) with 95% Wilson score intervals, under three denominators: completers "
            "evaluable on every criterion; everyone with data at T1, last observation carried forward; everyone "
            "enrolled, with anyone who stopped counted as a non-responder. Counts, proportions and intervals from "
            "results/tables/responders.csv (responders/n printed at each point).",
        )
    )
    out.append(
        _entry(
            "baseline_by_completion",
            "Baseline of completers vs those who stopped",
            "attrition",
            "Were those who stopped different at baseline? Standardised mean difference of each outcome's baseline, "
            "completers minus those who stopped, pooled SD sqrt((SD1^2 + SD2^2) / 2), from "
            "results/tables/baseline_by_completion.csv, multiplied by -1 for lower-is-better outcomes so that "
            "positive always means the completers were better off at baseline. Shaded bands: absolute SMD below "
            "0.1 (darker) and below 0.2. Filled markers: Mann-Whitney U Benjamini-Hochberg adjusted p < 0.05 across "
            "outcomes. Group sizes (n_1, n_2 in the table) in the subtitle; participants who neither completed "
            "nor stopped are in neither group.",
        )
    )
    out.append(
        _entry(
            "dose_response",
            "Achieved dose vs improvement",
            "dose_response",
            "Each participant's last weekly dose (mg/week) against their improvement at their last visit with a "
            "value (last observation carried forward; positive = better), for a few key outcomes; everyone with "
            "a baseline and at least one follow-up value. Coinciding points are drawn once with area proportional "
            "to their count. Black bars: median improvement per dose band, shaded: interquartile range "
            "(results/tables/dose_bands.csv). Panel titles: Spearman rho with its 95% CI (Fisher z, Bonett and "
            "Wright SE) and n from results/tables/dose_response.csv; the figure recomputes rho and n from the "
            "points it draws and stops if they differ from the table. Dose was not randomised: an association "
            "here is not a dose effect.",
        )
    )
    if biomarkers:
        out += [
            _entry(
                "biomarker_trajectories",
                "Plasma markers over the course",
                "biomarkers",
                "Each configured plasma marker at each visit (log scale). Faint lines: one participant. Bold: median "
                "with 95% CI by the order-statistic method, every available value. Crosses: values below the "
                "assay's lower limit of quantification (LLOQ, dashed line), drawn at the value substituted for "
                "them in the analysis; counts below the LLOQ under each tick (results/tables/biomarkers/"
                "lloq_counts.csv, checked against the flags in the cleaned table). Under each panel: change from "
                "baseline by the Hodges-Lehmann estimate with 95% CI and Benjamini-Hochberg adjusted Wilcoxon "
                "signed-rank p, available pairs (results/tables/biomarkers/trajectory.csv). n under each tick: "
                "participants with a value.",
            ),
            _entry(
                "biomarker_heatmap",
                "Marker vs outcome correlations",
                "biomarkers",
                "Spearman rho between each marker's level and each outcome's score at the same visit, everyone "
                "enrolled with both values at that visit (results/tables/biomarkers/spearman_cross_sectional.csv; "
                "n range in the subtitle). Raw values, no sign flip: the row label says which direction of the "
                "outcome is better. An asterisk marks a Benjamini-Hochberg adjusted p < 0.05 within the marker's "
                "family of outcomes x visits.",
            ),
            _entry(
                "biomarker_change_scatter",
                "Marker change vs outcome change",
                "biomarkers",
                "Change in each marker against change in key outcomes (MFI general fatigue among them) from "
                "baseline to the final visit, raw changes (follow-up minus baseline, no sign flip; axis labels say "
                "which direction is better), everyone enrolled with both values at both visits. Crosses: a marker "
                "value below the LLOQ at either visit (substituted value used). Panel titles: Spearman rho with "
                "95% CI (Fisher z), Benjamini-Hochberg adjusted p and n from "
                "results/tables/biomarkers/spearman_change.csv; the figure recomputes rho and n from the points "
                "drawn and stops if they differ.",
            ),
            _entry(
                "biomarker_roc",
                "Biomarkers and response: ROC curves",
                "biomarkers",
                "ROC curves of each marker's baseline level and of its early change (baseline to each change visit "
                "before the responder visit) for telling responders from non-responders under the configured rule "
                "(an assumption, printed above the plot). Participants whose responder status is observed at the "
                "responder visit (results/tables/responders_by_participant.csv, responder_observed) and who have "
                "the measure; higher values scored as responder. Legend: AUC = U / (n1 n2) with its 95% stratified "
                "percentile bootstrap CI (seeded) and the group sizes, from results/tables/biomarkers/roc_auc.csv; "
                "the figure checks the area under the drawn curve and the group sizes against the table.",
            ),
        ]
    return out


FIGURES = figures()


def caption_files(entries: list[dict[str, str]] = FIGURES) -> dict[str, str]:
    """File stem -> text of the Snakemake report caption files (plain rST paragraphs): one per figure,
    except the trajectories, which share one template rendered per instrument."""
    files = {}
    for entry in entries:
        if entry["name"].startswith("trajectories_"):
            files[TRAJECTORY_CAPTION_FILE] = f"{TRAJECTORY_CAPTION.format(label=TRAJECTORY_LABEL_PARAM)} {SYNTHETIC_NOTE}\n"
        else:
            files[entry["name"]] = entry["caption"] + "\n"
    return files


def caption_file(name: str) -> str:
    """Stem of the caption file of figure `name`."""
    return TRAJECTORY_CAPTION_FILE if name.startswith("trajectories_") else name


def write_captions(directory: str | Path, entries: list[dict[str, str]] = FIGURES) -> None:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for stem, text in caption_files(entries).items():
        (directory / f"{stem}.rst").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write_captions(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "report" / "figures")
