"""Re-analysis of a single-arm trial from its supplementary tables; the study is described by its
config.

The package holds the logic; Snakemake rules in ``workflow/rules`` only wire files to it.
"""

__version__ = "0.1.0"
