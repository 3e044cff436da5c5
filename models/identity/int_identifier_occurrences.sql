-- One row per identifier value seen on a staged record: (source, record_key,
-- identifier_type, raw_value), normalised by the identity macros. Invalid
-- values are kept with identifier_value NULL and the reason, never dropped.
-- The sources and columns read are declared once, in identifier_sources()
-- (macros/identity/identifier_sources.sql).

with int_event_identifiers_unpivoted as (

    select * from {{ ref('int_event_identifiers_unpivoted') }}

),

int_record_identifiers_unpivoted as (

    select * from {{ ref('int_record_identifiers_unpivoted') }}

),

unpivoted as (

    select * from int_event_identifiers_unpivoted
    union all
    select * from int_record_identifiers_unpivoted

),

normalized as (

    select
        occurrence_id,
        source,
        record_key,
        identifier_type,
        raw_value,
        {{ profile360.normalize_identifier_by_type('identifier_type', 'raw_value') }}
            as identifier_value,
        seen_at
    from unpivoted

),

final as (

    select
        occurrence_id,
        source,
        record_key,
        identifier_type,
        raw_value,
        identifier_value,
        case
            when identifier_value is not null
                then {{ profile360.surrogate_key(['identifier_type', 'identifier_value']) }}
        end as identifier_id,
        seen_at,
        identifier_value is not null as is_valid,
        case
            when identifier_value is null
                then {{ profile360.invalid_identifier_reason_by_type(
                    'identifier_type', 'raw_value'
                ) }}
        end as invalid_reason
    from normalized

)

select * from final
