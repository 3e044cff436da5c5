-- One row per profile: dim_profiles for BI, with personal data masked (rules
-- in macros/masking/masking.sql, one place): the name reduced to initials,
-- the birth date to a year, the best e-mail and phone masked; the lists of
-- e-mails, phones, customer, loyalty and Zalo ids and the name without
-- diacritics are left out (their counts stay). Only the columns named here
-- reach the masked schema. Built as marts_masked.dim_profiles (same name as
-- the unmasked table, so BI queries switch schema only).
{{ config(alias='dim_profiles') }}

with

dim_profiles as (

    select * from {{ ref('dim_profiles') }}

),

final as (

    select
        profile_id,
        {{ profile360.name_initials('full_name') }} as full_name_initials,
        full_name_source,
        full_name_updated_at,
        gender,
        gender_source,
        gender_updated_at,
        {{ profile360.year_only('birth_date') }} as birth_year,
        birth_date_source,
        birth_date_updated_at,
        age_years,
        occupation,
        occupation_source,
        occupation_updated_at,
        city,
        city_source,
        city_updated_at,
        province,
        province_source,
        province_updated_at,
        {{ profile360.mask_email('email') }} as email_masked,
        email_source,
        email_updated_at,
        {{ profile360.mask_phone('phone') }} as phone_masked,
        phone_source,
        phone_updated_at,
        count_identifiers,
        count_customer_ids,
        count_loyalty_ids,
        count_emails,
        count_phones,
        count_zalo_user_ids,
        count_device_ids,
        count_anonymous_ids,
        consent_marketing_email,
        consent_marketing_email_at,
        consent_marketing_sms,
        consent_marketing_sms_at,
        consent_marketing_zalo,
        consent_marketing_zalo_at,
        consent_ads_targeting,
        consent_ads_targeting_at,
        consent_analytics,
        consent_analytics_at,
        first_seen_at,
        last_seen_at,
        count_records,
        count_sources,
        sources_seen
    from dim_profiles

)

select * from final
