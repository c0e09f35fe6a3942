# Re-analysis of the low-dose rapamycin trial in ME/CFS from its supplementary tables.
# Stages live in workflow/rules/; the logic is in the package workflow/rapamycin_mecfs.


configfile: "config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/extract.smk"
include: "workflow/rules/clean.smk"
include: "workflow/rules/analyse.smk"


rule all:
    default_target: True
    input:
        get_final_outputs(),
