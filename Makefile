# 村级后备干部人才库 — developer commands. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
NPM ?= npm
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
export ROSTER_ENV ?= development

.PHONY: run test lint bench load screenshots install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test node_modules/.installed

# axe-core for the browser tests' accessibility check (package.json, package-lock.json). Without
# npm the check is skipped, loudly; under CI it fails instead, so CI always runs it.
node_modules/.installed: package.json package-lock.json
	@if command -v $(NPM) >/dev/null; then \
	  $(NPM) ci --no-audit --no-fund && touch $@; \
	else \
	  echo "npm not found: the axe-core accessibility check will be skipped" >&2; \
	fi

run: install
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) ensure-admin
	$(FLASK) run --host 127.0.0.1 --port 5000

# pytest-xdist: one process per core, each with its own SQLite file and (TEST_DATABASE_URL) its
# own PostgreSQL database, <name>_gw0, <name>_gw1 …; PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= auto

test: install-test
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check app tests bench tools
	$(BIN)/ruff format --check app tests bench tools

bench: install
	$(BIN)/python -m bench.roster $(BENCH_ARGS)
	$(BIN)/python -m bench.excel $(BENCH_ARGS)
	$(BIN)/python -m bench.upload $(BENCH_ARGS)

load: install
	$(BIN)/python -m bench.load $(LOAD_ARGS)

screenshots: install-test
	$(BIN)/python -m tools.screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache node_modules
