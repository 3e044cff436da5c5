"""Profile360 orchestration: demo data, command line, (later) Dagster definitions."""
