# BaoVe: the targets a new person can guess. `make run` tries it out; `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_ENV := DEBUG=true DJANGO_SETTINGS_MODULE=config.settings.base TWO_FACTOR_ROLES=
PORT ?= 8000

.PHONY: help install run serve test test-fast lint format migrations-check messages vendor clean bench bench-quick bench-load bench-offline soak

help:
	@echo "make run               install, migrate, load units and demo data, serve on http://127.0.0.1:8000 (PORT=8001 for another)"
	@echo "make test              lint, migrations check, then the whole suite on PostgreSQL and Redis"
	@echo "make test-fast         the suite only (pytest arguments: make test-fast ARGS='-k jurisdiction')"
	@echo "make install           .venv with every dependency, dev tools included"
	@echo "make lint | format     ruff check, format check and the import layers | apply ruff fixes and formatting"
	@echo "make migrations-check  fail when models and migrations disagree"
	@echo "make messages          extract and compile translations (needs gettext)"
	@echo "make vendor            refresh the vendored front-end assets from the npm registry"
	@echo "make bench             every measure at national scale on PostgreSQL, with floors and the scaling curve"
	@echo "make bench SCALE=5     the same, and the lists and search on a registry of 5,000,000 children (own database)"
	@echo "make bench-quick       the same on a small scale, to keep the harness working (no targets checked)"
	@echo "make bench-load        the load test alone: 200 people at once (LOAD_USERS=50 for fewer), into results.json"
	@echo "make bench-offline     the offline app's figures alone (shell offline, 50 items synced, weight)"
	@echo "make soak              10 minutes of mixed load with a worker, Redis and PostgreSQL failing (SOAK_MINUTES=3 for less)"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { echo "Python 3.11 or newer is needed; set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py load_admin_units
	$(DEV_ENV) $(PY) manage.py seed_demo
	@echo ""
	@echo "BaoVe is starting on http://127.0.0.1:$(PORT)  (Ctrl-C stops the web server, worker and beat)"
	@echo ""
	$(DEV_ENV) $(VENV)/bin/honcho start -f Procfile.dev --port $(PORT)

test: install lint migrations-check
	$(PY) -m pytest $(ARGS)

test-fast: install
	$(PY) -m pytest $(ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	$(DEV_ENV) BAOVE_VAR_DIR=$$(mktemp -d) $(PY) manage.py makemigrations --check --dry-run

messages: install
	$(DEV_ENV) $(PY) manage.py makemessages -l vi -l en --ignore=.venv --ignore=static/vendor --ignore=node_modules
	$(DEV_ENV) $(PY) manage.py compilemessages --ignore=.venv

vendor:
	bash scripts/vendor.sh

# SCALE=5: the registry scale too (5,000,000 children, 1,000,000 case files, 5,000,000 open deadlines).
SCALE ?= 1
bench: install
	$(PY) benchmarks/run.py --curve --scale $(SCALE)

bench-quick: install
	$(PY) benchmarks/run.py --quick --output benchmarks/results-quick.json

# Part of `make bench` too; this replaces only the load test's entries of benchmarks/results.json.
LOAD_USERS ?= 200
bench-load: install
	$(PY) benchmarks/run.py --only load --merge --load-users $(LOAD_USERS)
bench-offline: install
	$(PY) benchmarks/offline.py

# Not part of `make test` nor CI: its own database (baove_soak) and Redis (port 6390), gunicorn, worker, beat.
SOAK_MINUTES ?= 10
soak: install
	SOAK_MINUTES=$(SOAK_MINUTES) $(PY) benchmarks/soak.py

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
