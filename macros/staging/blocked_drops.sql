

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
      blocked_landing_files()        the blocked files, read at execute time
                                     by the readers of the landing files
                                     (admitted_landing_file) and the staging
                                     post-hook that drops their stored rows
                                     (forget_blocked_drops): the same rule
                                     over the same files.
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
        regexp_extract(path, '[^/]+$', 0) as control_file,
        explode(split(decode(content, 'UTF-8'), '\n')) as line
    from {{ listing }}
    where path rlike '/_control/drop_(verdicts|acceptances)\\.jsonl$'
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


{#- The landing root as dbt_project.yml's landing sources read it. -#}
{% macro landing_root() -%}
    {{ return(var('profile360__landing_dir', env_var('PROFILE360_LANDING_DIR', 'demo_data/landing'))) }}
{%- endmacro %}


{#- The blocked files (relative paths), at execute time; [] at parse time and
    when the landing zone has no control files. Three small queries: the
    control files, the drops their verdicts name that exist, and the rule
    over their current contents. -#}
{% macro blocked_landing_files() -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set root = profile360.landing_root() | replace("'", "''") -%}
    {%- set controls = run_query(
        "select file from glob('" ~ root ~ "/_control/drop_*.jsonl') order by file"
    ).columns[0].values() | list -%}
    {%- if not controls -%}{{ return([]) }}{%- endif -%}
    {%- set listing -%}
        read_blob([{%- for path in controls %}'{{ path | replace("'", "''") }}'{{ ',' if not loop.last }}{% endfor %}])
    {%- endset -%}
    {%- set decisions -%}
        with control as ({{ profile360.landing_control_lines(listing) }})
        select
            control_file,
            {{ profile360.json_text('line', 'source_file') }} as source_file,
            {{ profile360.json_text('line', 'content_hash') }} as content_hash
        from control
        where trim(line) <> ''
    {%- endset -%}
    {%- set named = run_query(
        "select file from glob('" ~ root ~ "/*/*') where " ~ profile360.landing_file('file')
        ~ " in (select source_file from (" ~ decisions ~ ") as d where control_file = 'drop_verdicts.jsonl')"
    ).columns[0].values() | list -%}
    {%- if not named -%}{{ return([]) }}{%- endif -%}
    {%- set query -%}
        with decisions as ({{ decisions }}),
        drop_verdicts as (select * from decisions where control_file = 'drop_verdicts.jsonl'),
        drop_acceptances as (select * from decisions where control_file = 'drop_acceptances.jsonl'),
        files as (
            select {{ profile360.landing_file('filename') }} as source_file, md5(content) as content_hash
            from read_blob([{%- for path in named %}'{{ path | replace("'", "''") }}'{{ ',' if not loop.last }}{% endfor %}])
        )
        select source_file from files
        where {{ profile360.landing_drop_blocked('files.source_file', 'files.content_hash') }}
        order by source_file
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}


{#- A condition on a landing path: not a blocked drop (`true` when none is). -#}
{% macro not_blocked_landing_file(path='filename') -%}
    {%- set blocked = profile360.blocked_landing_files() -%}
    {%- if blocked -%}
        {{ profile360.landing_file(path) }} not in (
            {%- for file in blocked %}'{{ file | replace("'", "''") }}'{{ ', ' if not loop.last }}{% endfor -%}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#- A post-hook of every staging model (dbt_project.yml): deletes the stored
    rows of blocked drops (a drop staged by the run whose gate then failed).
    Only tables with a _source_file column; a no-op when nothing is blocked. -#}
{% macro forget_blocked_drops() -%}
    {%- set blocked = [] -%}
    {#- A post-hook: the model's own table was just built. -#}
    {%- if execute and model.config.materialized in ('incremental', 'table') -%}
        {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
        {%- if '_source_file' in columns -%}
            {%- set blocked = profile360.blocked_landing_files() -%}
        {%- endif -%}
    {%- endif -%}
    {%- if blocked -%}
        delete from {{ this }} where _source_file in (
            {%- for file in blocked %}'{{ file | replace("'", "''") }}'{{ ', ' if not loop.last }}{% endfor -%}
        )
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
