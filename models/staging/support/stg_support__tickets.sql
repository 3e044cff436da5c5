-- One row per support ticket (ticket_id), its latest copy: a ticket is sent
-- again when it changes and carries no updated_at, so the latest file wins.
{{ config(
    materialized='incremental',
    unique_key='ticket_id',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'blocked_drops', 'keys': [['_source_file', 'source_file']]},
    partition_by=profile360.drop_partition(),
    on_schema_change='fail',
    post_hook="{{ profile360.delete_erased_rows(profile360.not_erased('support_tickets')) }}",
) }}

with base as (

    select * from {{ ref('base_support__tickets') }}
    where
        _quarantine_reason_code is null
        and {{ profile360.new_landing_files() }}

),

candidates as (

    {{ profile360.with_stored_rows('base', 'ticket_id') }}

),

deduplicated as (

    {{ profile360.deduplicate('candidates', 'ticket_id', '_source_file desc, _raw_record') }}

),

final as (

    select
        ---------- ids
        ticket_id,
        customer_id,
        ---------- strings
        email,
        phone,
        channel,
        category,
        priority,
        status,
        ---------- numerics
        csat_score,
        ---------- timestamps
        opened_at,
        resolved_at,
        ---------- data quality
        _invalid_optional_fields,
        ---------- lineage
        _source_file,
        coalesce(_stored_loaded_at, {{ profile360.load_timestamp() }}) as _loaded_at
    from deduplicated

)

select * from final
