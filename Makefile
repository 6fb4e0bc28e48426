# The two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The torch CPU wheel lies in /opt/wheels on this kind of machine; constraints.txt pins it so an
# install never pulls a multi-GB CUDA build.
PIP_FLAGS := -c constraints.txt $(if $(wildcard /opt/wheels),--find-links /opt/wheels)
STAMP := $(VENV)/.installed

.PHONY: install demo test lint docs clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet $(PIP_FLAGS) -e '.[test,slurm]'
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
