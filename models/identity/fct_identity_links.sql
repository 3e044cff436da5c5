-- The link audit: one row per (record, identifier) link of the identity
-- graph, used or rejected, with its reason and the profile of its record.
-- Used links say how many other records share the identifier; rejected ones
-- say why (flagged, or dropped to keep a per-profile limit; see
-- int_identity_links_rejected). Why two records are one profile is a path
-- of used links between them: `profile360 explain` walks it
-- (orchestration/lib/identity_audit.py).
-- Incremental (macros/identity/incremental.sql, identity_restitched): a
-- build rewrites only the links of records whose component or links changed
-- since its previous build. The records sharing a used identifier are in
-- one component, re-stitched whole, so its count of other records is
-- complete within that scope.
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.replace_scope_strategy(),
    on_schema_change='fail',
    replace_scope={'from': 'work', 'keys': [['(source, record_key)', 'source, record_key']]},
) }}
-- depends_on: {{ ref('int_identifier_occurrences') }} {{ ref('int_identity_components') }}
{%- set scoped = profile360.identity_restitched_scope(
    'records', '(source, record_key)', 'source, record_key', 'select source, record_key from ' ~ this) %}

with

int_identity_links as (

    select * from {{ ref('int_identity_links') }}

),

int_identity_links_rejected as (

    select * from {{ ref('int_identity_links_rejected') }}

),

map_records_to_profiles as (

    select * from {{ ref('map_records_to_profiles') }}
    where {{ scoped }}

),

scoped_links as (

    select * from int_identity_links
    where {{ scoped }}

),

scoped_rejected as (

    select * from int_identity_links_rejected
    where {{ scoped }}

),

-- Records sharing a used identifier are counted over the whole graph: a
-- record can be rewritten (another of its identifiers changed flag) while
-- the others sharing this identifier are not.
identifier_shares as (

    select
        int_identity_links.identifier_id,
        count(*) - 1 as other_records
    from int_identity_links
    left join int_identity_links_rejected
        on int_identity_links.link_id = int_identity_links_rejected.link_id
    where
        int_identity_links_rejected.link_id is null
        and int_identity_links.identifier_id in (
            select scoped_links.identifier_id from scoped_links
        )
    group by int_identity_links.identifier_id

),

used_links as (

    select
        scoped_links.*,
        identifier_shares.other_records
    from scoped_links
    left join scoped_rejected
        on scoped_links.link_id = scoped_rejected.link_id
    inner join identifier_shares
        on scoped_links.identifier_id = identifier_shares.identifier_id
    where scoped_rejected.link_id is null

),

used as (

    select
        link_id,
        source,
        record_key,
        identifier_id,
        identifier_type,
        identifier_value,
        first_seen_at,
        last_seen_at,
        'used' as link_status,
        case
            when {{ profile360.identity_is_session_type('identifier_type') }}
                then
                    'used: session: same visit (' || identifier_type || ') as '
                    || cast(other_records as {{ dbt.type_string() }}) || ' other record'
                    || case when other_records = 1 then '' else 's' end
            when other_records = 0 then 'used: no other record carries this ' || identifier_type
            else
                'used: shares ' || identifier_type || ' with '
                || cast(other_records as {{ dbt.type_string() }}) || ' other record'
                || case when other_records > 1 then 's' else '' end
        end as link_reason
    from used_links

),

rejected as (

    select
        scoped_links.link_id,
        scoped_links.source,
        scoped_links.record_key,
        scoped_links.identifier_id,
        scoped_links.identifier_type,
        scoped_links.identifier_value,
        scoped_links.first_seen_at,
        scoped_links.last_seen_at,
        'rejected' as link_status,
        scoped_rejected.reject_reason as link_reason
    from scoped_links
    inner join scoped_rejected
        on scoped_links.link_id = scoped_rejected.link_id

),

links as (

    select * from used
    union all
    select * from rejected

),

final as (

    select
        links.link_id,
        map_records_to_profiles.profile_id,
        links.source,
        links.record_key,
        links.identifier_id,
        links.identifier_type,
        links.identifier_value,
        links.first_seen_at,
        links.last_seen_at,
        links.link_status,
        links.link_reason,
        {{ profile360.load_timestamp() }} as _loaded_at
    from links
    inner join map_records_to_profiles
        on
            links.source = map_records_to_profiles.source
            and links.record_key = map_records_to_profiles.record_key

)

select * from final
