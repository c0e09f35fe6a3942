"""Rule claims_audit: published statements against recomputed ones; GRIM for reported means."""

from _step import run_step


def main(snakemake):
    import logging
    from pathlib import Path

    from rapamycin_mecfs.atomic import read_csv, write_table
    from rapamycin_mecfs.claim_specs import load_claims
    from rapamycin_mecfs.claims import audit_claims, grim_table

    document = load_claims(snakemake.input.claims)
    responders = read_csv(snakemake.input.responders[0]) if snakemake.input.responders else None
    paired = read_csv(snakemake.input.paired_tests[0]) if snakemake.input.paired_tests else None
    # Extracted source tables, by their config key (results/extracted/<key>.csv).
    tables = {Path(path).stem: read_csv(path) for path in snakemake.input.tables}
    audit = audit_claims(
        document["claims"],
        read_csv(snakemake.input.participants),
        responders,
        paired_tests=paired,
        tables=tables,
        config=snakemake.params.config,
    )
    write_table(audit, snakemake.output.audit, snakemake.params.synthetic)
    write_table(grim_table(document["means"]), snakemake.output.grim, snakemake.params.synthetic)
    synthetic = " (SYNTHETIC data)" if snakemake.params.synthetic else ""
    for row in audit.itertuples():
        logging.info(
            "%s%s: published %s, recomputed %s, consistent %s",
            row.claim_id,
            synthetic,
            row.published,
            row.recomputed,
            row.consistent,
        )


run_step(main, snakemake)
