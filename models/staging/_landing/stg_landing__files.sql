-- One row per file ever seen under the landing root: its source folder, drop
-- date, size, content hash, and whether the build reads it (status admitted)
-- or not (rejected, with the reason: macros/staging/landing.sql). The staging
-- readers apply the same rule to the file name (admitted_landing_file), so a
-- misnamed or future-dated file stops no source and moves no clock; this
-- model says which files those were. The status is re-evaluated every build
-- (a drop dated after one run date is admitted once that day has come).
-- Contents are read (hashed, counted, checked: stg_landing__file_checks)
-- only for files new or changed in size or time since the previous build. A
-- file that cannot be read as the contract says is rejected with the reason.
-- The staging readers open only the files admitted here (landing_reader).
-- content_admitted_at is when the file's current contents were first
-- admitted: an incremental staging model reads the files admitted since its
-- previous load, so a drop re-sent under the same name with new contents is
-- read again and its rows replace the ones it gave before
-- (changed_after_admission flags it).
-- A drop that failed a blocking quality check is `blocked` while the gate's
-- verdict names its current content and no `profile360 accept-drop` does
-- (decisions: <landing>/_control/*.jsonl; macros/staging/blocked_drops.sql);
-- the readers open only admitted files, so a blocked drop is not read, and
-- once accepted or replaced its contents count as newly admitted.
{{ config(
    materialized='incremental',
    unique_key='source_file',
    incremental_strategy=profile360.staging_incremental_strategy(),
    on_schema_change='fail',
    post_hook="{{ profile360.log_rejected_landing_files(this) }}",
) }}

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

    select * from decisions
    where control_file = 'drop_verdicts.jsonl'

),

drop_acceptances as (

    select * from decisions
    where control_file = 'drop_acceptances.jsonl'

),

checked as (

    select * from {{ ref('stg_landing__file_checks') }}

),

described as (

    select
        {{ profile360.landing_file('listed.filename') }} as source_file,
        regexp_extract(listed.filename, '([^/\\\\]+)[/\\\\][^/\\\\]+$', 1) as source,
        regexp_extract(listed.filename, '[^/\\\\]+$', 0) as file_name,
        {{ profile360.landing_drop_date('listed.filename') }} as drop_date,
        listed.size as size_bytes,
        cast(listed.last_modified as {{ dbt.type_timestamp() }}) as modified_at,
        checked.content_hash,
        checked.row_count,
        checked.unreadable_reason
    from listed
    left join checked on {{ profile360.landing_file('listed.filename') }} = checked.source_file

),

judged as (

    select
        *,
        {{ profile360.landing_rejection_reason(
            'source', 'file_name', 'drop_date', 'unreadable_reason', 'content_hash'
        ) }} as reason
    from described
    -- Folders named with a leading underscore are not sources: the demo's
    -- ground truth (_truth/) lives there (docs/data-contract.md).
    where substr(source, 1, 1) <> '_'

),

-- The verdicts of the previous build (none on a full build).
stored as (

    {%- if profile360.staging_is_incremental() %}
        select
            source_file,
            content_hash,
            admitted_content_hash,
            status,
            first_seen_at,
            content_admitted_at
        from {{ this }}
    {%- else %}
        select
            cast(null as {{ dbt.type_string() }}) as source_file,
            cast(null as {{ dbt.type_string() }}) as content_hash,
            cast(null as {{ dbt.type_string() }}) as admitted_content_hash,
            cast(null as {{ dbt.type_string() }}) as status,
            cast(null as {{ dbt.type_timestamp() }}) as first_seen_at,
            cast(null as {{ dbt.type_timestamp() }}) as content_admitted_at
        where 1 = 0
    {%- endif %}

),

decided as (

    select
        *,
        {{ profile360.landing_file_status('reason', profile360.landing_drop_blocked(
            'judged.source_file', 'judged.content_hash'
        )) }} as status
    from judged

),

final as (

    select
        decided.source_file,
        decided.source,
        decided.file_name,
        decided.drop_date,
        decided.size_bytes,
        decided.modified_at,
        decided.content_hash,
        coalesce(
            stored.admitted_content_hash,
            case when decided.status = 'admitted' then decided.content_hash end
        ) as admitted_content_hash,
        decided.status,
        decided.reason,
        decided.row_count,
        coalesce(stored.first_seen_at, {{ profile360.load_timestamp() }}) as first_seen_at,
        -- When the current contents were first admitted: kept while they do
        -- not change and stay admitted, this build's time when they are new,
        -- changed, or let in (accepted or no longer blocked).
        coalesce(
            case
                when stored.content_hash = decided.content_hash and stored.status = 'admitted'
                    then stored.content_admitted_at
            end,
            case when decided.status = 'admitted' then {{ profile360.load_timestamp() }} end
        ) as content_admitted_at,
        {{ profile360.load_timestamp() }} as _loaded_at
    from decided
    left join stored on decided.source_file = stored.source_file

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
