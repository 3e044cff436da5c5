-- One row per point-of-sale transaction (transaction_id), sale or return
-- (is_return). A transaction re-sent in a later drop replaces the earlier
-- copy: the latest file wins.

with base as (

    select * from {{ ref('base_pos__transactions') }}
    where _quarantine_reason_code is null

),

deduplicated as (

    {{ profile360.deduplicate('base', 'transaction_id', '_source_file desc, _raw_record') }}

),

final as (

    select
        ---------- ids
        transaction_id,
        store_id,
        loyalty_id,
        ---------- strings
        phone,
        currency,
        payment_method,
        ---------- numerics
        total_amount,
        ---------- booleans
        is_return,
        ---------- timestamps
        transacted_at,
        ---------- lineage
        _source_file,
        {{ profile360.load_timestamp() }} as _loaded_at
    from deduplicated

)

select * from final
