-- One row per touchpoint of a profile: every staged event and record that
-- identity stitched into a profile (map_records_to_profiles) and that has a
-- time, in the order the profile lived them. touchpoint_seq orders a
-- profile's touchpoints by occurred_at, then source, then record_key (a
-- deterministic tiebreak for touchpoints at the same second).

with

fct_event_touchpoints as (

    select * from {{ ref('fct_event_touchpoints') }}

),

fct_record_touchpoints as (

    select * from {{ ref('fct_record_touchpoints') }}

),

map_records_to_profiles as (

    select * from {{ ref('map_records_to_profiles') }}

),

touchpoints as (

    select * from fct_event_touchpoints
    union all
    select * from fct_record_touchpoints

),

profiled as (

    select
        touchpoints.touchpoint_id,
        map_records_to_profiles.profile_id,
        touchpoints.occurred_at,
        touchpoints.source,
        touchpoints.record_key,
        touchpoints.channel,
        touchpoints.touchpoint_type,
        touchpoints.campaign_id,
        touchpoints.utm_source,
        touchpoints.utm_medium,
        touchpoints.store_id,
        touchpoints.revenue,
        touchpoints.currency,
        touchpoints.is_conversion
    from touchpoints
    inner join map_records_to_profiles
        on
            touchpoints.source = map_records_to_profiles.source
            and touchpoints.record_key = map_records_to_profiles.record_key
    where touchpoints.occurred_at is not null

),

sequenced as (

    select
        *,
        row_number() over (
            partition by profile_id order by occurred_at, source, record_key
        ) as touchpoint_seq,
        lag(occurred_at) over (
            partition by profile_id order by occurred_at, source, record_key
        ) as previous_touchpoint_at
    from profiled

),

final as (

    select
        touchpoint_id,
        profile_id,
        cast(touchpoint_seq as {{ dbt.type_bigint() }}) as touchpoint_seq,
        occurred_at,
        previous_touchpoint_at,
        cast(
            {{ dbt.datediff(
                'previous_touchpoint_at', 'occurred_at', 'second'
            ) }} / 86400.0
            as decimal(18, 6)
        ) as days_since_previous_touchpoint,
        source,
        record_key,
        channel,
        touchpoint_type,
        campaign_id,
        utm_source,
        utm_medium,
        store_id,
        revenue,
        currency,
        is_conversion
    from sequenced

)

select * from final
