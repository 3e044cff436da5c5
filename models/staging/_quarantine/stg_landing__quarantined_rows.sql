-- One row per distinct landing row that could not be staged (per file and raw
-- text), with the reason; identical broken rows in one file are counted in
-- `occurrences`, never dropped. Every base_* model's rejected rows end here.
{%- set quarantined = [
    {'source': 'web_events', 'model': 'base_web__events', 'key': 'event_id'},
    {'source': 'crm_contacts', 'model': 'base_crm__contacts', 'key': 'contact_id'},
] %}

with rejected as (

    {%- for entry in quarantined %}

    select
        '{{ entry.source }}' as source,
        _source_file as source_file,
        {{ entry.key }} as record_key,
        _quarantine_reason_code as reason_code,
        _quarantine_reason as reason,
        _raw_record as raw_record
    from {{ ref(entry.model) }}
    where _quarantine_reason_code is not null
    {{ "union all" if not loop.last }}
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
