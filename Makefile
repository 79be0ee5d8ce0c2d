# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
# Re-install when the dependency list or the pins change.
STAMP := $(VENV)/.installed

.PHONY: run test install ingest bench clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch first and pinned: the CPU wheel; an unpinned torch pulls gigabytes of CUDA packages.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,langchain]'
	@touch $(STAMP)

ingest: $(STAMP)
	$(BIN)/tpm-assistant ingest

run: ingest
	$(BIN)/tpm-assistant serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(MAKE) -C bench

clean:
	rm -rf $(VENV) .tpm_store .pytest_cache
