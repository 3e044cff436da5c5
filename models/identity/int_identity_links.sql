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
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=[
        "{{ profile360.identity_delete_scope('(source, record_key)', 'source, record_key') }}",
        "{{ profile360.identity_delete_scope('identifier_id', 'identifier_id') }}",
    ],
    post_hook="{{ profile360.identity_drop_table(profile360.identity_work_relation('scope')) }}",
) }}
{%- set scoped = {'filter': '1 = 1'} %}
{%- if profile360.staging_is_incremental() %}
    {%- set logged = profile360.identity_logged_changes() %}
    {#- One work table for both keys: records (identifier_id NULL) and
        identifiers (source and record_key NULL). -#}
    {%- set scope = profile360.identity_work_relation('scope') %}
    {%- if profile360.identity_write_scope(
        none if logged is none else
        'select distinct source, record_key, cast(null as ' ~ dbt.type_string() ~ ') as identifier_id from ('
        ~ logged ~ ') as logged union select distinct null, null, identifier_id from (' ~ logged
        ~ ') as logged where identifier_id is not null',
        'select source, record_key, identifier_id from ' ~ this) %}
        {%- do scoped.update({'filter': '((source, record_key) in (select scope.source, scope.record_key from '
            ~ scope ~ ' as scope) or identifier_id in (select scope.identifier_id from ' ~ scope ~ ' as scope))'}) %}
    {%- endif %}
{%- endif %}

with

int_identifier_occurrences as (

    select * from {{ ref('int_identifier_occurrences') }}

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
    from int_identifier_occurrences
    where is_valid and {{ scoped.filter }}
    group by source, record_key, identifier_id, identifier_type, identifier_value

),

{%- set ranks = var('profile360__identity_identifier_ranks') %}

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
        case record_identifiers.identifier_type
            {%- for identifier_type in ranks %}
                when '{{ identifier_type }}' then {{ loop.index }}
            {%- endfor %}
        end as identifier_rank,
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
