-- The BI copy of identity.fct_identity_probabilistic_links in marts_masked,
-- under the same name: one row per probabilistic link, record keys masked by
-- mask_record_key (as in fct_identity_links_masked, so the two join); the
-- weights, comparison levels (labels of the model, no value) and profile ids
-- pass unchanged. Read by `profile360 explain` from the serving warehouse.
{{ config(alias='fct_identity_probabilistic_links') }}

with

fct_identity_probabilistic_links as (

    select * from {{ ref('fct_identity_probabilistic_links') }}

),

final as (

    select
        {{ profile360.mask_record_key("'pair'", 'pair_id') }} as pair_id,
        source_l,
        {{ profile360.mask_record_key('source_l', 'record_key_l') }} as record_key_l,
        source_r,
        {{ profile360.mask_record_key('source_r', 'record_key_r') }} as record_key_r,
        match_weight,
        match_probability,
        name_key_level,
        name_key_weight,
        birth_date_level,
        birth_date_weight,
        address_key_level,
        address_key_weight,
        province_key_level,
        province_key_weight,
        email_level,
        email_weight,
        phone_level,
        phone_weight,
        profile_id_l,
        profile_id_r,
        link_status,
        link_reason
    from fct_identity_probabilistic_links

)

select * from final
