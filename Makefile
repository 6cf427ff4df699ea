# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

BACKUP_DIR ?= backups

.PHONY: install install-test install-bench browser-deps deploy-deps bench-mixed run worker migrate superuser test lint check migrations-check ci bench audit clean backup

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

# The browser tests drive Debian's Chromium (never a browser Playwright would
# download) and check pages with axe-core from the npm registry.
CHROMIUM := /usr/bin/chromium

browser-deps: node_modules/.installed
	@test -x $(CHROMIUM) || { echo "Installing Debian's chromium for the browser tests"; \
		apt-get -o DPkg::Lock::Timeout=300 update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q chromium; }

# tests/deploy/test_behind_nginx.py starts Debian's nginx (never one built or
# downloaded elsewhere) in front of two app servers, as production runs it.
NGINX := /usr/sbin/nginx

deploy-deps:
	@test -x $(NGINX) || { echo "Installing Debian's nginx for the deployment tests"; \
		apt-get -o DPkg::Lock::Timeout=300 update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q nginx; }

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Migrates, then loads sample clinicians, locations and hours into an empty
# practice (never over what staff have entered).
migrate: install
	$(PY) manage.py migrate --noinput

# The site and the background worker together (Procfile, run by honcho).
# Sample clinicians, locations and hours go only into an empty practice, so
# a newcomer sees a working diary and staff's own entries are never touched.
run: migrate
	$(PY) manage.py load_sample_clinic
	HOST=$(HOST) $(VENV)/bin/honcho start --port $(PORT)

# The background worker alone: sends the outbox, escalates, purges, beats.
worker: migrate
	$(PY) manage.py run_huey

superuser: migrate
	$(PY) manage.py createsuperuser

test: install-test browser-deps deploy-deps
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .

check: install
	$(PY) manage.py check

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

ci:
	bash .ci/run

# A consistent snapshot of the SQLite database, safe while the site is running.
backup: install
	$(PY) manage.py backup_database $(BACKUP_DIR)/db-$$(date -u +%Y%m%dT%H%M%SZ).sqlite3

# Production server on 127.0.0.1, load from a second process; a few minutes.
# Writes bench/results.md and bench/latency.png. BENCH_ARGS="--quick" for the
# cached scenarios only.
bench: $(VENV)/.installed-bench bench-mixed
	$(PY) -m bench.run $(BENCH_ARGS)

# 60 s at 64 clients through nginx and two app servers (90% reads, 8% form
# views, 2% bookings): writes bench/results_mixed.md. Add
# DATABASE_URL=postgres://… to run it on PostgreSQL.
bench-mixed: $(VENV)/.installed-bench deploy-deps
	$(PY) -m bench.mixed $(BENCH_MIXED_ARGS)

# Lighthouse (mobile) on the article and a stretch page, with Debian's Chromium.
audit: install
	test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)
	npm ci --no-audit --no-fund
	$(PY) -m bench.lighthouse

clean:
	rm -rf $(VENV) node_modules staticfiles test-artifacts .pytest_cache .ruff_cache *.egg-info
