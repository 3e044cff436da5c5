{{ config(
    materialized='incremental',
    unique_key='_source_file',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'blocked_drops', 'keys': [['_source_file', 'source_file']]},
    partition_by=profile360.drop_partition(),
    on_schema_change='fail',
) }}

-- One row per row of every pos_transaction_items drop: cleaned and checked,
-- good and broken alike (see stg_pos__transaction_items and
-- stg_landing__quarantined_rows).
{%- set columns = ['transaction_id', 'line_number', 'product_id', 'quantity', 'unit_price'] %}

with source as (

    select * from {{ profile360.landing_reader(
        'pos', 'pos_transaction_items', profile360.landing_files_to_parse('pos_transaction_items')
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
            key=['transaction_id', 'line_number'],
            numbers=['line_number', 'quantity', 'unit_price'],
            non_negative=['quantity']
        ) }}
    from cleaned

),

typed as (

    select
        ---------- ids
        transaction_id,
        product_id,
        ---------- numerics
        {{ profile360.try_cast('line_number', dbt.type_int()) }} as line_number,
        {{ profile360.try_cast('quantity', dbt.type_int()) }} as quantity,
        {{ profile360.try_cast('unit_price', dbt.type_numeric()) }} as unit_price,
        ---------- lineage and quarantine
        _source_file,
        _raw_record,
        _quarantine_reason_code,
        _quarantine_reason,
        _invalid_optional_fields
    from checked

),

keyed as (

    -- Transaction lines have no id of their own: a surrogate key of the
    -- typed transaction_id and line_number ('1' and '01' are the same line).
    select
        {{ profile360.surrogate_key(['transaction_id', 'line_number']) }} as transaction_item_id,
        typed.*
    from typed

),

final as (

    select
        *,
        {{ profile360.load_timestamp() }} as _loaded_at
    from keyed

)

select * from final
