# The two commands a fresh machine needs: `make demo` and `make test`. CI (.ci/run, as root on a
# clean Debian machine) runs `make system-deps` first, so the Chromium and SLURM tests run too;
# without those packages they skip, naming that target.
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

# Debian packages some tests need: headless Chromium (reports render with their figures) and a
# one-node SLURM cluster (tests/slurm/local-cluster.sh). Installed here, never by a test.
SYSTEM_PACKAGES := chromium slurm-wlm munge

.PHONY: install demo test lint docs clean system-deps

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

# The Snakefile's format and Snakemake's own lint, ruff on every Python file the project writes, mypy
# --strict on the package (their settings: pyproject.toml's [tool.ruff] and [tool.mypy], nothing else).
lint: $(STAMP)
	$(BIN)/snakefmt --check workflow/
	$(BIN)/snakemake --lint --config recordings_dir=tests/data/tiny
	$(BIN)/ruff check src tests bench workflow/scripts
	$(BIN)/mypy

# config/README.md's key table is generated from the schema; tests/test_config_docs.py fails when stale.
docs: $(STAMP)
	$(BIN)/python -m sortcanary.views.config_docs config/README.md

test: $(STAMP) lint
	$(BIN)/python -m pytest

# Quick when everything is installed (dpkg is asked, apt is not). policy-rc.d keeps the packages'
# install scripts from starting munged/slurmd: tests/slurm/local-cluster.sh starts the daemons it needs.
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do \
	    dpkg-query -W -f='$${db:Status-Status}' $$p 2>/dev/null | grep -qx installed || echo $$p; done); \
	missing=$$(echo $$missing); \
	if [ -z "$$missing" ]; then echo "system-deps: $(SYSTEM_PACKAGES) already installed"; exit 0; fi; \
	[ "$$(id -u)" -eq 0 ] || { echo "system-deps: installing $$missing needs root: sudo make system-deps" >&2; exit 1; }; \
	made_policy=0; \
	if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; \
	    chmod 755 /usr/sbin/policy-rc.d; made_policy=1; fi; \
	rc=0; \
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing || rc=$$?; \
	[ $$made_policy -eq 0 ] || rm -f /usr/sbin/policy-rc.d; \
	exit $$rc

clean:
	rm -rf results logs scratch .snakemake .sortcanary
