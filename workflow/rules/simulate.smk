# Null-trial simulator: one model job per scenario (baseline moments, calibration), shard jobs per
# scenario, then one job aggregating every shard against this run's observed results, and the figure.
# The planning logic (settings, seeds, paths, checks) is in rapamycin_mecfs/simulate/scenarios.py.
from functools import partial

from rapamycin_mecfs.simulate import scenarios as simulation_plan

SIMULATION_SCENARIOS = simulation_plan.scenario_names(config)

# For rule all and the report (nothing when no scenario is configured).
get_simulation_outputs = partial(simulation_plan.final_outputs, config, RESULTS)
get_simulation_report_tables = partial(simulation_plan.report_tables, config, RESULTS)


wildcard_constraints:
    scenario="|".join(SIMULATION_SCENARIOS) or "(?!)",
    shard=r"\d+",


rule simulation_model:
    input:
        unpack(
            lambda wildcards: simulation_plan.model_inputs(
                config,
                wildcards.scenario,
                RESULTS,
                script_code("../scripts/simulate_model.py"),
            )
        ),
    output:
        model=simulation_plan.model_path(RESULTS, "{scenario}"),
    log:
        f"{LOGS}/simulate/{{scenario}}/model.log",
    conda:
        "../envs/stats.yaml"
    params:
        settings=lambda wildcards: simulation_plan.model_settings(
            config, wildcards.scenario
        ),
    script:
        "../scripts/simulate_model.py"


rule simulate_shard:
    input:
        model=simulation_plan.model_path(RESULTS, "{scenario}"),
        code=script_code("../scripts/simulate_shard.py"),
    output:
        trials=simulation_plan.shard_path(RESULTS, "{scenario}", "{shard}"),
    log:
        f"{LOGS}/simulate/{{scenario}}/shard_{{shard}}.log",
    conda:
        "../envs/stats.yaml"
    params:
        run=lambda wildcards: simulation_plan.shard_settings(
            config, wildcards.scenario, int(wildcards.shard)
        ),
    script:
        "../scripts/simulate_shard.py"


rule simulation_summary:
    input:
        shards=simulation_plan.shard_paths(config, RESULTS),
        models=[simulation_plan.model_path(RESULTS, s) for s in SIMULATION_SCENARIOS],
        responders=f"{RESULTS}/tables/responders.csv",
        paired_tests=f"{RESULTS}/tables/paired_tests.csv",
        code=script_code("../scripts/simulate_summary.py"),
    output:
        summary=simulation_plan.table_path(RESULTS, "simulation_summary"),
        false_positives=simulation_plan.table_path(
            RESULTS, "simulation_false_positives"
        ),
        parameters=simulation_plan.table_path(RESULTS, "simulation_parameters"),
        distribution=simulation_plan.table_path(RESULTS, "simulation_distribution"),
    log:
        f"{LOGS}/simulate/simulation_summary.log",
    conda:
        "../envs/stats.yaml"
    params:
        settings=simulation_plan.summary_settings(config),
    script:
        "../scripts/simulate_summary.py"


rule simulation_figure:
    input:
        summary=simulation_plan.table_path(RESULTS, "simulation_summary"),
        distribution=simulation_plan.table_path(RESULTS, "simulation_distribution"),
        code=script_code("../scripts/simulate_figure.py"),
    output:
        **simulation_plan.figure_paths(RESULTS),
    log:
        f"{LOGS}/simulate/simulation_figure.log",
    conda:
        "../envs/stats.yaml"
    params:
        synthetic=config["synthetic"],
    script:
        "../scripts/simulate_figure.py"
