"""The self-contained HTML report: tables and figures from the pipeline's outputs, methods from the
config."""
