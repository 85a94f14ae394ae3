# Two entry points a new user needs: `make demo` and `make test`. Both build their own virtualenv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Every dependency pinned (regenerate with `make lock` after changing pyproject.toml).
LOCK := requirements.lock
# One package per executable, plus the lead store, the two modules the mapper and target share
# and the Airflow DAG module (orchestrate/).
PACKAGES := tap_zoho_invoice transforms target_marketing_leads marketing_leads lead_store \
	leads_contract singer_input sandbox orchestrate

.PHONY: install demo test lint typecheck unit audit lock settings clean

$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c $(LOCK) -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Runs the main job on the embedded default: local sandbox API -> mapper -> SQLite store.
demo: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

lint: $(STAMP)
	$(BIN)/ruff check $(PACKAGES) tests bench scripts
	$(BIN)/ruff format --check $(PACKAGES) tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy $(PACKAGES)

unit: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest $(PYTEST_ARGS)

## Lint, type-check, then the whole test suite.
test: lint typecheck unit

## Rewrites each plugin's settings in meltano.yml and README.md from its `--about`.
settings: $(STAMP)
	$(BIN)/python scripts/plugin_settings.py --write

## Known vulnerabilities in the locked dependencies (PyPI advisory data; needs the network).
audit: $(STAMP)
	$(BIN)/pip-audit -r $(LOCK) --no-deps --disable-pip --progress-spinner off

lock:
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e ' > $(LOCK)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache marketing_leads.db .meltano
