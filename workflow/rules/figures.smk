# Figures: one job per figure (one per instrument for the trajectories), each reading only the
# tables it draws, so a correction to one value of one instrument redraws that instrument's
# trajectories alone. Drawing: rapamycin_mecfs/plots; which figures exist, their titles and their
# one caption (shown by the HTML report and, through workflow/report/caption.rst, by
# `snakemake --report`): plots/registry.py, from the study plan. A figure whose component is off
# has no rule.
# The figure list, paths and the helpers below are in common.smk.
rule figure_participant_flow:
    input:
        attrition=f"{RESULTS}/clean/attrition.csv",
        participants=f"{RESULTS}/clean/participants.csv",
        code=script_code("../scripts/plot_participant_flow.py"),
    output:
        png=report(
            f"{FIGURES_DIR}/participant_flow.png",
            caption=FIGURE_CAPTION,
            category="participant_flow",
        ),
        svg=f"{FIGURES_DIR}/participant_flow.svg",
    log:
        f"{LOGS}/figures/participant_flow.log",
    conda:
        "../envs/plots.yaml"
    params:
        visits=PLAN.visits,
        visit_labels={v: PLAN.visit_label(v) for v in PLAN.visits},
        final=FIGURE_FINAL,
        arm_label=PLAN.study["arm_label"],
        synthetic=config["synthetic"],
        title=FIGURE_TITLES["participant_flow"],
        caption=FIGURE_CAPTIONS["participant_flow"],
    script:
        "../scripts/plot_participant_flow.py"


if draws("trajectories_"):

    rule figure_trajectories:
        input:
            clean=lambda wildcards: [
                get_clean_outcome(o)
                for o in get_trajectory_outcomes(wildcards.instrument)
            ],
            # Each outcome's own table, not the combined one: a correction to one outcome redraws
            # its instrument's figure alone.
            medians=lambda wildcards: [
                f"{RESULTS}/tables/outcomes/{o}/visit_medians.csv"
                for o in get_trajectory_outcomes(wildcards.instrument)
            ],
            participants=f"{RESULTS}/clean/participants.csv",
            code=script_code("../scripts/plot_trajectories.py"),
        output:
            png=report(
                f"{FIGURES_DIR}/trajectories_{{instrument}}.png",
                caption=FIGURE_CAPTION,
                category="outcomes",
            ),
            svg=f"{FIGURES_DIR}/trajectories_{{instrument}}.svg",
        log:
            f"{LOGS}/figures/trajectories_{{instrument}}.log",
        conda:
            "../envs/plots.yaml"
        params:
            outcomes=lambda wildcards: get_trajectory_outcomes(wildcards.instrument),
            instrument_label=lambda wildcards: config["instruments"][
                wildcards.instrument
            ]["label"],
            visits=FIGURE_VISITS,
            synthetic=config["synthetic"],
            title=lambda wildcards: FIGURE_TITLES[
                f"trajectories_{wildcards.instrument}"
            ],
            caption=lambda wildcards: FIGURE_CAPTIONS[
                f"trajectories_{wildcards.instrument}"
            ],
        script:
            "../scripts/plot_trajectories.py"


if draws(FIGURE_FOREST):

    rule figure_forest:
        input:
            paired_tests=f"{RESULTS}/tables/paired_tests.csv",
            mixed_model=f"{RESULTS}/tables/mixed_model.csv",
            baseline_sd=f"{RESULTS}/tables/regression_to_mean.csv",
            code=script_code("../scripts/plot_forest.py"),
        output:
            png=report(
                f"{FIGURES_DIR}/{FIGURE_FOREST}.png",
                caption=FIGURE_CAPTION,
                category="outcomes",
            ),
            svg=f"{FIGURES_DIR}/{FIGURE_FOREST}.svg",
        log:
            f"{LOGS}/figures/forest.log",
        conda:
            "../envs/plots.yaml"
        params:
            visit=FIGURE_FINAL,
            outcomes=ANALYSED_OUTCOMES,
            synthetic=config["synthetic"],
            title=FIGURE_TITLES[FIGURE_FOREST],
            caption=FIGURE_CAPTIONS[FIGURE_FOREST],
        script:
            "../scripts/plot_forest.py"


if PLAN.has("responders"):

    rule figure_responders:
        input:
            responders=f"{RESULTS}/tables/responders.csv",
            code=script_code("../scripts/plot_responders.py"),
        output:
            png=report(
                f"{FIGURES_DIR}/responders.png",
                caption=FIGURE_CAPTION,
                category="responders",
            ),
            svg=f"{FIGURES_DIR}/responders.svg",
        log:
            f"{LOGS}/figures/responders.log",
        conda:
            "../envs/plots.yaml"
        params:
            synthetic=config["synthetic"],
            title=FIGURE_TITLES["responders"],
            caption=FIGURE_CAPTIONS["responders"],
        script:
            "../scripts/plot_responders.py"


if draws("baseline_by_completion"):

    rule figure_baseline_by_completion:
        input:
            baseline_by_completion=f"{RESULTS}/tables/baseline_by_completion.csv",
            code=script_code("../scripts/plot_baseline_by_completion.py"),
        output:
            png=report(
                f"{FIGURES_DIR}/baseline_by_completion.png",
                caption=FIGURE_CAPTION,
                category="attrition",
            ),
            svg=f"{FIGURES_DIR}/baseline_by_completion.svg",
        log:
            f"{LOGS}/figures/baseline_by_completion.log",
        conda:
            "../envs/plots.yaml"
        params:
            alpha=config["analysis"]["alpha"],
            synthetic=config["synthetic"],
            title=FIGURE_TITLES["baseline_by_completion"],
            caption=FIGURE_CAPTIONS["baseline_by_completion"],
        script:
            "../scripts/plot_baseline_by_completion.py"


if draws("dose_response"):

    rule figure_dose_response:
        input:
            clean=[get_clean_outcome(o) for o in PLAN.dose_figure_outcomes],
            participants=f"{RESULTS}/clean/participants.csv",
            dose_response=f"{RESULTS}/tables/dose_response.csv",
            dose_bands=f"{RESULTS}/tables/dose_bands.csv",
            code=script_code("../scripts/plot_dose_response.py"),
        output:
            png=report(
                f"{FIGURES_DIR}/dose_response.png",
                caption=FIGURE_CAPTION,
                category="dose_response",
            ),
            svg=f"{FIGURES_DIR}/dose_response.svg",
        log:
            f"{LOGS}/figures/dose_response.log",
        conda:
            "../envs/plots.yaml"
        params:
            outcomes={o: PLAN.outcomes[o] for o in PLAN.dose_figure_outcomes},
            visits=PLAN.visits,
            final=FIGURE_FINAL,
            dose_unit=PLAN.dose["spec"]["unit"] if PLAN.has("dose_response") else "",
            synthetic=config["synthetic"],
            title=FIGURE_TITLES["dose_response"],
            caption=FIGURE_CAPTIONS["dose_response"],
        script:
            "../scripts/plot_dose_response.py"


# Biomarker figures: requested only when markers are configured (get_figure_pngs); the tables
# come from biomarkers.smk.


if PLAN.has("biomarkers"):

    rule figure_biomarker_trajectories:
        input:
            clean=[get_clean_outcome(m) for m in FIGURE_MARKERS],
            lloq_counts=FIGURE_BIOMARKER_TABLES["lloq_counts"],
            visit_medians=FIGURE_BIOMARKER_TABLES["visit_medians"],
            trajectory=FIGURE_BIOMARKER_TABLES["trajectory"],
            code=script_code("../scripts/plot_biomarker_trajectories.py"),
        output:
            png=report(
                f"{FIGURES_DIR}/biomarker_trajectories.png",
                caption=FIGURE_CAPTION,
                category="biomarkers",
            ),
            svg=f"{FIGURES_DIR}/biomarker_trajectories.svg",
        log:
            f"{LOGS}/figures/biomarker_trajectories.log",
        conda:
            "../envs/plots.yaml"
        params:
            markers=FIGURE_MARKER_SPECS,
            visits=FIGURE_VISITS,
            synthetic=config["synthetic"],
            title=FIGURE_TITLES["biomarker_trajectories"],
            caption=FIGURE_CAPTIONS["biomarker_trajectories"],
        script:
            "../scripts/plot_biomarker_trajectories.py"


if PLAN.has("biomarkers"):

    rule figure_biomarker_heatmap:
        input:
            spearman=FIGURE_BIOMARKER_TABLES["spearman_cross_sectional"],
            code=script_code("../scripts/plot_biomarker_heatmap.py"),
        output:
            png=report(
                f"{FIGURES_DIR}/biomarker_heatmap.png",
                caption=FIGURE_CAPTION,
                category="biomarkers",
            ),
            svg=f"{FIGURES_DIR}/biomarker_heatmap.svg",
        log:
            f"{LOGS}/figures/biomarker_heatmap.log",
        conda:
            "../envs/plots.yaml"
        params:
            markers=FIGURE_MARKER_SPECS,
            visits=PLAN.visits,
            alpha=config["analysis"]["alpha"],
            synthetic=config["synthetic"],
            title=FIGURE_TITLES["biomarker_heatmap"],
            caption=FIGURE_CAPTIONS["biomarker_heatmap"],
        script:
            "../scripts/plot_biomarker_heatmap.py"


if PLAN.has("biomarkers"):

    rule figure_biomarker_change_scatter:
        input:
            markers=[get_clean_outcome(m) for m in FIGURE_MARKERS],
            outcomes=[get_clean_outcome(o) for o in PLAN.scatter_outcomes],
            participants=f"{RESULTS}/clean/participants.csv",
            spearman_change=FIGURE_BIOMARKER_TABLES["spearman_change"],
            code=script_code("../scripts/plot_biomarker_change_scatter.py"),
        output:
            png=report(
                f"{FIGURES_DIR}/biomarker_change_scatter.png",
                caption=FIGURE_CAPTION,
                category="biomarkers",
            ),
            svg=f"{FIGURES_DIR}/biomarker_change_scatter.svg",
        log:
            f"{LOGS}/figures/biomarker_change_scatter.log",
        conda:
            "../envs/plots.yaml"
        params:
            markers=FIGURE_MARKER_SPECS,
            outcomes={o: PLAN.outcomes[o] for o in PLAN.scatter_outcomes},
            baseline=PLAN.baseline,
            visit=FIGURE_FINAL,
            synthetic=config["synthetic"],
            title=FIGURE_TITLES["biomarker_change_scatter"],
            caption=FIGURE_CAPTIONS["biomarker_change_scatter"],
        script:
            "../scripts/plot_biomarker_change_scatter.py"


if PLAN.has("biomarker_responders"):

    rule figure_biomarker_roc:
        input:
            roc_auc=FIGURE_BIOMARKER_TABLES["roc_auc"],
            roc_curve=FIGURE_BIOMARKER_TABLES["roc_curve"],
            code=script_code("../scripts/plot_biomarker_roc.py"),
        output:
            png=report(
                f"{FIGURES_DIR}/biomarker_roc.png",
                caption=FIGURE_CAPTION,
                category="biomarkers",
            ),
            svg=f"{FIGURES_DIR}/biomarker_roc.svg",
        log:
            f"{LOGS}/figures/biomarker_roc.log",
        conda:
            "../envs/plots.yaml"
        params:
            markers=FIGURE_MARKER_SPECS,
            visits=FIGURE_VISITS,
            synthetic=config["synthetic"],
            title=FIGURE_TITLES["biomarker_roc"],
            caption=FIGURE_CAPTIONS["biomarker_roc"],
        script:
            "../scripts/plot_biomarker_roc.py"
