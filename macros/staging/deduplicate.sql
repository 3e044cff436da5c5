{#
    deduplicate(relation, partition_by, order_by): keep one row per
    `partition_by` (a column list as SQL), the first by `order_by`. Portable
    replacement for QUALIFY, which Spark lacks.
#}
{% macro deduplicate(relation, partition_by, order_by) -%}
    select *
    from (
        select
            _dedup_source.*,
            row_number() over (partition by {{ partition_by }} order by {{ order_by }}) as _dedup_rank
        from {{ relation }} as _dedup_source
    ) as _ranked
    where _dedup_rank = 1
{%- endmacro %}


{#
    surrogate_key(columns): a stable hash of the listed columns, NULL-safe,
    the same recipe as dbt_utils.generate_surrogate_key (which we cannot
    install offline): md5 of the values joined by '-', NULL as '_null_'.
#}
{% macro surrogate_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '_null_')") -%}
        {%- if not loop.last %}{% do parts.append("'-'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
