"""Rule clean_outcome: parse, correct and validate one outcome's values."""

from _step import run_step


def main(snakemake):
    import logging

    from rapamycin_mecfs.atomic import read_csv, write_table
    from rapamycin_mecfs.clean import clean_instrument

    settings = snakemake.params.settings
    (instrument,) = settings["instruments"]
    cleaned, audit = clean_instrument(
        read_csv(snakemake.input.extracted),
        read_csv(snakemake.input.roster[0]) if snakemake.input.roster else None,
        settings,
        instrument,
        snakemake.params.corrections,
    )
    write_table(cleaned, snakemake.output.clean, settings["synthetic"])
    write_table(audit, snakemake.output.audit, settings["synthetic"])
    logging.info(
        "%s: %d values (%d present), %d corrections applied",
        snakemake.wildcards.outcome,
        len(cleaned),
        int(cleaned["value"].notna().sum()),
        len(audit),
    )


run_step(main, snakemake)
