-- The audit of the probabilistic links (docs/identity.md, "Probabilistic
-- links"): one row per pair of records the Splink model scored at or above
-- the threshold (int_identity_probabilistic_pairs), with its match weight,
-- each field's comparison level and weight, both records' profiles and
-- whether the link was used: `used` when both records are in one profile,
-- `rejected` when the group it would have made broke a per-type limit and was
-- split (probabilistic links are in no split level, so they go first), or a
-- record has no node. Read by `profile360 explain` through its masked copy.
-- Enabled on every target: empty when the probabilistic links are off (var
-- profile360__identity_probabilistic false, or the spark target).

with

pairs as (

    select * from {{ profile360.identity_probabilistic_pairs() }}

),

map_records_to_profiles as (

    select
        source || ':' || record_key as record_id,
        profile_id
    from {{ ref('map_records_to_profiles') }}

),

final as (

    select
        pairs.pair_id,
        pairs.source_l,
        pairs.record_key_l,
        pairs.source_r,
        pairs.record_key_r,
        pairs.match_weight,
        pairs.match_probability,
        pairs.name_key_level,
        pairs.name_key_weight,
        pairs.birth_date_level,
        pairs.birth_date_weight,
        pairs.address_key_level,
        pairs.address_key_weight,
        pairs.province_key_level,
        pairs.province_key_weight,
        pairs.email_level,
        pairs.email_weight,
        pairs.phone_level,
        pairs.phone_weight,
        profiles_l.profile_id as profile_id_l,
        profiles_r.profile_id as profile_id_r,
        case
            when profiles_l.profile_id = profiles_r.profile_id then 'used'
            else 'rejected'
        end as link_status,
        case
            when profiles_l.profile_id = profiles_r.profile_id
                then
                    'used: match weight '
                    || cast(round(pairs.match_weight, 2) as {{ dbt.type_string() }})
            when profiles_l.profile_id is null or profiles_r.profile_id is null
                then 'rejected: a record has no node of the identity graph'
            else
                'rejected: split, the group broke a per-profile limit'
                || ' (probabilistic links go first)'
        end as link_reason
    from pairs
    left join map_records_to_profiles as profiles_l
        on pairs.record_id_l = profiles_l.record_id
    left join map_records_to_profiles as profiles_r
        on pairs.record_id_r = profiles_r.record_id

)

select * from final
