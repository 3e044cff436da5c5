-- One row per identifier column filled on a staged record (see
-- identifier_sources() in macros/identity for the sources and columns), raw
-- as staged. A view: int_identifier_occurrences reads it once and normalises.
{{ config(materialized='view') }}

with unpivoted as (

    {{ profile360.unpivot_identifiers('record') }}

),

final as (

    select
        {{ profile360.surrogate_key(['source', 'record_key', 'identifier_type', 'raw_value']) }}
            as occurrence_id,
        source,
        record_key,
        identifier_type,
        raw_value,
        seen_at,
        _source_file
    from unpivoted

)

select * from final
