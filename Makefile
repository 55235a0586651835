# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev run serve test lint migrate load-plan clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) が見つかりません / $(PYTHON) not found"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install only when a requirements file changed (stamp files).
$(VENV)/.installed: $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/madoguchi migrate --noinput

load-plan: migrate
	$(BIN)/madoguchi load-plan
	$(BIN)/madoguchi reindex

# The mail worker runs beside the server and stops with it (Ctrl-C). Links in mail point to
# SITE_URL, which follows HOST and PORT unless given. Without EMAIL_URL mail goes to var/mail/.
run: SITE_URL ?= http://$(HOST):$(PORT)
run: load-plan
	$(BIN)/madoguchi collectstatic --noinput -v0
	@echo "メールは送信されず var/mail/ に書き出されます（EMAIL_URL で送信先を設定できます） / mail is written to var/mail/ unless EMAIL_URL is set"
	@export SITE_URL="$(SITE_URL)"; \
	$(BIN)/madoguchi worker --loop & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/madoguchi runserver $(HOST):$(PORT)

# Production serving: gunicorn with WEB_CONCURRENCY workers (default 2 × cores), static files
# through whitenoise, settings from the environment (README "Serving in production").
serve: migrate
	$(BIN)/madoguchi collectstatic --noinput -v0
	HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn -c python:madoguchi.ops.gunicorn_conf

# PYTEST_ARGS lets CI or a developer narrow or widen the run (e.g. PYTEST_ARGS="-k loader").
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The code's gates (#14): ruff with the rule set in pyproject.toml, mypy with django-stubs over the whole
# package, tests included; the import layering is a test (madoguchi/tests/test_layering.py).
lint: install-dev
	$(BIN)/ruff check madoguchi conftest.py .ci
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var .pytest_cache
