# The two commands of the README: `make dev` and `make test`.
# Each installs what is missing into .venv first, so a machine needs only
# Python 3.11+ and make.

VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# The first interpreter that really runs and is 3.11 or newer.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3 python; do \
	$$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1 \
	&& { command -v $$p; break; }; done)

.PHONY: install dev test unit lint schema bench bench-compiled

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "storebooks needs Python 3.11 or newer on PATH"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

dev: install
	$(BIN)/storebooks dev

test: install lint
	$(BIN)/pytest -q

unit: install
	$(BIN)/pytest -q tests/unit

lint: install
	$(BIN)/ruff check service worker tests $(wildcard bench)
	$(BIN)/mypy --strict service worker

schema: install
	$(BIN)/storebooks export-schema > schema.graphql

bench: install
	$(BIN)/python bench/posting_throughput.py

# The posting engine compiled with mypyc, outside the source tree (so an edit
# to a .py file is never shadowed by a stale build), and benchmarked.
bench-compiled: install
	rm -rf build/mypyc && mkdir -p build/mypyc/service
	cp -r service/domain service/posting build/mypyc/service/ && touch build/mypyc/service/__init__.py
	cd build/mypyc && ../../$(BIN)/mypyc service/domain/*.py service/posting/*.py >/dev/null
	PYTHONPATH=build/mypyc $(BIN)/python bench/posting_throughput.py
