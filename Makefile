# The project's vocabulary. `make demo` and `make test` are all a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(CURDIR)/$(VENV)/bin/python
BIN := $(CURDIR)/$(VENV)/bin
COLLECTION_TREE := $(CURDIR)/.collections/ansible_collections/telephony/genesys_audiocodes
SANITY_TREE := $(CURDIR)/.collections/sanity/ansible_collections/telephony/genesys_audiocodes
LAB_STATE := $(CURDIR)/.lab/default
LABCTL := $(PY) tests/lab/labctl.py
N ?= 200
# The lab's SIP registrars run, and its phones register for real (LAB_SIP=0: web and GAX only).
LAB_SIP ?= 1

# Tools run offline from the checkout: this collection from the tree, no Galaxy.
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.collections
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PATH := $(BIN):$(PATH)

.PHONY: help venv tree sanity-tree lab-up lab-down lab-status lab-reset demo test sanity lint docs-lint unit integration matrix \
        molecule chaos bench docs build build-check clean ee ee-proof ee-stage

help:
	@echo "make demo        create .venv, start the lab, deploy Business Continuity to it, show the result, stop the lab"
	@echo "make test        everything CI runs: sanity, lint, docs lint, unit, integration, molecule, ee"
	@echo "make venv        create or update .venv from $(PYTHON) (idempotent)"
	@echo "make lab-up      start the lab (emulated phones and GAX) on loopback; lab-down stops it; lab-status shows it"
	@echo "make docs        render the collection documentation into docs/build/"
	@echo "make bench       measure a fleet run against the lab (N=$(N) phones)"
	@echo "make chaos       the long fault-injection runs"
	@echo "make matrix      sanity, unit tests and one deployment on ansible-core 2.17, 2.18, 2.19 and 2.20"
	@echo "make build       build the collection tarball"
	@echo "make ee          build the execution environment image (podman, on a Debian base made here); ee-proof runs a job in it"

# --- environment -------------------------------------------------------------------------------
$(VENV)/.installed: requirements.txt requirements-test.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing requirements into $(VENV) (log: $(VENV)/pip.log)"
	@$(BIN)/pip install --upgrade pip > $(VENV)/pip.log 2>&1 || { tail -20 $(VENV)/pip.log; exit 1; }
	@$(BIN)/pip install -r requirements-test.txt >> $(VENV)/pip.log 2>&1 || { tail -20 $(VENV)/pip.log; exit 1; }
	@touch $@

# The lab's SIP servers are kamailio from Debian's packages, installed when missing (as root, as CI runs).
venv: $(VENV)/.installed
	@sh tests/lab/sip/install_kamailio.sh

# The collection tree: .collections/ansible_collections/telephony/genesys_audiocodes is a link to the
# checkout, so ansible-playbook, ansible-doc, molecule and pytest find this collection by its name.
tree:
	@mkdir -p $(dir $(COLLECTION_TREE))
	@ln -sfn ../../.. $(COLLECTION_TREE)

# ansible-test resolves its working directory physically and refuses symlinks inside a collection,
# so sanity runs in a tree of hard links to the files git tracks (or would track), laid afresh. Only
# regular files are linked: playbooks/collections/.../genesys_audiocodes (the link that lets the
# checkout's playbooks find the collection) stays out, as it stays out of the tarball.
sanity-tree:
	@rm -rf $(SANITY_TREE) && mkdir -p $(SANITY_TREE)
	@git ls-files -z --cached --others --exclude-standard | \
	  while IFS= read -r -d '' f; do [ -f "$$f" ] && printf '%s\0' "$$f"; done | \
	  xargs -0 cp --parents --link -t $(SANITY_TREE)
	@# Its own git index: inside the checkout, ansible-test would ask the checkout's git, which ignores it.
	@cd $(SANITY_TREE) && git init -q && git add -A

# --- lab -----------------------------------------------------------------------------------------
# The lab's phones are generated from inventories/lab (the lab never reads the inventory itself);
# LAB_REBOOT_SECONDS=n shortens the phones' reboots (the default profile's are realistic, 90 s).
# LAB_REPLAY="phone-a01=<bundle dir> ...": those phones replay a field check capture (docs/field-check.md).
lab-up: venv
	@$(PY) tests/tools/lab_phones_from_inventory.py --inventory inventories/lab \
	  --phones-file $(LAB_STATE)/inventory-phones.yml --profile-out $(LAB_STATE)/inventory-profile.yml \
	  $(if $(LAB_REBOOT_SECONDS),--reboot-seconds $(LAB_REBOOT_SECONDS)) $(if $(filter 1,$(LAB_SIP)),--sip) \
	  $(foreach replay,$(LAB_REPLAY),--replay $(replay)) > /dev/null
	@$(LABCTL) up --profile $(LAB_STATE)/inventory-profile.yml --state-dir $(LAB_STATE)

lab-down:
	@if [ -x $(PY) ]; then $(LABCTL) down --state-dir $(LAB_STATE); else echo "no .venv: no lab can be running"; fi

lab-status: venv
	@$(LABCTL) status --state-dir $(LAB_STATE)

lab-reset: venv
	@$(LABCTL) reset --state-dir $(LAB_STATE)

# --- demo ----------------------------------------------------------------------------------------
# Business Continuity on the lab: the first run writes (with its diff and a summary), verify shows
# the table, the second run must change nothing. The lab is stopped whatever happens (trap).
demo: venv tree
	@set -o pipefail; $(PY) tests/tools/lab_phones_from_inventory.py --inventory inventories/lab \
	  --phones-file $(LAB_STATE)/inventory-phones.yml --profile-out $(LAB_STATE)/inventory-profile.yml \
	  --reboot-seconds $(or $(LAB_REBOOT_SECONDS),10) $(if $(filter 1,$(LAB_SIP)),--sip) > /dev/null || exit 1; \
	$(LABCTL) up --profile $(LAB_STATE)/inventory-profile.yml --state-dir $(LAB_STATE) || exit 1; \
	log=$$(mktemp); \
	trap '$(LABCTL) down --state-dir $(LAB_STATE); rm -f "$$log"' EXIT; \
	$(LABCTL) reset --state-dir $(LAB_STATE) > /dev/null || exit 1; \
	echo "== first run: deploy Business Continuity (primary-fallback) to the lab, with its diff"; \
	$(BIN)/ansible-playbook -i inventories/lab playbooks/deploy_bc.yml --diff || exit 1; \
	if [ "$(LAB_SIP)" = 1 ]; then \
	  echo "== waiting (60 s at most) until every line is registered with its SIP Server"; \
	  for i in $$(seq 12); do $(BIN)/ansible-playbook -i inventories/lab playbooks/verify.yml -e verify_registration=true > "$$log" 2>&1 && break; sleep 5; done; \
	fi; \
	echo "== verify: per phone its DNs, model, firmware and line registration; per switch its DNs"; \
	$(BIN)/ansible-playbook -i inventories/lab playbooks/verify.yml $(if $(filter 1,$(LAB_SIP)),-e verify_registration=true) || exit 1; \
	echo "== second run: nothing changes"; \
	$(BIN)/ansible-playbook -i inventories/lab playbooks/deploy_bc.yml | tee "$$log" || exit 1; \
	if sed -n '/^PLAY RECAP/,$$p' "$$log" | grep -Eq 'changed=[1-9]'; then \
	  echo "demo: the second run changed something (see above): not idempotent"; exit 1; \
	fi; \
	echo "== demo passed: the second run reports changed=0 on every host"

# --- tests ---------------------------------------------------------------------------------------
SANITY_CMD := $(MAKE) --no-print-directory sanity-tree && cd $(SANITY_TREE) && $(BIN)/ansible-test sanity --venv --python 3.11 --color no
PYTEST := cd $(COLLECTION_TREE) && $(PY) -m pytest -p no:cacheprovider
# Two workers, a whole test file each: every file starts its own lab on its own loopback block.
INTEGRATION_ARGS ?= -n 2 --dist loadfile

test: venv tree
	@$(PY) tests/tools/ansible_test_offline.py
	@$(PY) tests/tools/stages.py \
	  "sanity=$(SANITY_CMD)" \
	  "lint=$(MAKE) --no-print-directory lint" \
	  "docs-lint=$(MAKE) --no-print-directory docs-lint" \
	  "build=$(MAKE) --no-print-directory build-check" \
	  "unit=$(PYTEST) tests/unit -q" \
	  "integration=$(PYTEST) $(INTEGRATION_ARGS) tests/lab_selftest tests/integration -q" \
	  "molecule=$(MAKE) --no-print-directory molecule" \
	  "ee=$(MAKE) --no-print-directory ee-stage"

sanity: venv tree
	@$(PY) tests/tools/ansible_test_offline.py
	@$(SANITY_CMD)

lint: venv tree
	@cd $(COLLECTION_TREE) && $(BIN)/ansible-lint --offline --profile production

docs-lint: venv tree
	@cd $(COLLECTION_TREE) && $(BIN)/antsibull-docs lint-collection-docs --plugin-docs --skip-rstcheck .
	@$(BIN)/antsibull-changelog lint

unit: venv tree
	@$(PYTEST) tests/unit -q

integration: venv tree
	@$(PYTEST) $(INTEGRATION_ARGS) tests/lab_selftest tests/integration -q

# The deployment scenarios of extensions/molecule (docs/development.md "Molecule scenarios"). Each
# starts its own lab on its own loopback block, so all run at once (each in its own process group,
# by setsid), each into its own log under .lab/molecule-logs/; a failed scenario's log is shown
# whole. Molecule runs from the checkout, where it finds extensions/molecule/config.yml. Interrupted,
# the recipe stops the process groups it started and their labs (by the labs' state directories).
# MOLECULE_SCENARIOS="standalone bc_simultaneous" runs some only.
molecule: venv tree
	@scenarios="$${MOLECULE_SCENARIOS:-$$(cd extensions/molecule && for f in */molecule.yml; do [ -f "$$f" ] && echo "$${f%/molecule.yml}"; done)}"; \
	if [ -z "$$scenarios" ]; then echo "molecule: no scenarios in extensions/molecule"; exit 0; fi; \
	logs=.lab/molecule-logs; rm -rf "$$logs"; mkdir -p "$$logs"; groups=""; \
	trap 'echo "molecule: interrupted: stopping the scenarios and their labs"; \
	  [ -n "$$groups" ] && kill -TERM $$(printf -- "-%s " $$groups) 2> /dev/null; wait; \
	  for s in $$scenarios; do $(LABCTL) down --state-dir .lab/molecule-$$s > /dev/null; done; exit 130' INT TERM; \
	for s in $$scenarios; do \
	  setsid bash -c 'start=$$(date +%s); $(BIN)/molecule test -s "$$1" > "$$2/$$1.log" 2>&1; \
	    echo "$$? $$(( $$(date +%s) - start ))" > "$$2/$$1.tmp" && mv "$$2/$$1.tmp" "$$2/$$1.result"' _ "$$s" "$$logs" & \
	  groups="$$groups $$!"; \
	done; \
	echo "molecule: $$(echo $$scenarios) at once, each on its own lab (logs: $$logs/)"; \
	pending="$$scenarios"; failed=""; \
	while [ -n "$$pending" ]; do \
	  sleep 1; left=""; \
	  for s in $$pending; do \
	    if [ ! -f "$$logs/$$s.result" ]; then left="$$left $$s"; continue; fi; \
	    read -r rc seconds < "$$logs/$$s.result"; \
	    if [ "$$rc" = 0 ]; then echo "molecule: $$s passed in $$seconds s ($$(grep -o '[0-9]* rows of FEATURES.md' "$$logs/$$s.log") hold in its lab)"; \
	    else failed="$$failed $$s"; echo "molecule: $$s FAILED (exit $$rc) in $$seconds s; its log:"; \
	      sed 's/\x1b\[[0-9;]*m//g' "$$logs/$$s.log"; fi; \
	  done; \
	  pending="$$left"; \
	done; \
	wait; \
	if [ -n "$$failed" ]; then echo "molecule: FAILED:$$failed (logs: $$logs/)"; exit 1; fi; \
	echo "molecule: all scenarios passed"

# Every ansible-core meta/runtime.yml supports (tests/tools/matrix.py): on 2.17, 2.18, 2.19 and 2.20, each
# in .venv-matrix/<version> (Python 3.12 from pyenv; pip quiet, logged to .venv-matrix/<version>/pip.log,
# installed again only when the pins change), ansible-test sanity, the unit tests, and one deployment run
# twice against its own lab. MATRIX_VERSIONS="2.17 2.20" and MATRIX_STEPS="unit smoke" run some only.
# CI runs it after make test (.ci/run).
matrix: venv tree
	@$(PY) tests/tools/ansible_test_offline.py > /dev/null
	@$(PY) tests/tools/matrix.py

# The long fault and concurrency runs of deploy_bc.yml (tests/chaos/run.py): 33 phones, fault seeds
# 1 2 3, then three slices at once; prints the table of docs/reliability.md ("Faults and concurrent
# runs") and keeps it in .lab/chaos/report.md. CHAOS_SEEDS="4 5" and CHAOS_EXTRA=50 change the runs.
chaos: venv tree
	@$(PY) tests/chaos/run.py
	RELIABILITY_FULL=1 $(PY) -m pytest -q tests/integration/test_secrets.py

# The fleet benchmark (docs/performance.md): a lab of N phones (N=1000 for the large run), the same
# forks for every measurement (FORKS, default ansible.cfg's 20), short reboots (LAB_REBOOT_SECONDS,
# default 5); writes docs/perf/bench-N.json and .png, then rewrites the tables of docs/performance.md.
bench: venv tree
	@$(PY) tests/perf/bench.py --count $(N) $(if $(FORKS),--forks $(FORKS)) \
	  $(if $(LAB_REBOOT_SECONDS),--reboot-seconds $(LAB_REBOOT_SECONDS))
	@$(PY) tests/perf/report.py

docs: venv tree
	@mkdir -p docs/build
	@cd $(COLLECTION_TREE) && $(BIN)/antsibull-docs collection --use-current --dest-dir $(CURDIR)/docs/build \
	  --output-format simplified-rst telephony.genesys_audiocodes
	@echo "collection docs rendered into docs/build/"

build: venv
	@rm -f $(CURDIR)/.collections/build/*.tar.gz
	@$(BIN)/ansible-galaxy collection build --force --output-path $(CURDIR)/.collections/build . > /dev/null
	@ls $(CURDIR)/.collections/build/*.tar.gz

# The tarball installs with ansible-galaxy, and ansible-doc then lists every module of it.
build-check: build
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && cd "$$tmp" && \
	  ANSIBLE_COLLECTIONS_PATH="$$tmp/c" ANSIBLE_CONFIG="$$tmp/none.cfg" $(BIN)/ansible-galaxy collection install -p "$$tmp/c" $(CURDIR)/.collections/build/telephony-genesys_audiocodes-*.tar.gz > /dev/null && \
	  listed=$$(ANSIBLE_COLLECTIONS_PATH="$$tmp/c" ANSIBLE_CONFIG="$$tmp/none.cfg" $(BIN)/ansible-doc -l telephony.genesys_audiocodes) && \
	  echo "$$listed" && for module in $$(cd $(CURDIR)/plugins/modules && ls *.py 2>/dev/null | sed 's/\.py$$//'); do \
	    echo "$$listed" | grep -q "^telephony.genesys_audiocodes.$$module " || { echo "build-check: $$module missing from ansible-doc -l"; exit 1; }; \
	  done

# --- execution environment (docs/awx.md) ----------------------------------------------------------
# The EE image telephony-genesys-audiocodes-ee:<galaxy.yml version>: ansible-builder on a minimal
# Debian base debootstrapped here (no container registry needed), podman and debootstrap installed
# from Debian's packages when missing. The base image is cached; a second run takes seconds.
ee: build
	@bash tests/ee/build.sh

# A job inside the image, as AWX runs one: ansible-runner runs deploy_bc.yml twice against a lab on
# 127.115 (podman, the host's network); the second run must change nothing (tests/ee/proof.py).
ee-proof: ee
	@$(PY) tests/ee/proof.py

# The `ee` stage of `make test`: ee-proof where podman can run containers; elsewhere one line says
# why it did not run (EE_STAGE=0 skips it on purpose).
ee-stage:
	@reason=$$(sh tests/ee/unavailable.sh); \
	if [ -n "$$reason" ]; then echo "ee: NOT RUN: $$reason"; else $(MAKE) --no-print-directory ee-proof; fi

clean: lab-down
	rm -rf .collections docs/build tests/output .pytest_cache
