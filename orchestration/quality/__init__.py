"""Data quality: Great Expectations suites declared in ``suites.py``, run by
``runner.validate`` against the DuckDB warehouse (Dagster asset checks and
``profile360 validate``)."""
