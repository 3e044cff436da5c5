{{ config(
    materialized='incremental',
    unique_key='_source_file',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'blocked_drops', 'keys': [['_source_file', 'source_file']]},
    partition_by=profile360.drop_partition(),
    on_schema_change='fail',
) }}

-- One row per row of every marketing_spend drop: cleaned and checked, good
-- and broken alike (see stg_marketing__spend and stg_landing__quarantined_rows).
{%- set columns = ['spend_date', 'channel', 'campaign_id', 'spend_amount', 'currency'] %}

with source as (

    select * from {{ profile360.landing_reader(
        'marketing', 'marketing_spend', profile360.landing_files_to_parse('marketing_spend')
    ) }}
    where {{ profile360.admitted_landing_file('filename') }}

),

cleaned as (

    select {{ profile360.landing_columns(columns) }}
    from source

),

checked as (

    -- campaign_id may be empty (spend not tied to one campaign); a day and a
    -- channel are always needed.
    select
        *,
        {{ profile360.quarantine_checks(
            key=['spend_date', 'channel'],
            dates=['spend_date'],
            numbers=['spend_amount']
        ) }}
    from cleaned

),

typed as (

    select
        ---------- ids
        campaign_id,
        ---------- strings
        lower(channel) as channel,
        -- The contract: money is in VND unless `currency` says otherwise.
        coalesce(upper(currency), 'VND') as currency,
        ---------- numerics
        {{ profile360.try_cast('spend_amount', dbt.type_numeric()) }} as spend_amount,
        ---------- dates
        {{ profile360.parse_date('spend_date') }} as spend_date,
        ---------- lineage and quarantine
        _source_file,
        _raw_record,
        _quarantine_reason_code,
        _quarantine_reason,
        _invalid_optional_fields
    from checked

),

keyed as (

    -- Spend rows have no id: a surrogate key of the typed spend_date, channel
    -- and campaign_id (the grain of the export).
    select
        {{ profile360.surrogate_key(['spend_date', 'channel', 'campaign_id']) }} as spend_id,
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
