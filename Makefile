# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-test install-bench run migrate superuser test lint check migrations-check ci bench audit clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet ".[test]"
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed
	$(PY) -m pip install --quiet ".[bench]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

migrate: install
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py runserver $(HOST):$(PORT)

superuser: migrate
	$(PY) manage.py createsuperuser

test: install-test
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .

check: install
	$(PY) manage.py check

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

ci:
	bash .ci/run

# Production server on 127.0.0.1, load from a second process; a few minutes.
# Writes bench/results.md and bench/latency.png. BENCH_ARGS="--quick" for the
# cached scenarios only.
bench: $(VENV)/.installed-bench
	$(PY) -m bench.run $(BENCH_ARGS)

# Lighthouse (mobile) on the article and a stretch page, with Debian's Chromium.
audit: install
	test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)
	npm ci --no-audit --no-fund
	$(PY) -m bench.lighthouse

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache *.egg-info
