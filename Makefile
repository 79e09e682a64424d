# Northstar — developer and CI entry points (GNU make).
#
#   make run          install runtime deps, build the demo DB if missing, start the app
#   make test         install dev deps (+ chromium, postgresql if root), ruff check, pytest
#   make load SRC=dir load your exports into DB (MAPPING=file.toml)
#   make bench        build 5k/100k/1M demo DBs and time every page (SIZES="5000 100000"), then
#                     the cluster fault test's long version (make bench-cluster)
#   make load-test    SESSIONS browser sessions at once (WRITERS of them recording actions) on DB
#   make cluster      SERVERS app servers behind HAProxy on CLUSTER_PORT, workspace on PostgreSQL
#   make help         list all targets

PYTHON ?= python3
VENV := .venv
DB ?= data/northstar.duckdb
ACCOUNTS ?= 5000
SEED ?= 42
PORT ?= 8501
PYTEST_ARGS ?=
BASE_URL ?= http://localhost:$(PORT)
SCREENSHOT_DIR ?= screenshots
SCREENSHOT_PATHS ?=
SIZES ?= 5000 100000 1000000
BENCH_ARGS ?=
SESSIONS ?= 20
WRITERS ?= 5
SECONDS ?= 120
SERVERS ?= 2
CLUSTER_PORT ?= 8080
CLUSTER_ACCOUNTS ?= 5000
CLUSTER_SESSIONS ?= 8
CLUSTER_WRITERS ?= 2
CLUSTER_SECONDS ?= 90

VPY := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
CHROMIUM := /usr/bin/chromium

.DEFAULT_GOAL := help
# Remove a half-written target (e.g. a DB whose build failed) so the next run retries.
.DELETE_ON_ERROR:

.PHONY: help install install-dev run demo load chromium test-deps test lint screenshots bench clean clean-db

help: ## List the targets
	@echo "Northstar make targets:"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(firstword $(MAKEFILE_LIST)) | \
		awk 'BEGIN {FS = ":.*## "} {printf "  %-12s %s\n", $$1, $$2}'
	@echo "Variables: PYTHON=$(PYTHON) DB=$(DB) ACCOUNTS=$(ACCOUNTS) SEED=$(SEED) PORT=$(PORT)"

# --- environments -----------------------------------------------------------

$(RUNTIME_STAMP): requirements.txt
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r requirements.txt
	@touch $@

# requirements-dev.txt includes requirements.txt, so either changing re-installs.
$(DEV_STAMP): requirements-dev.txt requirements.txt
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(RUNTIME_STAMP) ## Create .venv and install runtime requirements
install-dev: $(DEV_STAMP) ## Create .venv and install dev requirements

# --- data -------------------------------------------------------------------

# Built only when missing: no dependency on sources (order-only on the venv), so an
# existing DB is never rebuilt implicitly. Use `make demo` to force a rebuild.
$(DB): | $(RUNTIME_STAMP)
	@mkdir -p $(dir $(DB))
	$(VPY) -m northstar.data.demo --accounts $(ACCOUNTS) --seed $(SEED) --db $(DB)

# The builder replaces DB only when it is a Northstar database (or missing or empty), so a
# mistyped DB=board.xlsx is refused instead of deleted.
demo: $(RUNTIME_STAMP) ## Force a rebuild of the demo DB at DB
	@mkdir -p $(dir $(DB))
	$(VPY) -m northstar.data.demo --accounts $(ACCOUNTS) --seed $(SEED) --db $(DB)

load: $(RUNTIME_STAMP) ## Load exports into DB (SRC=folder [MAPPING=file.toml])
	@test -n "$(SRC)" || { echo "usage: make load SRC=folder [MAPPING=file.toml]"; exit 2; }
	$(VPY) -m northstar.load $(SRC) --db $(DB) $(if $(MAPPING),--mapping $(MAPPING))

# --- app --------------------------------------------------------------------

run: $(RUNTIME_STAMP) $(DB) ## Start the app on PORT (default 8501)
	NORTHSTAR_DB=$(DB) $(VENV)/bin/streamlit run serve.py --server.port $(PORT)

# --- browser ----------------------------------------------------------------

chromium: ## Ensure Debian chromium for browser tests (installs it when root)
	@if [ -x $(CHROMIUM) ]; then \
		echo "chromium: $(CHROMIUM) is present"; \
	elif [ "$$(id -u)" = "0" ]; then \
		echo "chromium: $(CHROMIUM) missing; installing Debian package 'chromium'"; \
		apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else \
		echo "chromium: $(CHROMIUM) is missing and we are not root, so it cannot be installed;"; \
		echo "chromium: browser (e2e) tests will be SKIPPED. Install it with: sudo apt-get install -y chromium"; \
	fi

# Debian packages the tests use: chromium (browser tests), postgresql (the workspace store's
# tests run against a throwaway server they start themselves) and haproxy (the cluster's fault
# test puts it in front of two servers). Missing ones are installed when root, after one
# `apt-get update`; otherwise the tests that need them are skipped.
test-deps: ## Ensure chromium, postgresql and haproxy for the tests (installs them when root)
	@missing=""; \
	[ -x $(CHROMIUM) ] || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing="$$missing haproxy"; \
	if [ -z "$$missing" ]; then \
		echo "test-deps: chromium, postgresql and haproxy are present"; \
	elif [ "$$(id -u)" = "0" ]; then \
		echo "test-deps: installing Debian packages:$$missing"; \
		apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	else \
		echo "test-deps: missing$$missing and not root, so they cannot be installed;"; \
		echo "test-deps: the tests that need them will be SKIPPED (sudo apt-get install -y$$missing)"; \
	fi

# The cluster's parts: HAProxy and PostgreSQL (Debian packages), installed when root.
cluster-deps: ## Ensure haproxy and postgresql for `make cluster` (installs them when root)
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing="$$missing haproxy"; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = "0" ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	elif [ -n "$$missing" ]; then \
		echo "cluster-deps: missing$$missing; install with: sudo apt-get install -y$$missing"; \
		exit 1; \
	fi

# SERVERS Streamlit servers behind HAProxy on CLUSTER_PORT (loopback), the workspace on a local
# PostgreSQL whose data stays in .cluster/ (deploy/cluster.py). Ctrl-C stops everything.
.PHONY: cluster cluster-deps test-cluster bench-cluster
cluster: $(RUNTIME_STAMP) cluster-deps | $(DB) ## SERVERS servers behind HAProxy on CLUSTER_PORT, workspace on a local PostgreSQL
	$(VPY) -m deploy.cluster --db $(DB) --servers $(SERVERS) --port $(CLUSTER_PORT)

# --- quality ----------------------------------------------------------------

lint: $(DEV_STAMP) ## ruff check
	$(VENV)/bin/ruff check .

test: $(DEV_STAMP) test-deps ## ruff check + pytest (PYTEST_ARGS=... to pass options)
	$(VENV)/bin/ruff check .
	$(VPY) -m pytest $(PYTEST_ARGS)

screenshots: $(DEV_STAMP) ## Screenshot pages of a running app (BASE_URL, SCREENSHOT_DIR, SCREENSHOT_PATHS)
	$(VPY) tools/screenshot.py --base-url $(BASE_URL) --out $(SCREENSHOT_DIR) $(SCREENSHOT_PATHS)

bench: $(DEV_STAMP) chromium ## Benchmark every page at SIZES accounts vs pandas + browser, then the cluster fault test (bench/results/)
	$(VPY) -m bench.run --sizes $(SIZES) $(BENCH_ARGS)
	$(MAKE) bench-cluster

# The cluster's fault test, long version: CLUSTER_SESSIONS sessions (CLUSTER_WRITERS writing) on
# two servers behind HAProxy for CLUSTER_SECONDS, one server killed, then a load published;
# sessions and peak memory per server in the report. Skipped without haproxy or postgresql.
.PHONY: bench-cluster
# tests/e2e/test_cluster.py alone (`make test` runs it too): sign-in across servers, and the
# fault test's short version.
test-cluster: $(DEV_STAMP) test-deps ## The cluster tests alone: sign-in across servers, a server killed mid-load, a load published
	$(VPY) -m pytest tests/e2e/test_cluster.py $(PYTEST_ARGS)

bench-cluster: $(DEV_STAMP) chromium test-deps ## The cluster fault test, long version (bench/results/cluster_*.md)
	$(VPY) -m bench.cluster_faults --accounts $(CLUSTER_ACCOUNTS) --sessions $(CLUSTER_SESSIONS) \
		--writers $(CLUSTER_WRITERS) --seconds $(CLUSTER_SECONDS) --kill-after 30 --carry-on 40 \
		--timeout 90 \
		--out bench/results/cluster_$$(date +%Y%m%d-%H%M%S).md

.PHONY: load-test
load-test: $(DEV_STAMP) chromium | $(DB) ## SESSIONS browsers at once for SECONDS against DB (bench/results/)
	$(VPY) -m bench.many_sessions --db $(DB) --sessions $(SESSIONS) --writers $(WRITERS) \
		--seconds $(SECONDS) --out bench/results/load_$$(date +%Y%m%d-%H%M%S).md

# --- housekeeping -----------------------------------------------------------

clean: ## Remove install stamps and caches (keeps .venv and the DB)
	rm -f $(RUNTIME_STAMP) $(DEV_STAMP)
	rm -rf .pytest_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -print -exec rm -rf {} +

clean-db: ## Remove the demo DB
	rm -f $(DB) $(DB).wal

.PHONY: digest
digest: $(RUNTIME_STAMP) ## E-mail action owners and the CCO their digest (DRY_RUN=1 prints it)
	NORTHSTAR_DB=$(DB) $(VPY) -m northstar.digest $(if $(DRY_RUN),--dry-run)

.PHONY: alerts
alerts: $(RUNTIME_STAMP) ## Check the alert rules and send what fired, once (DRY_RUN=1 writes files)
	NORTHSTAR_DB=$(DB) $(VPY) -m northstar.alerts $(if $(DRY_RUN),--dry-run)

.PHONY: brief
brief: $(RUNTIME_STAMP) ## E-mail the CEO brief for the last full period (DRY_RUN=1 writes .eml files)
	NORTHSTAR_DB=$(DB) $(VPY) -m northstar.brief $(if $(DRY_RUN),--dry-run,--send)
