

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
      blocked_landing_files_sql()    SQL: the files (source_file)
                                     stg_landing__files calls blocked in
                                     this build. The scope 'blocked_drops'
                                     of the incremental staging tables
                                     (strategy replace_scope,
                                     macros/incremental/replace_scope.sql)
                                     deletes their stored rows, and
                                     with_stored_rows() leaves those rows out
                                     of the deduplication. The readers open
                                     only admitted files (landing_reader), so
                                     they skip them.
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


{#- The blocked files (relative paths, column source_file) as
    stg_landing__files says in this build (its rows of this build's load
    time). The rule itself is landing_drop_blocked() in that model. -#}
{% macro blocked_landing_files_sql() -%}
    {%- set files = ref('stg_landing__files') -%}
    select _files.source_file from {{ files }} as _files
    where
        _files.status = 'blocked'
        and _files._loaded_at = (select max(_latest._loaded_at) from {{ files }} as _latest)
{%- endmacro %}
