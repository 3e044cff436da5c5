-- One row per (record, identifier) pair: a staged record (source,
-- record_key) carrying a valid identifier. These are the edges of the
-- identity graph; a flagged identifier's rows stay, with is_link false and
-- the flag's reason, so nothing is dropped silently.
-- Incremental (macros/identity/incremental.sql): a build recomputes the links
-- of the records in the change log since its previous build and every link
-- of the identifiers logged there (their flag may have changed), deleting
-- their stored rows first.
-- depends_on: {{ ref('int_identifier_occurrences') }}
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.replace_scope_strategy(),
    on_schema_change='fail',
    replace_scope={'from': 'work', 'keys': [['(source, record_key)', 'source, record_key'], ['identifier_id', 'identifier_id']]},
) }}
{%- set scoped = {'on': false} %}
{%- if profile360.staging_is_incremental() %}
    {%- set logged = profile360.identity_logged_changes() %}
    {#- One work table for both keys: records (identifier_id NULL) and
        identifiers (source and record_key NULL). -#}
    {%- do scoped.update({'on': profile360.identity_write_scope(
        none if logged is none else
        'select distinct source, record_key, cast(null as ' ~ dbt.type_string() ~ ') as identifier_id from ('
        ~ logged ~ ') as logged union select distinct null, null, identifier_id from (' ~ logged
        ~ ') as logged where identifier_id is not null',
        'select source, record_key, identifier_id from ' ~ this) }) %}
{%- endif %}
{#- Occurrences of the records in scope or of the identifiers in scope, by
    two left joins (an OR of two IN subqueries plans as a nested loop). -#}
{%- set scope_records -%}
    {%- if scoped.on -%}
        (select distinct source, record_key from {{ profile360.identity_work_relation('scope') }}
        where record_key is not null)
    {%- else -%}
        (select source, record_key from {{ ref('int_identifier_occurrences') }} where false)
    {%- endif -%}
{%- endset %}
{%- set scope_identifiers -%}
    {%- if scoped.on -%}
        (select distinct identifier_id from {{ profile360.identity_work_relation('scope') }}
        where identifier_id is not null)
    {%- else -%}
        (select identifier_id from {{ ref('int_identifier_occurrences') }} where false)
    {%- endif -%}
{%- endset %}

with

int_identifier_occurrences as (

    select * from {{ ref('int_identifier_occurrences') }}

),

scope_records as (

    select * from {{ scope_records }} as scope_records

),

scope_identifiers as (

    select * from {{ scope_identifiers }} as scope_identifiers

),

-- Every valid occurrence on a full build (the scope relations are empty
-- then); on an incremental one those of the records and identifiers in scope.
valid_occurrences as (

    select int_identifier_occurrences.*
    from int_identifier_occurrences
    left join scope_records
        on
            int_identifier_occurrences.source = scope_records.source
            and int_identifier_occurrences.record_key = scope_records.record_key
    left join scope_identifiers
        on int_identifier_occurrences.identifier_id = scope_identifiers.identifier_id
    where
        int_identifier_occurrences.is_valid
        and (
            {{ 'false' if scoped.on else 'true' }}
            or scope_records.record_key is not null
            or scope_identifiers.identifier_id is not null
        )

),

int_identifiers_flagged as (

    select * from {{ ref('int_identifiers_flagged') }}

),

record_identifiers as (

    select
        source,
        record_key,
        identifier_id,
        identifier_type,
        identifier_value,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from valid_occurrences
    group by source, record_key, identifier_id, identifier_type, identifier_value

),

final as (

    select
        {{ profile360.surrogate_key(['record_identifiers.source', 'record_identifiers.record_key',
            'record_identifiers.identifier_id']) }} as link_id,
        record_identifiers.source,
        record_identifiers.record_key,
        'r|' || record_identifiers.source || '|' || record_identifiers.record_key as record_node_id,
        record_identifiers.identifier_id,
        'i|' || record_identifiers.identifier_id as identifier_node_id,
        record_identifiers.identifier_type,
        record_identifiers.identifier_value,
        {{ profile360.identity_identifier_rank('record_identifiers.identifier_type') }}
            as identifier_rank,
        record_identifiers.first_seen_at,
        record_identifiers.last_seen_at,
        coalesce(int_identifiers_flagged.is_flagged, false) as is_flagged,
        int_identifiers_flagged.flag_reason,
        not coalesce(int_identifiers_flagged.is_flagged, false) as is_link,
        {{ profile360.load_timestamp() }} as _loaded_at
    from record_identifiers
    left join int_identifiers_flagged
        on record_identifiers.identifier_id = int_identifiers_flagged.identifier_id

)

select * from final
