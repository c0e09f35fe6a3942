"""Rule combine_outcome_tables: one table per analysis across outcomes, with adjusted p-values."""

from _step import run_step


def main(snakemake):
    import logging

    import pandas as pd
    from rapamycin_mecfs.analysis.combine import adjust_within_families
    from rapamycin_mecfs.atomic import read_csv, write_table

    options = snakemake.params.multiplicity
    # Tables whose rows answer different questions within one test: those columns join the family key.
    extra_family = {"dose_response": ["change", "dose_measure"], "dose_bands": ["change"]}
    # A sensitivity grid: its rows are one test under different assumptions, not a family of tests.
    unadjusted = {"tipping_point_mi"}
    for name, path in snakemake.output.items():
        parts = snakemake.input[name]
        parts = [parts] if isinstance(parts, str) else list(parts)
        table = pd.concat([read_csv(part) for part in parts], ignore_index=True)
        if "p_value" in table and name not in unadjusted:
            table["p_value"] = pd.to_numeric(table["p_value"].where(table["p_value"] != ""))
            family_by = list(options["family_by"]) + extra_family.get(name, [])
            table = adjust_within_families(table, family_by, options["methods"])
        write_table(table, path, snakemake.params.synthetic)
        logging.info("%s: %d rows from %d outcomes", name, len(table), len(parts))


run_step(main, snakemake)
