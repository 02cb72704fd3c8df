# Sounding Board: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := app.py

.PHONY: run test suite test-fast lint format migrate seed serve serve-prod worker audit load clean messages catalogues

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# Interface text: translations/<code>/LC_MESSAGES/messages.po, compiled to .mo for Flask-Babel.
## catalogues: compile every translation catalogue (run, serve and test do this themselves)
catalogues: $(VENV)/.installed
	$(BIN)/python -m forum.i18n compile

## messages: extract the interface text, merge it into every catalogue and list what needs translating
messages: $(VENV)/.installed
	$(BIN)/python -m forum.i18n update

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

## run: install, migrate, seed the demo (once) and serve on http://127.0.0.1:$(PORT)
run: migrate seed serve

migrate: $(VENV)/.installed
	$(BIN)/flask db upgrade

seed: $(VENV)/.installed
	$(BIN)/flask seed-demo

# The development server and one job worker together; Ctrl-C stops both.
serve: $(VENV)/.installed catalogues
	trap 'kill 0' EXIT; \
	$(BIN)/huey_consumer worker.huey --workers 1 --worker-type thread --quiet & \
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

## serve-prod: gunicorn with the production settings (needs SECRET_KEY, DATABASE_URL; see README)
serve-prod: $(VENV)/.installed catalogues
	SOUNDING_BOARD_ENV=production $(BIN)/flask db upgrade
	SOUNDING_BOARD_ENV=production $(BIN)/gunicorn --config gunicorn.conf.py

## worker: run background jobs (analysis runs, the every-minute moderation sweep)
worker: $(VENV)/.installed
	$(BIN)/huey_consumer worker.huey --workers 1 --worker-type thread

# axe-core for the browser tests, from the npm registry; without npm those tests skip and say so.
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/browser --no-audit --no-fund --silent; \
	else echo "npm not found: the browser tests will skip"; fi

## test: install what the tests need, lint, and run the whole suite
test: lint suite

## suite: the whole suite without the linters (CI lints once, then runs this on each database)
suite: $(VENV)/.dev-installed catalogues $(AXE)
	$(BIN)/python -m pytest

## test-fast: the suite less the tests marked slow (models, servers, browsers, load): about a minute
test-fast: $(VENV)/.dev-installed catalogues
	$(BIN)/python -m pytest -m "not slow" -q

## audit: check the installed packages against known vulnerabilities (pip-audit)
audit: $(VENV)/.dev-installed
	$(BIN)/python .ci/audit_deps.py

## load: 200 readers and 50 posters against a local gunicorn for 3 minutes, then check the records
load: $(VENV)/.dev-installed
	$(BIN)/python -m loadtest.run $(LOAD_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
