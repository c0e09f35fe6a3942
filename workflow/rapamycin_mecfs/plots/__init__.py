"""Figures of the re-analysis, each drawn from the pipeline's tables.

Every module builds a matplotlib Figure from plain DataFrames (so tests can feed small hand-made
tables), drawing the statistical marks with seaborn's axes-level functions from the tables' values
(seaborn estimates nothing), and `style.save` writes it as PNG and SVG, byte-identical across runs.
`registry.figures` lists every figure with its report section and caption.
"""
