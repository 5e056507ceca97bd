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

.PHONY: install lint typecheck validate build browser test test-unit run reset demo bench clean

$(STAMP): requirements/dev.txt requirements/constraints.txt layers/shared/requirements.txt
	@test -n "$(PYTHON_FOR_VENV)" || { echo "error: Python 3.13 or 3.12 is needed (pyenv install 3.13)"; exit 1; }
	@test -x $(PY) || $(PYTHON_FOR_VENV) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt -c requirements/constraints.txt
	@touch $(STAMP)

install: $(STAMP)

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

test-unit: $(STAMP)
	$(PY) -m pytest tests/unit -q

browser:
	@bash scripts/ensure-browser.sh

test: lint typecheck validate build browser
	$(PY) -m pytest -q

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
