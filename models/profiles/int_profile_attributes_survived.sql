-- One row per profile and attribute: the value that survives, with the
-- source and time it came from. The rule per attribute and the sources it
-- may take values from are rows of seeds/survivorship_rules.csv:
--   source_priority  the value of the best-ranked source (then the latest);
--   most_recent      the latest observed value (then the better source);
--   most_frequent    the value seen on most records across sources (then the
--                    latest, then the better source).
-- A source not listed for an attribute never supplies it. Ties end on the
-- value itself so that the same data gives the same record. Incremental: only
-- the profiles of int_profiles_to_refresh are recomputed.
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.replace_scope_strategy(),
    on_schema_change='fail',
    replace_scope={'from': 'profiles', 'keys': [['profile_id', 'profile_id']]},
) }}
-- depends_on: {{ ref('int_profiles_to_refresh') }}

with

int_profile_attribute_candidates as (

    select * from {{ ref('int_profile_attribute_candidates') }}
    where {{ profile360.layer_to_refresh('profiles', 'profile_id') }}

),

survivorship_rules as (

    select * from {{ ref('survivorship_rules') }}

),

int_place_names_keyed as (

    select * from {{ ref('int_place_names_keyed') }}

),

-- Cities and provinces under their standard name before any rule counts or
-- ranks them (`HCM`, `Sài Gòn`, `TP.HCM` -> `Hồ Chí Minh`:
-- seeds/vn_place_names.csv); a spelling not listed is kept as typed.
standardized as (

    select
        int_profile_attribute_candidates.profile_id,
        int_profile_attribute_candidates.attribute_name,
        coalesce(
            int_place_names_keyed.standard_name, int_profile_attribute_candidates.attribute_value
        ) as attribute_value,
        int_profile_attribute_candidates.source,
        int_profile_attribute_candidates.observed_at,
        int_profile_attribute_candidates.count_observations
    from int_profile_attribute_candidates
    left join int_place_names_keyed
        on
            int_profile_attribute_candidates.attribute_name = int_place_names_keyed.place_type
            and {{ profile360.place_name_key('int_profile_attribute_candidates.attribute_value') }}
            = int_place_names_keyed.spelling_key

),

eligible as (

    select
        standardized.profile_id,
        standardized.attribute_name,
        standardized.attribute_value,
        standardized.source,
        standardized.observed_at,
        survivorship_rules.rule,
        survivorship_rules.source_priority,
        sum(standardized.count_observations) over (
            partition by
                standardized.profile_id,
                standardized.attribute_name,
                standardized.attribute_value
        ) as value_frequency
    from standardized
    inner join survivorship_rules
        on
            standardized.attribute_name = survivorship_rules.attribute
            and standardized.source = survivorship_rules.source

),

ranked as (

    select
        *,
        row_number() over (
            partition by profile_id, attribute_name
            order by
                case when rule = 'source_priority' then source_priority end asc,
                case when rule = 'most_frequent' then value_frequency end desc,
                observed_at desc,
                source_priority asc,
                attribute_value asc
        ) as survivor_rank
    from eligible

),

final as (

    select
        {{ profile360.surrogate_key(['profile_id', 'attribute_name']) }} as profile_attribute_id,
        profile_id,
        attribute_name,
        attribute_value,
        source as attribute_source,
        observed_at as attribute_updated_at,
        rule as survivorship_rule
    from ranked
    where survivor_rank = 1

)

select * from final
