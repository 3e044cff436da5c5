-- One row per profile and channel (email, sms, zalo, ads): whether the
-- profile may be contacted on that channel, and if not, why. The one rule
-- (exports, the segment comparison's reach columns and the app read it):
--   1. the consent in force for the channel's purpose is `granted` (latest
--      record wins, so it was not withdrawn since); unknown or withdrawn:
--      `no_consent`;
--   2. no opt-out event of the profile on the channel at or after that
--      grant: an e-mail unsubscribe, bounce (the contract has no soft
--      bounce: every bounce counts as hard) or spam report; a Zalo unfollow
--      (`opted_out`);
--   3. an identifier the channel can use: the identity layer's normalised,
--      unflagged best e-mail or phone, one Zalo id (the smallest linked,
--      taken whole), or their hashes for ads (`no_identifier`).
-- Channels, purposes, identifiers and opt-out events: macros/activation/
-- audiences.sql (audience_channels). Consent and events are read as loaded
-- (as dim_profiles reads consent), not as of the as-of day.
{%- set channels = profile360.audience_channels() %}
{%- set identifier_columns = profile360.audience_identifier_columns() %}

with

dim_profiles as (

    select * from {{ ref('dim_profiles') }}

),

map_identifiers_to_profiles as (

    select * from {{ ref('map_identifiers_to_profiles') }}

),

map_records_to_profiles as (

    select * from {{ ref('map_records_to_profiles') }}

),

stg_email__events as (

    select * from {{ ref('stg_email__events') }}

),

stg_zalo__events as (

    select * from {{ ref('stg_zalo__events') }}

),

-- One Zalo id per profile, whole (the list column joins ids with commas).
zalo_user_ids as (

    select
        profile_id,
        min(identifier_value) as zalo_user_id
    from map_identifiers_to_profiles
    where
        identifier_type = 'zalo_user_id'
        and profile_id is not null
    group by profile_id

),

profiles as (

    select
        {%- for spec in channels.values() %}
            dim_profiles.consent_{{ spec.purpose }},
            dim_profiles.consent_{{ spec.purpose }}_at,
        {%- endfor %}
        dim_profiles.profile_id,
        dim_profiles.email,
        dim_profiles.phone,
        zalo_user_ids.zalo_user_id
    from dim_profiles
    left join zalo_user_ids
        on dim_profiles.profile_id = zalo_user_ids.profile_id

),

per_channel as (

    {%- for channel, spec in channels.items() %}
        {%- set present = [] %}
        {%- for expression in spec.columns.values() %}
            {%- do present.append(expression ~ ' is not null') %}
        {%- endfor %}
        select
            profiles.profile_id,
            '{{ channel }}' as channel,
            '{{ spec.purpose }}' as consent_purpose,
            coalesce(profiles.consent_{{ spec.purpose }}, 'unknown') as consent_status,
            profiles.consent_{{ spec.purpose }}_at as consent_recorded_at,
            {%- for name in identifier_columns %}
                {%- if name in spec.columns %}
                    {{ spec.columns[name] }} as {{ name }},
                {%- else %}
                    cast(null as {{ dbt.type_string() }}) as {{ name }},
                {%- endif %}
            {%- endfor %}
            coalesce({{ present | join(' or ') }}, false) as has_identifier
        from profiles
        {{ 'union all' if not loop.last }}
    {%- endfor %}

),

opt_out_events as (

    {%- set opt_out_channels = [] %}
    {%- for channel, spec in channels.items() if spec.opt_outs %}
        {%- do opt_out_channels.append(channel) %}
    {%- endfor %}
    {%- for channel in opt_out_channels %}
        {%- set opt_outs = channels[channel].opt_outs %}
        {%- set event_types = "'" ~ opt_outs.event_types | join("', '") ~ "'" %}
        select
            '{{ channel }}' as channel,
            '{{ opt_outs.source }}' as source,
            event_id,
            event_type,
            event_at
        from {{ opt_outs.relation }}
        where event_type in ({{ event_types }})
        {{ 'union all' if not loop.last }}
    {%- endfor %}

),

profile_opt_outs as (

    select
        map_records_to_profiles.profile_id,
        opt_out_events.channel,
        opt_out_events.event_type,
        opt_out_events.event_at
    from opt_out_events
    inner join map_records_to_profiles
        on
            opt_out_events.source = map_records_to_profiles.source
            and opt_out_events.event_id = map_records_to_profiles.record_key
    where map_records_to_profiles.profile_id is not null

),

-- Opt-outs at or after the grant in force: the latest one per profile and
-- channel (an opt-out before a newer grant no longer counts).
opt_outs_since_grant as (

    select
        per_channel.profile_id,
        per_channel.channel,
        profile_opt_outs.event_type,
        profile_opt_outs.event_at,
        row_number() over (
            partition by per_channel.profile_id, per_channel.channel
            order by profile_opt_outs.event_at desc, profile_opt_outs.event_type asc
        ) as opt_out_rank
    from per_channel
    inner join profile_opt_outs
        on
            per_channel.profile_id = profile_opt_outs.profile_id
            and per_channel.channel = profile_opt_outs.channel
            and per_channel.consent_recorded_at <= profile_opt_outs.event_at
    where per_channel.consent_status = 'granted'

),

decided as (

    select
        per_channel.*,
        opt_outs_since_grant.event_at as opted_out_at,
        opt_outs_since_grant.event_type as opt_out_event_type,
        case
            when per_channel.consent_status <> 'granted' then 'no_consent'
            when opt_outs_since_grant.event_at is not null then 'opted_out'
            when not per_channel.has_identifier then 'no_identifier'
        end as not_contactable_reason
    from per_channel
    left join opt_outs_since_grant
        on
            per_channel.profile_id = opt_outs_since_grant.profile_id
            and per_channel.channel = opt_outs_since_grant.channel
            and opt_outs_since_grant.opt_out_rank = 1

),

final as (

    select
        {%- for name in identifier_columns %}
            {{ name }},
        {%- endfor %}
        {{ profile360.surrogate_key(['profile_id', 'channel']) }} as profile_channel_id,
        profile_id,
        channel,
        consent_purpose,
        consent_status,
        consent_recorded_at,
        opted_out_at,
        opt_out_event_type,
        has_identifier,
        not_contactable_reason is null as is_contactable,
        not_contactable_reason
    from decided

)

select * from final
