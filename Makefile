# Ventanilla — set-up is two commands: `make demo` and `make test` (see README).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
VENTANILLA := $(BIN)/ventanilla
VENDOR := ventanilla/static/vendor
USWDS := node_modules/@uswds/uswds/dist
CHROMIUM ?= /usr/bin/chromium
PYTEST_ARGS ?=

.PHONY: install assets browser demo test test-postgres lint bench messages clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/uswds/css $(VENDOR)/uswds/js $(VENDOR)/uswds/img $(VENDOR)/uswds/fonts $(VENDOR)/htmx
	cp $(USWDS)/css/uswds.min.css $(VENDOR)/uswds/css/
	cp $(USWDS)/js/uswds.min.js $(USWDS)/js/uswds-init.min.js $(VENDOR)/uswds/js/
	cp $(USWDS)/img/*.svg $(VENDOR)/uswds/img/
	cp -r $(USWDS)/img/usa-icons $(USWDS)/img/usa-icons-bg $(VENDOR)/uswds/img/
	cp -r $(USWDS)/fonts/source-sans-pro $(USWDS)/fonts/merriweather $(VENDOR)/uswds/fonts/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	touch $@

install: $(VENV)/.installed assets

assets: $(VENDOR)/.installed

# Browser tests drive Debian's chromium through Playwright (its own download does not work here).
browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

demo: install
	$(VENTANILLA) demo

test: install browser
	$(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

# The same suite on PostgreSQL (DATABASE_URL, default: the local server, database test).
test-postgres: install browser
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy ventanilla config
	$(BIN)/lint-imports
	$(VENTANILLA) makemigrations --check --dry-run

bench: install
	$(BIN)/python -m benchmarks

# Refresh locale/es from the code and templates, then compile (needs GNU gettext).
messages: install
	$(VENTANILLA) makemessages -l es --no-obsolete --no-location -i '.venv/*' -i 'node_modules/*' \
	  -i 'var/*' -i 'ventanilla/static/vendor/*' -i 'benchmarks/*' -i '*/tests/*'
	$(VENTANILLA) compilemessages -l es --ignore '.venv/*' --ignore 'node_modules/*'

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
