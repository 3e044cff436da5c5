-- One row per segment (declared segments, lifecycle stages and stage x tier
-- cells) as of the as-of day: how big it is, what it is worth and how it can
-- be reached. Money is lifetime net revenue in VND (trait_purchase).
--   share_of_revenue      the segment's revenue / revenue of all profiles
--   average_order_value   revenue / purchases of the segment's members
--   orders_per_profile    purchases / audience size
--   <channel>_reachable   members contactable on the channel (email, sms,
--                         zalo, ads): profiles.dim_profile_contactability,
--                         the one contactability rule (unknown consent is
--                         not reachable)
--   consented_*           members whose consent in force for that purpose
--                         is granted (dim_profiles)
--   expected_value_12m    the members' predicted net spend in the next 365
--                         days (trait_predicted_value; non-buyers count 0)
{%- set purposes = ['marketing_email', 'marketing_sms', 'marketing_zalo', 'ads_targeting'] %}
{%- set channels = profile360.audience_channels() %}

with

int_segment_members as (

    select * from {{ ref('int_segment_members') }}

),

dim_segments as (

    select * from {{ ref('dim_segments') }}

),

dim_profile_traits as (

    select * from {{ ref('dim_profile_traits') }}

),

dim_profiles as (

    select * from {{ ref('dim_profiles') }}

),

int_as_of_date as (

    select * from {{ ref('int_as_of_date') }}

),

dim_profile_contactability as (

    select * from {{ ref('dim_profile_contactability') }}

),

-- One row per profile: 1 when contactable on the channel, else 0.
reach as (

    select
        {%- for channel in channels %}
            max(
                case
                    when channel = '{{ channel }}' and is_contactable then 1 else 0
                end
            ) as is_{{ channel }}_reachable,
        {%- endfor %}
        profile_id
    from dim_profile_contactability
    group by profile_id

),

profiles as (

    select
        {%- for purpose in purposes %}
            case when dim_profiles.consent_{{ purpose }} = 'granted' then 1 else 0 end
                as is_consented_{{ purpose }},
        {%- endfor %}
        {%- for channel in channels %}
            coalesce(reach.is_{{ channel }}_reachable, 0) as is_{{ channel }}_reachable,
        {%- endfor %}
        dim_profile_traits.profile_id,
        dim_profile_traits.lifetime_value,
        dim_profile_traits.lifetime_purchases,
        dim_profile_traits.behaviour_score,
        dim_profile_traits.expected_value_12m,
        dim_profile_traits.probability_alive
    from dim_profile_traits
    left join dim_profiles
        on dim_profile_traits.profile_id = dim_profiles.profile_id
    left join reach
        on dim_profile_traits.profile_id = reach.profile_id

),

totals as (

    select sum(lifetime_value) as total_revenue
    from profiles

),

per_segment as (

    select
        {%- for purpose in purposes %}
            sum(profiles.is_consented_{{ purpose }}) as consented_{{ purpose }},
        {%- endfor %}
        int_segment_members.segment_key,
        count(*) as audience_size,
        sum(profiles.lifetime_value) as revenue,
        sum(profiles.lifetime_purchases) as purchases,
        avg(profiles.behaviour_score) as avg_behaviour_score,
        {%- for channel in channels %}
            sum(profiles.is_{{ channel }}_reachable) as {{ channel }}_reachable,
        {%- endfor %}
        sum(profiles.expected_value_12m) as expected_value_12m,
        avg(profiles.probability_alive) as avg_probability_alive
    from int_segment_members
    inner join profiles
        on int_segment_members.profile_id = profiles.profile_id
    group by int_segment_members.segment_key

),

final as (

    select
        {%- for purpose in purposes %}
            cast(coalesce(per_segment.consented_{{ purpose }}, 0) as {{ dbt.type_bigint() }})
                as consented_{{ purpose }},
        {%- endfor %}
        {%- for channel in channels if channel != 'email' %}
            cast(coalesce(per_segment.{{ channel }}_reachable, 0) as {{ dbt.type_bigint() }})
                as {{ channel }}_reachable,
        {%- endfor %}
        dim_segments.segment_key,
        dim_segments.segment_name,
        dim_segments.segment_kind,
        int_as_of_date.as_of_date,
        cast(coalesce(per_segment.audience_size, 0) as {{ dbt.type_bigint() }}) as audience_size,
        cast(coalesce(per_segment.revenue, 0) as {{ dbt.type_numeric() }}) as revenue,
        cast(
            case
                when
                    totals.total_revenue > 0
                    then coalesce(per_segment.revenue, 0) / totals.total_revenue
            end
            as {{ dbt.type_float() }}
        ) as share_of_revenue,
        cast(coalesce(per_segment.purchases, 0) as {{ dbt.type_bigint() }}) as purchases,
        cast(
            case when per_segment.purchases > 0 then per_segment.revenue / per_segment.purchases end
            as {{ dbt.type_numeric() }}
        ) as average_order_value,
        cast(
            case
                when
                    per_segment.audience_size > 0
                    then 1.0 * per_segment.purchases / per_segment.audience_size
            end
            as {{ dbt.type_float() }}
        ) as orders_per_profile,
        cast(per_segment.avg_behaviour_score as {{ dbt.type_float() }}) as avg_behaviour_score,
        cast(coalesce(per_segment.email_reachable, 0) as {{ dbt.type_bigint() }})
            as email_reachable,
        cast(
            case
                when
                    per_segment.audience_size > 0
                    then 1.0 * per_segment.email_reachable / per_segment.audience_size
            end
            as {{ dbt.type_float() }}
        ) as email_reachable_share,
        cast(coalesce(per_segment.expected_value_12m, 0) as {{ dbt.type_numeric() }})
            as expected_value_12m,
        cast(per_segment.avg_probability_alive as {{ dbt.type_float() }}) as avg_probability_alive
    from dim_segments
    cross join int_as_of_date
    cross join totals
    left join per_segment
        on dim_segments.segment_key = per_segment.segment_key

)

select * from final
