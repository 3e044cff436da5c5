{#
    Incremental profiles (docs/layers.md, "Incremental profiles"). The
    expensive profiles models recompute only the profiles listed in
    int_profiles_to_refresh (the one rule of what can have changed since the
    previous complete build of the layer) and delete the rows of every
    listed profile first, so a profile that disappeared (merged, split away,
    erased) leaves no row behind. int_profile_build_state, built last, is the
    layer's commit point: what the next build compares against.

      per_profile_layers()          the layers built this way, profiles and
                                    traits: their tables and their to-refresh
                                    model. The macros below take the layer's
                                    name ('profiles' or 'traits').
      layer_refresh_all(layer)      true when every profile is recomputed: at
                                    parse time, on --full-refresh, and while
                                    one of the layer's tables is missing
                                    (first build, a dropped table). The same
                                    answer for every model of one invocation
                                    (it reads relations built by earlier
                                    invocations only).
      layer_is_incremental(layer)   is_incremental() and not
                                    layer_refresh_all(): the model merges only
                                    the listed profiles.
      The incremental models use the project's one strategy, replace_scope
      (macros/incremental/replace_scope.sql) with replace_scope.from = the
      layer's name: the rows of the listed profiles (every row when
      layer_refresh_all()) are deleted, including profiles that no longer
      exist or lost all rows of a model, then the computed rows inserted.
      layer_to_refresh(layer, column)
                                    a condition keeping the rows whose
                                    `column` (a profile id) is listed; 1 = 1
                                    when every profile is recomputed (for an
                                    incremental model: when it is not
                                    layer_is_incremental(); for a view or
                                    table such as int_profile_records_to_refresh:
                                    when layer_refresh_all()).
      fingerprint_sum(expressions)  an order-independent aggregate hash of a
                                    set of rows (dispatched): equal sets give
                                    equal sums, a changed, added or removed
                                    row changes it (64-bit hashes summed
                                    exactly, no overflow).
      consent_subject_identifier_id(subject_type, subject_value)
                                    the identifier_id a consent subject
                                    names, normalised like the identity
                                    layer's identifiers: the one matching rule
                                    of int_profile_consents and
                                    int_profiles_to_refresh.
      age_in_years(birth_date, reference_date)
                                    whole years from a birth date to a date.
#}

{#- The tables whose previous state an incremental run builds on. They share
    the profiles schema (dbt_project.yml). -#}
{% macro profiles_incremental_relations() -%}
    {{ return([
        'int_profile_build_state', 'int_profile_identifiers', 'int_profile_attribute_candidates',
        'int_profile_attributes_survived', 'int_profile_consents', 'dim_profiles',
    ]) }}
{%- endmacro %}


{#
    The mechanics shared by the layers whose tables hold rows per profile and
    recompute only the listed profiles (profiles, traits). `layer` names an
    entry of per_profile_layers(): its tables (the state an incremental run
    builds on, in the model's schema) and its to-refresh model (the one rule).
#}
{% macro per_profile_layers() -%}
    {{ return({
        'profiles': {
            'tables': profile360.profiles_incremental_relations(),
            'to_refresh': 'int_profiles_to_refresh',
        },
        'traits': {
            'tables': profile360.traits_incremental_relations(),
            'to_refresh': 'int_traits_to_refresh',
        },
    }) }}
{%- endmacro %}


{#- Every profile is recomputed: at parse time, on --full-refresh, and while a
    table of the layer is missing (first build, a dropped table). -#}
{% macro layer_refresh_all(layer) -%}
    {%- if not execute or this is none or flags.FULL_REFRESH -%}
        {{ return(true) }}
    {%- endif -%}
    {%- for name in profile360.per_profile_layers()[layer].tables -%}
        {%- if adapter.get_relation(database=this.database, schema=this.schema, identifier=name) is none -%}
            {{ return(true) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}


{% macro layer_is_incremental(layer) -%}
    {{ return(execute and this is not none and is_incremental() and not profile360.layer_refresh_all(layer)) }}
{%- endmacro %}


{#- The layer's to-refresh model, looked up by name: every model using it runs
    after it (a ref or a depends_on comment), and a ref in a hook would add a
    parent. -#}
{% macro layer_to_refresh_relation(layer) -%}
    {%- set name = profile360.per_profile_layers()[layer].to_refresh -%}
    {%- set relation = adapter.get_relation(database=this.database, schema=this.schema, identifier=name) -%}
    {%- if relation is none -%}
        {{ exceptions.raise_compiler_error(name ~ " must be built before " ~ this) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}


{#- A condition keeping the rows whose `column` (a profile id) is listed;
    1 = 1 when every profile is recomputed (an incremental model: when it is
    not layer_is_incremental(); a view or table: when layer_refresh_all()). -#}
{% macro layer_to_refresh(layer, column) -%}
    {%- if config.get('materialized') == 'incremental' -%}
        {%- set filtered = profile360.layer_is_incremental(layer) -%}
    {%- else -%}
        {%- set filtered = not profile360.layer_refresh_all(layer) -%}
    {%- endif -%}
    {%- if filtered -%}
        {{ column }} in (select profile_id from {{ profile360.layer_to_refresh_relation(layer) }})
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}


{% macro profiles_previous_state() -%}
    {%- if profile360.layer_refresh_all('profiles') -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(database=this.database, schema=this.schema,
                                   identifier='int_profile_build_state')) }}
{%- endmacro %}


{% macro fingerprint_sum(expressions) -%}
    {{ return(adapter.dispatch('fingerprint_sum', 'profile360')(expressions)) }}
{%- endmacro %}

{% macro default__fingerprint_sum(expressions) -%}
    {#- hash() is a UBIGINT; its sum a HUGEINT (128 bits): exact. -#}
    sum(hash({{ expressions | join(', ') }}))
{%- endmacro %}

{% macro spark__fingerprint_sum(expressions) -%}
    sum(cast(xxhash64({{ expressions | join(', ') }}) as decimal(38, 0)))
{%- endmacro %}


{% macro consent_subject_identifier_id(subject_type, subject_value) -%}
    {{ profile360.surrogate_key([
        subject_type, profile360.normalize_identifier_by_type(subject_type, subject_value)
    ]) }}
{%- endmacro %}


{% macro age_in_years(birth_date, reference_date) -%}
    cast(
        extract(year from {{ reference_date }}) - extract(year from {{ birth_date }})
        - case
            when
                extract(month from {{ reference_date }}) * 100 + extract(day from {{ reference_date }})
                < extract(month from {{ birth_date }}) * 100
                + extract(day from {{ birth_date }})
                then 1
            else 0
        end
        as {{ dbt.type_int() }}
    )
{%- endmacro %}


{#- survivorship_rules_fingerprint(relation): a select of one row, the
    fingerprint of the survivorship rules (seeds/survivorship_rules.csv):
    a changed rule recomputes every profile. -#}
{% macro survivorship_rules_fingerprint(relation) -%}
    select
        cast({{ profile360.fingerprint_sum([
            "'rules'", 'attribute', 'rule', 'source', 'source_priority'
        ]) }} as {{ dbt.type_string() }}) as fingerprint
    from {{ relation }}
{%- endmacro %}


{#- previous_state_rows(): the rows of the previous complete build's state
    (int_profile_build_state, read by name: it is built after the reader),
    or no rows (typed) when every profile is recomputed. -#}
{% macro previous_state_rows() -%}
    {%- set previous_state = profile360.profiles_previous_state() -%}
    {%- if previous_state is none -%}
    select
        cast(null as {{ dbt.type_string() }}) as fingerprint_kind,
        cast(null as {{ dbt.type_string() }}) as fingerprint_key,
        cast(null as {{ dbt.type_string() }}) as fingerprint,
        cast(null as {{ dbt.type_timestamp() }}) as built_at
    where 1 = 0
    {%- else -%}
    select
        fingerprint_kind,
        fingerprint_key,
        fingerprint,
        built_at
    from {{ previous_state }}
    {%- endif -%}
{%- endmacro %}


{#- refreshed_profile_ids(all_profiles, also): a select of the profile ids an
    incremental model recomputes: those of int_profiles_to_refresh, plus the
    rows of the select `also` if given; every profile_id of the relation
    `all_profiles` when the model is not layer_is_incremental('profiles'). -#}
{% macro refreshed_profile_ids(all_profiles, also=none) -%}
    {%- if profile360.layer_is_incremental('profiles') -%}
    select to_refresh.profile_id
    from {{ profile360.layer_to_refresh_relation('profiles') }} as to_refresh
        {%- if also %}
    union
    {{ also }}
        {%- endif %}
    {%- else -%}
    select all_profiles.profile_id
    from {{ all_profiles }} as all_profiles
    {%- endif -%}
{%- endmacro %}
