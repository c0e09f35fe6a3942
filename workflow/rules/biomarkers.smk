# Biomarker analyses: per marker, one job for the marker on its own and one for its correlations
# with the outcomes; then one job per table stacking it over markers.
# The planning logic (paths, checks, what each job receives) is in rapamycin_mecfs/biomarkers/plan.py.
from functools import partial

from rapamycin_mecfs.biomarkers import plan as biomarker_plan

MARKERS = PLAN.markers
BIOMARKER_TABLES = biomarker_plan.marker_tables(PLAN)
# For rule all: the combined tables (none when no marker is configured).
get_biomarker_outputs = partial(biomarker_plan.final_outputs, config, RESULTS)
# For the report (common.smk looks this name up): "biomarkers/<table>" -> combined table.
get_biomarker_report_tables = partial(biomarker_plan.report_tables, config, RESULTS)


wildcard_constraints:
    marker="|".join(MARKERS) or "(?!)",
    table="|".join(BIOMARKER_TABLES) or "(?!)",


rule analyse_biomarker:
    input:
        unpack(
            lambda wildcards: biomarker_plan.marker_job_inputs(
                config,
                wildcards.marker,
                RESULTS,
                script_code("../scripts/analyse_biomarker.py"),
            )
        ),
    output:
        **{
            name: biomarker_plan.marker_table(RESULTS, "{marker}", name)
            for name in biomarker_plan.own_tables(PLAN)
        },
    log:
        f"{LOGS}/biomarkers/{{marker}}.log",
    conda:
        "../envs/stats.yaml"
    params:
        marker=lambda wildcards: biomarker_plan.marker_definition(
            config, wildcards.marker
        ),
        settings=biomarker_plan.marker_settings(config),
    script:
        "../scripts/analyse_biomarker.py"


rule correlate_biomarker:
    input:
        unpack(
            lambda wildcards: biomarker_plan.correlation_job_inputs(
                config,
                wildcards.marker,
                RESULTS,
                script_code("../scripts/correlate_biomarker.py"),
            )
        ),
    output:
        **{
            name: biomarker_plan.marker_table(RESULTS, "{marker}", name)
            for name in biomarker_plan.CORRELATION_TABLES
        },
    log:
        f"{LOGS}/biomarkers/{{marker}}_correlations.log",
    conda:
        "../envs/stats.yaml"
    params:
        marker=lambda wildcards: biomarker_plan.marker_definition(
            config, wildcards.marker
        ),
        outcomes=biomarker_plan.outcome_definitions(
            config, biomarker_plan.correlated_outcomes(config)
        ),
        settings=biomarker_plan.correlation_settings(config),
    script:
        "../scripts/correlate_biomarker.py"


# One job per table, so a correction that changes only the correlations leaves the other
# combined tables, and the figures drawn from them, as they are.
rule combine_biomarker_table:
    input:
        unpack(
            lambda wildcards: biomarker_plan.combine_inputs(
                config,
                RESULTS,
                wildcards.table,
                script_code("../scripts/combine_biomarker_table.py"),
            )
        ),
    output:
        table=biomarker_plan.combined_table(RESULTS, "{table}"),
    log:
        f"{LOGS}/biomarkers/combine_{{table}}.log",
    conda:
        "../envs/stats.yaml"
    params:
        synthetic=config["synthetic"],
    script:
        "../scripts/combine_biomarker_table.py"
