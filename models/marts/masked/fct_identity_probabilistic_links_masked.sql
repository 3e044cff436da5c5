-- The BI copy of identity.fct_identity_probabilistic_links in marts_masked,
-- under the same name: one row per probabilistic link, record keys masked by
-- mask_record_key (as in fct_identity_links_masked, so the two join); the
-- weights, comparison levels (labels of the model, no value) and profile ids
-- pass unchanged. Read by `profile360 explain` from the serving warehouse.
{{ config(alias='fct_identity_probabilistic_links') }}
{%- set fields = ['name_key', 'birth_date', 'address_key', 'province_key', 'email', 'phone'] %}

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
        {%- for field in fields %}
        {{ field }}_level,
        {{ field }}_weight,
        {%- endfor %}
        profile_id_l,
        profile_id_r,
        link_status,
        link_reason
    from fct_identity_probabilistic_links

)

select * from final
