# The two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Which torch build (constraints.txt pins its version), installed before the package:
#   TORCH=auto (default): CUDA when nvidia-smi is on PATH, else CPU
#   TORCH=cuda: PyPI's default Linux wheel, which is a CUDA build (e.g. on a login node without a
#               GPU that installs for GPU compute nodes)
#   TORCH=cpu:  the CPU build from PyTorch's CPU wheel index, unless pip's own configuration (a
#               site mirror or wheel folder) already resolves the pinned version to a CPU build
TORCH ?= auto
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
PIP_TORCH_BUILD := $(BIN)/pip install --dry-run --quiet --no-deps --ignore-installed --report - -c constraints.txt torch

.PHONY: install demo test lint docs clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@build=$(TORCH); \
	if [ "$$build" = auto ]; then build=cpu; command -v nvidia-smi >/dev/null && build=cuda; fi; \
	case $$build in cpu|cuda) ;; *) echo "TORCH=$$build: use auto, cuda or cpu" >&2; exit 2;; esac; \
	index=; \
	if [ "$$build" = cpu ] && ! $(PIP_TORCH_BUILD) 2>/dev/null | grep -q '"version": "[^"]*+cpu"'; then \
		index="--extra-index-url $(TORCH_CPU_INDEX)"; fi; \
	echo "torch: $$build build $$index"; \
	$(BIN)/pip install --quiet -c constraints.txt $$index torch
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,slurm]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@test -e recordings || $(BIN)/sortcanary demo-data recordings
	$(BIN)/snakemake --cores 2 || true
	$(BIN)/sortcanary status results --allow-biological

lint: $(STAMP)
	$(BIN)/snakefmt --check workflow/
	$(BIN)/snakemake --lint --config recordings_dir=tests/data/tiny

# config/README.md's key table is generated from the schema; tests/test_config_docs.py fails when stale.
docs: $(STAMP)
	$(BIN)/python -m sortcanary.views.config_docs config/README.md

test: $(STAMP) lint
	$(BIN)/python -m pytest

clean:
	rm -rf results logs scratch .snakemake
