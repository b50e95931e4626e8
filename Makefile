# One entry point for checks: `make lint`, `make test` (what CI runs), `make run`.
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= $(or $(BRIEFROOM_TEST_PG_URL),postgres://postgres@127.0.0.1:5432/briefroom)

.PHONY: venv run test test-sqlite test-postgres lint format migrations-check bench

venv:
	@scripts/bootstrap.sh

run: venv
	$(BIN)/briefroom migrate --no-input
	$(BIN)/briefroom run

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	BRIEFROOM_ENV=test $(BIN)/briefroom makemigrations --check --dry-run

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The whole suite on SQLite, then every database test again on PostgreSQL.
test: lint test-sqlite test-postgres

test-sqlite: venv
	@scripts/ensure-chromium.sh
	DATABASE_URL= $(BIN)/pytest

test-postgres: venv
	@scripts/ensure-postgres.sh
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "django_db and not llm"

bench: venv
	$(BIN)/python -m bench.bench_ingest --count 300
