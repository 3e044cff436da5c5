-- One row per valid identifier (identifier_type, identifier_value): the
-- profile it links records into, NULL when it links none (flagged, or its
-- links were dropped to keep two customer ids apart). The visit ids of
-- session stitching link records but name nobody: they are not listed.
-- Incremental (macros/identity/incremental.sql, identity_restitched): a
-- build rewrites only the identifiers whose flag row or component changed
-- since its previous build, and deletes the identifiers no longer seen.
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.replace_scope_strategy(),
    on_schema_change='fail',
    replace_scope={'from': 'work', 'keys': [['identifier_id', 'identifier_id']]},
) }}
-- depends_on: {{ ref('int_identifier_occurrences') }} {{ ref('int_identity_links') }}
{%- set scoped = profile360.identity_restitched_scope(
    'identifiers', 'identifier_id', 'identifier_id', 'select identifier_id from ' ~ this) %}

with

int_identifiers_flagged as (

    select * from {{ ref('int_identifiers_flagged') }}
    where {{ scoped }} and not {{ profile360.identity_is_session_type('identifier_type') }}

),

int_identity_components as (

    select * from {{ ref('int_identity_components') }}
    where node_type = 'identifier' and {{ scoped }}

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
        int_identifiers_flagged.flag_reason,
        {{ profile360.load_timestamp() }} as _loaded_at
    from int_identifiers_flagged
    left join identifier_profiles
        on int_identifiers_flagged.identifier_id = identifier_profiles.identifier_id

)

select * from final
