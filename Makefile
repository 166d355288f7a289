# Quick start: `make demo` (set up, then run the main job on the samples) and
# `make test` (set up, then lint, type-check and run every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB := demo_out/crm.duckdb

.PHONY: setup demo test lint typecheck pytest clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,splink]'
	touch $(STAMP)

demo: $(STAMP)
	rm -rf demo_out && mkdir -p demo_out
	BIN=$(BIN) DB=$(DEMO_DB) bash scripts/demo_tour.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck pytest

clean:
	rm -rf $(VENV) demo_out .pytest_cache .mypy_cache .ruff_cache .hypothesis
