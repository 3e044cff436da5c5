-- One row per staged record carrying at least one valid identifier: the
-- profile it is stitched into.

with

int_identity_components as (

    select * from {{ ref('int_identity_components') }}

),

int_identity_profile_anchors as (

    select * from {{ ref('int_identity_profile_anchors') }}

),

final as (

    select
        {{ profile360.surrogate_key(['int_identity_components.source',
            'int_identity_components.record_key']) }} as record_id,
        int_identity_components.source,
        int_identity_components.record_key,
        int_identity_profile_anchors.profile_id
    from int_identity_components
    inner join int_identity_profile_anchors
        on int_identity_components.component_id = int_identity_profile_anchors.component_id
    where int_identity_components.node_type = 'record'

)

select * from final
