# Two commands on a fresh machine: `make run` and `make test` (see README).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG_URL ?= postgres://postgres@127.0.0.1:5432/musashino
REDIS ?= redis://127.0.0.1:6379/0
OPENSEARCH_URL_LOCAL ?= http://127.0.0.1:$${OPENSEARCH_PORT:-9200}

AXE := tests/browser/node_modules/axe-core/axe.min.js
CHROMIUM ?= /usr/bin/chromium

.PHONY: install services browser-deps browser-notice run serve migrate demo test test-services test-browser lint format audit messages check bench bench-engine bench-load clean opensearch opensearch-stop

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --constraint requirements.lock --editable ".[dev]"
	# Only the data of ja-ginza (word vectors for matching): its metadata asks
	# for SudachiPy < 0.7 and spaCy, neither of which reads them here.
	$(BIN)/pip install --quiet --no-deps --constraint requirements.lock ja-ginza
	touch $(STAMP)

install: $(STAMP)

# PostgreSQL and Redis on 127.0.0.1 (installed from Debian when missing).
services:
	bash docker/services.sh

# A throw-away single-node OpenSearch 2.19 on 127.0.0.1 from Maven Central jars
# (no Docker); prints OPENSEARCH_URL=... See docker/opensearch/opensearch.sh.
opensearch:
	bash docker/opensearch/opensearch.sh start

opensearch-stop:
	bash docker/opensearch/opensearch.sh stop

# axe-core for the browser tests, from the npm registry (package-lock.json).
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error && touch $(AXE); \
	else echo "npm not found: the browser tests will be skipped (no axe-core)"; fi

browser-deps: $(AXE)

browser-notice:
	@test -x $(CHROMIUM) || echo "*** $(CHROMIUM) not found: the browser tests (tests/browser) will be SKIPPED. Install it with: apt-get install -y chromium fonts-noto-cjk"

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo_content
	$(BIN)/python manage.py import_civic_data matching/samples/civic_data.json

# Embedded defaults: SQLite, Wagtail's database search, Celery tasks inline.
run: demo
	@echo ""
	@echo "  Site:   http://127.0.0.1:8000/"
	@echo "  Admin:  http://127.0.0.1:8000/admin/   login: admin / $${DEMO_ADMIN_PASSWORD:-musashino-demo}"
	@echo ""
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install browser-deps browser-notice
	$(BIN)/python -m pytest

# The same suite against PostgreSQL, Redis and the OpenSearch node (started
# here when they are not running), with a real Celery worker process for the
# tests marked `services`; a missing service or engine fails, never skips.
test-services: install browser-deps browser-notice services opensearch
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS) CELERY_BROKER_URL=$(REDIS) \
	OPENSEARCH_URL=$(OPENSEARCH_URL_LOCAL) REQUIRE_SEARCH_ENGINE=1 \
	REQUIRE_SERVICES=1 $(BIN)/python -m pytest

# Only the browser journeys and the axe-core checks (screenshots in artifacts/).
test-browser: install browser-deps browser-notice
	$(BIN)/python -m pytest tests/browser

# Benchmarks (not tests): see bench/ and README "Benchmarks".
bench: install services opensearch
	OPENSEARCH_URL=$(OPENSEARCH_URL_LOCAL) $(BIN)/python -m bench.search
	$(BIN)/python -m bench.matching
	OPENSEARCH_URL=$(OPENSEARCH_URL_LOCAL) $(BIN)/python -m bench.engine
	$(BIN)/python -m bench.load

# Only the matching benchmark on the search engine (1,000,000 opportunities).
bench-engine: install services opensearch
	OPENSEARCH_URL=$(OPENSEARCH_URL_LOCAL) $(BIN)/python -m bench.engine

# Only the load benchmark: gunicorn + PostgreSQL + Redis driven by locust.
bench-load: install
	$(BIN)/python -m bench.load

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The pinned dependencies (requirements.lock, tests/browser/package-lock.json)
# against PyPI's/OSV's and npm's advisories: fails on a vulnerable pin; with no
# database reachable it warns, prints the locks' age and passes, unless
# AUDIT_STRICT=1. See .ci/audit.py.
audit: install
	$(BIN)/python .ci/audit.py

messages: install
	$(BIN)/python manage.py makemessages -l ja --ignore=.venv --ignore=static_collected --ignore=media --ignore=tests --no-obsolete
	$(BIN)/python manage.py compilemessages -l ja --ignore=.venv

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm media static_collected artifacts tests/browser/node_modules
