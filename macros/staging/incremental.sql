{#
    Incremental staging (docs/layers.md, "Incremental staging"). A daily drop
    is parsed once: an incremental run reads only the landing files named
    after the newest file already staged, and merges their rows with the
    stored rows of the same keys, so the deduplication rule of the model
    (first copy kept, latest updated_at or latest file wins) picks the same
    row a full rebuild would.

      staging_incremental_strategy()  the dbt incremental strategy of the
                                     staging models: delete+insert on DuckDB
                                     (the merged rows replace their keys),
                                     and on Spark's Parquet tables; merge
                                     on Spark with Delta.
      new_landing_files(column, stored_column, extra_condition,
                        landing_source)
                                     a WHERE condition keeping the rows of
                                     the landing files whose contents were
                                     admitted after the previous load of
                                     {{ this }} (landing_files_to_read: new
                                     drops and drops re-sent with new
                                     contents), a constant list rendered at
                                     execute time (only landing_source's
                                     files when given). `1 = 1` on a full
                                     build.
      with_stored_rows(relation, unique_key)
                                     the candidate rows of a staging model:
                                     on a full build every row (all columns)
                                     of `relation`; on an incremental run
                                     the new rows plus the stored rows of
                                     the same keys (columns of {{ this }};
                                     _raw_record NULL), each with
                                     _stored_loaded_at (the stored row's
                                     _loaded_at, NULL for a new row),
                                     but for the stored rows of files read
                                     again (re-sent with new contents):
                                     the file's new rows replace them.
                                     Deduplicate the result as a full build
                                     would, then keep coalesce(
                                     _stored_loaded_at, load_timestamp())
                                     as _loaded_at. So a model names its
                                     columns once, in its final select.
      delete_erased_rows(kept_condition)
                                     a post-hook: deletes the stored rows of
                                     erased persons (NOT kept_condition, e.g.
                                     not_erased('web_events')) when the
                                     erasure log gained rows after the
                                     previous load of {{ this }} (its latest
                                     _loaded_at before this run: a run that
                                     logged rows and failed before this hook
                                     left no rows either, the hook runs in
                                     the model's transaction); a no-op
                                     otherwise (and on a full build, whose
                                     rows all passed the base_ filters).
#}
{#- is_incremental(), and false where there is no table (unit tests). -#}
{% macro staging_is_incremental() -%}
    {{ return(execute and this is not none and is_incremental()) }}
{%- endmacro %}


{#- Also the strategy of the incremental profiles models (macros/profiles). -#}
{% macro staging_incremental_strategy() -%}
    {{ return(adapter.dispatch('staging_incremental_strategy', 'profile360')()) }}
{%- endmacro %}

{% macro default__staging_incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{#- Spark: merge with Delta (var profile360__spark_file_format: delta); on
    plain Parquet delete+insert, carried out by rewriting the touched
    partitions (macros/spark/incremental.sql). -#}
{% macro spark__staging_incremental_strategy() -%}
    {{ return('merge' if profile360.spark_file_format() == 'delta' else 'delete+insert') }}
{%- endmacro %}


{% macro new_landing_files(column='_source_file', stored_column='_source_file', extra_condition=none,
                           landing_source=none) -%}
    {#- stored_column is kept for callers; the files are chosen by admission time. -#}
    {%- set files = profile360.landing_files_to_read(extra_condition, landing_source) -%}
    {%- if files is none -%}
        1 = 1
    {%- elif files | length == 0 -%}
        1 = 0
    {%- else -%}
        {{ column }} in (
            {%- for file in files %}
            '{{ file | replace("'", "''") }}'{{ "," if not loop.last }}
            {%- endfor %}
        )
    {%- endif %}
    {#- A daily partition's run (Dagster passes var profile360__drop_end, the
        last drop day of the partition or range) reads no drop after it: a run
        for 2026-11-20 stages the drops up to that day, whatever has landed
        since. -#}
    {%- set drop_end = var('profile360__drop_end', none) -%}
    {%- if drop_end %}
        and {{ profile360.regex_replace_all(column, '^.*[/\\\\]', '') }}
        < '{{ (modules.datetime.date.fromisoformat(drop_end | string) + modules.datetime.timedelta(days=1)).isoformat() }}'
    {%- endif -%}
{%- endmacro %}


{#- The landing files (as in _source_file) an incremental run of {{ this }}
    reads: those whose current contents stg_landing__files admitted after the
    previous load of {{ this }} (its newest _loaded_at before this run, among
    the rows matching extra_condition): new drops, and drops re-sent under the
    same name with new contents; only landing_source's files when given (a
    caller reading one source's rows: its list stays that source's files,
    whatever the other sources' history). none on a full build (every
    file). -#}
{% macro landing_files_to_read(extra_condition=none, landing_source=none) -%}
    {%- if model.resource_type == 'unit_test' -%}
        {{ return(none) }}
    {%- endif -%}
    {#- Outside the branch: a ref dbt records when parsing. -#}
    {%- set files = ref('stg_landing__files') -%}
    {%- if not profile360.staging_is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
        select _files.source_file
        from {{ files }} as _files
        where
            _files.status = 'admitted'
            {%- if landing_source %}
            and _files.source = '{{ landing_source }}'
            {%- endif %}
            and _files.content_admitted_at > coalesce(
                (
                    select max(_previous._loaded_at) from {{ this }} as _previous
                    where _previous._loaded_at < {{ profile360.load_timestamp() }}
                    {%- if extra_condition %} and {{ extra_condition }}{% endif %}
                ),
                cast('1900-01-01 00:00:00' as {{ dbt.type_timestamp() }})
            )
        order by _files.source_file
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}


{% macro with_stored_rows(relation, unique_key) -%}
    {%- if profile360.staging_is_incremental() -%}
        {%- set columns = [] -%}
        {%- for column in adapter.get_columns_in_relation(this) -%}
            {%- if column.name | lower != '_loaded_at' -%}
                {%- do columns.append(adapter.quote(column.name) if column.name != column.name | lower else column.name) -%}
            {%- endif -%}
        {%- endfor %}
    select
        {{ columns | join(', ') }},
        _raw_record,
        cast(null as {{ dbt.type_timestamp() }}) as _stored_loaded_at
    from {{ relation }}
    union all
    select
        {{ columns | join(', ') }},
        cast(null as {{ dbt.type_string() }}) as _raw_record,
        _loaded_at as _stored_loaded_at
    from {{ this }} as _stored
    where
        _stored.{{ unique_key }} in (select _new.{{ unique_key }} from {{ relation }} as _new)
        -- A drop blocked since it was staged: its rows leave the table
        -- (strategy replace_scope, scope blocked_drops) and take no part here.
        and _stored._source_file not in (
            select _blocked.source_file from ({{ profile360.blocked_landing_files_sql() }}) as _blocked
        )
        -- A drop re-sent with new contents: its rows read now replace the
        -- ones it gave before.
        {%- set reread = profile360.landing_files_to_read() %}
        {%- if reread %}
        and _stored._source_file not in (
            {%- for file in reread %}
            '{{ file | replace("'", "''") }}'{{ "," if not loop.last }}
            {%- endfor %}
        )
        {%- endif %}
    {%- else %}
    select
        *,
        cast(null as {{ dbt.type_timestamp() }}) as _stored_loaded_at
    from {{ relation }}
    {%- endif %}
{%- endmacro %}


{% macro delete_erased_rows(kept_condition) -%}
    {%- set erasure_log = ref('stg_landing__erasure_log') -%}
    {%- set needed = false -%}
    {%- if execute and load_relation(erasure_log) is not none -%}
        {%- set query -%}
            select count(*)
            from {{ erasure_log }} as _log
            where _log.erased_at > {{ profile360.previous_load_at(this) }}
        {%- endset -%}
        {%- set needed = run_query(query).columns[0].values()[0] > 0 -%}
    {%- endif -%}
    {%- if needed -%}
        {{ profile360.delete_rows_where(this, 'not (' ~ kept_condition ~ ')') }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
