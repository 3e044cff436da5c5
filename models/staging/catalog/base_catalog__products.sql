{{ config(materialized="view") }}

-- One row per row of every products drop: cleaned and checked, good and
-- broken alike (see stg_catalog__products and stg_landing__quarantined_rows).
{%- set columns = ['product_id', 'product_name', 'category', 'brand', 'list_price'] %}

with source as (

    select * from {{ profile360.landing_reader('catalog', 'products') }}
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
        _quarantine_reason
    from checked

)

select * from typed
