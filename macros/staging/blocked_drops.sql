

{#
    Blocked drops (issue 14; orchestration/lib/drops.py writes the decisions):
    a drop that failed a blocking Great Expectations suite stays out of every
    build until it is replaced (new content) or accepted. The decisions are
    JSON Lines files in the landing zone's reserved folder `_control/`
    (drop_verdicts.jsonl: the gate's verdicts; drop_acceptances.jsonl: the
    operator's `profile360 accept-drop`), each line naming a file and the
    content hash (md5 of its bytes) decided on.

      landing_control_lines(listing)  SQL: one row per line of the control
                                     files in a landing listing (filename,
                                     content): control_file, line.
      landing_drop_blocked(file, hash, verdicts, acceptances)
                                     the rule: a verdict names the file's
                                     current content and no acceptance does.
      landing_file_status(reason, is_blocked)
                                     (macros/staging/landing.sql) rejected
                                     (a reason), blocked, admitted.
      blocked_landing_files()        the files stg_landing__files calls
                                     blocked in this build, read at execute
                                     time by the staging post-hook that drops
                                     their stored rows (forget_blocked_drops).
                                     The readers open only admitted files
                                     (landing_reader), so they skip them.
#}
{% macro landing_control_lines(listing) -%}
    {{ return(adapter.dispatch('landing_control_lines', 'profile360')(listing)) }}
{%- endmacro %}

{% macro default__landing_control_lines(listing) -%}
    select
        regexp_extract(filename, '[^/\\\\]+$', 0) as control_file,
        unnest(string_split(decode(content), chr(10))) as line
    from {{ listing }}
    where regexp_matches(filename, '[/\\\\]_control[/\\\\]drop_(verdicts|acceptances)\.jsonl$')
{%- endmacro %}

{% macro spark__landing_control_lines(listing) -%}
    select
        regexp_extract(filename, '[^/]+$', 0) as control_file,
        explode(split(decode(content, 'UTF-8'), '\n')) as line
    from {{ listing }}
    where filename rlike '/_control/drop_(verdicts|acceptances)\.jsonl$'
{%- endmacro %}


{% macro landing_drop_blocked(file, hash, verdicts='drop_verdicts', acceptances='drop_acceptances') -%}
    (
        exists (
            select 1 from {{ verdicts }} as _verdict
            where _verdict.source_file = {{ file }} and _verdict.content_hash = {{ hash }}
        )
        and not exists (
            select 1 from {{ acceptances }} as _accepted
            where _accepted.source_file = {{ file }} and _accepted.content_hash = {{ hash }}
        )
    )
{%- endmacro %}


{#- The blocked files (relative paths) as stg_landing__files says in this
    build (its rows of this build's load time), at execute time; [] at parse
    time, in unit tests and before the listing exists. The rule itself is
    landing_drop_blocked() in that model. -#}
{% macro blocked_landing_files() -%}
    {%- if not execute or model.resource_type == 'unit_test' -%}{{ return([]) }}{%- endif -%}
    {%- set relation = load_relation(ref('stg_landing__files')) -%}
    {%- if relation is none -%}{{ return([]) }}{%- endif -%}
    {%- set query -%}
        select source_file from {{ relation }}
        where
            status = 'blocked'
            and _loaded_at = (select max(_loaded_at) from {{ relation }})
        order by source_file
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}


{#- A post-hook of every staging model (dbt_project.yml): deletes the stored
    rows of blocked drops (a drop staged by the run whose gate then failed).
    Only tables with a _source_file column; a no-op when nothing is blocked. -#}
{% macro forget_blocked_drops() -%}
    {%- set blocked = [] -%}
    {#- A post-hook: the model's own table was just built. -#}
    {#- A table is rebuilt from the admitted files only: nothing to drop. -#}
    {%- if execute and model.config.materialized == 'incremental' and model.name != 'stg_landing__files' -%}
        {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
        {%- if '_source_file' in columns -%}
            {%- set blocked = profile360.blocked_landing_files() -%}
        {%- endif -%}
    {%- endif -%}
    {%- if blocked -%}
        {{ profile360.delete_rows_of_files(this, blocked) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- The statement deleting a table's rows of the given landing files. -#}
{% macro delete_rows_of_files(relation, files) -%}
    {{ return(adapter.dispatch('delete_rows_of_files', 'profile360')(relation, files)) }}
{%- endmacro %}

{% macro default__delete_rows_of_files(relation, files) -%}
    delete from {{ relation }} where _source_file in (
        {%- for file in files %}'{{ file | replace("'", "''") }}'{{ ', ' if not loop.last }}{% endfor -%}
    )
{%- endmacro %}

{#- Spark on Parquet: no DELETE, and the incremental models are rebuilt whole
    from the admitted files at every build (a blocked file is not one):
    nothing to delete. Delta: the same DELETE. -#}
{% macro spark__delete_rows_of_files(relation, files) -%}
    {%- if profile360.spark_file_format() == 'delta' -%}
        {{ profile360.default__delete_rows_of_files(relation, files) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
