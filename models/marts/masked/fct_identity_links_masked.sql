-- One row per (record, identifier) link of the identity graph, used or
-- rejected: identity.fct_identity_links for the Profile 360 app's graph
-- picture (and `profile360 explain`), with personal data masked
-- (macros/masking/): record keys, link and identifier ids by
-- mask_record_key; identifier values by mask_email and mask_phone, other ids
-- as `<type>:<16 hex>` of mask_record_key. Same columns as the masked link
-- audit of the safe-publishing branch (issue 14). A conflict reason names
-- the identifiers it would have joined, so it is replaced by its kind; the
-- other reasons name no value and pass unchanged. Sorted by profile, so a
-- profile's links sit together in the file (the app reads one profile).
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
