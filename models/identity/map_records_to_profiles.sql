-- One row per staged record carrying at least one valid identifier: the
-- profile it is stitched into.
-- Incremental (macros/identity/incremental.sql, identity_restitched): a
-- build rewrites only the records whose component stitching rewrote since
-- its previous build, and deletes the records that left the graph (erased,
-- or no longer carrying a valid identifier).
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.replace_scope_strategy(),
    on_schema_change='fail',
    replace_scope={'from': 'work', 'keys': [['(source, record_key)', 'source, record_key']]},
) }}
-- depends_on: {{ ref('int_identifier_occurrences') }} {{ ref('int_identity_links') }}
{%- set scoped = profile360.identity_restitched_scope(
    'records', '(source, record_key)', 'source, record_key', 'select source, record_key from ' ~ this) %}

with

int_identity_components as (

    select * from {{ ref('int_identity_components') }}
    where node_type = 'record' and {{ scoped }}

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
        int_identity_profile_anchors.profile_id,
        {{ profile360.load_timestamp() }} as _loaded_at
    from int_identity_components
    inner join int_identity_profile_anchors
        on int_identity_components.component_id = int_identity_profile_anchors.component_id

)

select * from final
