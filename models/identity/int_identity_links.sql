-- One row per (record, identifier) pair: a staged record (source,
-- record_key) carrying a valid identifier. These are the edges of the
-- identity graph; a flagged identifier's rows stay, with is_link false and
-- the flag's reason, so nothing is dropped silently.

with

int_identifier_occurrences as (

    select * from {{ ref('int_identifier_occurrences') }}

),

int_identifiers_flagged as (

    select * from {{ ref('int_identifiers_flagged') }}

),

record_identifiers as (

    select
        source,
        record_key,
        identifier_id,
        identifier_type,
        identifier_value,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from int_identifier_occurrences
    where is_valid
    group by source, record_key, identifier_id, identifier_type, identifier_value

),

{%- set ranks = var('profile360__identity_identifier_ranks') %}

final as (

    select
        {{ profile360.surrogate_key(['record_identifiers.source', 'record_identifiers.record_key',
            'record_identifiers.identifier_id']) }} as link_id,
        record_identifiers.source,
        record_identifiers.record_key,
        'r|' || record_identifiers.source || '|' || record_identifiers.record_key as record_node_id,
        record_identifiers.identifier_id,
        'i|' || record_identifiers.identifier_id as identifier_node_id,
        record_identifiers.identifier_type,
        record_identifiers.identifier_value,
        case record_identifiers.identifier_type
            {%- for identifier_type in ranks %}
                when '{{ identifier_type }}' then {{ loop.index }}
            {%- endfor %}
        end as identifier_rank,
        record_identifiers.first_seen_at,
        record_identifiers.last_seen_at,
        coalesce(int_identifiers_flagged.is_flagged, false) as is_flagged,
        int_identifiers_flagged.flag_reason,
        not coalesce(int_identifiers_flagged.is_flagged, false) as is_link
    from record_identifiers
    left join int_identifiers_flagged
        on record_identifiers.identifier_id = int_identifiers_flagged.identifier_id

)

select * from final
