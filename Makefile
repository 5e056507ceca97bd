# The two commands a newcomer needs: `make run` and `make test`. Everything else serves them.
SHELL := /bin/bash
# Python 3.13 (Lambda's runtime) from pyenv or PATH; 3.12 as a fallback. pyenv shims are skipped
# because a shim answers even when that version is not selected.
PYTHON_FOR_VENV ?= $(shell for v in 3.13 3.12; do \
	for p in $$(ls -d $$HOME/.pyenv/versions/$$v*/bin/python$$v 2>/dev/null) $$(command -v python$$v); do \
	$$p -c 'import venv' >/dev/null 2>&1 && { echo $$p; exit 0; }; done; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1
export SAM_CLI_TELEMETRY := 0
export PYTHONPATH := $(CURDIR)/layers/shared:$(CURDIR)/local:$(CURDIR)

LOCKS := requirements/dev.lock layers/shared/requirements.txt
# Coverage through sys.monitoring (Python 3.12+): a fraction of settrace's overhead.
export COVERAGE_CORE := sysmon
COVERAGE := --cov=zdagent --cov=zdsandbox --cov=zdlocal --cov=functions --cov-report=term:skip-covered

.PHONY: install lock format lint typecheck validate build browser test test-unit test-integration \
	test-workflow test-e2e test-browser run reset demo bench clean

# Development installs exactly what requirements/dev.lock pins, every file checked by its hash.
$(STAMP): $(LOCKS)
	@test -n "$(PYTHON_FOR_VENV)" || { echo "error: Python 3.13 or 3.12 is needed (pyenv install 3.13)"; exit 1; }
	@test -x $(PY) || $(PYTHON_FOR_VENV) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.lock
	@touch $(STAMP)

install: $(STAMP)

# The one command that refreshes both locks after editing requirements/dev.in or
# layers/shared/requirements.in: versions already locked are kept unless an .in file asks otherwise
# (uv prefers the existing pins; `make lock UPGRADE=--upgrade` moves everything to the newest).
lock: $(STAMP)
	cd layers/shared && ../../$(VENV)/bin/uv pip compile requirements.in --quiet --universal \
		--python-version 3.13 --generate-hashes --no-annotate --custom-compile-command "make lock" \
		$(UPGRADE) -o requirements.txt
	$(VENV)/bin/uv pip compile requirements/dev.in --quiet --universal --python-version 3.12 \
		--generate-hashes --no-annotate --custom-compile-command "make lock" \
		-c layers/shared/requirements.txt $(UPGRADE) -o requirements/dev.lock
	$(MAKE) install

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy
	@# every handler is functions/<name>/app.py: checked one by one (same module name)
	@for f in functions/*/app.py; do $(VENV)/bin/mypy --no-error-summary $$f || exit 1; done

validate: $(STAMP)
	$(VENV)/bin/sam validate --lint --template template.yaml

build: $(STAMP)
	$(PY) -m zdlocal.build_check

# One target per tier (docs: CONTRIBUTING.md). `make test` runs them all, with coverage.
test-unit: $(STAMP)
	$(PY) -m pytest tests/unit -q

test-integration: $(STAMP)
	$(PY) -m pytest tests/integration -q

test-workflow: $(STAMP)
	$(PY) -m pytest tests/workflow -q

test-e2e: $(STAMP)
	$(PY) -m pytest tests/e2e -q

test-browser: $(STAMP) browser
	$(PY) -m pytest tests/browser -q

browser:
	@bash scripts/ensure-browser.sh

test: lint typecheck validate build browser
	$(PY) -m pytest -q $(COVERAGE)

run: $(STAMP)
	$(PY) -m zdlocal.stack

# the local stack keeps its state (tables, secrets, queues, the Zendesk sandbox) and its JSON logs
# in .local-state/ across restarts; this starts it clean
reset:
	rm -rf .local-state

demo: $(STAMP)
	$(PY) -m zddemo

bench: $(STAMP)
	$(PY) -m bench.run_all

clean:
	rm -rf .aws-sam $(VENV) .mypy_cache .ruff_cache
