-- One row per profile and lookalike feature (var
-- profile360__lookalike_features: RFM, categories, channels, engagement,
-- lifecycle, each a numeric SQL expression over the profile's traits): the
-- value standardised over every profile, z = (value - mean) / standard
-- deviation. A missing value (NULL) and a feature without spread get 0,
-- the mean, so they pull no profile towards or away from a seed.
{%- set features = profile360.lookalike_features() %}

with

int_segment_profiles as (

    select * from {{ ref('int_segment_profiles') }}

),

feature_values as (

    {%- for name, expression in features.items() %}
        select
            profile_id,
            '{{ name }}' as feature,
            cast(({{ expression }}) as {{ dbt.type_float() }}) as feature_value
        from int_segment_profiles
        {{- '\n        union all' if not loop.last }}
    {%- endfor %}

),

feature_spreads as (

    select
        feature,
        avg(feature_value) as feature_mean,
        stddev_pop(feature_value) as feature_stddev
    from feature_values
    group by feature

),

final as (

    select
        feature_values.profile_id,
        cast(feature_values.feature as {{ dbt.type_string() }}) as feature,
        cast(feature_values.feature_value as {{ dbt.type_float() }}) as feature_value,
        cast(
            case
                when feature_values.feature_value is null or feature_spreads.feature_stddev = 0
                    then 0
                else
                    (feature_values.feature_value - feature_spreads.feature_mean)
                    / feature_spreads.feature_stddev
            end as {{ dbt.type_float() }}
        ) as standardised_value
    from feature_values
    inner join feature_spreads
        on feature_values.feature = feature_spreads.feature

)

select * from final
