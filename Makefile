# Every target creates .venv and installs what it needs on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint bench-import clean

$(STAMP): pyproject.toml constraints.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

## demo: the main job, AutoML on a bundled dataset (local executor, SQLite workspace in ./automl_workspace)
demo: $(STAMP)
	$(BIN)/python examples/demo.py

## test: the whole test suite (PostgreSQL tests skip unless AUTOML_TEST_POSTGRES_URL is set)
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

## test-fast: everything not marked slow
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile -q -m "not slow"

## lint: ruff and strict mypy on our packages
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## bench-import: import time of `import automl` next to `import optuna`
bench-import: $(STAMP)
	$(BIN)/python benchmarks/import_time.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
