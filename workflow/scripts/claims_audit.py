"""Rule claims_audit: published numbers against recomputed ones; GRIM for reported means."""

from _step import run_step


def main(snakemake):
    import logging

    from rapamycin_mecfs.atomic import read_csv, write_table
    from rapamycin_mecfs.claims import audit_claims, grim_table, load_claims

    document = load_claims(snakemake.input.claims)
    responders = read_csv(snakemake.input.responders[0]) if snakemake.input.responders else None
    audit = audit_claims(document["claims"], read_csv(snakemake.input.participants), responders)
    write_table(audit, snakemake.output.audit, snakemake.params.synthetic)
    write_table(grim_table(document["means"]), snakemake.output.grim, snakemake.params.synthetic)
    for row in audit.itertuples():
        logging.info("%s: published %s, recomputed %s", row.claim_id, row.published, row.recomputed)


run_step(main, snakemake)
