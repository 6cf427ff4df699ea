# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

BACKUP_DIR ?= backups

.PHONY: install install-test install-bench lock upgrade browser-deps deploy-deps bench-mixed run worker migrate superuser test lint check migrations-check ci bench audit clean backup

# Installs come from the lock files, every version pinned with its hashes, so
# a fresh machine next year gets exactly what was tested. `make upgrade`
# moves them on; `make lock` records a change to pyproject.toml.
PIP_INSTALL := $(PY) -m pip install --quiet --require-hashes

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	$(PIP_INSTALL) -r requirements-test.txt
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed requirements-bench.txt
	$(PIP_INSTALL) -r requirements-bench.txt
	touch $@

# The lock files are made by pip-tools (pinned here) in a venv of its own,
# resolved against the public package index alone: this machine's own pip
# settings (extra local indexes) are ignored, so the lock works anywhere.
LOCK_VENV := .venv-lock
PIP_TOOLS_VERSION := 7.6.2
PIP_COMPILE := env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL \
	PIP_CONFIG_FILE=/dev/null $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links

$(LOCK_VENV)/bin/pip-compile:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet "pip-tools==$(PIP_TOOLS_VERSION)"

# Records a change to pyproject.toml in the lock files, keeping every other
# pin as it is. The test and bench locks are held to the site's own pins.
lock: $(LOCK_VENV)/bin/pip-compile
	$(PIP_COMPILE) $(LOCK_ARGS) -o requirements.txt pyproject.toml
	$(PIP_COMPILE) $(LOCK_ARGS) --extra test -c requirements.txt -o requirements-test.txt pyproject.toml
	$(PIP_COMPILE) $(LOCK_ARGS) --extra bench -c requirements.txt -o requirements-bench.txt pyproject.toml

# Moves every pin to the newest release pyproject.toml allows: the one
# command for upgrading. Then run `make test` and commit the lock files.
upgrade:
	$(MAKE) lock LOCK_ARGS=--upgrade

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
	rm -rf $(VENV) $(LOCK_VENV) node_modules staticfiles test-artifacts .pytest_cache .ruff_cache *.egg-info
