-- The number dictionary of the identifier graph: one row per identifier
-- that links records (int_identity_links.is_link), with a stable integer.
-- Stitching runs on these numbers, not on text ids. A number is given once,
-- when the identifier first links, and kept while it links: a build numbers
-- only the new identifiers (after the largest number given), so no build
-- sorts every identifier. The pre-hook forgets the identifiers that stopped
-- linking (erased, flagged, gone). Numbers are internal: component and
-- profile ids are named after text ids, so an incremental build and a full
-- refresh agree even where their numbers differ.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ profile360.identity_forget_unlinked_numbers() }}",
) }}
{%- set numbered = this if is_incremental() else
    '(select cast(null as ' ~ dbt.type_string() ~ ') as identifier_id, cast(null as '
    ~ dbt.type_bigint() ~ ') as identifier_number where false)' %}

with

int_identity_links as (

    select * from {{ ref('int_identity_links') }}
    where is_link

),

linking_identifiers as (

    select
        identifier_id,
        min(identifier_type) as identifier_type
    from int_identity_links
    group by identifier_id

),

numbered as (

    select
        numbered.identifier_id,
        numbered.identifier_number
    from {{ numbered }} as numbered

),

last_number as (

    select coalesce(max(identifier_number), 0) as identifier_number
    from numbered

),

new_identifiers as (

    select
        linking_identifiers.identifier_id,
        linking_identifiers.identifier_type
    from linking_identifiers
    left join numbered
        on linking_identifiers.identifier_id = numbered.identifier_id
    where numbered.identifier_id is null

),

final as (

    select
        new_identifiers.identifier_id,
        new_identifiers.identifier_type,
        cast(
            last_number.identifier_number
            + row_number() over (order by new_identifiers.identifier_id)
            as {{ dbt.type_bigint() }}
        ) as identifier_number,
        {{ profile360.load_timestamp() }} as _loaded_at
    from new_identifiers
    cross join last_number

)

select * from final
