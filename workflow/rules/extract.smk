rule extract_table:
    input:
        source=get_table_file,
        code=script_code("../scripts/extract_table.py"),
    output:
        table=f"{RESULTS}/extracted/{{table}}.csv",
    log:
        f"{LOGS}/extract/{{table}}.log",
    conda:
        "../envs/core.yaml"
    params:
        spec=lambda wildcards: config["tables"][wildcards.table],
        participant_ids=config["participant_ids"],
        # A list of who stopped may be empty (nobody stopped); any other table may not.
        allow_empty=lambda wildcards: wildcards.table == DISCONTINUATIONS_TABLE,
        synthetic=config["synthetic"],
    script:
        "../scripts/extract_table.py"
