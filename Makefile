# The two set-up commands: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB := demo.db
# The compiled Vietnamese catalog: built at install, rebuilt here when the .po changes.
PO := src/dandan/locale/vi/LC_MESSAGES/dandan.po
MO := $(PO:.po=.mo)

.PHONY: demo test lint typecheck pytest fuzz bench messages clean mutation docs

# Benchmark sizes (models): the published national figure; add 4080000 for the 10x run.
BENCH_ROWS ?= 408000
# `make fuzz`: kill -9 per command, hypothesis examples per fuzz test (make test: 5 and 15).
FAULT_RUNS ?= 50
FUZZ_EXAMPLES ?= 400

$(STAMP): pyproject.toml hatch_build.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(MO): $(STAMP) $(PO)
	$(BIN)/pybabel -q compile -d src/dandan/locale -D dandan -l vi
	touch $(MO)

demo: $(MO)
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/dandan --db $(DEMO_DB) import data/seed_models.csv
	$(BIN)/dandan --db $(DEMO_DB) contest import data/seed_contests.csv
	$(BIN)/dandan --db $(DEMO_DB) list --in "Quảng Trị" --status recognized --limit 5
	$(BIN)/dandan --db $(DEMO_DB) show "$$($(BIN)/dandan --db $(DEMO_DB) list --limit 1 --format csv | tail -n 1 | cut -d, -f1)"
	$(BIN)/dandan --db $(DEMO_DB) tally --province --by-end-of 2023 --boundaries 2024
	$(BIN)/dandan --db $(DEMO_DB) tally --province --by-end-of 2023
	$(BIN)/dandan --db $(DEMO_DB) --lang vi tally --by field --by-end-of 2023
	$(BIN)/dandan --db $(DEMO_DB) tally --by kind --by-end-of 2023
	$(BIN)/dandan --db $(DEMO_DB) contest tally --by level --period 2021-2025

# README.md's console blocks, run for real on temporary registries (cog), and the
# command-line reference, docs/cli.md and docs/cli.vi.md, from every command's help.
# tests/test_docs.py fails while they differ from what the commands print.
docs: $(MO)
	$(BIN)/python scripts/gendocs.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(MO)
	$(BIN)/pytest

test: lint typecheck pytest

# The crash and fuzz tests with the large budget (about 7 minutes on two cores), and
# clerks registering beside an import of 100,000 models (about 2 minutes more).
fuzz: $(STAMP)
	DANDAN_FAULT_RUNS=$(FAULT_RUNS) DANDAN_FUZZ=1 DANDAN_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
		$(BIN)/pytest tests/test_faults.py tests/test_fuzz.py tests/test_roundtrip.py
	DANDAN_CONCURRENT_IMPORT_MODELS=100000 \
		$(BIN)/pytest tests/test_concurrency.py -k clerks_register_while_a_large_import_runs

# Mutation testing (not part of `make test`): mutmut over filters, tallies, validation,
# importing and localities, one module at a time, then the summary (killed / survived /
# equivalent / timeout / not run). Long: well over an hour for all five modules on two
# shared cores; the first run also copies and mutates the code (about 2 minutes) and
# runs the tests once for their coverage. `make mutation MODULES=filters` runs one;
# MUTATION_ARGS=--guarded only the date windows, status and boundary mapping.
# Equivalent mutants are listed in tests/mutation_equivalent.md.
MODULES ?= filters,tallies,validation,importing,writing,localities
MUTATION_JOBS ?= 2
MUTATION_ARGS ?=
mutation: $(MO)
	$(BIN)/python scripts/mutation.py --modules $(MODULES) --jobs $(MUTATION_JOBS) $(MUTATION_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/import_bench.py --rows $(BENCH_ROWS)
	$(BIN)/python benchmarks/tally_bench.py --rows $(BENCH_ROWS)
	$(BIN)/python benchmarks/command_bench.py

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm mutants .pytest_cache .mypy_cache .ruff_cache benchmarks/out

# Bring the translation catalog up to date with the code (then translate what is new in
# src/dandan/locale/vi/LC_MESSAGES/dandan.po; `scripts/messages.py --missing` lists it).
messages: $(STAMP)
	$(BIN)/python scripts/messages.py
