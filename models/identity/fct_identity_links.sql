-- The link audit: one row per (record, identifier) link of the identity
-- graph, used or rejected, with its reason and the profile of its record.
-- Used links say how many other records share the identifier; rejected ones
-- say why (flagged, or dropped to keep a per-profile limit; see
-- int_identity_links_rejected). Why two records are one profile is a path
-- of used links between them: `profile360 explain` walks it
-- (orchestration/lib/identity_audit.py).

with

int_identity_links as (

    select * from {{ ref('int_identity_links') }}

),

int_identity_links_rejected as (

    select * from {{ ref('int_identity_links_rejected') }}

),

map_records_to_profiles as (

    select * from {{ ref('map_records_to_profiles') }}

),

used_links as (

    select
        int_identity_links.*,
        count(*) over (partition by int_identity_links.identifier_id) - 1 as other_records
    from int_identity_links
    left join int_identity_links_rejected
        on int_identity_links.link_id = int_identity_links_rejected.link_id
    where int_identity_links_rejected.link_id is null

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
        int_identity_links.link_id,
        int_identity_links.source,
        int_identity_links.record_key,
        int_identity_links.identifier_id,
        int_identity_links.identifier_type,
        int_identity_links.identifier_value,
        int_identity_links.first_seen_at,
        int_identity_links.last_seen_at,
        'rejected' as link_status,
        int_identity_links_rejected.reject_reason as link_reason
    from int_identity_links
    inner join int_identity_links_rejected
        on int_identity_links.link_id = int_identity_links_rejected.link_id

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
        links.link_reason
    from links
    inner join map_records_to_profiles
        on
            links.source = map_records_to_profiles.source
            and links.record_key = map_records_to_profiles.record_key

)

select * from final
