# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
# Re-install when the dependency list or the pins change.
STAMP := $(VENV)/.installed

.PHONY: run test lint install ingest bench bench-scale clean

install: $(STAMP)

# pip says what it collects and installs (a first install takes minutes: it must not look stuck).
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || { echo "==> creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@echo "==> installing torch 2.13.0, the CPU build, first (an unpinned torch pulls gigabytes of CUDA packages)"
	$(BIN)/pip install --progress-bar off torch==2.13.0
	@echo "==> installing tpm-assistant and its dependencies, pinned by constraints.txt"
	$(BIN)/pip install --progress-bar off -c constraints.txt -e '.[dev,langchain]'
	@touch $(STAMP)
	@echo "==> installed: $(BIN)/tpm-assistant"

ingest: $(STAMP)
	$(BIN)/tpm-assistant ingest

run: ingest
	$(BIN)/tpm-assistant serve --host $(HOST) --port $(PORT)

# ruff and mypy (configured in pyproject.toml; seconds, mypy keeps a cache in .mypy_cache). The
# code is not auto-formatted, so there is no `ruff format --check`.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy src

test: lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(MAKE) -C bench

# Issue 12: what many guides cost (bench/scale.py; sizes 1, 10 and 100, a worker against a Chroma
# server, and one 20 MB file, in one run: about 45 minutes here). SCALE_ARGS to choose, e.g.
# SCALE_ARGS="--sizes 1,10 --quick".
SCALE_ARGS ?= --eval eval/holdout.jsonl --eval eval/holdout2.jsonl --eval eval/holdout3.jsonl --eval eval/final.jsonl \
              --eval eval/final3.jsonl --eval eval/final4.jsonl --eval eval/final5.jsonl --quality-sizes 1,100 --chroma --big-mb 20 --big-timeout 3600
bench-scale: $(STAMP)
	$(BIN)/python bench/scale.py $(SCALE_ARGS)

clean:
	rm -rf $(VENV) .tpm_store .pytest_cache .mypy_cache .ruff_cache
