-- One row per valid identifier (identifier_type, identifier_value): the
-- profile it links records into, NULL when it links none (flagged, or its
-- links were dropped to keep two customer ids apart).

with

int_identifiers_flagged as (

    select * from {{ ref('int_identifiers_flagged') }}

),

int_identity_components as (

    select * from {{ ref('int_identity_components') }}

),

int_identity_profile_anchors as (

    select * from {{ ref('int_identity_profile_anchors') }}

),

identifier_profiles as (

    select
        int_identity_components.identifier_id,
        int_identity_profile_anchors.profile_id
    from int_identity_components
    inner join int_identity_profile_anchors
        on int_identity_components.component_id = int_identity_profile_anchors.component_id
    where int_identity_components.node_type = 'identifier'

),

final as (

    select
        int_identifiers_flagged.identifier_id,
        int_identifiers_flagged.identifier_type,
        int_identifiers_flagged.identifier_value,
        identifier_profiles.profile_id,
        int_identifiers_flagged.first_seen_at,
        int_identifiers_flagged.last_seen_at,
        int_identifiers_flagged.is_flagged,
        int_identifiers_flagged.flag_reason
    from int_identifiers_flagged
    left join identifier_profiles
        on int_identifiers_flagged.identifier_id = identifier_profiles.identifier_id

)

select * from final
