{#
    Incremental profiles (docs/layers.md, "Incremental profiles"). The
    expensive profiles models recompute only the profiles listed in
    int_profiles_to_refresh (the one rule of what can have changed since the
    previous complete build of the layer) and delete the rows of every
    listed profile first, so a profile that disappeared (merged, split away,
    erased) leaves no row behind. int_profile_build_state, built last, is the
    layer's commit point: what the next build compares against.

      profiles_refresh_all()        true when every profile is recomputed: at
                                    parse time, on --full-refresh, and while
                                    the state of a previous complete build or
                                    one of the incremental tables is missing
                                    (first build, a dropped table). The same
                                    answer for every model of one invocation
                                    (it reads relations built by earlier
                                    invocations only).
      profiles_is_incremental()     is_incremental() and not
                                    profiles_refresh_all(): the model merges
                                    only the listed profiles.
      profiles_incremental_strategy()
                                    delete+insert on DuckDB, merge on Spark
                                    (dispatched).
      profiles_unique_key(row_key)  the incremental key: profile_id on DuckDB
                                    (delete+insert replaces all rows of a
                                    profile), the row's own key on Spark
                                    (merge needs one source row per key).
      delete_refreshed_profiles()   a pre-hook of the incremental models:
                                    deletes the rows of the listed profiles
                                    (every row when profiles_refresh_all() on
                                    an existing table), including profiles
                                    that no longer exist or lost all rows of
                                    this model; a no-op on a new table.
      profiles_to_refresh(column)   a condition keeping the rows whose
                                    `column` (a profile id) is listed; 1 = 1
                                    when every profile is recomputed (for an
                                    incremental model: when it is not
                                    profiles_is_incremental(); for a view
                                    such as int_profile_records_to_refresh:
                                    when profiles_refresh_all()).
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


{% macro profiles_refresh_all() -%}
    {%- if not execute or this is none or flags.FULL_REFRESH -%}
        {{ return(true) }}
    {%- endif -%}
    {%- for name in profile360.profiles_incremental_relations() -%}
        {%- if adapter.get_relation(database=this.database, schema=this.schema, identifier=name) is none -%}
            {{ return(true) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}


{% macro profiles_is_incremental() -%}
    {{ return(execute and this is not none and is_incremental() and not profile360.profiles_refresh_all()) }}
{%- endmacro %}


{% macro profiles_previous_state() -%}
    {%- if profile360.profiles_refresh_all() -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(database=this.database, schema=this.schema,
                                   identifier='int_profile_build_state')) }}
{%- endmacro %}


{#- The same upsert as incremental staging (delete+insert on DuckDB, merge on Spark). -#}
{% macro profiles_incremental_strategy() -%}
    {{ return(profile360.staging_incremental_strategy()) }}
{%- endmacro %}


{% macro profiles_unique_key(row_key) -%}
    {{ return(adapter.dispatch('profiles_unique_key', 'profile360')(row_key)) }}
{%- endmacro %}

{% macro default__profiles_unique_key(row_key) -%}
    {{ return('profile_id') }}
{%- endmacro %}

{% macro spark__profiles_unique_key(row_key) -%}
    {{ return(row_key) }}
{%- endmacro %}


{#- The relation of int_profiles_to_refresh, looked up by name: every model
    using it runs after it (int_profile_records_to_refresh or a depends_on
    comment), and a ref in a hook would add a parent. -#}
{% macro profiles_to_refresh_relation() -%}
    {%- set relation = adapter.get_relation(database=this.database, schema=this.schema,
                                            identifier='int_profiles_to_refresh') -%}
    {%- if relation is none -%}
        {{ exceptions.raise_compiler_error("int_profiles_to_refresh must be built before " ~ this) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}


{% macro delete_refreshed_profiles() -%}
    {%- if execute and this is not none and is_incremental() -%}
        {%- if profile360.profiles_refresh_all() -%}
            delete from {{ this }}
        {%- else -%}
            delete from {{ this }}
            where profile_id in (select profile_id from {{ profile360.profiles_to_refresh_relation() }})
        {%- endif -%}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{% macro profiles_to_refresh(column) -%}
    {%- if config.get('materialized') == 'incremental' -%}
        {%- set filtered = profile360.profiles_is_incremental() -%}
    {%- else -%}
        {%- set filtered = not profile360.profiles_refresh_all() -%}
    {%- endif -%}
    {%- if filtered -%}
        {{ column }} in (select profile_id from {{ profile360.profiles_to_refresh_relation() }})
    {%- else -%}
        1 = 1
    {%- endif -%}
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
    `all_profiles` when the model is not profiles_is_incremental(). -#}
{% macro refreshed_profile_ids(all_profiles, also=none) -%}
    {%- if profile360.profiles_is_incremental() -%}
    select to_refresh.profile_id
    from {{ profile360.profiles_to_refresh_relation() }} as to_refresh
        {%- if also %}
    union
    {{ also }}
        {%- endif %}
    {%- else -%}
    select all_profiles.profile_id
    from {{ all_profiles }} as all_profiles
    {%- endif -%}
{%- endmacro %}
