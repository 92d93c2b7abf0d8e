# Every target works on a fresh clone: the first one to run creates .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run test lint bench clean

install: $(VENV)/.installed

# torch is pinned and installed first: an unpinned torch pulls gigabytes of CUDA wheels.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	CMAKE_ARGS="-DLLAVA_BUILD=OFF" $(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: install
	$(BIN)/assistant index update
	$(BIN)/assistant serve

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Throughput, latency at two sizes, start-up, 16 concurrent clients, growth to 15x; long.
# Shorter runs: make bench BENCH_ARGS="--articles 100 --scales 1,2 --skip clients"
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .index
