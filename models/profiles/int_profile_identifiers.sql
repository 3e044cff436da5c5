-- One row per profile (every profile_id of map_records_to_profiles): when and
-- where it was seen (first and last record, sources) and its identifiers,
-- counted and listed per type. Flagged identifiers link no profile and are
-- not listed. Incremental: only the profiles of int_profiles_to_refresh are
-- recomputed (macros/profiles/incremental.sql).
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.replace_scope_strategy(),
    on_schema_change='fail',
    replace_scope={'from': 'profiles', 'keys': [['profile_id', 'profile_id']]},
) }}
-- depends_on: {{ ref('int_profiles_to_refresh') }}
{%- set identifier_types = var('profile360__identity_identifier_ranks') %}
{%- set listed_types = ['customer_id', 'loyalty_id', 'email', 'phone', 'zalo_user_id'] %}

with

int_profile_records_to_refresh as (

    select * from {{ ref('int_profile_records_to_refresh') }}

),

int_identifier_occurrences as (

    select * from {{ ref('int_identifier_occurrences') }}

),

map_identifiers_to_profiles as (

    select * from {{ ref('map_identifiers_to_profiles') }}

),

-- Occurrences of the records recomputed only (all records on a full build).
record_times as (

    select
        int_identifier_occurrences.source,
        int_identifier_occurrences.record_key,
        min(int_identifier_occurrences.seen_at) as seen_at
    from int_identifier_occurrences
    inner join int_profile_records_to_refresh
        on
            int_identifier_occurrences.source = int_profile_records_to_refresh.source
            and int_identifier_occurrences.record_key = int_profile_records_to_refresh.record_key
    group by int_identifier_occurrences.source, int_identifier_occurrences.record_key

),

records as (

    select
        int_profile_records_to_refresh.profile_id,
        int_profile_records_to_refresh.source,
        record_times.seen_at
    from int_profile_records_to_refresh
    left join record_times
        on
            int_profile_records_to_refresh.source = record_times.source
            and int_profile_records_to_refresh.record_key = record_times.record_key

),

profile_sources as (

    select
        profile_id,
        source,
        count(*) as count_records,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from records
    group by profile_id, source

),

seen as (

    select
        profile_id,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        sum(count_records) as count_records,
        count(*) as count_sources,
        {{ dbt.listagg('source', "','", 'order by source') }} as sources_seen
    from profile_sources
    group by profile_id

),

linked_identifiers as (

    select
        profile_id,
        identifier_type,
        identifier_value
    from map_identifiers_to_profiles
    where
        profile_id is not null
        and {{ profile360.layer_to_refresh('profiles', 'profile_id') }}

),

identifier_counts as (

    select
        {%- for identifier_type in identifier_types %}
            sum(case when identifier_type = '{{ identifier_type }}' then 1 else 0 end)
                as count_{{ identifier_type }}s,
        {%- endfor %}
        profile_id,
        count(*) as count_identifiers
    from linked_identifiers
    group by profile_id

),

{%- for identifier_type in listed_types %}

    {{ identifier_type }}_lists as (

        select
            profile_id,
            {{ dbt.listagg('identifier_value', "','", 'order by identifier_value') }}
                as {{ identifier_type }}_list
        from linked_identifiers
        where identifier_type = '{{ identifier_type }}'
        group by profile_id

    ),
{%- endfor %}

final as (

    select
        {%- for identifier_type in listed_types %}
            {{ identifier_type }}_lists.{{ identifier_type }}_list,
        {%- endfor %}
        seen.profile_id,
        seen.first_seen_at,
        seen.last_seen_at,
        cast(seen.count_records as {{ dbt.type_bigint() }}) as count_records,
        cast(seen.count_sources as {{ dbt.type_bigint() }}) as count_sources,
        seen.sources_seen,
        {%- for identifier_type in identifier_types %}
            cast(
                coalesce(
                    identifier_counts.count_{{ identifier_type }}s, 0
                ) as {{ dbt.type_bigint() }}
            ) as count_{{ identifier_type }}s,
        {%- endfor %}
        cast(coalesce(identifier_counts.count_identifiers, 0) as {{ dbt.type_bigint() }})
            as count_identifiers
    from seen
    left join identifier_counts
        on seen.profile_id = identifier_counts.profile_id
    {%- for identifier_type in listed_types %}
        left join {{ identifier_type }}_lists
            on seen.profile_id = {{ identifier_type }}_lists.profile_id
    {%- endfor %}

)

select * from final
