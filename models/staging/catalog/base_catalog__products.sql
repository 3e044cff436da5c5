{{ config(
    materialized='incremental',
    unique_key='_source_file',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'blocked_drops', 'keys': [['_source_file', 'source_file']]},
    partition_by=profile360.drop_partition(),
    on_schema_change='fail',
) }}

-- One row per row of every products drop: cleaned and checked, good and
-- broken alike (see stg_catalog__products and stg_landing__quarantined_rows).
{%- set columns = ['product_id', 'product_name', 'category', 'brand', 'list_price'] %}

with source as (

    select * from {{ profile360.landing_reader(
        'catalog', 'products', profile360.landing_files_to_parse('products')
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
            key=['product_id'],
            numbers=['list_price']
        ) }}
    from cleaned

),

typed as (

    select
        ---------- ids
        product_id,
        ---------- strings
        product_name,
        category,
        brand,
        ---------- numerics
        {{ profile360.try_cast('list_price', dbt.type_numeric()) }} as list_price,
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
