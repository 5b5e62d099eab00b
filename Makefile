# tradekg: the two commands in the README are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= data/tradekg.db
HOST   ?= 127.0.0.1
PORT   ?= 8000
PACKAGES := graph ingest api queries

.PHONY: run test setup setup-dev lint typecheck pytest bench clean chromium train compare-learners

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

setup: $(VENV)/.installed node_modules/.package-lock.json

setup-dev: $(VENV)/.installed-dev node_modules/.package-lock.json chromium

# The explorer's Cytoscape.js and /docs' Swagger UI come from npm (pinned in
# package-lock.json) and are served from node_modules by the API; never copied
# into the repo. No install scripts: swagger-ui-dist's only sends analytics.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts

# The browser tests drive Debian's Chromium (never a downloaded browser build).
chromium:
	command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

## make run: set up, ingest the example reports into the embedded store, serve the API.
run: setup
	$(BIN)/tradekg ingest examples/reports --db $(DB)
	$(BIN)/tradekg serve --db $(DB) --host $(HOST) --port $(PORT)

## make test: set up with dev extras, lint, type-check, run the whole suite.
test: setup-dev lint typecheck pytest

lint: setup-dev
	$(BIN)/ruff check $(PACKAGES) tests benchmarks

typecheck: setup-dev
	$(BIN)/mypy

pytest: setup-dev
	$(BIN)/pytest

## make train: rebuild the extractor's models from annotations/ (and tests/gold*) and measure them.
## Needs ../shared (the Reuters texts and the scorer); writes ingest/models/ and docs/learned-metrics.json.
train: setup-dev
	$(BIN)/python -m ingest.learn.annotations check annotations
	$(BIN)/python -m ingest.learn.train --report docs/learned-metrics.json
	$(BIN)/python -m ingest.learn.agreement --json > docs/annotation-agreement.json

## make compare-learners: logistic regression against LightGBM on one split (20+ minutes; descriptive only).
compare-learners: setup-dev
	$(BIN)/python -m ingest.learn.train --compare-learners --report docs/learned-metrics.json

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
