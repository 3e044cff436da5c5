{#
    Landing admission (docs/layers.md, "Landing admission"): which landing
    files a build reads. The rules live here, once:

      landing_sources()        the landing contract's sources: folder name ->
                               dbt source name and file format.
      landing_run_date()       the build's run date: var profile360__run_date
                               (YYYY-MM-DD), else the UTC date the dbt run
                               started. No drop dated after it is read.
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
                               Nor a blocked drop (not_blocked_landing_file,
                               macros/staging/blocked_drops.sql).
      landing_rejection_reason(source_folder, file_name, drop_date)
                               why stg_landing__files rejects a file, NULL
                               when admitted.
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
        {{ return(run_started_at.strftime('%Y-%m-%d')) }}
    {%- endif -%}
    {%- set text = value | string | trim -%}
    {%- if modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) is none -%}
        {{ exceptions.raise_compiler_error("profile360__run_date must be YYYY-MM-DD, got " ~ text) }}
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
    and {{ profile360.not_blocked_landing_file(path) }}
{%- endmacro %}


{% macro landing_rejection_reason(source_folder, file_name, drop_date) -%}
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
            ~ "its new rows are not reprocessed') from " ~ relation
            ~ " where status = 'rejected' or changed_after_admission order by source_file"
        ) -%}
        {%- for row in rows -%}
            {{ log("landing file not read: " ~ row[0] ~ " (" ~ row[1] ~ ")", info=True) }}
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
