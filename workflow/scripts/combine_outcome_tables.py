"""Rule combine_outcome_tables: one table per analysis across outcomes, with adjusted p-values."""

from _step import run_step


def main(snakemake):
    import logging

    from rapamycin_mecfs.analysis.combine import combine_outcome_table
    from rapamycin_mecfs.atomic import read_csv, write_table

    options = snakemake.params.multiplicity
    for name, path in snakemake.output.items():
        parts = snakemake.input[name]
        parts = [parts] if isinstance(parts, str) else list(parts)
        table = combine_outcome_table(
            name, [read_csv(part) for part in parts], options["family_by"], options["methods"]
        )
        write_table(table, path, snakemake.params.synthetic)
        logging.info("%s: %d rows from %d outcomes", name, len(table), len(parts))


run_step(main, snakemake)
