{#
    mask_record_key(source_expr, key_expr): the pseudonymous key of a record
    in the masked BI schema (`marts_masked`) and the serving warehouse.
    Some record keys are identifiers themselves (a loyalty member's key is
    its loyalty id), so no masked model shows a raw record key: it shows
    `<source>:<first 16 hex of a keyed SHA-256 of the key>` instead. Keyed
    (the serving look-up key, a secret kept outside both warehouses and set
    as a session variable by orchestration/lib/dbt_secrets.py, never written
    in SQL text), so a short key space such as loyalty ids cannot be hashed
    back by trying every value. The same record always gets the same masked
    key, so masked tables still join on it; `profile360 explain` computes it
    in Python (orchestration.lib.serving.masked_record_key).
#}
{% macro mask_record_key(source_expr, key_expr) -%}
    case
        when {{ key_expr }} is null then null
        else {{ source_expr }} || ':' || substr({{ profile360.record_key_hash(key_expr) }}, 1, 16)
    end
{%- endmacro %}


{% macro record_key_hash(key_expr) -%}
    {{ return(adapter.dispatch('record_key_hash', 'profile360')(key_expr)) }}
{%- endmacro %}

{% macro default__record_key_hash(key_expr) -%}
    sha256(cast(coalesce(
        getvariable('profile360_record_key_secret'),
        error('profile360: the record key secret is not set in this session (orchestration/lib/dbt_secrets.py)')
    ) as {{ dbt.type_string() }}) || '|record|' || {{ key_expr }})
{%- endmacro %}

{% macro spark__record_key_hash(key_expr) -%}
    sha2(concat('${profile360.masking_key}', '|record|', {{ key_expr }}), 256)
{%- endmacro %}
