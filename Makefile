# LearnProfile: `make run` starts everything, `make test` checks everything.
# Needs only Python 3.11+; uv (pinned) is bootstrapped into var/tools and installs the lock.

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := var/tools
UV := $(TOOLS)/bin/uv
VENV_PY := .venv/bin/python
SERVICES ?= auto
BENCH ?=
# The suite runs on every core (pytest-xdist); locally the test databases are kept between runs
# (--reuse-db, migrations still applied), CI (.ci/run) creates them afresh (--create-db).
PYTEST_ARGS ?= -n auto --dist worksteal --reuse-db
INTEROP := credentials/interop
export UV_PROJECT_ENVIRONMENT := .venv
# The venv uses the Python that runs make (3.11+), never one uv would download.
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export SERVICES

.DEFAULT_GOAL := help
.PHONY: help run test test-quick lint typecheck pytest bench install install-dev browser interop messages clean audit

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	@mkdir -p var
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV) ## Install the locked runtime dependencies into .venv
	$(UV) sync --locked --inexact --no-dev $(if $(filter embedded,$(SERVICES)),--group embedded,)

install-dev: $(UV) ## Install runtime + development dependencies into .venv
	$(UV) sync --locked --inexact --group dev $(if $(filter embedded,$(SERVICES)),--group embedded,)

run: install ## Migrate, load demo data, start web + worker + beat (SERVICES=embedded to force embedded servers)
	PATH="$(CURDIR)/$(TOOLS)/bin:$$PATH" $(VENV_PY) -m learnprofile.devstack --services $(SERVICES) run

browser: ## Install Debian's Chromium for the browser tests (if missing)
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "[learnprofile] installing Debian's chromium for browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || { echo "[learnprofile] could not install chromium (need root and Debian's apt)"; exit 1; }; }

interop: $(INTEROP)/node_modules/.package-lock.json ## Install the Node check of the credentials (Digital Bazaar's verifier), as locked

# npm ci only when node_modules is missing or older than the lock; Debian's Node.js if none.
$(INTEROP)/node_modules/.package-lock.json: $(INTEROP)/package-lock.json $(INTEROP)/package.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "[learnprofile] installing Debian's nodejs and npm for the credentials' interop check"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null) \
	  || { echo "[learnprofile] could not install nodejs and npm (need root and Debian's apt)"; exit 1; }; }
	npm ci --prefix $(INTEROP) --no-audit --no-fund
	@touch $@

lint: install-dev ## ruff, djLint, import-linter, makemigrations --check, mypy
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/djlint templates --check --quiet
	.venv/bin/lint-imports
	.venv/bin/mypy

test: install-dev browser interop lint ## Lint, then the whole suite against real PostgreSQL and Redis
	PATH="$(CURDIR)/$(TOOLS)/bin:$$PATH" $(VENV_PY) -m learnprofile.devstack --services $(SERVICES) exec -- \
	  sh -c '$(VENV_PY) manage.py makemigrations --check --dry-run && $(VENV_PY) manage.py compile_translations && $(VENV_PY) -m pytest $(PYTEST_ARGS)'

test-quick: install-dev ## The suite without the tests marked slow (browser journeys, real workers): the local loop
	PATH="$(CURDIR)/$(TOOLS)/bin:$$PATH" $(VENV_PY) -m learnprofile.devstack --services $(SERVICES) exec -- \
	  sh -c '$(VENV_PY) -m pytest $(PYTEST_ARGS) -m "not slow"'

audit: install-dev ## Fetch PyPI's advisories for every package of uv.lock into docs/security/, then check the lock (online)
	$(VENV_PY) -m learnprofile.dependency_audit refresh

bench: install-dev ## Benchmarks under bench/ (BENCH=name for one)
	PATH="$(CURDIR)/$(TOOLS)/bin:$$PATH" $(VENV_PY) -m learnprofile.devstack --services $(SERVICES) exec --settings learnprofile.settings.local -- \
	  sh -c '$(VENV_PY) manage.py migrate --noinput -v0 && $(VENV_PY) bench/run.py $(BENCH)'

messages: install-dev ## Extract translatable strings into locale/ (needs GNU gettext)
	$(VENV_PY) manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=bench --no-obsolete

clean: ## Remove the virtualenv and everything under var/ (embedded databases included)
	rm -rf .venv var
