{#
    mask_record_key(source_expr, key_expr): the pseudonymous key of a record
    in the masked BI schema (`marts_masked`) and the serving warehouse.
    Some record keys are identifiers themselves (a loyalty member's key is
    its loyalty id), so no masked model shows a raw record key: it shows
    `<source>:<first 16 hex of the hash of the key>` instead. The same record
    always gets the same masked key, so masked tables still join on it.
#}
{% macro mask_record_key(source_expr, key_expr) -%}
    case
        when {{ key_expr }} is null then null
        else {{ source_expr }} || ':' || substr({{ dbt.hash(key_expr) }}, 1, 16)
    end
{%- endmacro %}
