# Miwake: the two commands a fresh machine needs are `make run` and `make test` (see README).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
# Reports and heatmaps of `make run` land here.
OUT ?= out

.PHONY: install run test test-all lint dist bench clean

$(STAMP): pyproject.toml setup.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Miwake needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[training,dev,cluster]"
	$(PY) -m miwake.layout
	touch $(STAMP)

install: $(STAMP)

## Scan the bundled samples with the bundled default model; print the table; write a CSV and JSON.
run: $(STAMP)
	@mkdir -p $(OUT)
	$(BIN)/miwake scan resources/samples --top 0 --csv $(OUT)/samples.csv --json $(OUT)/samples.json --heatmaps $(OUT)/heatmaps

## Everything the tests need, then the tests (offscreen Qt, no network, no ../shared) and the lint gate.
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -m "not dist"
	$(MAKE) --no-print-directory lint

## The lint gate: ruff (rules in pyproject.toml) and its formatter, mypy on miwake.core and miwake.training, and the import-linter layer contracts.
lint: $(STAMP)
	@$(PY) -m miwake.layout >/dev/null
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## Also the slow PyInstaller bundle test.
test-all: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

## The installable one-folder app dist/miwake/ (PyInstaller, build.spec): `miwake` (CLI) and `miwake-gui`
## with their libraries and resources/; then what is in it and how big. See docs/packaging.md.
dist: $(STAMP)
	$(PY) -m PyInstaller --noconfirm --clean --log-level WARN build.spec
	$(PY) packaging/bundle_report.py dist/miwake --top 12

bench: $(STAMP)
	$(PY) benchmarks/scan_throughput.py

clean:
	rm -rf build dist $(OUT) .pytest_cache
