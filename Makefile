# Commonweal developer tasks. `make help` lists them; each prints what it does as it goes.
# Set-up steps leave stamp files, so a second run skips them until their inputs change.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app webapp
STATIC := webapp/static
GOVUK := node_modules/govuk-frontend/dist/govuk
# mypy (strict) checks the pure packages (those that exist so far) and config.py.
MYPY_TARGETS := $(patsubst %/__init__.py,%,$(wildcard criteria/__init__.py reports/__init__.py)) config.py

.PHONY: help install assets run db-upgrade seed test lint typecheck fmt golden-results bench bench-scoring bench-reports bench-rush bench-startup worker constraints clean

help:
	@echo "Commonweal make targets:"
	@echo "  make run            set up, migrate the database and serve on http://127.0.0.1:\$${PORT:-5000}"
	@echo "  make test           set up, then ruff, import contracts, mypy and pytest (what CI runs)"
	@echo "  make lint           ruff check, ruff format --check and the import-linter contracts"
	@echo "  make typecheck      mypy (strict) on criteria, reports and config.py"
	@echo "  make fmt            format the code and apply ruff's safe fixes"
	@echo "  make golden-results rewrite tests/criteria/data/golden/ after a change meant to move scores"
	@echo "  make bench          run both benchmarks: scoring, then reports (the reports take minutes)"
	@echo "  make bench-scoring  the scoring benchmark alone (bench/bench_scoring.py)"
	@echo "  make bench-reports  the reports benchmark alone (bench/bench_reports.py)"
	@echo "  make bench-rush     the deadline rush under gunicorn (bench/bench_rush.py; DATABASE=postgres)"
	@echo "  make bench-startup  start-up of the commonweal command and of gunicorn (bench/bench_startup.py)"
	@echo "  make worker         a report worker on the RQ queue at \$$REDIS_URL (flask jobs worker)"
	@echo "  make install        create $(VENV) with Commonweal and its test and dev tools"
	@echo "  make assets         install GOV.UK Frontend into $(STATIC)"
	@echo "  make db-upgrade     apply the Alembic migrations to the configured database"
	@echo "  make seed           load the demo data if missing and list the demo sign-ins"
	@echo "  make constraints    rewrite constraints.txt from the packages installed in $(VENV)"
	@echo "  make clean          remove $(VENV), installed assets and caches (instance/ data is kept)"

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@# WeasyPrint (the PDF reports) needs HarfBuzz's subsetting library; Debian ships it apart.
	@if ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset\.so'; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "==> Installing libharfbuzz-subset0 for the PDF reports (apt-get)"; \
			export DEBIAN_FRONTEND=noninteractive; \
			apt-get install -y --no-install-recommends libharfbuzz-subset0 \
				|| { apt-get update && apt-get install -y --no-install-recommends libharfbuzz-subset0; }; \
		else \
			echo "==> libharfbuzz-subset0 is missing: install it (sudo apt-get install libharfbuzz-subset0) for the PDF reports"; \
		fi; \
	fi
	@echo "==> Installing Commonweal with its test and dev tools into $(VENV) (pinned by constraints.txt)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,dev]'
	@touch $@

assets: $(STATIC)/.installed

$(STATIC)/.installed: package.json $(wildcard package-lock.json)
	@echo "==> Installing GOV.UK Frontend from npm and copying its assets into $(STATIC)"
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	rm -rf $(STATIC)
	mkdir -p $(STATIC)
	cp $(GOVUK)/govuk-frontend.min.css $(GOVUK)/govuk-frontend.min.css.map $(STATIC)/
	cp $(GOVUK)/govuk-frontend.min.js $(GOVUK)/govuk-frontend.min.js.map $(STATIC)/
	cp -R $(GOVUK)/assets/fonts $(GOVUK)/assets/images $(GOVUK)/assets/manifest.json $(STATIC)/
	@touch $@

db-upgrade: install
	@echo "==> Applying database migrations"
	$(FLASK) db upgrade

# Idempotent and quick: a first start loads the demo, later ones only list its sign-ins. A
# database with accounts of its own (and no demo ones) is left alone, and production never seeds.
seed: db-upgrade
	@if [ "$${COMMONWEAL_ENV:-development}" = production ]; then \
		echo "==> Demo data: not loaded in production"; \
	else \
		echo "==> Loading the demo data that is missing and listing the demo sign-ins"; \
		$(FLASK) seed-demo --skip-if-in-use; \
	fi

# Reports are made by the web process itself unless REDIS_URL is set; then run workers with this.
worker: install db-upgrade
	@echo "==> Starting a report worker on the queue at $${REDIS_URL:?set REDIS_URL, for example redis://127.0.0.1:6379/0}"
	$(FLASK) jobs worker

run: install assets db-upgrade seed
	@echo "==> Serving Commonweal on http://127.0.0.1:$${PORT:-5000} (Ctrl-C stops it); sign in with an account listed above"
	$(BIN)/gunicorn --bind "127.0.0.1:$${PORT:-5000}" --workers 2 --timeout 30 --no-control-socket --access-logfile - 'webapp:create_app()'

test: install assets lint typecheck
	@if [ -x /usr/bin/chromium ]; then \
		echo "==> Browser tests will drive /usr/bin/chromium"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "==> Installing Debian's chromium for the browser tests (apt-get install chromium)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y --no-install-recommends chromium \
			|| { apt-get update && apt-get install -y --no-install-recommends chromium; } \
			|| echo "==> Could not install chromium: the browser tests will skip (or fail with REQUIRE_BROWSER=1)"; \
	else \
		echo "==> No chromium, and installing it needs root and apt-get: the browser tests will skip (or fail with REQUIRE_BROWSER=1)"; \
	fi
	@echo "==> Running the tests"
	$(BIN)/pytest -n $${PYTEST_WORKERS:-auto} --dist loadfile --durations=10

lint: install
	@echo "==> Checking style with ruff"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@echo "==> Checking the import contracts (layers in ARCHITECTURE.md)"
	$(BIN)/lint-imports

typecheck: install
	@echo "==> Type-checking with mypy (strict): $(MYPY_TARGETS)"
	$(BIN)/mypy $(MYPY_TARGETS)

fmt: install
	@echo "==> Formatting with ruff and applying its safe fixes"
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

golden-results: install
	@echo "==> Rewriting the golden results (tests/criteria/data/golden/): commit them saying why"
	PYTHONPATH=. $(PY) -m tests.criteria.golden --write

bench: bench-scoring bench-reports

bench-scoring: install
	@echo "==> Benchmarking the scoring engine"
	$(PY) bench/bench_scoring.py

bench-reports: install
	@echo "==> Benchmarking the reports: a 30-bid board pack and 300 assessment summaries"
	$(PY) bench/bench_reports.py

bench-rush: install
	@echo "==> Benchmarking the deadline rush: $${PROVIDERS:-300} providers on $${DATABASE:-sqlite}"
	$(PY) bench/bench_rush.py --database $${DATABASE:-sqlite} --providers $${PROVIDERS:-300}

bench-startup: install
	@echo "==> Benchmarking start-up: commonweal commands as whole processes, and gunicorn to /healthz"
	$(PY) bench/bench_startup.py --repeat $${REPEAT:-7}

constraints: install
	@echo "==> Writing constraints.txt from the packages installed in $(VENV)"
	{ echo "# Every package of the tested environment, pinned (pip freeze, without commonweal itself)."; \
	  echo "# Regenerate after changing dependencies in pyproject.toml: make constraints"; \
	  $(BIN)/pip freeze --exclude-editable | grep -vi '^commonweal=='; } > constraints.txt

clean:
	@echo "==> Removing $(VENV), node_modules, $(STATIC) and caches (instance/ data is kept)"
	rm -rf $(VENV) node_modules $(STATIC) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache \
		.hypothesis htmlcov .coverage build dist *.egg-info
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
