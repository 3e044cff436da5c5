-- One row per distinct landing row that could not be staged (per file and raw
-- text), with the reason; identical broken rows in one file are counted in
-- `occurrences`, never dropped. Every base_* model's rejected rows end here.
-- Except rows of erased persons (docs/privacy.md): base_* models drop those
-- whose identifier columns are erased; a row too broken to parse (a JSON line
-- cut in half) is dropped here when any token of its raw text (every quoted
-- value, and every word) normalises, as any identifier type, to an
-- identifier of the erasure log. Only rejected rows are tokenised: no
-- landing file is read again.
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
{#- Tokens of a rejected row: every quoted value, and every word. -#}
{%- set quoted_value = '"[^"]*"?' %}
{%- set word = '[^"\\s,;{}<>()\\[\\]]+' %}

with

rejected as (

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

stg_landing__erasure_log as (

    select * from {{ ref('stg_landing__erasure_log') }}

),

-- Every quoted value and every word of each rejected row: candidate
-- identifiers, however the row is broken.
tokens as (

    select
        rejected.raw_record,
        trim(both '"' from quoted.token) as token
    from (select distinct raw_record from rejected) as rejected
    {{ profile360.regex_tokens_join('rejected.raw_record', quoted_value, 'quoted', 'token') }}

    union

    select
        rejected.raw_record,
        word.token
    from (select distinct raw_record from rejected) as rejected
    {{ profile360.regex_tokens_join('rejected.raw_record', word, 'word', 'token') }}

),

-- Each token hashed as every identifier type (the erasure log's form).
token_hashes as (

    {%- for identifier_type in ['email', 'phone', 'customer_id', 'loyalty_id', 'anonymous_id', 'device_id', 'zalo_user_id'] %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select
            raw_record,
            {{ profile360.identifier_hash_as(identifier_type, 'token') }} as identifier_hash
        from tokens
    {%- endfor %}

),

erased_records as (

    select distinct token_hashes.raw_record
    from token_hashes
    inner join stg_landing__erasure_log
        on token_hashes.identifier_hash = stg_landing__erasure_log.identifier_hash

),

counted as (

    select
        rejected.source,
        rejected.source_file,
        rejected.record_key,
        rejected.reason_code,
        rejected.reason,
        rejected.raw_record,
        count(*) as occurrences
    from rejected
    left join erased_records
        on rejected.raw_record = erased_records.raw_record
    where erased_records.raw_record is null
    group by
        rejected.source,
        rejected.source_file,
        rejected.record_key,
        rejected.reason_code,
        rejected.reason,
        rejected.raw_record

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
