{#
    Right to erasure in the quarantine (docs/privacy.md, step 4), shared by
    stg_landing__quarantined_rows and its post-hook. A rejected row may be too
    broken to parse (a JSON line cut in half), so it is judged by its raw
    text: cut into tokens (every quoted value, and every word), each token
    hashed as every identifier type the way the erasure log hashes
    normalised identifiers. Only rejected rows are tokenised; no landing file
    is read.

      erased_raw_records(relation, raw_column)
                                     a query of one column, raw_record: the
                                     distinct raw texts of `relation` holding
                                     a token in the erasure log.
      quarantined_row_not_erased(raw_column, relation)
                                     true when the row's raw text is not one
                                     of those (relation: where the rows come
                                     from; the model itself in a post-hook).
#}
{% macro erased_raw_records(relation, raw_column) -%}
    {%- set quoted_value = '"[^"]*"?' -%}
    {%- set word = '[^"\\s,;{}<>()\\[\\]]+' -%}
    {%- set identifier_types = [
        'email', 'phone', 'customer_id', 'loyalty_id', 'anonymous_id', 'device_id', 'zalo_user_id'
    ] -%}
    select distinct _token_hashes.raw_record
    from (
        {%- for identifier_type in identifier_types %}
            {%- if not loop.first %}
            union all
            {%- endif %}
            select
                _tokens.raw_record,
                {{ profile360.identifier_hash_as(identifier_type, '_tokens.token') }} as identifier_hash
            from (
                select
                    _rows.raw_record,
                    trim(both '"' from _quoted.token) as token
                from (select distinct {{ raw_column }} as raw_record from {{ relation }}) as _rows
                {{ profile360.regex_tokens_join('_rows.raw_record', quoted_value, '_quoted', 'token') }}
                union
                select
                    _rows.raw_record,
                    _word.token
                from (select distinct {{ raw_column }} as raw_record from {{ relation }}) as _rows
                {{ profile360.regex_tokens_join('_rows.raw_record', word, '_word', 'token') }}
            ) as _tokens
        {%- endfor %}
    ) as _token_hashes
    inner join {{ ref('stg_landing__erasure_log') }} as _erasure_log
        on _token_hashes.identifier_hash = _erasure_log.identifier_hash
{%- endmacro %}


{% macro quarantined_row_not_erased(raw_column, relation=none) -%}
    {{ raw_column }} not in (
        {{ profile360.erased_raw_records(relation if relation is not none else this, raw_column) }}
    )
{%- endmacro %}
