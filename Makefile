# Two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Test processes: the fault suite runs for minutes in one of them while the other runs the rest.
TEST_WORKERS ?= 2

.PHONY: setup bytecode demo test lint docs unit integration bench infra tables clean

setup: $(STAMP) bytecode

# The package is installed editable, so pip compiles none of it; where PYTHONDONTWRITEBYTECODE
# is set, Python would then compile every module of it at every start (70 ms of each command).
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q src >/dev/null

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,report,docs]'
	touch $(STAMP)

demo: setup
	$(BIN)/copilot-archive demo

lint: setup
	$(BIN)/ruff check src tests functions bench
	$(BIN)/ruff format --check src tests functions bench
	$(BIN)/mypy

# The docs site into site/ (not committed); strict: a broken link or anchor fails the build.
docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

test: setup lint docs
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

# athena/tables/*.sql and glue-tables.yaml (template.yaml's nested stack of Glue tables), written from the contract (core/curated_schema.py);
# querying/compiled_sql.py, the views compiled from athena/views (no SQL parser at a cold start).
tables: setup
	$(BIN)/python -m copilot_archive.querying.table_definitions --write
	$(BIN)/python -m copilot_archive.querying.sql --write

bench: setup
	$(BIN)/python bench/run.py
	$(BIN)/python bench/cost_model.py --write-docs

infra: setup
	bash .ci/infra.sh

clean:
	rm -rf $(VENV) .aws-sam demo-archive site .pytest_cache .mypy_cache .ruff_cache
