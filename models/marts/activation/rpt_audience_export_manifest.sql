-- One row per segment and channel of the build's audience exports: how many
-- members the segment has, how many rows were exported, how many were left
-- out for lack of consent for the channel's purpose, how many (with consent)
-- opted out since (unsubscribe, bounce, spam report, Zalo unfollow), how many
-- for want of an identifier the channel can use (dim_profile_contactability),
-- and the files. audience_size = exported_rows + left_out_no_consent
-- + left_out_opted_out + left_out_no_identifier.
-- Every segment of dim_segments appears for every channel, empty ones too.
-- Written beside the exports as manifest.csv and manifest.json, with the count of
-- neutralised cells, by orchestration/lib/exports.py after the build.
{%- set channels = profile360.audience_channels() %}

with

int_segment_members as (

    select * from {{ ref('int_segment_members') }}

),

dim_profile_contactability as (

    select * from {{ ref('dim_profile_contactability') }}

),

dim_segments as (

    select * from {{ ref('dim_segments') }}

),

int_as_of_date as (

    select * from {{ ref('int_as_of_date') }}

),

decisions as (

    {%- for channel in channels %}
        select
            '{{ channel }}' as channel,
            audience_{{ channel }}.segment_key,
            audience_{{ channel }}.left_out_reason
        from (
            {{ profile360.audience_rows(
                channel, 'int_segment_members', 'dim_profile_contactability'
            ) }}
        ) as audience_{{ channel }}
        {{ 'union all' if not loop.last }}
    {%- endfor %}

),

counted as (

    select
        segment_key,
        channel,
        count(*) as audience_size,
        sum(case when left_out_reason is null then 1 else 0 end) as exported_rows,
        sum(case when left_out_reason = 'no_consent' then 1 else 0 end) as left_out_no_consent,
        sum(case when left_out_reason = 'no_identifier' then 1 else 0 end)
            as left_out_no_identifier,
        sum(case when left_out_reason = 'opted_out' then 1 else 0 end) as left_out_opted_out
    from decisions
    group by segment_key, channel

),

channels as (

    {%- for channel, spec in channels.items() %}
        select
            '{{ channel }}' as channel,
            '{{ spec.purpose }}' as consent_purpose
        {{ 'union all' if not loop.last }}
    {%- endfor %}

),

final as (

    select
        {{ profile360.surrogate_key(['dim_segments.segment_key', 'channels.channel']) }}
            as audience_export_id,
        int_as_of_date.as_of_date as run_date,
        dim_segments.segment_key,
        channels.channel,
        channels.consent_purpose,
        cast(coalesce(counted.audience_size, 0) as {{ dbt.type_bigint() }}) as audience_size,
        cast(coalesce(counted.exported_rows, 0) as {{ dbt.type_bigint() }}) as exported_rows,
        cast(coalesce(counted.left_out_no_consent, 0) as {{ dbt.type_bigint() }})
            as left_out_no_consent,
        cast(coalesce(counted.left_out_no_identifier, 0) as {{ dbt.type_bigint() }})
            as left_out_no_identifier,
        cast(coalesce(counted.left_out_opted_out, 0) as {{ dbt.type_bigint() }})
            as left_out_opted_out,
        {{ profile360.audience_file_sql(
            'channels.channel', 'segment', 'dim_segments.segment_key'
        ) }} as segment_file,
        {{ profile360.audience_file_sql('channels.channel', 'csv') }} as channel_csv_file,
        {{ profile360.audience_file_sql('channels.channel', 'parquet') }} as channel_parquet_file
    from dim_segments
    cross join channels
    cross join int_as_of_date
    left join counted
        on
            dim_segments.segment_key = counted.segment_key
            and channels.channel = counted.channel

)

select * from final
