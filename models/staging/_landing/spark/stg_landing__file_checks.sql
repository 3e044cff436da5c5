-- The spark target's stg_landing__file_checks (the DuckDB target builds the
-- Python model models/staging/_landing/stg_landing__file_checks.py; dbt-spark
-- runs Python models only on Databricks). The same Python model function is
-- run before dbt by the orchestration layer (python -m
-- orchestration.lib.spark_file_checks), which writes its rows to a Parquet
-- file that the on-run-start hook registers as the source
-- landing_checks.file_checks (macros/spark/landing_sources.sql). No rule
-- here: the checks are the Python model's; a listed file the checks do not
-- hold is rejected by stg_landing__files (not_checked), never admitted.
{{ config(materialized='table') }}

select
    cast(source_file as {{ dbt.type_string() }}) as source_file,
    cast(size_bytes as {{ dbt.type_bigint() }}) as size_bytes,
    cast(modified_at as {{ dbt.type_timestamp() }}) as modified_at,
    cast(content_hash as {{ dbt.type_string() }}) as content_hash,
    cast(row_count as {{ dbt.type_bigint() }}) as row_count,
    cast(unreadable_reason as {{ dbt.type_string() }}) as unreadable_reason
from {{ source('landing_checks', 'file_checks') }}
