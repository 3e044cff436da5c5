{#
    Small rules of the identifier graph (docs/identity.md, "Stitching").

    identity_ranked_types(): identifier types from strongest to weakest:
    var profile360__identity_identifier_ranks, then the visit ids
    (identity_session_types()), the weakest: a split drops them first.
    identity_identifier_rank(column): the rank of an identifier type (1 the
    strongest) in that order.

    identity_level_factor(): split levels are stitched in one graph: the
    node of identifier number n at level l is l * identity_level_factor() + n
    (numbers stay below 2^32).

    identity_session_types(): the identifier types that name one visit
    (identifier_sources(), key `sessions`): they link the events of a visit,
    are never a profile's name, and are the weakest types of a split.

    identity_forget_unlinked_numbers(): the pre-hook of the number
    dictionary int_identity_identifier_numbers: forget identifiers that no
    longer link (erased, flagged, gone), so the dictionary never outlives
    the links it numbers.
#}
{% macro identity_ranked_types() -%}
    {{ return(var('profile360__identity_identifier_ranks') + profile360.identity_session_types()) }}
{%- endmacro %}


{% macro identity_identifier_rank(column) -%}
    case {{ column }}
        {%- for identifier_type in profile360.identity_ranked_types() %}
        when '{{ identifier_type }}' then {{ loop.index }}
        {%- endfor %}
    end
{%- endmacro %}


{% macro identity_level_factor() -%}
    cast(4294967296 as {{ dbt.type_bigint() }})
{%- endmacro %}


{% macro identity_session_types() -%}
    {%- set types = [] -%}
    {%- for entry in profile360.identifier_sources() -%}
        {%- for identifier_type in entry.get('sessions', {}) -%}
            {%- do types.append(identifier_type) -%}
        {%- endfor -%}
        {#- A record's own id (key record_ids) names no person either. -#}
        {%- for identifier_type in entry.get('record_ids', {}) -%}
            {%- do types.append(identifier_type) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(types) }}
{%- endmacro %}


{% macro identity_forget_unlinked_numbers() -%}
    {%- if execute and is_incremental() -%}
        {{ profile360.delete_rows_where(this, 'identifier_id not in (select linking.identifier_id from '
            ~ ref('int_identity_links') ~ ' as linking where linking.is_link)') }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{#- identity_is_session_type(column): whether an identifier type names a visit. -#}
{% macro identity_is_session_type(column) -%}
    {{ column }} in ('{{ profile360.identity_session_types() | join("', '") }}')
{%- endmacro %}


{#- identity_probabilistic_on(): whether probabilistic links join the graph (var
    profile360__identity_probabilistic; never on the spark target, where the Splink
    scoring, a Python model, is disabled). -#}
{% macro identity_probabilistic_on() -%}
    {{ return(var('profile360__identity_probabilistic') and target.type != 'spark') }}
{%- endmacro %}


{#- identity_probabilistic_pairs(): what the models reading the probabilistic pairs
    select from: int_identity_probabilistic_pairs when identity_probabilistic_on(),
    else an empty relation of the same columns and types. The readers (the graph
    edges, the audit and its masked copy) are then enabled on every target, and the
    BI exposure lists the masked audit everywhere. -#}
{% macro identity_probabilistic_pairs() -%}
    {%- if profile360.identity_probabilistic_on() -%}
        {{ return(ref('int_identity_probabilistic_pairs')) }}
    {%- endif -%}
    {%- set text = dbt.type_string() -%}
    {%- set columns = [] -%}
    {%- for name in ['pair_id', 'record_id_l', 'record_id_r', 'source_l', 'record_key_l', 'source_r',
                     'record_key_r'] -%}
        {%- do columns.append('cast(null as ' ~ text ~ ') as ' ~ name) -%}
    {%- endfor -%}
    {%- do columns.extend(['cast(null as double) as match_weight', 'cast(null as double) as match_probability']) -%}
    {%- for field in ['name_key', 'birth_date', 'address_key', 'province_key', 'email', 'phone'] -%}
        {%- do columns.append('cast(null as ' ~ text ~ ') as ' ~ field ~ '_level') -%}
        {%- do columns.append('cast(null as double) as ' ~ field ~ '_weight') -%}
    {%- endfor -%}
    {{ return('(select ' ~ columns | join(', ') ~ ' where 1 = 0)') }}
{%- endmacro %}
