-- One row per (record, identifier) link of the identity graph, used or
-- rejected: identity.fct_identity_links for the Profile 360 app's graph
-- picture, with personal data masked (macros/masking/): the record key by
-- mask_record_key; the identifier as identifier_key (mask_record_key of its
-- type and value: one node per identifier, joinable, not readable) and
-- identifier_masked for display (e-mails and phones by mask_email and
-- mask_phone, other ids as their key). A conflict reason names the
-- identifiers it would have joined, so it is replaced by its kind; the
-- other reasons name no value and pass unchanged. Sorted by profile, so a
-- profile's links sit together in the file (the app reads one profile).
{{ config(alias='fct_identity_links') }}

with

fct_identity_links as (

    select * from {{ ref('fct_identity_links') }}

),

final as (

    select
        link_id,
        profile_id,
        source,
        {{ profile360.mask_record_key('source', 'record_key') }} as record_key_masked,
        identifier_type,
        {{ profile360.mask_record_key('identifier_type', 'identifier_value') }} as identifier_key,
        case identifier_type
            when 'email' then {{ profile360.mask_email('identifier_value') }}
            when 'phone' then {{ profile360.mask_phone('identifier_value') }}
            else {{ profile360.mask_record_key('identifier_type', 'identifier_value') }}
        end as identifier_masked,
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
order by profile_id, source, record_key_masked
