# Two commands do the whole set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000

# Local services used by the test suite (CI starts them when they are down: see .ci/run).
TEST_ENV := DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/workbench} \
	REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}

.PHONY: install install-dev run worker beat test check format format-check lint types bench-api bench-candidates bench-registry bench-export bench-agreement bench-extraction default-scorer bench-checkworthy bench-search bench-schema bench-schema-stateful bench-reextract bench-live bench-import bench-fever bench-hypothesis bench-scaling bench-load clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)
install-dev: $(DEV_STAMP)

## Serve the workbench with the demo workspace on embedded defaults (SQLite, in-process tasks).
run: $(RUN_STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load_demo
	DEBUG=$${DEBUG:-1} SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(BIN)/python manage.py runserver $(HOST):$(PORT)

## A Celery worker (needs REDIS_URL; more of them, on more machines, is how extraction scales).
worker: $(RUN_STAMP)
	$(BIN)/celery -A workbench worker --loglevel=INFO

## The periodic sweep that re-sends work a broker outage dropped (run exactly one).
beat: $(RUN_STAMP)
	$(BIN)/celery -A workbench beat --loglevel=INFO

## The whole suite, against the local PostgreSQL and Redis; it ends with its 25 slowest steps, so
## that a CI log shows where the time went (the suite aims at 15 minutes).
test: $(DEV_STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest --durations=25

format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

format-check: $(DEV_STAMP)
	$(BIN)/ruff format --check .

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

types: $(DEV_STAMP)
	DEBUG=1 $(BIN)/mypy

## Format, lint, types and tests: what a change must pass.
check: format-check lint types test

## Query counts and timings of the main API reads and writes on PostgreSQL.
bench-api: $(DEV_STAMP)
	$(TEST_ENV) $(BIN)/python bench/api.py

## 20 clients for 30 s against gunicorn (the production serving: 4 sync workers, kept database
## connections): 60% reads of an article with 100 claims, 20% claim reads, 10% assessments, 10% queues.
## COMPARE=1: every serving configuration back to back (about 10 minutes). Redis database 12.
bench-load: $(DEV_STAMP)
	$(TEST_ENV) $(BIN)/python bench/load.py $(if $(COMPARE),--compare) $(if $(DURATION),--duration $(DURATION))

## Deciding 1,229 candidates of an article in one request (dismiss all, accept all).
bench-candidates: $(DEV_STAMP)
	$(TEST_ENV) $(BIN)/python bench/candidates_bulk.py

## One article's matching against a reference corpus of 1,000 to 50,000 outside fact-checks.
bench-registry: $(DEV_STAMP)
	$(TEST_ENV) $(BIN)/python bench/registry_scale.py

## Export throughput against COPY and peak memory, on 1,000,000 claims (a few minutes).
bench-export: $(DEV_STAMP)
	$(TEST_ENV) $(BIN)/python bench/export_api.py --claims 1000000

## Importing 10,000 articles with 100,000 highlights (doccano's own import of the same file too,
## in a scratch virtual environment: bench/doccano_venv.sh).
bench-import: $(DEV_STAMP)
	$(TEST_ENV) $(BIN)/python bench/import_bench.py --doccano

## fever-scorer 2.0.39 (fetched from PyPI into /tmp, never a dependency) reads the FEVER export.
bench-fever: $(DEV_STAMP)
	$(BIN)/python bench/fever_scorer.py

## Hypothesis's own anchoring code (npm, in /tmp, never a dependency) on the W3C export, in Chromium.
bench-hypothesis: $(DEV_STAMP)
	$(BIN)/python bench/hypothesis_anchoring.py

## Agreement figures and queue pages on 100,000 assessments.
bench-agreement: $(DEV_STAMP)
	$(BIN)/python bench/agreement.py
	$(TEST_ENV) $(BIN)/python bench/agreement_api.py

## Search on 10,000 articles and 30,000 claims, with the indexes and without them (about 15 minutes).
bench-search: $(DEV_STAMP)
	$(TEST_ENV) $(BIN)/python bench/search.py

## schemathesis over the whole API schema with 200 generated requests per operation (CI runs 5).
bench-schema: $(DEV_STAMP)
	SCHEMA_EXAMPLES=$${SCHEMA_EXAMPLES:-200} $(TEST_ENV) $(BIN)/python -m pytest -p no:randomly tests/api/test_schema_fuzz.py

## schemathesis's stateful phase (sequences of linked calls) against a live server on the demo desk.
bench-schema-stateful: $(DEV_STAMP)
	$(TEST_ENV) bash bench/schema_stateful.sh $${SCHEMA_EXAMPLES:-100}

## Extraction: throughput against spaCy's sentencizer, CLEF MAP, French precision and recall, a real worker.
bench-extraction: $(DEV_STAMP)
	$(BIN)/python bench/extraction_throughput.py
	$(BIN)/python bench/clef_eval.py
	$(BIN)/python bench/french_eval.py
	$(TEST_ENV) $(BIN)/python bench/worker_throughput.py

## Rebuild the shipped check-worthiness model (annotations/extraction/default_model/embed-1.json)
## from the project's own development news; `make default-scorer CHECK=1` only compares.
default-scorer: $(RUN_STAMP)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(BIN)/python -m annotations.extraction.build_default_scorer $(if $(CHECK),--check)

## Check-worthiness on held-out news (run once per change), CLEF debates and speed.
bench-checkworthy: $(DEV_STAMP)
	$(BIN)/python bench/checkworthy_eval.py all

## Running extraction again on an article with 1,000, 4,000 and 8,000 pending candidates (a minute).
bench-reextract: $(DEV_STAMP)
	$(TEST_ENV) $(BIN)/python bench/reextract.py

# 200 WebSocket clients on one article while 5 people write (PostgreSQL and Redis of TEST_ENV).
bench-live: $(DEV_STAMP)
	$(TEST_ENV) $(BIN)/python bench/live_latency.py $(if $(DAPHNES),--daphnes $(DAPHNES))

## Article list, queues, agreement, dashboard, search and exports on workspaces of 1,000, 10,000 and
## 100,000 claims (built once in about 2 minutes, then 5 to 7 minutes a run). Redis database 13.
bench-scaling: $(DEV_STAMP)
	DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/workbench} \
	REDIS_URL=$${SCALING_REDIS_URL:-redis://127.0.0.1:6379/13} $(BIN)/python bench/scaling.py $(ARGS)

## What reading an article costs with 1 claim and with 1,000 (time, bytes per claim, 304s).
bench-article-read: $(DEV_STAMP)
	$(TEST_ENV) $(BIN)/python bench/article_read.py

## The annotation page ready in Chromium on the 1,000-claim article (after bench-article-read).
bench-page-ready: $(DEV_STAMP)
	$(TEST_ENV) $(BIN)/python bench/page_ready.py

## Reading one article with 1,000 spans over HTTP beside doccano 1.8.4 (gunicorn, 1 sync worker
## each; doccano in a scratch virtual environment: bash bench/doccano_venv.sh). Databases wb_http
## and doccano_http, Redis database 10.
bench-article-http: $(DEV_STAMP)
	$(TEST_ENV) $(BIN)/python bench/article_http.py $(if $(RUNS),--runs $(RUNS))

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
