-- The BI copy of identity.fct_identity_links in marts_masked, under the same name: the link
-- audit with every key that is, or hashes without a key, an identifier masked by
-- mask_record_key (record keys, link and identifier ids) and identifier values masked like
-- dim_profiles_masked (e-mails and phones) or by the same keyed hash (every other type:
-- customer, loyalty, Zalo ids, cookies, devices). `profile360 explain` reads it from the
-- serving warehouse (orchestration/lib/identity_audit.py).
{{ config(alias='fct_identity_links', materialized='view') }}

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
        link_reason
    from fct_identity_links

)

select * from final
