{{ config(
    materialized='incremental',
    unique_key='_source_file',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'blocked_drops', 'keys': [['_source_file', 'source_file']]},
    partition_by=profile360.drop_partition(),
    on_schema_change='fail',
) }}

-- One row per row of every stores drop: cleaned and checked, good and broken
-- alike (see stg_catalog__stores and stg_landing__quarantined_rows).
{%- set columns = ['store_id', 'store_name', 'city', 'province', 'region', 'opened_at'] %}

with source as (

    select * from {{ profile360.landing_reader(
        'catalog', 'stores', profile360.landing_files_to_parse('stores')
    ) }}
    where {{ profile360.admitted_landing_file('filename') }}

),

cleaned as (

    select {{ profile360.landing_columns(columns) }}
    from source

),

checked as (

    select
        *,
        {{ profile360.quarantine_checks(
            key=['store_id'],
            optional_timestamps=['opened_at']
        ) }}
    from cleaned

),

typed as (

    select
        ---------- ids
        store_id,
        ---------- strings
        store_name,
        city,
        province,
        region,
        ---------- timestamps
        {{ profile360.parse_timestamp_utc('opened_at') }} as opened_at,
        ---------- lineage and quarantine
        _source_file,
        _raw_record,
        _quarantine_reason_code,
        _quarantine_reason,
        _invalid_optional_fields
    from checked

),

final as (

    select
        *,
        {{ profile360.load_timestamp() }} as _loaded_at
    from typed

)

select * from final
