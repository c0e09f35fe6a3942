rule clean_outcome:
    input:
        extracted=get_outcome_extracted,
        roster=(
            [get_extracted(PARTICIPANTS_TABLE)]
            if PLAN.has("participants_table")
            else []
        ),
        code=script_code("../scripts/clean_outcome.py"),
    output:
        clean=get_clean_outcome("{outcome}"),
        audit=f"{RESULTS}/clean/outcomes/{{outcome}}.corrections.csv",
    log:
        f"{LOGS}/clean/{{outcome}}.log",
    conda:
        "../envs/core.yaml"
    params:
        settings=get_outcome_settings,
        corrections=get_outcome_corrections,
    script:
        "../scripts/clean_outcome.py"


rule combine_instrument:
    input:
        unpack(get_instrument_outcomes),
        code=script_code("../scripts/combine_tables.py"),
    output:
        clean=f"{RESULTS}/clean/{{instrument}}.csv",
        audit=f"{RESULTS}/clean/{{instrument}}.corrections.csv",
    log:
        f"{LOGS}/clean/{{instrument}}.log",
    localrule: True
    conda:
        "../envs/core.yaml"
    params:
        synthetic=config["synthetic"],
    script:
        "../scripts/combine_tables.py"


rule participants:
    input:
        unpack(get_participants_inputs),
    output:
        participants=f"{RESULTS}/clean/participants.csv",
        attrition=f"{RESULTS}/clean/attrition.csv",
    log:
        f"{LOGS}/clean/participants.log",
    conda:
        "../envs/core.yaml"
    params:
        settings=shared_settings(),
        presence_instruments=PLAN.presence_instruments,
        attendance_outcomes=PLAN.attendance_outcomes,
        completion_outcomes=PLAN.completion_outcomes,
        presence_corrections=get_presence_corrections(),
    script:
        "../scripts/participants.py"


rule corrections_audit:
    input:
        audit=expand(
            f"{RESULTS}/clean/outcomes/{{outcome}}.corrections.csv", outcome=OUTCOMES
        ),
        code=script_code("../scripts/combine_tables.py"),
    output:
        audit=f"{RESULTS}/clean/corrections_audit.csv",
    log:
        f"{LOGS}/clean/corrections_audit.log",
    localrule: True
    conda:
        "../envs/core.yaml"
    params:
        synthetic=config["synthetic"],
    script:
        "../scripts/combine_tables.py"
