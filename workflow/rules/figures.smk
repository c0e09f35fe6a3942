# Figures: one job per figure (one per instrument for the trajectories), each reading only the
# tables it draws, so a correction to one MFI value redraws the MFI trajectories, not BAS.
# Drawing: rapamycin_mecfs/plots; names, sections and captions: plots/registry.py; what each rule
# needs from the config: plots/plan.py. Captions for `snakemake --report`: workflow/report/figures/.
from functools import partial

from rapamycin_mecfs.biomarkers import plan as figure_biomarker_plan
from rapamycin_mecfs.plots import plan as figure_plan

FIGURES_DIR = f"{RESULTS}/figures"
FIGURE_CAPTIONS = "../report/figures"
FIGURE_CODE = package_code("plots", "atomic")
FIGURE_VISITS = config["visits"]
FIGURE_FINAL = figure_plan.final_visit(config)
FIGURE_FOREST = figure_plan.registry.forest_name(FIGURE_FINAL)
FIGURE_TITLES = figure_plan.titles(config)
FIGURE_MARKERS = figure_plan.markers(config)
FIGURE_MARKER_SPECS = figure_plan.outcome_specs(config, FIGURE_MARKERS)
FIGURE_DOSE_OUTCOMES = figure_plan.dose_outcomes(config)
FIGURE_CHANGE_OUTCOMES = (
    figure_plan.change_scatter_outcomes(
        config, figure_biomarker_plan.correlated_outcomes(config)
    )
    if FIGURE_MARKERS
    else []
)
FIGURE_BIOMARKER_TABLES = {
    name: figure_biomarker_plan.combined_table(RESULTS, name)
    for name in figure_biomarker_plan.TABLES
}
# For rule all and the HTML report (common.smk looks for get_figure_pngs).
get_figure_pngs = partial(
    figure_plan.figure_pngs,
    config,
    RESULTS,
    workflow,
    FIGURE_BIOMARKER_TABLES["trajectory"],
)
get_figure_outputs = partial(
    figure_plan.figure_files,
    config,
    RESULTS,
    workflow,
    FIGURE_BIOMARKER_TABLES["trajectory"],
)


rule figure_participant_flow:
    input:
        attrition=f"{RESULTS}/clean/attrition.csv",
        participants=f"{RESULTS}/clean/participants.csv",
        code=FIGURE_CODE,
    output:
        png=report(
            f"{FIGURES_DIR}/participant_flow.png",
            caption=f"{FIGURE_CAPTIONS}/participant_flow.rst",
            category="participant_flow",
        ),
        svg=f"{FIGURES_DIR}/participant_flow.svg",
    log:
        "logs/figures/participant_flow.log",
    conda:
        "../envs/plots.yaml"
    params:
        visits=FIGURE_VISITS,
        synthetic=config["synthetic"],
        title=FIGURE_TITLES["participant_flow"],
    script:
        "../scripts/plot_participant_flow.py"


rule figure_trajectories:
    input:
        clean=lambda wildcards: [
            get_clean_outcome(o)
            for o in config["instruments"][wildcards.instrument]["outcomes"]
        ],
        participants=f"{RESULTS}/clean/participants.csv",
        code=FIGURE_CODE,
    output:
        png=report(
            f"{FIGURES_DIR}/trajectories_{{instrument}}.png",
            caption=f"{FIGURE_CAPTIONS}/trajectories.rst",
            category="outcomes",
        ),
        svg=f"{FIGURES_DIR}/trajectories_{{instrument}}.svg",
    log:
        "logs/figures/trajectories_{instrument}.log",
    conda:
        "../envs/plots.yaml"
    params:
        outcomes=lambda wildcards: config["instruments"][wildcards.instrument][
            "outcomes"
        ],
        instrument_label=lambda wildcards: config["instruments"][wildcards.instrument][
            "label"
        ],
        visits=FIGURE_VISITS,
        confidence=config["analysis"]["confidence"],
        synthetic=config["synthetic"],
        title=lambda wildcards: FIGURE_TITLES[f"trajectories_{wildcards.instrument}"],
    script:
        "../scripts/plot_trajectories.py"


rule figure_forest:
    input:
        paired_tests=f"{RESULTS}/tables/paired_tests.csv",
        mixed_model=f"{RESULTS}/tables/mixed_model.csv",
        baseline_sd=f"{RESULTS}/tables/regression_to_mean.csv",
        code=FIGURE_CODE,
    output:
        png=report(
            f"{FIGURES_DIR}/{FIGURE_FOREST}.png",
            caption=f"{FIGURE_CAPTIONS}/{FIGURE_FOREST}.rst",
            category="outcomes",
        ),
        svg=f"{FIGURES_DIR}/{FIGURE_FOREST}.svg",
    log:
        "logs/figures/forest.log",
    conda:
        "../envs/plots.yaml"
    params:
        visit=FIGURE_FINAL,
        outcomes=ANALYSED_OUTCOMES,
        synthetic=config["synthetic"],
        title=FIGURE_TITLES[FIGURE_FOREST],
    script:
        "../scripts/plot_forest.py"


rule figure_responders:
    input:
        responders=f"{RESULTS}/tables/responders.csv",
        code=FIGURE_CODE,
    output:
        png=report(
            f"{FIGURES_DIR}/responders.png",
            caption=f"{FIGURE_CAPTIONS}/responders.rst",
            category="responders",
        ),
        svg=f"{FIGURES_DIR}/responders.svg",
    log:
        "logs/figures/responders.log",
    conda:
        "../envs/plots.yaml"
    params:
        synthetic=config["synthetic"],
        title=FIGURE_TITLES["responders"],
    script:
        "../scripts/plot_responders.py"


rule figure_baseline_by_completion:
    input:
        baseline_by_completion=f"{RESULTS}/tables/baseline_by_completion.csv",
        code=FIGURE_CODE,
    output:
        png=report(
            f"{FIGURES_DIR}/baseline_by_completion.png",
            caption=f"{FIGURE_CAPTIONS}/baseline_by_completion.rst",
            category="attrition",
        ),
        svg=f"{FIGURES_DIR}/baseline_by_completion.svg",
    log:
        "logs/figures/baseline_by_completion.log",
    conda:
        "../envs/plots.yaml"
    params:
        alpha=config["analysis"]["alpha"],
        synthetic=config["synthetic"],
        title=FIGURE_TITLES["baseline_by_completion"],
    script:
        "../scripts/plot_baseline_by_completion.py"


rule figure_dose_response:
    input:
        clean=[get_clean_outcome(o) for o in FIGURE_DOSE_OUTCOMES],
        participants=f"{RESULTS}/clean/participants.csv",
        dose_response=f"{RESULTS}/tables/dose_response.csv",
        dose_bands=f"{RESULTS}/tables/dose_bands.csv",
        code=[
            *FIGURE_CODE,
            *package_code("analysis/data", "analysis/dose", "stats/association"),
        ],
    output:
        png=report(
            f"{FIGURES_DIR}/dose_response.png",
            caption=f"{FIGURE_CAPTIONS}/dose_response.rst",
            category="dose_response",
        ),
        svg=f"{FIGURES_DIR}/dose_response.svg",
    log:
        "logs/figures/dose_response.log",
    conda:
        "../envs/plots.yaml"
    params:
        outcomes=figure_plan.outcome_specs(config, FIGURE_DOSE_OUTCOMES),
        visits=FIGURE_VISITS,
        synthetic=config["synthetic"],
        title=FIGURE_TITLES["dose_response"],
    script:
        "../scripts/plot_dose_response.py"


# Biomarker figures: requested only when markers are configured (get_figure_pngs); the tables
# come from biomarkers.smk.


rule figure_biomarker_trajectories:
    input:
        clean=[get_clean_outcome(m) for m in FIGURE_MARKERS],
        lloq_counts=FIGURE_BIOMARKER_TABLES["lloq_counts"],
        trajectory=FIGURE_BIOMARKER_TABLES["trajectory"],
        code=FIGURE_CODE,
    output:
        png=report(
            f"{FIGURES_DIR}/biomarker_trajectories.png",
            caption=f"{FIGURE_CAPTIONS}/biomarker_trajectories.rst",
            category="biomarkers",
        ),
        svg=f"{FIGURES_DIR}/biomarker_trajectories.svg",
    log:
        "logs/figures/biomarker_trajectories.log",
    conda:
        "../envs/plots.yaml"
    params:
        markers=FIGURE_MARKER_SPECS,
        visits=FIGURE_VISITS,
        confidence=config["analysis"]["confidence"],
        synthetic=config["synthetic"],
        title=FIGURE_TITLES["biomarker_trajectories"],
    script:
        "../scripts/plot_biomarker_trajectories.py"


rule figure_biomarker_heatmap:
    input:
        spearman=FIGURE_BIOMARKER_TABLES["spearman_cross_sectional"],
        code=FIGURE_CODE,
    output:
        png=report(
            f"{FIGURES_DIR}/biomarker_heatmap.png",
            caption=f"{FIGURE_CAPTIONS}/biomarker_heatmap.rst",
            category="biomarkers",
        ),
        svg=f"{FIGURES_DIR}/biomarker_heatmap.svg",
    log:
        "logs/figures/biomarker_heatmap.log",
    conda:
        "../envs/plots.yaml"
    params:
        markers=FIGURE_MARKER_SPECS,
        visits=[v["id"] for v in FIGURE_VISITS],
        alpha=config["analysis"]["alpha"],
        synthetic=config["synthetic"],
        title=FIGURE_TITLES["biomarker_heatmap"],
    script:
        "../scripts/plot_biomarker_heatmap.py"


rule figure_biomarker_change_scatter:
    input:
        markers=[get_clean_outcome(m) for m in FIGURE_MARKERS],
        outcomes=[get_clean_outcome(o) for o in FIGURE_CHANGE_OUTCOMES],
        participants=f"{RESULTS}/clean/participants.csv",
        spearman_change=FIGURE_BIOMARKER_TABLES["spearman_change"],
        code=FIGURE_CODE,
    output:
        png=report(
            f"{FIGURES_DIR}/biomarker_change_scatter.png",
            caption=f"{FIGURE_CAPTIONS}/biomarker_change_scatter.rst",
            category="biomarkers",
        ),
        svg=f"{FIGURES_DIR}/biomarker_change_scatter.svg",
    log:
        "logs/figures/biomarker_change_scatter.log",
    conda:
        "../envs/plots.yaml"
    params:
        markers=FIGURE_MARKER_SPECS,
        outcomes=figure_plan.outcome_specs(config, FIGURE_CHANGE_OUTCOMES),
        baseline=FIGURE_VISITS[0]["id"],
        visit=FIGURE_FINAL,
        synthetic=config["synthetic"],
        title=FIGURE_TITLES["biomarker_change_scatter"],
    script:
        "../scripts/plot_biomarker_change_scatter.py"


rule figure_biomarker_roc:
    input:
        markers=[get_clean_outcome(m) for m in FIGURE_MARKERS],
        responders_by_participant=f"{RESULTS}/tables/responders_by_participant.csv",
        roc_auc=FIGURE_BIOMARKER_TABLES["roc_auc"],
        code=FIGURE_CODE,
    output:
        png=report(
            f"{FIGURES_DIR}/biomarker_roc.png",
            caption=f"{FIGURE_CAPTIONS}/biomarker_roc.rst",
            category="biomarkers",
        ),
        svg=f"{FIGURES_DIR}/biomarker_roc.svg",
    log:
        "logs/figures/biomarker_roc.log",
    conda:
        "../envs/plots.yaml"
    params:
        markers=FIGURE_MARKER_SPECS,
        visits=FIGURE_VISITS,
        synthetic=config["synthetic"],
        title=FIGURE_TITLES["biomarker_roc"],
    script:
        "../scripts/plot_biomarker_roc.py"
