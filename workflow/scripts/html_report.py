"""Rule html_report: one self-contained HTML file with every table, figure, method and
provenance."""

from _step import run_step


def main(snakemake):
    import logging

    from rapamycin_mecfs.atomic import write_text
    from rapamycin_mecfs.provenance import installed_versions
    from rapamycin_mecfs.report.build import load_tables, render

    tables = load_tables(dict(zip(snakemake.params.table_names, snakemake.input.tables)))
    figures = dict(zip(snakemake.params.figure_names, snakemake.input.figures))
    inputs = {
        "supplement": list(snakemake.input.supplement),
        "ledger": list(snakemake.input.ledger),
        "claims": list(snakemake.input.claims),
    }
    html = render(
        tables,
        figures,
        snakemake.params.figure_registry,
        snakemake.params.config,
        inputs,
        snakemake.params.code_version,
        installed_versions(snakemake.input.lock),
    )
    write_text(html, snakemake.output.report)
    logging.info(
        "report: %d tables, %d figures, %d bytes", len(tables), len(figures), len(html.encode())
    )


run_step(main, snakemake)
