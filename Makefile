# The README's two commands are `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test suite setup lint lock bench bench-mail clean

$(VENV)/bin/python:
	@interpreter=$$(scripts/find-python) || exit 1; \
	echo "Creating $(VENV) with $$interpreter"; \
	"$$interpreter" -m venv $(VENV)

$(VENV)/.installed: $(VENV)/bin/python requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	@touch $@

setup: $(VENV)/.installed
	@mkdir -p var
	$(PY) manage.py migrate --noinput

run: setup
	@PORT=$(PORT) scripts/run-embedded

test: $(VENV)/.installed
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	@$(MAKE) --no-print-directory suite

# The whole suite: in parallel, one process per core, then the tests marked serial
# (they share a service's state, e.g. a live worker's queues) one at a time.
suite: $(VENV)/.installed
	$(PY) -m pytest -n auto -m "not serial"
	$(PY) -m pytest -m serial

lint: $(VENV)/.installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

lock: $(VENV)/.installed
	$(PY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile -q --strip-extras --no-header --allow-unsafe --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	$(VENV)/bin/pip-compile -q --strip-extras --no-header --allow-unsafe --no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in

bench: $(VENV)/.installed
	$(PY) bench/load.py

# The mail benchmarks print a report; they never fail the build. Point DATABASE_URL at
# PostgreSQL for figures that mean something (each run uses a scratch database).
BENCH_MESSAGES ?= 10000
BENCH_ACCOUNTS ?= 2000
BENCH_RECIPIENTS ?= 100000
BENCH_SEED ?= ledger
bench-mail: $(VENV)/.installed
	$(PY) -m bench.remove_mail --messages $(BENCH_MESSAGES) --accounts $(BENCH_ACCOUNTS)
	$(PY) -m bench.campaign_fanout --granted $(BENCH_RECIPIENTS) --seed $(BENCH_SEED)

clean:
	rm -rf $(VENV) var
