# The two commands a fresh machine needs: `make demo` and `make test`. CI (.ci/run, as root on a
# clean Debian machine) runs `make system-deps` first, so the Chromium and SLURM tests run too;
# without those packages they skip, naming that target.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The torch CPU wheel lies in /opt/wheels on this kind of machine; constraints.txt pins it so an
# install never pulls a multi-GB CUDA build.
PIP_FLAGS := -c constraints.txt $(if $(wildcard /opt/wheels),--find-links /opt/wheels)
STAMP := $(VENV)/.installed

# Debian packages some tests need: headless Chromium (reports render with their figures) and a
# one-node SLURM cluster (tests/slurm/local-cluster.sh). Installed here, never by a test.
SYSTEM_PACKAGES := chromium slurm-wlm munge

.PHONY: install demo test lint clean system-deps

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
	rm -rf results logs scratch .snakemake
