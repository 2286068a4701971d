# ascend_ops.vllm: the two commands a new operator needs are
#   make sandbox   bring up emulated Atlas nodes and run the main job on them
#   make test      everything that checks the project (lint, sanity, units, molecule)
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        ?= .venv
PYTHON      ?= python3
BIN         := $(CURDIR)/$(VENV)/bin
COLL_ROOT   := $(CURDIR)/build/collections
COLL_LINK   := $(COLL_ROOT)/ansible_collections/ascend_ops/vllm
# ansible-test wants its working directory inside .../ansible_collections/ns/name
# and resolves symlinks, so it runs in a copy of the files git would track.
TEST_TREE   := $(CURDIR)/build/test-tree/ansible_collections/ascend_ops/vllm
STAGE       := tests/ci/stage
TESTBED     := tests/testbed
export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLL_ROOT)
# Keep ansible-lint, ansible-test and molecule caches out of the user's home.
export ANSIBLE_HOME := $(CURDIR)/build/ansible-home
export ANSIBLE_LOCAL_TEMP := $(CURDIR)/build/ansible-home/tmp
export MOLECULE_NO_LOG := false
# Where tests/ci/stage and the ci_timer callback record this run's times;
# `make test` ends with tests/ci/times_report.py over them (.ci/run sets it once
# for its own stages too).
ifndef CI_TIMES_DIR
CI_TIMES_DIR := $(CURDIR)/build/ci-times/$(shell date +%Y%m%dT%H%M%S)
endif
export CI_TIMES_DIR

HOST_PACKAGES := docker.io mmdebstrap makeself dpkg-dev rsync shellcheck openssl openssh-client iproute2 iputils-ping zip prometheus
GET_PIP_CACHE := $(HOME)/.ansible/test/cache

.PHONY: help
help:
	@echo "make sandbox       emulated A2 + A3 nodes, then playbooks/deploy.yml on them"
	@echo "make sandbox-down  remove everything make sandbox started"
	@echo "make test          lint, sanity, unit tests, test bed tests, every molecule scenario"
	@echo "make lint | sanity | units | validation | testbed-units | molecule   one part of make test"

# ---------------------------------------------------------------- setup
$(VENV)/.installed: requirements.txt requirements-dev.txt $(wildcard tests/testbed/hub/requirements.txt)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt $(addprefix -r ,$(wildcard tests/testbed/hub/requirements.txt))
	touch $@

.PHONY: venv collection host-packages engine images
venv: $(VENV)/.installed

collection:
	@mkdir -p $(dir $(COLL_LINK)) $(ANSIBLE_LOCAL_TEMP)
	@ln -sfn $(CURDIR) $(COLL_LINK)

host-packages:
	@missing=$$(for p in $(HOST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

engine: host-packages
	$(TESTBED)/bin/engine up

images: engine venv
	$(TESTBED)/bin/images

# ---------------------------------------------------------------- checks
.PHONY: test lint sanity units validation testbed-units molecule test-tree vllm-parser ais-bench ee-context
# The images, the vLLM parser environment (also the benchmark's client) and
# the accuracy test's AISBench client are built in the background
# while lint, sanity and the unit tests run (tests/ci/background); the time
# report is printed whether the stages pass or not.
test: venv collection
	@trap 'tests/ci/background settle; python3 tests/ci/times_report.py' EXIT; set -e; \
	tests/ci/background start images $(MAKE) --no-print-directory images; \
	tests/ci/background start vllm-parser $(MAKE) --no-print-directory vllm-parser; \
	tests/ci/background start ais-bench $(MAKE) --no-print-directory ais-bench; \
	$(STAGE) ansible-lint $(MAKE) --no-print-directory lint; \
	$(STAGE) sanity $(MAKE) --no-print-directory sanity; \
	$(STAGE) units $(MAKE) --no-print-directory units; \
	$(STAGE) validation $(MAKE) --no-print-directory validation; \
	tests/ci/background join images vllm-parser ais-bench; \
	$(STAGE) testbed-units $(MAKE) --no-print-directory testbed-units; \
	$(STAGE) molecule $(MAKE) --no-print-directory molecule

# Shell scripts in the repository: a shell shebang or a .sh name. Templates
# (*.j2) are not shell until rendered.
SHELL_SCRIPTS = $(shell git ls-files -co --exclude-standard -z | xargs -0 awk 'FNR == 1 && /^\#!.*[\/ ](ba|da|k)?sh([ \t]|$$)/ { print FILENAME } { nextfile }' | grep -v '\.j2$$'; git ls-files -co --exclude-standard '*.sh')

lint: venv collection host-packages
	ansible-lint --profile production
	yamllint --strict .
	shellcheck $(sort $(SHELL_SCRIPTS))
	antsibull-changelog lint
	$(ee_context_steps)

# The execution environment's build context (execution-environment.yml):
# the collection artifact under a name without its version, then
# `ansible-builder create`, which only writes files. The checks prove the
# Containerfile installs the artifact and the requirements files as they are
# in the tree. `ansible-builder build` (README) builds the image from it.
# A canned recipe, so that lint runs it without a recursive make (which would
# not see the caller's -o .venv/.installed).
EE_COLLECTION := build/ee-collection
EE_CONTEXT    := build/ee-context
define ee_context_steps
@rm -rf $(EE_COLLECTION) $(EE_CONTEXT)
ansible-galaxy collection build --output-path $(EE_COLLECTION) . >/dev/null
@mv $(EE_COLLECTION)/ascend_ops-vllm-*.tar.gz $(EE_COLLECTION)/ascend_ops-vllm.tar.gz
ansible-builder create --file execution-environment.yml --context $(EE_CONTEXT) --output-filename Containerfile
cmp requirements.txt $(EE_CONTEXT)/_build/requirements.txt
cmp bindep.txt $(EE_CONTEXT)/_build/bindep.txt
tar -xzOf $(EE_CONTEXT)/_build/collection/ascend_ops-vllm.tar.gz MANIFEST.json | grep -q '"namespace": "ascend_ops"'
tar -tzf $(EE_CONTEXT)/_build/collection/ascend_ops-vllm.tar.gz meta/execution-environment.yml requirements.txt bindep.txt >/dev/null
grep -q 'collection/ascend_ops-vllm.tar.gz' $(EE_CONTEXT)/_build/requirements.yml
grep -q 'ansible-galaxy collection install $$ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml' $(EE_CONTEXT)/Containerfile
grep -q 'introspect.py introspect --user-pip=requirements.txt --user-bindep=bindep.txt' $(EE_CONTEXT)/Containerfile
endef

ee-context: venv
	$(ee_context_steps)

test-tree:
	@rm -rf $(TEST_TREE) && mkdir -p $(TEST_TREE)
	@git ls-files -co --exclude-standard -z | rsync -a --from0 --files-from=- ./ $(TEST_TREE)/
	@rm -rf $(TEST_TREE)/.git && git -C $(TEST_TREE) init -q && git -C $(TEST_TREE) add -A

sanity: venv test-tree
	@mkdir -p $(GET_PIP_CACHE)
	@cp tests/ci/get_pip_offline.py $(GET_PIP_CACHE)/get_pip_24_2.py
	cd $(TEST_TREE) && ansible-test sanity --python 3.11 --color no

units: venv test-tree
	cd $(TEST_TREE) && ansible-test units --python 3.11 --requirements --color no

# deploy.yml and verify_hccl.yml against inventories whose hosts cannot be
# reached, one per kind of refusal (tests/validation): no emulated node needed.
validation: venv collection
	cd $(COLL_LINK) && python -m pytest -q -p no:cacheprovider -n 2 tests/validation

vllm-parser:
	tests/testbed/vllm-parser/setup-env.sh

# The accuracy test's AISBench client, by vllm_accuracy's own install step
# (a no-op when it is there).
ais-bench: venv collection
	ansible-playbook $(TESTBED)/playbooks/ais_bench_client.yml

testbed-units: venv collection vllm-parser
	cd $(COLL_LINK) && python -m pytest -q -p no:cacheprovider -n 4 tests/testbed/tests

# Scenarios that make test runs, longest first, MOLECULE_JOBS at a time
# (tests/ci/molecule-scenarios). The shared world (depot, networks) comes up
# once before them, so no two scenarios race to create it.
MOLECULE_SCENARIOS ?= cluster hccl serving node_prepare offline
MOLECULE_JOBS ?= 2

# The ci_timer callback records every play and task molecule runs, for the
# time report.
molecule: export ANSIBLE_CALLBACK_PLUGINS := $(CURDIR)/tests/ci/callback_plugins
molecule: export ANSIBLE_CALLBACKS_ENABLED := ci_timer
molecule: venv collection images vllm-parser ais-bench
	$(STAGE) molecule-world-up ansible-playbook $(TESTBED)/playbooks/world_up.yml
	tests/ci/molecule-scenarios $(MOLECULE_JOBS) $(MOLECULE_SCENARIOS)

# ---------------------------------------------------------------- sandbox
.PHONY: sandbox sandbox-down testbed-down
sandbox: venv collection images
	ansible-playbook -i inventories/sandbox $(TESTBED)/playbooks/sandbox_up.yml
	ansible-playbook -i inventories/sandbox playbooks/deploy.yml

sandbox-down: venv collection
	-ansible-playbook -i inventories/sandbox $(TESTBED)/playbooks/world_down.yml
	$(TESTBED)/bin/engine down

testbed-down: venv collection
	ansible-playbook $(TESTBED)/playbooks/world_down.yml
