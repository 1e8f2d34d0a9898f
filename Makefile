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

# The posting engine (service/domain, service/posting) compiled with mypyc
# into build/compiled, loaded instead of its sources while they are
# unchanged (service/compiled.py); without a C compiler, or if mypyc
# fails, it runs from source. STOREBOOKS_COMPILE=0 skips the build.
ENGINE_SOURCES := $(wildcard service/domain/*.py service/posting/*.py)
COMPILED := build/compiled.stamp

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "storebooks needs Python 3.11 or newer on PATH"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

$(COMPILED): $(STAMP) $(ENGINE_SOURCES)
	@if [ "$(STOREBOOKS_COMPILE)" = "0" ]; then echo "engine not compiled (STOREBOOKS_COMPILE=0)"; \
	else $(BIN)/python -m service.compile_engine build; fi
	@mkdir -p build && touch $(COMPILED)

install: $(STAMP) $(COMPILED)

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

# Every benchmark at a small size, one table of figures and ratios to the
# targets; larger sizes: `.venv/bin/python bench/run_all.py --help`.
bench: install
	$(BIN)/python bench/run_all.py

# The posting engine as installed (compiled when built), then from source.
bench-compiled: install
	$(BIN)/python -m service.compile_engine status
	$(BIN)/python bench/posting_throughput.py
	STOREBOOKS_INTERPRETED=1 $(BIN)/python bench/posting_throughput.py
