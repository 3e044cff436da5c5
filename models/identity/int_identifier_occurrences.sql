-- One row per identifier value seen on a staged record: (source, record_key,
-- identifier_type, raw_value), normalised by the identity macros. Invalid
-- values are kept with identifier_value NULL and the reason, never dropped.
-- The sources and columns read are declared once, in identifier_sources()
-- (macros/identity/identifier_sources.sql).
--
-- Incremental (macros/identity/incremental.sql): a build re-derives only the
-- records with a row in a landing file newer than the newest stored for their
-- source, and the records of newly erased identifiers; their stored rows are
-- deleted first (pre-hook), then what the staging layer holds for them now is
-- appended. A full refresh derives every record; both give the same rows.
-- The hooks keep the change log int_identifier_occurrences__changes (records
-- and identifiers re-derived, before and after) that the stitching reads.
-- depends_on: {{ ref('stg_landing__erasure_log') }}
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.replace_scope_strategy(),
    on_schema_change='fail',
    replace_scope={'from': 'work', 'keys': [['(source, record_key)', 'source, record_key']]},
    pre_hook=[
        "{{ profile360.identity_create_changes_log() }}",
        "{{ profile360.identity_log_changes(profile360.identity_work_relation('scope')) }}",
    ],
    post_hook="{{ profile360.identity_log_changes(none) }}",
) }}

{%- set scope = {'new_files': '1 = 1', 'others': '1 = 0'} %}
{%- if profile360.staging_is_incremental() %}
    {%- set changed = profile360.identity_work_relation('scope') %}
    {%- set watermarks = profile360.identity_occurrence_watermarks() %}
    {%- do run_query(profile360.identity_replace_table(changed,
        profile360.identity_changed_records_sql(watermarks))) %}
    {#- Records re-derived beyond their new files' rows: every version of a
        record read in all versions, and erased records (all sources). -#}
    {%- set all_versions = [] %}
    {%- for entry in profile360.identifier_sources() if entry.all_versions %}
        {%- do all_versions.append(entry.source) %}
    {%- endfor %}
    {%- set extra_sources = run_query("select distinct source from " ~ changed
        ~ " where reason = 'erased' or source in ('" ~ all_versions | join("', '") ~ "')"
    ).columns[0].values() | list %}
    {%- set new_files = profile360.identity_new_files_filter(watermarks) %}
    {%- do scope.update({'new_files': new_files}) %}
    {%- if extra_sources %}
        {%- do scope.update({'others': 'not ' ~ new_files ~ " and source in ('"
            ~ extra_sources | sort | join("', '") ~ "') and (source, record_key) in (select changed.source,"
            ~ ' changed.record_key from ' ~ changed ~ ' as changed)'}) %}
    {%- endif %}
{%- endif %}

with int_event_identifiers_unpivoted as (

    select * from {{ ref('int_event_identifiers_unpivoted') }}

),

int_record_identifiers_unpivoted as (

    select * from {{ ref('int_record_identifiers_unpivoted') }}

),

unpivoted as (

    select * from int_event_identifiers_unpivoted
    union all
    select * from int_record_identifiers_unpivoted

),

-- Rows of new files (the filter is constant per source, so only the newest
-- staged rows are scanned), then the other rows of the records re-derived
-- for another reason. A full build reads every row once.
changed_rows as (

    select * from unpivoted
    where {{ scope.new_files }}
    union all
    select * from unpivoted
    where {{ scope.others }}

),

normalized as (

    select
        occurrence_id,
        source,
        record_key,
        identifier_type,
        raw_value,
        {{ profile360.normalize_identifier_by_type('identifier_type', 'raw_value') }}
            as identifier_value,
        seen_at,
        _source_file
    from changed_rows

),

final as (

    select
        occurrence_id,
        source,
        record_key,
        identifier_type,
        raw_value,
        identifier_value,
        case
            when identifier_value is not null
                then {{ profile360.surrogate_key(['identifier_type', 'identifier_value']) }}
        end as identifier_id,
        seen_at,
        identifier_value is not null as is_valid,
        case
            when identifier_value is null
                then {{ profile360.invalid_identifier_reason_by_type(
                    'identifier_type', 'raw_value'
                ) }}
        end as invalid_reason,
        {{ profile360.erasure_hash('identifier_type', 'identifier_value') }} as identifier_hash,
        _source_file,
        {{ profile360.load_timestamp() }} as _loaded_at
    from normalized

)

select * from final
