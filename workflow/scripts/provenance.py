"""Rule provenance: a manifest of every output, the job that made it, its inputs and the
software."""

from _step import run_step


def main(snakemake):
    import logging

    from rapamycin_mecfs.atomic import REAL_STATUS, SYNTHETIC_STATUS
    from rapamycin_mecfs.provenance import (
        build_manifest,
        installed_versions,
        job_records,
        sha256_file,
        write_manifest,
    )

    header = {
        "data_status": SYNTHETIC_STATUS if snakemake.params.synthetic else REAL_STATUS,
        "code_version": snakemake.params.code_version,
        "lock_sha256": sha256_file(snakemake.input.lock),
        "packages": installed_versions(snakemake.input.lock),
    }
    manifest = build_manifest(
        snakemake.params.results,
        {snakemake.output.manifest},
        job_records(".snakemake/metadata"),
        header,
    )
    write_manifest(manifest, snakemake.output.manifest)
    logging.info("provenance: %d files", len(manifest["files"]))


run_step(main, snakemake)
