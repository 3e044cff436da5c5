# Profile360: the two commands of the README, and the few steps behind them.
#   make demo   set up, generate the demo landing zone, build it, print a summary
#   make test   set up, then run the whole test suite (what CI runs)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Offline by design: no tool may phone home.
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DAGSTER_DISABLE_TELEMETRY := 1
export GX_ANALYTICS_ENABLED := false

.PHONY: setup demo test lint docs ui clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/profile360 demo

# Two xdist workers, whole modules each (their module fixtures build once); the
# slowest tests are listed at the end.
test: $(STAMP)
	@# The app's browser tests (tests/python/test_app.py) take screenshots with Debian's headless Chromium.
	@command -v chromium >/dev/null || { apt-get update && apt-get install -y chromium; }
	$(BIN)/python -m pytest -n 2 --dist loadscope --no-loadscope-reorder --durations=15

# Spark parity (docs/spark.md): Java 17 and the spark extra when missing, then
# the demo built on DuckDB and on a local Spark, every table compared (.ci/run
# runs it after `make test`). SPARK_TESTS: all (data and unit tests on Spark),
# unit, none (benchmarks/spark_parity.py --spark-tests).
SPARK_TESTS ?= all
.PHONY: test-spark
test-spark: $(STAMP)
	@command -v java >/dev/null || { apt-get update && apt-get install -y openjdk-17-jre-headless; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -c requirements-spark.lock -e ".[spark]"
	$(BIN)/python benchmarks/spark_parity.py --work $${TMPDIR:-/tmp}/profile360_spark_parity --spark-tests $(SPARK_TESTS)

lint: $(STAMP)
	$(BIN)/sqlfluff lint models

# dbt's documentation site as one self-contained file (no server, no internet):
# open target/static_index.html in a browser. Reads the warehouse's catalog
# (a built one: without it dbt would create an empty warehouse file).
docs: $(STAMP)
	@db="$${PROFILE360_DB_PATH:-warehouse/profile360.duckdb}"; test -f "$$db" || { \
	  echo "make docs: no warehouse at $$db: run \`profile360 build\` first (or set PROFILE360_DB_PATH)" >&2; exit 2; }
	$(BIN)/dbt docs generate --static --profiles-dir .
	@echo "dbt docs: file://$${DBT_TARGET_PATH:-$(CURDIR)/target}/static_index.html"

# The Dagster UI (dagster dev) on http://127.0.0.1:3000; Ctrl-C stops it.
ui: $(STAMP)
	$(BIN)/profile360 ui

clean:
	rm -rf target logs warehouse demo_data exports .pytest_cache
