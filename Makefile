# The two commands: `make run` and `make test`. Everything else here is what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app youthcouncil
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install assets translations migrate seed messages lint bench clean-venv

run: install assets translations migrate seed
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C stops)"
	$(FLASK) run --host "$(HOST)" --port "$(PORT)"

test: install assets translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -n "$$YC_TEST_POSTGRES_URL" ]; then \
		echo "== The database tests again, on PostgreSQL =="; \
		DATABASE_URL="$$YC_TEST_POSTGRES_URL" $(BIN)/python -m pytest -m "not browser" \
			--ignore=tests/voting $(PYTEST_ARGS); \
	fi

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# One CSS and one JS file of our own plus htmx, with content-hashed names and .gz/.br twins, in static/dist/
# (git-ignored; see youthcouncil/assets.py). htmx comes from the npm registry at the version pinned in
# package-lock.json (integrity checked by npm ci).
assets: static/dist/manifest.json

static/dist/manifest.json: $(wildcard static/css/*.css static/js/*.js) static/favicon.svg youthcouncil/assets.py \
		node_modules/.package-lock.json $(VENV)/.installed
	$(BIN)/python -m youthcouncil.assets

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

translations: install
	$(BIN)/python scripts/i18n.py compile

migrate: install
	$(FLASK) db upgrade

seed: install
	$(FLASK) seed-demo --if-empty

# For developers: after changing user-visible strings, update the catalogues and translate the new nb entries.
messages: install
	$(BIN)/python scripts/i18n.py update

lint: install
	$(BIN)/ruff check youthcouncil tests scripts bench

bench: install
	$(BIN)/python bench/bench_ranked.py
	$(BIN)/python bench/bench_mes.py

clean-venv:
	rm -rf $(VENV)
