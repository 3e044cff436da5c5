-- One row per file ever seen under the landing root: its source folder, drop
-- date, size, content hash, and whether the build reads it (status admitted)
-- or not (rejected, with the reason: macros/staging/landing.sql). The staging
-- readers apply the same rule to the file name (admitted_landing_file), so a
-- misnamed or future-dated file stops no source and moves no clock; this
-- model says which files those were. The status is re-evaluated every build
-- (a drop dated after one run date is admitted once that day has come).
-- Contents are read, to hash them, only for files new or changed in size or
-- time since this model's previous build: the list of those files is a
-- constant on the file name, so DuckDB opens no other file.
-- A file whose hash changed after it was first admitted is flagged
-- (changed_after_admission); its new rows are not reprocessed yet.
-- A drop that failed a blocking quality check is `blocked` while the gate's
-- verdict names its current content and no `profile360 accept-drop` does
-- (decisions: <landing>/_control/*.jsonl; macros/staging/blocked_drops.sql).
{{ config(
    materialized='incremental',
    unique_key='source_file',
    incremental_strategy=profile360.staging_incremental_strategy(),
    on_schema_change='fail',
    post_hook="{{ profile360.log_rejected_landing_files(this) }}",
) }}

{%- set to_hash = none -%}
{%- if profile360.staging_is_incremental() -%}
    {%- set changed_query -%}
        select listed.filename
        from (select filename, size, last_modified from {{ source('landing', 'files') }}) as listed
        left join {{ this }} as stored
            on
                stored.source_file = {{ profile360.landing_file('listed.filename') }}
                and stored.size_bytes = listed.size
                and stored.modified_at = cast(listed.last_modified as {{ dbt.type_timestamp() }})
        where stored.source_file is null
    {%- endset -%}
    {%- set to_hash = run_query(changed_query).columns[0].values() | list -%}
{%- endif %}

with

listed as (

    select
        filename,
        size,
        last_modified
    from {{ source('landing', 'files') }}

),

-- The gate's verdicts and the operator's acceptances, one row per decision.
control_lines as (

    {{ profile360.landing_control_lines(source('landing', 'files')) }}

),

decisions as (

    select
        control_file,
        {{ profile360.json_text('line', 'source_file') }} as source_file,
        {{ profile360.json_text('line', 'content_hash') }} as content_hash
    from control_lines
    where trim(line) <> ''

),

drop_verdicts as (

    select * from decisions where control_file = 'drop_verdicts.jsonl'

),

drop_acceptances as (

    select * from decisions where control_file = 'drop_acceptances.jsonl'

),

hashed as (

    select
        filename,
        md5(content) as content_hash
    from {{ source('landing', 'files') }}
    {%- if to_hash is not none %}
        where filename in (
            {%- for path in to_hash %}
                '{{ path | replace("'", "''") }}'{{ "," if not loop.last }}
            {%- else %}
                null
            {%- endfor %}
        )
    {%- endif %}

),

described as (

    select
        {{ profile360.landing_file('listed.filename') }} as source_file,
        regexp_extract(listed.filename, '([^/\\\\]+)[/\\\\][^/\\\\]+$', 1) as source,
        regexp_extract(listed.filename, '[^/\\\\]+$', 0) as file_name,
        {{ profile360.landing_drop_date('listed.filename') }} as drop_date,
        listed.size as size_bytes,
        cast(listed.last_modified as {{ dbt.type_timestamp() }}) as modified_at,
        hashed.content_hash
    from listed
    left join hashed on listed.filename = hashed.filename

),

judged as (

    select
        *,
        {{ profile360.landing_rejection_reason('source', 'file_name', 'drop_date') }} as reason
    from described
    -- Folders named with a leading underscore are not sources: the demo's
    -- ground truth (_truth/) lives there (docs/data-contract.md).
    where source not like '\_%' escape '\'

),

{%- if profile360.staging_is_incremental() %}

stored as (

    select * from {{ this }}

),

{%- endif %}

final as (

    select
        judged.source_file,
        judged.source,
        judged.file_name,
        judged.drop_date,
        judged.size_bytes,
        judged.modified_at,
        {%- if profile360.staging_is_incremental() %}
            coalesce(judged.content_hash, stored.content_hash) as content_hash,
            coalesce(
                stored.admitted_content_hash,
                case when judged.reason is null then coalesce(judged.content_hash, stored.content_hash) end
            ) as admitted_content_hash,
        {%- else %}
            judged.content_hash,
            case when judged.reason is null then judged.content_hash end as admitted_content_hash,
        {%- endif %}
        {{ profile360.landing_file_status('judged.reason', profile360.landing_drop_blocked(
            'judged.source_file',
            'coalesce(judged.content_hash, stored.content_hash)'
                if profile360.staging_is_incremental() else 'judged.content_hash'
        )) }} as status,
        judged.reason,
        {%- if profile360.staging_is_incremental() %}
            coalesce(stored.first_seen_at, {{ profile360.load_timestamp() }}) as first_seen_at,
        {%- else %}
            {{ profile360.load_timestamp() }} as first_seen_at,
        {%- endif %}
        {{ profile360.load_timestamp() }} as _loaded_at
    from judged
    {%- if profile360.staging_is_incremental() %}
        left join stored on judged.source_file = stored.source_file
    {%- endif %}

),

flagged as (

    select
        *,
        coalesce(
            status = 'admitted' and content_hash <> admitted_content_hash, false
        ) as changed_after_admission
    from final

)

select * from flagged
