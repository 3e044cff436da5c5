-- One row per distinct landing row that could not be staged (per file and raw
-- text), with the reason; identical broken rows in one file are counted in
-- `occurrences`, never dropped. Every base_* model's rejected rows end here.
{#- Every landing source: its base model and the expression of its own id. -#}
{%- set quarantined = [
    {'source': 'crm_contacts', 'model': 'base_crm__contacts', 'key': 'contact_id'},
    {'source': 'web_events', 'model': 'base_web__events', 'key': 'event_id'},
    {'source': 'app_events', 'model': 'base_app__events', 'key': 'event_id'},
    {'source': 'ecommerce_orders', 'model': 'base_ecommerce__orders', 'key': 'order_id'},
    {
        'source': 'ecommerce_order_items',
        'model': 'base_ecommerce__order_items',
        'key': dbt.concat(['order_id', "':'", dbt.safe_cast('line_number', dbt.type_string())]),
    },
    {'source': 'pos_transactions', 'model': 'base_pos__transactions', 'key': 'transaction_id'},
    {
        'source': 'pos_transaction_items',
        'model': 'base_pos__transaction_items',
        'key': dbt.concat(['transaction_id', "':'", dbt.safe_cast('line_number', dbt.type_string())]),
    },
    {'source': 'loyalty_members', 'model': 'base_loyalty__members', 'key': 'loyalty_id'},
    {'source': 'email_events', 'model': 'base_email__events', 'key': 'event_id'},
    {'source': 'zalo_events', 'model': 'base_zalo__events', 'key': 'event_id'},
    {'source': 'support_tickets', 'model': 'base_support__tickets', 'key': 'ticket_id'},
    {'source': 'consents', 'model': 'base_privacy__consents', 'key': 'consent_record_id'},
    {'source': 'erasure_requests', 'model': 'base_privacy__erasure_requests', 'key': 'request_id'},
    {'source': 'products', 'model': 'base_catalog__products', 'key': 'product_id'},
    {'source': 'stores', 'model': 'base_catalog__stores', 'key': 'store_id'},
    {'source': 'marketing_spend', 'model': 'base_marketing__spend', 'key': 'spend_id'},
] %}

with rejected as (

    {%- for entry in quarantined %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            '{{ entry.source }}' as source,
            _source_file as source_file,
            {{ entry.key }} as record_key,
            _quarantine_reason_code as reason_code,
            _quarantine_reason as reason,
            _raw_record as raw_record
        from {{ ref(entry.model) }}
        where _quarantine_reason_code is not null
    {%- endfor %}

),

counted as (

    select
        source,
        source_file,
        record_key,
        reason_code,
        reason,
        raw_record,
        count(*) as occurrences
    from rejected
    group by source, source_file, record_key, reason_code, reason, raw_record

),

final as (

    select
        {{ profile360.surrogate_key(['source_file', 'raw_record']) }} as quarantined_row_id,
        source,
        source_file,
        record_key,
        reason_code,
        reason,
        raw_record,
        occurrences,
        {{ profile360.load_timestamp() }} as _loaded_at
    from counted

)

select * from final
