{{ config(
    materialized='incremental',
    unique_key='_source_file',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'blocked_drops', 'keys': [['_source_file', 'source_file']]},
    partition_by=profile360.drop_partition(),
    on_schema_change='fail',
    post_hook=[
        "{{ profile360.delete_erased_rows(profile360.parsed_row_not_erased('pos_transactions', this)) }}",
        "{{ profile360.forget_erased_quarantined_lines() }}",
    ],
) }}

-- One row per row of every pos_transactions drop: cleaned and checked, good
-- and broken alike (see stg_pos__transactions and stg_landing__quarantined_rows).
{%- set accepted = var('profile360__accepted_values') %}
{%- set columns = [
    'transaction_id', 'store_id', 'loyalty_id', 'phone', 'total_amount', 'currency',
    'payment_method', 'is_return', 'transacted_at'
] %}
{#- Spellings of true among the accepted booleans; every other accepted one is false. #}
{%- set true_values = ['true', '1', 'yes', 'y', 't'] %}
{%- set false_values = accepted['boolean'] | reject('in', true_values) | list %}
{%- set true_list = "'" ~ true_values | join("', '") ~ "'" %}
{%- set false_list = "'" ~ false_values | join("', '") ~ "'" %}

with source as (

    select * from {{ profile360.landing_reader(
        'pos', 'pos_transactions', profile360.landing_files_to_parse('pos_transactions')
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
            key=['transaction_id'],
            timestamps=['transacted_at'],
            numbers=['total_amount'],
            enums={'is_return': accepted['boolean']}
        ) }}
    from cleaned

),

typed as (

    select
        ---------- ids
        transaction_id,
        store_id,
        loyalty_id,
        ---------- strings
        phone,
        -- The contract: money is in VND unless `currency` says otherwise.
        coalesce(upper(currency), 'VND') as currency,
        lower(payment_method) as payment_method,
        ---------- numerics
        {{ profile360.try_cast('total_amount', dbt.type_numeric()) }} as total_amount,
        ---------- booleans
        case
            when lower(is_return) in ({{ true_list }}) then true
            when lower(is_return) in ({{ false_list }}) then false
        end as is_return,
        ---------- timestamps
        {{ profile360.parse_timestamp_utc('transacted_at') }} as transacted_at,
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
    where {{ profile360.not_erased('pos_transactions') }}

),

final as (

    select
        *,
        {{ profile360.load_timestamp() }} as _loaded_at
    from not_erased

)

select * from final
