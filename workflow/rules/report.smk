if PLAN.has("claims"):
    from rapamycin_mecfs.claim_specs import claim_inputs

    # Extracted tables of categorical claims; the paired tests when a direction claim needs them.
    CLAIM_INPUTS = claim_inputs(config, RESULTS)

    rule claims_audit:
        input:
            claims=config["claims"],
            participants=f"{RESULTS}/clean/participants.csv",
            responders=(
                [f"{RESULTS}/tables/responders.csv"] if PLAN.has("responders") else []
            ),
            paired_tests=CLAIM_INPUTS["paired_tests"],
            tables=CLAIM_INPUTS["tables"],
            code=script_code("../scripts/claims_audit.py"),
        output:
            audit=f"{RESULTS}/tables/claims_audit.csv",
            grim=f"{RESULTS}/tables/grim.csv",
        log:
            f"{LOGS}/report/claims_audit.log",
        conda:
            "../envs/core.yaml"
        params:
            synthetic=config["synthetic"],
            config=config,
        script:
            "../scripts/claims_audit.py"


rule html_report:
    input:
        unpack(get_report_inputs),
    output:
        report=f"{RESULTS}/report.html",
    log:
        f"{LOGS}/report/html_report.log",
    conda:
        "../envs/plots.yaml"
    params:
        config=config,
        code_version=CODE_VERSION,
        table_names=lambda wildcards: list(get_report_tables()),
        figure_names=lambda wildcards: list(get_report_figures()),
        figure_registry=lambda wildcards: list(FIGURE_ENTRIES.values()),
    script:
        "../scripts/html_report.py"


rule provenance:
    input:
        outputs=get_pre_provenance_outputs(),
        lock="requirements.lock",
        code=script_code("../scripts/provenance.py"),
    output:
        manifest=f"{RESULTS}/provenance.json",
    log:
        f"{LOGS}/report/provenance.log",
    localrule: True
    conda:
        "../envs/core.yaml"
    params:
        synthetic=config["synthetic"],
        code_version=CODE_VERSION,
        results=lambda wildcards, output: os.path.dirname(output.manifest),
    script:
        "../scripts/provenance.py"
