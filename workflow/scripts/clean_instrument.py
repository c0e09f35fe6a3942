"""Rule clean_instrument: parse, correct and validate one instrument's values."""

from _step import run_step


def main(snakemake):
    import logging

    from rapamycin_mecfs.atomic import read_csv, write_csv
    from rapamycin_mecfs.clean import clean_instrument

    instrument = snakemake.wildcards.instrument
    cleaned, audit = clean_instrument(
        read_csv(snakemake.input.extracted),
        read_csv(snakemake.input.roster),
        snakemake.params.settings,
        instrument,
        snakemake.params.corrections,
    )
    write_csv(cleaned, snakemake.output.clean)
    write_csv(audit, snakemake.output.audit)
    logging.info(
        "%s: %d values (%d present), %d corrections applied",
        instrument,
        len(cleaned),
        int(cleaned["value"].notna().sum()),
        len(audit),
    )


run_step(main, snakemake)
