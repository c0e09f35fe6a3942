# Re-analysis of a single-arm trial from its supplementary tables; the study is config.yaml.
# Stages live in workflow/rules/; the logic is in the package workflow/rapamycin_mecfs.


# The shipped study. A study given with --configfile stands alone: its file and the schema's
# defaults apply, never the shipped study's tables, instruments, ledger or claims.
if not workflow.overwrite_configfiles:

    configfile: "config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/extract.smk"
include: "workflow/rules/clean.smk"
include: "workflow/rules/analyse.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/biomarkers.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/simulate.smk"


rule all:
    default_target: True
    input:
        get_final_outputs(),
        get_biomarker_outputs(),
        get_figure_outputs(),
        get_simulation_outputs(),


onerror:
    # Every job's input problems in one list, and no report of an earlier run left looking current.
    from rapamycin_mecfs.failures import summarise

    print(summarise(LOGS, f"{RESULTS}/report.html"), file=sys.stderr)
