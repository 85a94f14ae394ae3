# Two entry points a new user needs: `make demo` and `make test`. Both build their own virtualenv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Every dependency pinned (regenerate with `make lock` after changing pyproject.toml).
LOCK := requirements.lock

.PHONY: install demo test lint typecheck unit audit lock clean

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
	$(BIN)/ruff check tap_zoho_invoice transforms target_marketing_leads singer_input sandbox tests bench
	$(BIN)/ruff format --check tap_zoho_invoice transforms target_marketing_leads singer_input sandbox tests bench

typecheck: $(STAMP)
	$(BIN)/mypy tap_zoho_invoice transforms target_marketing_leads singer_input sandbox

unit: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest $(PYTEST_ARGS)

## Lint, type-check, then the whole test suite.
test: lint typecheck unit

## Known vulnerabilities in the locked dependencies (PyPI advisory data; needs the network).
audit: $(STAMP)
	$(BIN)/pip-audit -r $(LOCK) --no-deps --disable-pip --progress-spinner off

lock:
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e ' > $(LOCK)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache marketing_leads.db .meltano
