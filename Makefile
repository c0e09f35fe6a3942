# Two entry points: `make run` (the pipeline) and `make test` (the test suite; `make test-fast`
# runs only the part that needs nothing but Python).
# Both build .venv from the pinned lock first, so a fresh machine needs only Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 4

.PHONY: run test test-fast lint venv clean

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

# The package's doctests (every docstring example) run with the tests.
DOCTESTS := workflow/rapamycin_mecfs
# Tests that need more than Python (markers in pyproject.toml): test-fast leaves them out.
SLOW := workflow or slurm or browser or r_referee

# Everything: unit tests, the pipeline runs, SLURM, the browser, the R referee, the doctests.
test: venv
	$(BIN)/python -m pytest tests $(DOCTESTS) --doctest-modules

# Unit tests and doctests only (under 3 minutes on 2 cores).
test-fast: venv
	$(BIN)/python -m pytest tests $(DOCTESTS) --doctest-modules -m "not ($(SLOW))"

lint: venv
	$(BIN)/snakemake --lint
	$(BIN)/snakefmt --check Snakefile workflow/rules
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf results logs .snakemake
