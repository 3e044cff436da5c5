-- One row per point-of-sale transaction (transaction_id), sale or return
-- (is_return). A transaction re-sent in a later drop replaces the earlier
-- copy: the latest file wins.
{{ config(
    materialized='incremental',
    unique_key='transaction_id',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'blocked_drops', 'keys': [['_source_file', 'source_file']]},
    partition_by=profile360.drop_partition(),
    on_schema_change='fail',
    post_hook="{{ profile360.delete_erased_rows(profile360.not_erased('pos_transactions')) }}",
) }}

with base as (

    select * from {{ ref('base_pos__transactions') }}
    where
        _quarantine_reason_code is null
        and {{ profile360.new_landing_files() }}

),

candidates as (

    {{ profile360.with_stored_rows('base', 'transaction_id') }}

),

deduplicated as (

    {{ profile360.deduplicate('candidates', 'transaction_id', '_source_file desc, _raw_record') }}

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
        coalesce(_stored_loaded_at, {{ profile360.load_timestamp() }}) as _loaded_at
    from deduplicated

)

select * from final
