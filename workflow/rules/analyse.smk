rule analyse_outcome:
    input:
        clean=get_clean_outcome("{outcome}"),
        participants=f"{RESULTS}/clean/participants.csv",
        code=script_code("../scripts/analyse_outcome.py"),
    output:
        **{
            name: f"{RESULTS}/tables/outcomes/{{outcome}}/{name}.csv"
            for name in OUTCOME_TABLES
        },
        # The tipping point's imputed values, so R's mice::pool can be run on the same sets.
        **(
            {"imputations": f"{RESULTS}/imputations/{{outcome}}.csv"}
            if PLAN.has("tipping_point")
            else {}
        ),
    log:
        f"{LOGS}/analyse/{{outcome}}.log",
    conda:
        "../envs/stats.yaml"
    params:
        outcome=get_outcome_definition,
        settings=get_outcome_analysis_settings,
    script:
        "../scripts/analyse_outcome.py"


rule combine_outcome_tables:
    input:
        unpack(get_outcome_tables),
    output:
        **{name: f"{RESULTS}/tables/{name}.csv" for name in OUTCOME_TABLES},
    log:
        f"{LOGS}/analyse/combine_outcome_tables.log",
    conda:
        "../envs/stats.yaml"
    params:
        synthetic=config["synthetic"],
        multiplicity=config["analysis"]["multiplicity"],
    script:
        "../scripts/combine_outcome_tables.py"


if PLAN.has("responders"):

    rule responders:
        input:
            clean=get_responder_inputs(),
            participants=f"{RESULTS}/clean/participants.csv",
            code=script_code("../scripts/responders.py"),
        output:
            proportions=f"{RESULTS}/tables/responders.csv",
            participants=f"{RESULTS}/tables/responders_by_participant.csv",
        log:
            f"{LOGS}/analyse/responders.log",
        conda:
            "../envs/stats.yaml"
        params:
            rule=PLAN.responder_rule,
            outcomes=get_responder_outcomes(),
            settings=shared_settings(),
            confidence=config["analysis"]["confidence"],
        script:
            "../scripts/responders.py"
