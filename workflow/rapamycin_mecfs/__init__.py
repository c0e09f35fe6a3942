"""Re-analysis of the low-dose rapamycin trial in ME/CFS from its supplementary tables.

The package holds the logic; Snakemake rules in ``workflow/rules`` only wire files to it.
"""

__version__ = "0.1.0"
