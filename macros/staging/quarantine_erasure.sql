{#
    Right to erasure in the quarantine (docs/privacy.md, step 4), shared by
    stg_landing__quarantined_rows and its post-hook:

      erased_raw_values()            a query of one column, erased_value: the
                                     lower-cased landing spelling of every
                                     identifier in the erasure log (read in
                                     flight from the landing files, never
                                     stored) and every erasure request's
                                     value as sent. While the log is empty
                                     the landing files are not scanned.
      quarantined_row_not_erased(raw_column)
                                     true when the raw text contains none of
                                     those values.
#}
{% macro erased_raw_values() -%}
    {%- set erasure_log = ref('stg_landing__erasure_log') -%}
    {%- set log_is_empty = false -%}
    {%- if execute and load_relation(erasure_log) is none -%}
        {#- Compiling without a warehouse (lint): nothing is erased yet. -#}
        {%- set log_is_empty = true -%}
    {%- elif execute -%}
        {%- set query -%}
            select count(*) from {{ erasure_log }}
        {%- endset -%}
        {%- set log_is_empty = run_query(query).columns[0].values()[0] == 0 -%}
    {%- endif %}
    with
    {%- if not log_is_empty %}

    {{ profile360.landing_identifier_ctes() }},
    {%- endif %}

    erasure_requests as (

        select {{ profile360.clean_text('subject_value') }} as subject_value
        from {{ source('privacy', 'erasure_requests') }}

    ),

    stg_landing__erasure_log as (

        select * from {{ erasure_log }}

    ),

    erased_values as (

        {%- if not log_is_empty %}
        select distinct lower(landing_identifiers_normalized.raw_value) as erased_value
        from landing_identifiers_normalized
        inner join stg_landing__erasure_log
            on
                {{ profile360.erasure_hash(
                    'landing_identifiers_normalized.identifier_type',
                    'landing_identifiers_normalized.identifier_value'
                ) }} = stg_landing__erasure_log.identifier_hash

        union
        {%- endif %}

        select lower(subject_value) as erased_value
        from erasure_requests
        where subject_value is not null

    )

    select erased_value from erased_values
{%- endmacro %}


{% macro quarantined_row_not_erased(raw_column) -%}
    not exists (
        select 1
        from (
            {{ profile360.erased_raw_values() }}
        ) as _erased
        where {{ dbt.position('_erased.erased_value', 'lower(' ~ raw_column ~ ')') }} > 0
    )
{%- endmacro %}
