# Developer entry points for cloudlb.azure. On a fresh machine, two commands:
#   make demo   the tutorial's playbook against azemu, the local Azure
#   make test   everything CI runs
# Needs python3 (3.11+), make, git, and the package index.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Written once requirements-dev.txt (and what it includes) is installed.
INSTALLED := $(VENV)/.installed
# ansible.cfg's collections_path includes .venv/collections: this link makes the repository
# (the collection root) the collection cloudlb.azure. It points at the repository from inside
# .venv, which every tool here skips (.gitignore, .ansible-lint, pytest's norecursedirs).
COLLECTION_LINK := $(VENV)/collections/ansible_collections/cloudlb/azure
AZEMU_STATE := .azemu
# 2 cores: two pytest workers (PYTEST_WORKERS=3 to try more: a worker waits on playbooks' polls
# and azemu's emulated clocks about half its time, computing nothing). A test file stays on one
# worker (its tests may build on each other); long files start first (RUN_FIRST, conftest.py)
# and --no-loadscope-reorder keeps that order. The slowest tests are listed at the end, to see
# where CI's time goes.
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?= -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations 15
# azemu's emulated time for the demo: 30 times faster, so the probe's 2 x 15 s and a VM's
# 60 s boot take seconds; the flags apply when azemu-start starts it.
AZEMU_FLAGS ?= --time-scale 30 --vm-boot-seconds 60
# Where the test steps connect: the rules' ports, plus 8000 for those below 1024 where azemu may
# not bind them (not root); azemu's own rule decides. The JSON -e keeps the number a number.
# make demo POOL_KIND=ip: the backend pool holds the VMs' IP addresses rather than their NICs.
POOL_KIND ?= nic
DEMO_VARS = -e backend_pool_kind=$(POOL_KIND) -e url_port_offset=$$(python -c 'from azemu.dataplane.addresses import listen_port; print(listen_port(80, 8000) - 80)') -e '{"vms_wait_delay": 1}'
# Where `make build` writes the collection tarball.
BUILD_DIR ?= build

export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help setup demo azemu-start azemu-stop azemu-status pool-member teardown bench conformance conformance-venvs test lint sanity molecule pytest build clean

help:
	@echo "make demo          set up, start azemu, run site.yml against it (POOL_KIND=ip: an IP-based pool)"
	@echo "make test          lint, sanity, molecule, unit, integration and emulator tests"
	@echo "make setup         .venv from requirements-dev.txt, collection linked for ansible"
	@echo "make azemu-start   azemu in the background (state in $(AZEMU_STATE)/); azemu-stop, azemu-status"
	@echo "make pool-member   run playbooks/pool_member.yml (step 5: myVM2 out of the pool and back)"
	@echo "make teardown      run playbooks/teardown.yml against the running azemu"
	@echo "make bench         ours and azure.azcollection on azemu, latency 0 and Azure's: one table in benchmarks/RESULTS.md"
	@echo "make conformance   az CLI, Azure SDK and azure.azcollection run the tutorial against azemu (conformance/README.md)"
	@echo "make conformance-venvs  only the clients' venvs, under $(CONFORMANCE_CACHE)/"
	@echo "make lint          ansible-lint, production profile"
	@echo "make sanity        ansible-test sanity on a copy of the collection in build/"
	@echo "make molecule      the roles' molecule scenarios, against an azemu of their own"
	@echo "make pytest        the pytest suites (PYTEST_ARGS=... to change how)"
	@echo "make build         the collection tarball, in build/"

setup: $(INSTALLED) $(COLLECTION_LINK)

$(INSTALLED): requirements.txt requirements-dev.txt emulator/pyproject.toml
	if [[ ! -x $(BIN)/python ]]; then \
	    $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	        || { echo "make setup needs Python 3.11 or later as $(PYTHON) (make setup PYTHON=...)" >&2; exit 1; }; \
	    $(PYTHON) -m venv $(VENV); \
	    $(BIN)/python -m pip install --quiet --upgrade pip; \
	fi
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

$(COLLECTION_LINK): | $(INSTALLED)
	mkdir -p $(@D)
	ln -sfn ../../../.. $@

azemu-start: setup
	scripts/azemu-ctl start $(AZEMU_FLAGS)

azemu-stop:
	scripts/azemu-ctl stop

azemu-status:
	@scripts/azemu-ctl status || true

# `exports=$$(...)` rather than `eval "$$(...)"`, so that a failing `azemu env` stops here.
demo: setup azemu-start
	exports=$$(azemu env --state-dir $(AZEMU_STATE)); eval "$$exports"; ansible-playbook site.yml $(DEMO_VARS)
	@echo
	@scripts/azemu-ctl status
	@echo "Take myVM2 out of the pool and back (tutorial step 5): make pool-member"
	@echo "Delete what the demo made: make teardown"

pool-member: setup azemu-start
	exports=$$(azemu env --state-dir $(AZEMU_STATE)); eval "$$exports"; ansible-playbook playbooks/pool_member.yml $(DEMO_VARS)

teardown: setup azemu-start
	exports=$$(azemu env --state-dir $(AZEMU_STATE)); eval "$$exports"; ansible-playbook playbooks/teardown.yml

# Clients we did not write run the tutorial against an azemu of their own and a table says
# what passed (conformance/README.md). Not part of `make test`: the clients are big, so each
# gets its own venv under .cache/, made once (a stamp file) and never in .venv.
CONFORMANCE_CACHE := .cache/conformance
CONFORMANCE_VENVS := $(foreach c,az sdk azcollection,$(CONFORMANCE_CACHE)/venv-$(c)/.installed)

conformance: setup conformance-venvs
	python conformance/run.py $(CONFORMANCE_ARGS)

conformance-venvs: $(CONFORMANCE_VENVS)

$(CONFORMANCE_CACHE)/venv-%/.installed: conformance/requirements-%.txt
	[[ -x $(@D)/bin/python ]] || { $(PYTHON) -m venv $(@D) && $(@D)/bin/python -m pip install --quiet --upgrade pip; }
	$(@D)/bin/python -m pip install --quiet -r $<
	touch $@

# azure.azcollection as the community `ansible` package ships it (its newest release, whose
# own pin of ansible-core wants a newer Python than this machine's: only the collection is
# taken, into venv-azcollection/collections), with its own pinned requirements.txt.
AZCOLLECTION_FROM := ansible>=14
$(CONFORMANCE_CACHE)/venv-azcollection/.installed: conformance/requirements-azcollection.txt conformance/unpack_collection.py
	[[ -x $(@D)/bin/python ]] || { $(PYTHON) -m venv $(@D) && $(@D)/bin/python -m pip install --quiet --upgrade pip; }
	$(@D)/bin/python -m pip install --quiet -r $<
	rm -rf $(@D)/download $(@D)/collections
	$(@D)/bin/python -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
	    -d $(@D)/download '$(AZCOLLECTION_FROM)'
	$(@D)/bin/python conformance/unpack_collection.py $(@D)/download/ansible-*.whl $(@D)/collections azure.azcollection
	$(@D)/bin/python -m pip install --quiet -r $(@D)/collections/ansible_collections/azure/azcollection/requirements.txt
	rm -rf $(@D)/download
	touch $@

# Starts azemu instances of its own; prints one table and puts it into benchmarks/RESULTS.md
# (benchmarks/README.md). The peer, azure.azcollection, runs from the venv conformance makes.
# BENCH_ARGS=--quick: 3 VMs only.
bench: setup $(CONFORMANCE_CACHE)/venv-azcollection/.installed
	python benchmarks/bench.py $(BENCH_ARGS)

# pytest last: CI reads its closing line. `make -k test` runs every part even when one fails.
test: lint sanity molecule pytest

# ansible-lint must see this working tree as cloudlb.azure, and nothing else: only
# .venv/collections (the link to it) on the collections path, so that a copy installed in
# ~/.ansible/collections cannot shadow it. With `offline: true` (.ansible-lint) ansible-lint
# installs nothing itself; a copy an earlier run left in .ansible/ would be found first.
lint: setup
	rm -rf .ansible/collections/ansible_collections/cloudlb
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(VENV)/collections ansible-lint

sanity: setup
	scripts/sanity

molecule: setup
	scripts/molecule.sh

pytest: setup
	pytest $(PYTEST_ARGS)

build: setup
	ansible-galaxy collection build --force --output-path $(BUILD_DIR)

clean:
	rm -rf build tests/output .pytest_cache
