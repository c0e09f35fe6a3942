rule clean_instrument:
    input:
        extracted=get_instrument_extracted,
        roster=get_extracted("participants"),
    output:
        clean=f"{RESULTS}/clean/{{instrument}}.csv",
        audit=f"{RESULTS}/clean/{{instrument}}.corrections.csv",
    log:
        "logs/clean/{instrument}.log",
    conda:
        "../envs/core.yaml"
    params:
        settings=get_instrument_settings,
        corrections=get_instrument_corrections,
    script:
        "../scripts/clean_instrument.py"


rule participants:
    input:
        unpack(get_participants_inputs),
    output:
        participants=f"{RESULTS}/clean/participants.csv",
        attrition=f"{RESULTS}/clean/attrition.csv",
    log:
        "logs/clean/participants.log",
    conda:
        "../envs/core.yaml"
    params:
        settings=shared_settings(),
        questionnaire_names=QUESTIONNAIRES,
        questionnaire_outcomes=get_questionnaire_outcomes(),
        presence_corrections=get_presence_corrections(),
    script:
        "../scripts/participants.py"


rule corrections_audit:
    input:
        audits=expand(
            f"{RESULTS}/clean/{{instrument}}.corrections.csv", instrument=INSTRUMENTS
        ),
    output:
        audit=f"{RESULTS}/clean/corrections_audit.csv",
    log:
        "logs/clean/corrections_audit.log",
    localrule: True
    conda:
        "../envs/core.yaml"
    script:
        "../scripts/combine_audits.py"
