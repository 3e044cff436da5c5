-- The profiles layer's commit point: the fingerprints of the inputs every
-- profiles table was computed from at the latest complete build of the layer
-- (int_profile_fingerprints, plus the survivorship rules), and when that
-- build started. Built last (after dim_profiles): a build that fails midway
-- leaves the previous state, so the next build recomputes everything changed
-- since the last complete one. int_profiles_to_refresh reads it at the next
-- build as the previous state (by name, not ref: it is downstream). Build it
-- only together with the layer (`dbt build -s profiles`, or more).
-- depends_on: {{ ref('dim_profiles') }}

with

int_profile_fingerprints as (

    select * from {{ ref('int_profile_fingerprints') }}

),

survivorship_rules as (

    select * from {{ ref('survivorship_rules') }}

),

rules as (

    select
        'rules:survivorship_rules' as fingerprint_id,
        'rules' as fingerprint_kind,
        'survivorship_rules' as fingerprint_key,
        fingerprint
    from (
        {{ profile360.survivorship_rules_fingerprint('survivorship_rules') }}
    ) as rules_fingerprint

),

unioned as (

    select
        fingerprint_id,
        fingerprint_kind,
        fingerprint_key,
        fingerprint
    from int_profile_fingerprints
    union all
    select * from rules

),

final as (

    select
        *,
        {{ profile360.load_timestamp() }} as built_at
    from unioned

)

select * from final
