{{ config(
    materialized='incremental',
    unique_key='_source_file',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'blocked_drops', 'keys': [['_source_file', 'source_file']]},
    partition_by=profile360.drop_partition(),
    on_schema_change='fail',
    post_hook=[
        "{{ profile360.delete_erased_rows(profile360.parsed_row_not_erased('loyalty_members', this)) }}",
        "{{ profile360.forget_erased_quarantined_lines() }}",
    ],
) }}

-- One row per row of every loyalty_members drop: cleaned and checked, good and
-- broken alike (see stg_loyalty__members and stg_landing__quarantined_rows).
{%- set columns = [
    'loyalty_id', 'phone', 'email', 'full_name', 'tier', 'points_balance',
    'joined_at', 'updated_at'
] %}

with source as (

    select * from {{ profile360.landing_reader(
        'loyalty', 'loyalty_members', profile360.landing_files_to_parse('loyalty_members')
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
            key=['loyalty_id'],
            timestamps=['updated_at'],
            optional_timestamps=['joined_at'],
            numbers=['points_balance'],
            enums={'tier': var('profile360__accepted_values')['loyalty_tier']}
        ) }}
    from cleaned

),

typed as (

    select
        ---------- ids
        loyalty_id,
        ---------- strings
        full_name,
        email,
        phone,
        lower(tier) as tier,
        ---------- numerics
        {{ profile360.try_cast('points_balance', dbt.type_bigint()) }} as points_balance,
        ---------- timestamps
        {{ profile360.parse_timestamp_utc('joined_at') }} as joined_at,
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
    where {{ profile360.not_erased('loyalty_members') }}

),

final as (

    select
        *,
        {{ profile360.load_timestamp() }} as _loaded_at
    from not_erased

)

select * from final
