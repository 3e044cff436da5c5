-- One row per kind of search term the Profile 360 app accepts: each
-- identifier type the identity layer reads (macro identifier_sources) and
-- `full_name`. normalizer_sql is the SQL expression, over a column named
-- `term`, that identity uses to normalise that type (macro
-- normalize_identifier_by_type; strip_diacritics for names), rendered from
-- the same macros as text. The app runs it on the typed term in an
-- in-memory DuckDB, then looks the keyed hash up in profile_lookup: one
-- normalisation rule, never re-written in Python. It renders the SQL of the
-- target engine, which the app (DuckDB) must share.
{{ config(alias='dim_search_normalizers') }}
{%- set identifier_types = [] %}
{%- for source in profile360.identifier_sources() %}
    {%- for identifier_type in source['identifiers'] %}
        {%- if identifier_type not in identifier_types %}
            {%- do identifier_types.append(identifier_type) %}
        {%- endif %}
    {%- endfor %}
{%- endfor %}

with

normalizers as (

    {% for identifier_type in identifier_types | sort %}
        select
            '{{ identifier_type }}' as search_kind,
            true as is_identifier,
            {{ profile360.app_sql_literal(
                profile360.normalize_identifier_by_type("'" ~ identifier_type ~ "'", 'term')
            ) }} as normalizer_sql
        union all
    {% endfor %}
    select
        'full_name' as search_kind,
        false as is_identifier,
        {{ profile360.app_sql_literal(
            'lower(trim(' ~ profile360.strip_diacritics('term') ~ '))'
        ) }} as normalizer_sql

),

final as (

    select
        cast(search_kind as {{ dbt.type_string() }}) as search_kind,
        is_identifier,
        cast(normalizer_sql as {{ dbt.type_string() }}) as normalizer_sql
    from normalizers

)

select * from final
