-- One row per day, channel and campaign (spend_id = surrogate key of
-- spend_date, channel and campaign_id). Ad platforms restate spend: a row
-- re-sent in a later drop replaces the earlier copy, the latest file wins.

with base as (

    select * from {{ ref('base_marketing__spend') }}
    where _quarantine_reason_code is null

),

deduplicated as (

    {{ profile360.deduplicate('base', 'spend_id', '_source_file desc, _raw_record') }}

),

final as (

    select
        ---------- ids
        spend_id,
        campaign_id,
        ---------- strings
        channel,
        currency,
        ---------- numerics
        spend_amount,
        ---------- dates
        spend_date,
        ---------- lineage
        _source_file,
        {{ profile360.load_timestamp() }} as _loaded_at
    from deduplicated

)

select * from final
