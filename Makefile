# The README's two commands: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-test system-deps lint messages check-messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q -e ".[test]"

## Install, migrate a SQLite database, load the demo, print accounts and serve on :8000.
demo: install
	$(BIN)/tequio demo

## Install what the tests need (Python packages, PostgreSQL, Chromium) and run every check and test.
test: install-test system-deps
	bash scripts/test.sh

system-deps:
	bash scripts/system-deps.sh

lint: install-test
	$(BIN)/ruff check tequio browser_tests
	$(BIN)/lint-imports

## Extract strings into the es/en catalogs (then translate, then `make check-messages`).
messages:
	$(BIN)/python scripts/check_messages.py --update

check-messages:
	$(BIN)/python scripts/check_messages.py

bench: install-test
	$(BIN)/tequio bench generate --scale 1
	$(BIN)/tequio bench pages

clean:
	rm -rf $(VENV) var
