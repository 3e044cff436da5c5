-- The BI copy of identity.fct_identity_links in marts_masked, under the same
-- name: one row per (record, identifier) link of the identity graph, used or
-- rejected, with personal data masked (macros/masking/). Every key that is,
-- or hashes without a key, an identifier is masked by mask_record_key (record
-- keys, link and identifier ids); identifier_key names the identifier
-- (mask_record_key of its type and value: one node per identifier, joinable,
-- not readable) and identifier_value shows it (e-mails and phones masked like
-- dim_profiles_masked, other ids as their key). A conflict reason names the
-- identifiers it would have joined, so it is replaced by its kind; the other
-- reasons name no value and pass unchanged. Read by `profile360 explain`
-- (orchestration/lib/identity_audit.py) and the Profile 360 app's graph, from
-- the serving warehouse. Sorted by profile, so a profile's links sit together
-- (the app reads one profile at a time).
{{ config(alias='fct_identity_links') }}

with

fct_identity_links as (

    select * from {{ ref('fct_identity_links') }}

),

final as (

    select
        {{ profile360.mask_record_key("'link'", 'link_id') }} as link_id,
        profile_id,
        source,
        {{ profile360.mask_record_key('source', 'record_key') }} as record_key,
        {{ profile360.mask_record_key("'identifier'", 'identifier_id') }} as identifier_id,
        identifier_type,
        {{ profile360.mask_record_key('identifier_type', 'identifier_value') }} as identifier_key,
        case identifier_type
            when 'email' then {{ profile360.mask_email('identifier_value') }}
            when 'phone' then {{ profile360.mask_phone('identifier_value') }}
            else {{ profile360.mask_record_key('identifier_type', 'identifier_value') }}
        end as identifier_value,
        first_seen_at,
        last_seen_at,
        link_status,
        case
            when link_reason like 'conflict:%'
                then
                    'conflict: would join more ' || identifier_type
                    || ' values than the per-profile limit allows (values masked)'
            else link_reason
        end as link_reason
    from fct_identity_links

)

select * from final
order by profile_id, source, record_key
