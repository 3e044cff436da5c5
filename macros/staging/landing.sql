{#
    Landing admission (docs/layers.md, "Landing admission"): which landing
    files a build reads. The rules live here, once:

      landing_sources()        the landing contract's sources: folder name ->
                               dbt source name and file format.
      landing_run_date()       the build's run date: var profile360__run_date
                               (YYYY-MM-DD), else the UTC date the dbt run
                               started; var profile360__drop_end when
                               earlier (a partition's run). No drop dated
                               after it is read.
      landing_drop_date(path)  the drop date of a landing path whose file name
                               is `<YYYY-MM-DD>.<csv|jsonl>[.gz]`, else NULL
                               (the name is not the contract's).
      admitted_landing_file(path)
                               the condition every reader of the landing
                               files applies to `filename`: the name is a
                               drop date, not after the run date. A constant
                               on the file name, so DuckDB skips the other
                               files before opening them: a future-dated
                               or misnamed file never stops a source, never
                               becomes a watermark and never moves the clock.
      landing_rejection_reason(source_folder, file_name, drop_date,
                               unreadable_reason)
                               why stg_landing__files rejects a file, NULL
                               when admitted: the rules in order, first
                               match wins (add a rule here).
      landing_file_status(reason, is_blocked)
                               rejected (a reason), blocked (a failed
                               blocking check: blocked_drops.sql), admitted.
    The source readers in dbt_project.yml list only date-named files
    (`[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]` globs), so a file named
    otherwise is never opened either; stg_landing__files lists every file of
    the landing root, admitted or not, with the reason.
#}
{% macro landing_sources() -%}
    {{ return({
        'crm_contacts': {'source': 'crm', 'format': 'csv'},
        'web_events': {'source': 'web', 'format': 'jsonl'},
        'app_events': {'source': 'app', 'format': 'jsonl'},
        'ecommerce_orders': {'source': 'ecommerce', 'format': 'csv'},
        'ecommerce_order_items': {'source': 'ecommerce', 'format': 'csv'},
        'pos_transactions': {'source': 'pos', 'format': 'csv'},
        'pos_transaction_items': {'source': 'pos', 'format': 'csv'},
        'loyalty_members': {'source': 'loyalty', 'format': 'csv'},
        'email_events': {'source': 'email', 'format': 'csv'},
        'zalo_events': {'source': 'zalo', 'format': 'jsonl'},
        'support_tickets': {'source': 'support', 'format': 'csv'},
        'consents': {'source': 'privacy', 'format': 'csv'},
        'erasure_requests': {'source': 'privacy', 'format': 'csv'},
        'products': {'source': 'catalog', 'format': 'csv'},
        'stores': {'source': 'catalog', 'format': 'csv'},
        'marketing_spend': {'source': 'marketing', 'format': 'csv'},
    }) }}
{%- endmacro %}


{% macro landing_run_date() -%}
    {%- set value = var('profile360__run_date', none) -%}
    {%- if value is none or value | string | trim in ('', 'none', 'None', 'null') -%}
        {%- set text = run_started_at.strftime('%Y-%m-%d') -%}
    {%- else -%}
        {%- set text = value | string | trim -%}
    {%- endif -%}
    {%- if modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) is none -%}
        {{ exceptions.raise_compiler_error("profile360__run_date must be YYYY-MM-DD, got " ~ text) }}
    {%- endif -%}
    {#- A daily partition's run (Dagster passes var profile360__drop_end, the
        last drop day of the partition or range) admits no drop after it: the
        later drops are admitted, and read, by the run of their own day. -#}
    {%- set drop_end = var('profile360__drop_end', none) -%}
    {%- if drop_end and (drop_end | string) < text -%}
        {%- set text = drop_end | string -%}
    {%- endif -%}
    {{ return(text) }}
{%- endmacro %}


{% macro landing_drop_date(path) -%}
    {{ profile360.try_cast(
        "nullif(regexp_extract(" ~ path ~ ", '(^|[/\\\\])([0-9]{4}-[0-9]{2}-[0-9]{2})\\.(csv|jsonl)(\\.gz)?$', 2), '')",
        'date'
    ) }}
{%- endmacro %}


{% macro admitted_landing_file(path='filename') -%}
    coalesce({{ profile360.landing_drop_date(path) }} <= cast('{{ profile360.landing_run_date() }}' as date), false)
{%- endmacro %}


{#
    landing_reader(source_name, table_name, files=none): what a staging model
    reads a landing source from, in place of source(): the source's own
    reader (its external_location, dbt_project.yml) over the explicit list of
    the files stg_landing__files admitted in this build (relative paths as
    in _source_file), or over `files` when given (a subset of them). A file
    never listed there is never opened: DuckDB does not prune a multi-file
    read by a filter on `filename`, so a bad file in the glob would fail the
    whole read. An empty list reads nothing (a relation with the source's
    columns and no rows). Where the admission is not built (unit tests, the
    first parse), the source itself.
#}
{% macro landing_reader(source_name, table_name, files=none) -%}
    {{ return(adapter.dispatch('landing_reader', 'profile360')(source_name, table_name, files)) }}
{%- endmacro %}

{% macro default__landing_reader(source_name, table_name, files=none) -%}
    {%- set relation = source(source_name, table_name) | string -%}
    {%- if files is none -%}
        {%- set files = profile360.admitted_landing_files(table_name) -%}
    {%- endif -%}
    {%- set found = modules.re.match(
        "^\\s*(\\w+)\\(\\s*'([^']*)/" ~ table_name ~ "/[^']*'(.*)$", relation, modules.re.DOTALL
    ) -%}
    {%- if files is none or found is none -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- if files | length == 0 -%}
        {%- set spec = profile360.landing_sources()[table_name] -%}
        {%- set columns = ['raw_line'] if spec.format == 'jsonl' else var('profile360__landing_csv_columns')[table_name] -%}
        {%- set selected = [] -%}
        {%- for column in columns + ['filename'] -%}
            {%- do selected.append('cast(null as ' ~ dbt.type_string() ~ ') as ' ~ column) -%}
        {%- endfor -%}
        {{ return('(select ' ~ selected | join(', ') ~ ' where 1 = 0)') }}
    {%- endif -%}
    {%- set paths = [] -%}
    {%- for file in files | sort -%}
        {%- do paths.append("'" ~ (found.group(2) ~ '/' ~ file) | replace("'", "''") ~ "'") -%}
    {%- endfor -%}
    {{ return(found.group(1) ~ '([' ~ paths | join(', ') ~ ']' ~ found.group(3)) }}
{%- endmacro %}


{#- The files of a landing folder stg_landing__files admitted in this build
    (listed by it now: its rows of this build's load time), as a list at
    execute time; none where it is not built (unit tests, parsing). The ref
    makes every reader run after the admission. -#}
{% macro admitted_landing_files(folder) -%}
    {%- if model.resource_type == 'unit_test' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set files = ref('stg_landing__files') -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set relation = load_relation(files) -%}
    {%- if relation is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
        select source_file from {{ relation }}
        where
            status = 'admitted'
            and source = '{{ folder }}'
            and _loaded_at = (select max(_loaded_at) from {{ relation }})
        order by source_file
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}


{% macro landing_rejection_reason(source_folder, file_name, drop_date, unreadable_reason='null', content_hash='null') -%}
    {%- set sources = profile360.landing_sources() -%}
    case
        when {{ source_folder }} not in ('{{ sources.keys() | list | join("', '") }}')
            then 'unknown_source: ' || {{ source_folder }} || ' is not a source of the landing contract'
        when {{ drop_date }} is null
            or {{ file_name }} not like (
                case {{ source_folder }}
                    {%- for folder, spec in sources.items() %}
                    when '{{ folder }}' then '%.{{ spec.format }}%'
                    {%- endfor %}
                end
            )
            then 'bad_name: ' || {{ file_name }} || ' is not <YYYY-MM-DD>.'
                || (
                    case {{ source_folder }}
                        {%- for folder, spec in sources.items() %}
                        when '{{ folder }}' then '{{ spec.format }}'
                        {%- endfor %}
                    end
                ) || '[.gz]'
        when {{ drop_date }} > cast('{{ profile360.landing_run_date() }}' as date)
            then 'future_drop_date: ' || {{ file_name }} || ' is dated after the run date '
                || '{{ profile360.landing_run_date() }}'
        {#- Its contents cannot be read as the contract says (the check names
            the file and what is wrong: missing_column, damaged_gzip,
            not_utf8, line_too_long, missing_header, unreadable):
            orchestration/lib/landing_check.py. #}
        when {{ unreadable_reason }} is not null
            then {{ unreadable_reason }}
        {#- Landed after the check of this build listed the folder: checked,
            and read, by the next build. #}
        when {{ content_hash }} is null
            then 'not_checked: ' || {{ file_name }} || ' landed during this build; the next build checks it'
    end
{%- endmacro %}


{#
    log_rejected_landing_files(relation): a post-hook of stg_landing__files
    that names, in the build output, every file the build did not read and
    why, and every admitted file whose contents changed since admission. It
    only reports: the rule is landing_rejection_reason().
#}
{% macro log_rejected_landing_files(relation) -%}
    {%- if execute -%}
        {%- set rows = run_query(
            "select source_file, coalesce(reason, 'changed_after_admission: contents changed since the file was admitted; "
            ~ "its rows are read again and replace the ones it gave before') from " ~ relation
            ~ " where status = 'rejected' or (changed_after_admission and content_admitted_at = "
            ~ profile360.load_timestamp() ~ ") order by source_file"
        ) -%}
        {%- for row in rows -%}
            {%- if row[1].startswith('changed_after_admission') %}
            {{ log("landing file changed: " ~ row[0] ~ " (" ~ row[1] ~ ")", info=True) }}
            {%- else %}
            {{ log("landing file not read: " ~ row[0] ~ " (" ~ row[1] ~ ")", info=True) }}
            {%- endif %}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}


{#- A file's admission status (stg_landing__files): rejected when it has a
    reason, blocked when a failed blocking check blocks it (issue 14:
    macros/staging/blocked_drops.sql), else admitted. -#}
{% macro landing_file_status(reason, is_blocked) -%}
    case
        when {{ reason }} is not null then 'rejected'
        when {{ is_blocked }} then 'blocked'
        else 'admitted'
    end
{%- endmacro %}


{#
    Parse once (docs/layers.md, "Staging, the rules"): each admitted drop is
    read and typed once per build, by its source's base_* model, an
    incremental table (delete+insert on _source_file) holding every parsed
    row of the admitted drops, good and quarantined alike. stg_*, the
    quarantine and every later reader read that table, never the files.

      landing_files_to_parse(folder)
                               the files of landing folder `folder` (as in
                               _source_file) the base_* model of that folder
                               reads in this build: on an incremental run
                               the ones admitted since its previous load
                               (landing_files_to_read: new drops, drops
                               re-sent with new contents), whose rows then
                               replace the ones they gave; none on a full
                               build (landing_reader: every admitted file).
      parsed_row_not_erased(landing_source, relation)
                               the erasure rule of a base_* table's stored
                               rows: the row's identifier columns are not
                               erased (not_erased) and, for a quarantined
                               row, its raw text holds no erased identifier
                               (erased_raw_records); `relation`: the model
                               itself (its post-hook, with
                               delete_erased_rows: when the erasure log
                               gained rows). Only quarantined rows are
                               tokenised.
      forget_erased_quarantined_lines()
                               a post-hook of the base_* tables of sources
                               with identifiers: deletes the quarantined
                               rows of this load whose raw text holds an
                               erased identifier (a line too broken to parse
                               its identifier columns), in the model's
                               transaction, so they are never committed. (In
                               the model's SQL the same test would need a
                               second pass over the parsed rows: 11x slower,
                               measured.) Good rows of erased persons never
                               get there: the model filters them
                               (not_erased).
#}
{% macro landing_files_to_parse(folder) -%}
    {%- set files = profile360.landing_files_to_read() -%}
    {%- if files is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set parsed = [] -%}
    {%- for file in files if file.startswith(folder ~ '/') -%}
        {%- do parsed.append(file) -%}
    {%- endfor -%}
    {{ return(parsed) }}
{%- endmacro %}


{% macro parsed_row_not_erased(landing_source, relation) -%}
    (
        {{ profile360.not_erased(landing_source) }}
        and (
            _quarantine_reason_code is null
            or {{ profile360.quarantined_row_not_erased(
                '_raw_record',
                '(select _raw_record from ' ~ relation ~ ' where _quarantine_reason_code is not null) as _rejected'
            ) }}
        )
    )
{%- endmacro %}


{% macro forget_erased_quarantined_lines() -%}
    {%- set this_load = '_quarantine_reason_code is not null and _loaded_at = ' ~ profile360.load_timestamp() -%}
    {{ profile360.delete_rows_where(this, this_load ~ ' and not ' ~ profile360.quarantined_row_not_erased(
        '_raw_record', '(select _raw_record from ' ~ this ~ ' where ' ~ this_load ~ ') as _new'
    )) }}
{%- endmacro %}
