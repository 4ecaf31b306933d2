# argmap: the two commands a newcomer needs are `make demo` and `make test`.
# Both work on a fresh Debian 12 machine with only Python 3.11+: `make setup` installs the
# Debian packages argmap needs (when missing, through apt-get), a virtualenv and the package.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DB     ?= argmap.duckdb
SEED   := seeds/peace-plan.yaml
HOST   ?= 127.0.0.1
PORT   ?= 8000
# chromium + chromium-driver: the browser the end-to-end tests (tests/web/) drive through Playwright.
# postgresql: the DuckLake tests start a throw-away cluster (tests/pgcluster.py).
# texlive-latex-base + texlive-pictures: pdfLaTeX and TikZ, which compile the TikZ export in the tests.
# Mermaid's own parser, which reads the Mermaid export in the tests, comes from npm (tests/exports/).
DEB_PACKAGES := graphviz libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-symbola poppler-utils \
                chromium chromium-driver postgresql texlive-latex-base texlive-pictures

# The Python environment is exactly uv.lock (every package, every version, with hashes); uv itself
# is pinned here. `make lock` refreshes the lock on purpose; `uv sync --locked` refuses to install
# when pyproject.toml and uv.lock disagree, so a forgotten `make lock` fails setup (and CI).
UV_VERSION := 0.13.9
UV := $(BIN)/uv
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: setup demo test exports load bench clean lock

setup: $(BIN)/argmap

$(BIN)/argmap: pyproject.toml uv.lock
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	test -x $(UV) || { $(PYTHON) -m venv $(VENV) && $(BIN)/pip install -q uv==$(UV_VERSION); }
	$(UV) sync --locked --inexact --extra test --python $(BIN)/python --quiet
	test -d tests/exports/node_modules/mermaid || ! command -v npm >/dev/null || npm ci --prefix tests/exports --no-audit --no-fund --silent
	@touch $@

lock:
	test -x $(UV) || { $(PYTHON) -m venv $(VENV) && $(BIN)/pip install -q uv==$(UV_VERSION); }
	$(UV) lock --upgrade --python $(BIN)/python

# The main job: a fresh database from the seed map, the example exports, then the API.
demo: setup
	rm -f $(DB) $(DB).wal
	$(BIN)/argmap --db $(DB) load $(SEED)
	$(MAKE) --no-print-directory exports
	$(BIN)/argmap --db $(DB) serve --host $(HOST) --port $(PORT)

exports: setup
	@mkdir -p exports
	$(BIN)/argmap --db $(DB) export diagram peace-plan --out exports/peace-plan-diagram.svg
	$(BIN)/argmap --db $(DB) export diagram peace-plan --out exports/peace-plan-diagram.pdf
	$(BIN)/argmap --db $(DB) export timeline peace-plan --format svg --out exports/peace-plan-timeline.svg
	$(BIN)/argmap --db $(DB) export timeline peace-plan --format pdf --out exports/peace-plan-timeline.pdf
	$(BIN)/argmap --db $(DB) export timeline peace-plan --format json --out exports/peace-plan-timeline.json
	SOURCE_DATE_EPOCH=$$(git log -1 --format=%ct -- $(SEED) 2>/dev/null || date +%s) \
	  $(BIN)/argmap --db $(DB) export aif peace-plan --out exports/peace-plan.aif.json
	$(BIN)/argmap --db $(DB) export argdown peace-plan --out exports/peace-plan.argdown
	# A fixed date of issue keeps the committed briefing byte-stable until its content changes.
	$(BIN)/argmap --db $(DB) export briefing peace-plan --issued 2025-11-26 --out exports/peace-plan-briefing.pdf
	@echo "exports: regenerated from $(SEED)"

test: setup
	$(UV) sync --locked --inexact --extra test --check --python $(BIN)/python --quiet
	$(BIN)/python -m pytest -q

bench: setup
	@command -v wrk >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -qq wrk; }  # benchmarks/api.py drives the server with wrk
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(DB) $(DB).wal .pytest_cache
