-- One row per support ticket (ticket_id), its latest copy: a ticket is sent
-- again when it changes and carries no updated_at, so the latest file wins.

with base as (

    select * from {{ ref('base_support__tickets') }}
    where _quarantine_reason_code is null

),

deduplicated as (

    {{ profile360.deduplicate('base', 'ticket_id', '_source_file desc, _raw_record') }}

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
        ---------- lineage
        _source_file,
        {{ profile360.load_timestamp() }} as _loaded_at
    from deduplicated

)

select * from final
