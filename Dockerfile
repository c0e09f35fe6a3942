FROM condaforge/miniforge3:latest
LABEL io.github.snakemake.containerized="true"
LABEL io.github.snakemake.conda_env_hash="5ea80c785b0181fa25a7d2c44d238b97c0302896e8c42618afce6842d7b9fd65"
# Conda environment:
#   source: workflow/envs/core.yaml
#   prefix: /conda-envs/c5dcddf5be799bb2d3e5e6bde37b22d6
#   # Per-rule conda env for extraction and cleaning; versions equal requirements.lock (tests/test_pins.py).
#   channels:
#     - conda-forge
#     - nodefaults
#   dependencies:
#     - python=3.11.7
#     - pandas=3.1.1
#     - numpy=2.4.6
#     - openpyxl=3.1.5
#     - pdfplumber=0.11.10
#     - pdfminer.six=20260107
#     - pyyaml=6.0.4
#     - jsonschema=4.26.0
#     - python-dateutil=4.0.0
#     - python-tzdata=2026.6
#     - et_xmlfile=2.0.0
#     - pillow=13.0.0
#     - pypdfium2=5.15.2
#     - charset-normalizer=3.5.3
#     - cryptography=50.0.2
RUN mkdir -p /conda-envs/c5dcddf5be799bb2d3e5e6bde37b22d6
COPY workflow/envs/core.yaml /conda-envs/c5dcddf5be799bb2d3e5e6bde37b22d6/environment.yaml
# Conda environment:
#   source: workflow/envs/plots.yaml
#   prefix: /conda-envs/672a9851c5ab36b9412f0badb05dcdf3
#   # Per-rule conda env for the figures (and the HTML report, which reads the figure registry and renders
#   # with Jinja2); versions equal requirements.lock (tests/test_pins.py).
#   channels:
#     - conda-forge
#     - nodefaults
#   dependencies:
#     - python=3.11.7
#     - pandas=3.1.1
#     - numpy=2.4.6
#     - scipy=1.17.1
#     - matplotlib=3.11.2
#     - seaborn=0.13.2
#     - pillow=13.0.0
#     - contourpy=1.3.3
#     - cycler=0.12.1
#     - fonttools=4.68.0
#     - kiwisolver=1.5.1
#     - pyparsing=3.3.3
#     - packaging=25.0
#     - python-dateutil=4.0.0
#     - python-tzdata=2026.6
#     - pyyaml=6.0.4
#     - jinja2=3.1.6
#     - markupsafe=3.0.4
RUN mkdir -p /conda-envs/672a9851c5ab36b9412f0badb05dcdf3
COPY workflow/envs/plots.yaml /conda-envs/672a9851c5ab36b9412f0badb05dcdf3/environment.yaml
# Conda environment:
#   source: workflow/envs/stats.yaml
#   prefix: /conda-envs/858b4f8a99a20fec80e1229dbdefa06c
#   # Per-rule conda env for the statistical analyses; versions equal requirements.lock (tests/test_pins.py).
#   channels:
#     - conda-forge
#     - nodefaults
#   dependencies:
#     - python=3.11.7
#     - pandas=3.1.1
#     - numpy=2.4.6
#     - scipy=1.17.1
#     - statsmodels=0.15.0
#     - patsy=1.0.3
#     - pingouin=0.7.0
#     - pandas-flavor=0.8.1
#     - scikit-learn=1.9.1
#     - matplotlib=3.11.2
#     - seaborn=0.13.2
#     - pyyaml=6.0.4
#     - python-dateutil=4.0.0
#     - python-tzdata=2026.6
RUN mkdir -p /conda-envs/858b4f8a99a20fec80e1229dbdefa06c
COPY workflow/envs/stats.yaml /conda-envs/858b4f8a99a20fec80e1229dbdefa06c/environment.yaml

RUN conda env create --prefix /conda-envs/c5dcddf5be799bb2d3e5e6bde37b22d6 --file /conda-envs/c5dcddf5be799bb2d3e5e6bde37b22d6/environment.yaml && \
    conda env create --prefix /conda-envs/672a9851c5ab36b9412f0badb05dcdf3 --file /conda-envs/672a9851c5ab36b9412f0badb05dcdf3/environment.yaml && \
    conda env create --prefix /conda-envs/858b4f8a99a20fec80e1229dbdefa06c --file /conda-envs/858b4f8a99a20fec80e1229dbdefa06c/environment.yaml && \
    conda clean --all -y
