# The two commands: `make run` and `make test`. Everything else here is what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app youthcouncil
HOST ?= 127.0.0.1
PORT ?= 5000
# Links made outside a request (the demo's e-mails, flask notify) point where `make run` serves, unless
# PUBLIC_BASE_URL is set.
export HOST PORT

.PHONY: run test install lock wheel assets translations migrate seed demo-reset messages lint format bench clean-venv

run: install assets translations migrate seed
	@$(FLASK) start-info
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C stops)"
	$(FLASK) run --host "$(HOST)" --port "$(PORT)"

test: install assets translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -n "$$YC_TEST_POSTGRES_URL" ]; then \
		echo "== The database tests again, on PostgreSQL =="; \
		DATABASE_URL="$$YC_TEST_POSTGRES_URL" $(BIN)/python -m pytest -m "not browser and not network" \
			--ignore=tests/voting $(PYTEST_ARGS); \
	fi

install: $(VENV)/.installed

# Exactly the pinned versions, each file checked against its hash. The pins come from `make lock`.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $@

# After adding or changing a dependency (setup.cfg for the app, requirements-dev.in for the tools): pin it and what
# it needs, with hashes. Versions already pinned stay unless a range excludes them; `make lock LOCK_ARGS=--upgrade`
# (or `LOCK_ARGS="-P flask"`) moves them. Depends on pip-tools only, not on `install`, because the files it rewrites
# may hold pins without hashes (added by hand) that a hash-checked install refuses.
LOCK := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock: $(BIN)/pip-compile
	$(LOCK) --output-file requirements.txt setup.cfg
	$(LOCK) --output-file requirements-dev.txt requirements-dev.in

$(BIN)/pip-compile:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.txt

# The wheel (in dist/) carries templates/, static/ (with what `make assets` built), migrations/ and the compiled
# catalogues; setup.py refuses to build it without the assets. Built with the pinned setuptools, no download.
wheel: install assets
	rm -rf dist
	$(BIN)/python -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir dist .
	@ls -l dist

# One CSS and one JS file of our own plus htmx, with content-hashed names and .gz/.br twins, in static/dist/
# (git-ignored; see youthcouncil/assets.py). htmx comes from the npm registry at the version pinned in
# package-lock.json (integrity checked by npm ci).
assets: static/dist/manifest.json

static/dist/manifest.json: $(wildcard static/css/*.css static/js/*.js) static/favicon.svg youthcouncil/assets.py \
		node_modules/.package-lock.json $(VENV)/.installed
	$(BIN)/python -m youthcouncil.assets

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# Message catalogues: the core one (youthcouncil/translations: youthcouncil/*.py and the shared templates) and one per
# domain (youthcouncil/<domain>/translations: its package and templates/<domain>). babel.cfg says how strings are found.
PYBABEL := $(BIN)/pybabel -q
EXTRACT := $(PYBABEL) extract -F babel.cfg --project youthcouncil --width 110
DOMAINS = $(filter-out voting,$(patsubst youthcouncil/%/__init__.py,%,$(wildcard youthcouncil/*/__init__.py)))
CATALOGUES = youthcouncil/translations $(DOMAINS:%=youthcouncil/%/translations)

# (Not quiet: pybabel skips, with only a message, a catalogue whose header is marked fuzzy.)
translations: install
	for dir in $(wildcard $(CATALOGUES)); do $(BIN)/pybabel compile --directory $$dir || exit 1; done

migrate: install
	$(FLASK) db upgrade

seed: install
	$(FLASK) seed-demo --if-empty

# Start the demo afresh: empties the database and deletes uploaded files and vote keys, then adds the demo data.
demo-reset: install migrate
	$(FLASK) seed-demo --reset

# For developers: after changing user-visible strings, update the catalogues and translate the new nb entries.
messages: install
	$(EXTRACT) --output-file youthcouncil/translations/messages.pot \
		youthcouncil/*.py templates/*.html templates/_macros templates/errors
	for domain in $(DOMAINS); do \
		mkdir -p youthcouncil/$$domain/translations && \
		$(EXTRACT) --output-file youthcouncil/$$domain/translations/messages.pot \
			youthcouncil/$$domain templates/$$domain || exit 1; \
	done
	for dir in $(CATALOGUES); do \
		$(PYBABEL) update --locale nb --input-file $$dir/messages.pot --output-dir $$dir \
			--init-missing --no-fuzzy-matching --ignore-obsolete --width 110 || exit 1; \
	done
	$(BIN)/python scripts/i18n.py check || echo "Translate the nb entries above, then run make messages again."

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Fixes what `make lint` finds where ruff can (import order, formatting).
format: install
	$(BIN)/ruff check --fix-only --quiet .
	$(BIN)/ruff format .

# The engine's counts, then the web benchmark (bench/web.py: SQLite, and PostgreSQL when YC_TEST_POSTGRES_URL is set).
# Figures beside their targets; not a test, not run by CI.
bench: install assets translations
	$(BIN)/python bench/bench_ranked.py
	$(BIN)/python bench/bench_mes.py
	$(BIN)/python bench/web.py

clean-venv:
	rm -rf $(VENV)
