"""Rule extract_table: one configured source table -> tidy long table with cell locators."""

from _step import run_step


def main(snakemake):
    import logging

    from rapamycin_mecfs.atomic import write_table
    from rapamycin_mecfs.cells import IdNormaliser
    from rapamycin_mecfs.extract import extract_table

    ids = IdNormaliser(**snakemake.params.participant_ids)
    table = extract_table(
        snakemake.wildcards.table, snakemake.params.spec, ids, snakemake.params.allow_empty
    )
    write_table(table, snakemake.output.table, snakemake.params.synthetic)
    logging.info(
        "%s: %d cells from %d participants in %s",
        snakemake.wildcards.table,
        len(table),
        table["raw_participant_id"].nunique(),
        snakemake.input.source,
    )


run_step(main, snakemake)
