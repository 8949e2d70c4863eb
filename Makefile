# Two commands on a fresh machine: `make run` and `make test` (see README).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG_URL ?= postgres://postgres@127.0.0.1:5432/musashino
REDIS ?= redis://127.0.0.1:6379/0

.PHONY: install run serve migrate demo test test-services lint format messages check bench clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --constraint requirements.lock --editable ".[dev]"
	touch $(STAMP)

install: $(STAMP)

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

test: install
	$(BIN)/python -m pytest

# The same suite against the machine's PostgreSQL and Redis, with a real
# Celery worker process for the tests marked `services`.
test-services: install
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS) CELERY_BROKER_URL=$(REDIS) \
	REQUIRE_SERVICES=1 $(BIN)/python -m pytest

# Benchmarks (not tests): see bench/ and README "Benchmarks".
bench: install
	$(BIN)/python -m bench.search
	$(BIN)/python -m bench.matching

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install
	$(BIN)/python manage.py makemessages -l ja --ignore=.venv --ignore=static_collected --ignore=media --ignore=tests --no-obsolete
	$(BIN)/python manage.py compilemessages -l ja --ignore=.venv

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 media static_collected
