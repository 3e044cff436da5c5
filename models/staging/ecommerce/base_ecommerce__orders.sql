{{ config(
    materialized='incremental',
    unique_key='_source_file',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'blocked_drops', 'keys': [['_source_file', 'source_file']]},
    partition_by=profile360.drop_partition(),
    on_schema_change='fail',
    post_hook=[
        "{{ profile360.delete_erased_rows(profile360.parsed_row_not_erased('ecommerce_orders', this)) }}",
        "{{ profile360.forget_erased_quarantined_lines() }}",
    ],
) }}

-- One row per row of every ecommerce_orders drop: cleaned and checked, good
-- and broken alike (see stg_ecommerce__orders and stg_landing__quarantined_rows).
{%- set accepted = var('profile360__accepted_values') %}
{%- set columns = [
    'order_id', 'customer_id', 'email', 'phone', 'anonymous_id', 'device_id',
    'channel', 'status', 'total_amount', 'discount_amount', 'currency',
    'shipping_city', 'ordered_at', 'updated_at'
] %}

with source as (

    select * from {{ profile360.landing_reader(
        'ecommerce', 'ecommerce_orders', profile360.landing_files_to_parse('ecommerce_orders')
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
            key=['order_id'],
            timestamps=['ordered_at', 'updated_at'],
            numbers=['total_amount', 'discount_amount'],
            enums={
                'channel': accepted['order_channel'],
                'status': accepted['order_status']
            }
        ) }}
    from cleaned

),

typed as (

    select
        ---------- ids
        order_id,
        customer_id,
        anonymous_id,
        device_id,
        ---------- strings
        email,
        phone,
        lower(channel) as channel,
        lower(status) as status,
        -- The contract: money is in VND unless `currency` says otherwise.
        coalesce(upper(currency), 'VND') as currency,
        shipping_city,
        ---------- numerics
        {{ profile360.try_cast('total_amount', dbt.type_numeric()) }} as total_amount,
        {{ profile360.try_cast('discount_amount', dbt.type_numeric()) }} as discount_amount,
        ---------- timestamps
        {{ profile360.parse_timestamp_utc('ordered_at') }} as ordered_at,
        {{ profile360.parse_timestamp_utc('updated_at') }} as updated_at,
        ---------- lineage and quarantine
        _source_file,
        _raw_record,
        _quarantine_reason_code,
        _quarantine_reason,
        _invalid_optional_fields
    from checked

),

-- Rows of erased persons stop here, at the first model that reads them
-- (docs/privacy.md): a documented exception to "no joins in staging".
not_erased as (

    select * from typed
    where {{ profile360.not_erased('ecommerce_orders') }}

),

final as (

    select
        *,
        {{ profile360.load_timestamp() }} as _loaded_at
    from not_erased

)

select * from final
