{#
    Incremental traits (docs/layers.md, "Incremental traits"). The per-profile
    state tables of the traits layer (int_purchase_state, int_engagement_state,
    int_service_state, then int_profiles_as_of, built last: the layer's commit
    point) recompute only the profiles listed in int_traits_to_refresh (the one
    rule, with reasons) and delete the rows of every listed profile first, so a
    profile that disappeared or lost its events leaves no row behind. The public
    trait tables compute the columns that move with the as-of day (recency, days
    since, RFM ranks) at read time from these one-row-per-profile states.

      trait_windows()               the day windows of the traits (7, 30, 90): a
                                    window of N days holds the as-of day and the
                                    N-1 days before it.
      The shared mechanics are the layer_*('traits') macros of
      macros/profiles/incremental.sql: layer_refresh_all (every profile is
      recomputed: parse time, --full-refresh, a state table missing; the
      spine int_profiles_as_of is built last, so a first build answers true
      for every model of the invocation), layer_is_incremental,
      and layer_to_refresh(layer, column). The state tables' strategy is the
      project's one, replace_scope (macros/incremental/replace_scope.sql),
      from the layer 'traits': the listed profiles' rows are replaced.
      traits_previous_build(as_of_relation)
                                    what the previous complete build of the layer
                                    left (read from int_profiles_as_of at execute
                                    time, by name): `loaded_at`, its start (the
                                    newest _loaded_at written before this run),
                                    `as_of_date`, the latest day a state row was
                                    computed as of, and `new_as_of_date`, the day
                                    of this build. None when every profile is
                                    recomputed.
      traits_loaded_since(previous, column)
                                    a condition: the staged row was loaded after
                                    the previous build (1 = 1 without one).
      traits_time_crossed(previous, column, windows)
                                    a condition: the timestamp `column` changes
                                    side of a threshold between the previous
                                    as-of day P and the new one A: its day enters
                                    the as-of range (P < day <= A: it was after
                                    the end of day P, it is before the end of A)
                                    or leaves one of `windows` (P-N+1 <= day <=
                                    A-N). Rendered as constant timestamp ranges,
                                    so DuckDB can skip row groups. 1 = 0 when the
                                    as-of day did not move forward.
#}

{% macro trait_windows() -%}
    {{ return([7, 30, 90]) }}
{%- endmacro %}


{#- The tables whose previous state an incremental run builds on (traits schema). -#}
{% macro traits_incremental_relations() -%}
    {{ return([
        'int_purchase_state', 'int_profile_product_state', 'int_engagement_state',
        'int_service_state', 'int_profiles_as_of',
    ]) }}
{%- endmacro %}


{#- The stored spine (int_profiles_as_of) of the previous build, or none when
    every profile is recomputed. -#}
{% macro traits_previous_spine() -%}
    {%- if profile360.layer_refresh_all('traits') -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(database=this.database, schema=this.schema,
                                   identifier='int_profiles_as_of')) }}
{%- endmacro %}


{% macro traits_previous_build(as_of_relation) -%}
    {%- set spine = profile360.traits_previous_spine() -%}
    {%- if spine is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
        select
            cast(max(_loaded_at) as {{ dbt.type_string() }}),
            cast(max(computed_as_of_date) as {{ dbt.type_string() }})
        from {{ spine }}
        where _loaded_at < {{ profile360.load_timestamp() }}
    {%- endset -%}
    {%- set previous = run_query(query).rows[0] -%}
    {%- set new_as_of = run_query(
        'select cast(as_of_date as ' ~ dbt.type_string() ~ ') from ' ~ as_of_relation
    ).rows[0][0] -%}
    {{ return({'loaded_at': previous[0], 'as_of_date': previous[1], 'new_as_of_date': new_as_of}) }}
{%- endmacro %}


{% macro traits_loaded_since(previous, column) -%}
    {%- if previous is none -%}
        1 = 0
    {%- elif previous.loaded_at is none -%}
        1 = 1
    {%- else -%}
        {{ column }} > cast('{{ previous.loaded_at }}' as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}


{% macro traits_time_crossed(previous, column, windows=[]) -%}
    {%- if previous is none -%}
        1 = 0
    {%- elif previous.as_of_date is none -%}
        1 = 1
    {%- else -%}
        {%- set date = modules.datetime.date -%}
        {%- set day = modules.datetime.timedelta(days=1) -%}
        {%- set old = date.fromisoformat(previous.as_of_date[:10]) -%}
        {%- set new = date.fromisoformat(previous.new_as_of_date[:10]) -%}
        {%- if new <= old -%}
            1 = 0
        {%- else -%}
            {#- Day ranges [first, last]; a timestamp is in one when
                first <= it < last + 1 day. -#}
            {%- set ranges = [(old + day, new)] -%}
            {%- for window in windows -%}
                {%- do ranges.append((old - day * (window - 1), new - day * window)) -%}
            {%- endfor -%}
            (
            {%- for first, last in ranges %}
                {{ 'or ' if not loop.first }}({{ column }} >= cast('{{ first.isoformat() }}' as {{ dbt.type_timestamp() }})
                and {{ column }} < cast('{{ (last + day).isoformat() }}' as {{ dbt.type_timestamp() }}))
            {%- endfor %}
            )
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- traits_previous_state_rows(spine): the stored per-profile fingerprints and
    as-of days of the previous build (the relation from
    traits_previous_spine()), or no rows (typed) when it is none. -#}
{% macro traits_previous_state_rows(spine) -%}
    {%- if spine is none -%}
    select
        cast(null as {{ dbt.type_string() }}) as profile_id,
        cast(null as {{ dbt.type_string() }}) as input_fingerprint,
        cast(null as date) as computed_as_of_date
    where 1 = 0
    {%- else -%}
    select
        profile_id,
        input_fingerprint,
        computed_as_of_date
    from {{ spine }}
    {%- endif -%}
{%- endmacro %}


{#- One branch of the touched-records unions (int_touched_*_records): the
    rows of `relation` (source `source`, record key `key`) loaded since the
    previous build (`new_rows`), or with a time that changes side of a
    threshold (`window_edge`); `times`: [(column, windows)], see
    traits_time_crossed(). -#}
{% macro traits_touched_rows(previous, source, key, relation, times=[]) -%}
    select
        '{{ source }}' as source,
        {{ key }} as record_key,
        case
            when {{ profile360.traits_loaded_since(previous, '_loaded_at') }} then 'new_rows'
            else 'window_edge'
        end as touch_reason
    from {{ relation }}
    where
        {{ profile360.traits_loaded_since(previous, '_loaded_at') }}
        {%- for column, windows in times %}
        or {{ profile360.traits_time_crossed(previous, column, windows) }}
        {%- endfor %}
{%- endmacro %}
