# Two entry points: `make run` (the pipeline) and `make test` (the test suite).
# Both build .venv from the pinned lock first, so a fresh machine needs only Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 4

.PHONY: run test lint venv clean

venv: $(VENV)/.installed

# --no-deps: the lock lists every transitive package, so pip must not resolve anything itself.
$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

run: venv
	$(BIN)/snakemake --cores $(CORES)

test: venv
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/snakemake --lint
	$(BIN)/snakefmt --check Snakefile workflow/rules

clean:
	rm -rf results logs .snakemake
