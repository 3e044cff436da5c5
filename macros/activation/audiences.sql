{#
    Audience exports (docs/activation.md, models/marts/activation/). The
    rules live here, once:

      audience_channels()            per channel: the consent purpose it needs
                                     and the identifier columns it exports, as
                                     SQL over a profile row (`profiles`:
                                     dim_profiles plus zalo_user_id).
      audience_rows(channel, members, profiles)
                                     one row per segment member with the
                                     channel's identifiers and why it is left
                                     out (`no_consent`, `no_identifier`) or
                                     NULL when it is exported. Consent means
                                     the state in force is `granted`:
                                     withdrawn and unknown (no record) are
                                     left out.
      audience_file_sql(channel, kind, segment_key)
                                     a file name inside the run's folder
                                     (SQL, one pattern per kind):
                                     `audience_<channel>.parquet` / `.csv`
                                     (every segment, long) and
                                     `<channel>/<segment_key>.csv` (one
                                     segment: the file to upload).
    The files themselves are written after the build, from the tables, by
    orchestration/lib/exports.py (CSV cells neutralised, the manifest with
    the count of neutralised cells), never by dbt hooks.
#}
{% macro audience_channels() -%}
    {{ return({
        'email': {
            'purpose': 'marketing_email',
            'columns': {'email': 'profiles.email'},
        },
        'sms': {
            'purpose': 'marketing_sms',
            'columns': {'phone': 'profiles.phone'},
        },
        'zalo': {
            'purpose': 'marketing_zalo',
            'columns': {
                'zalo_user_id': 'profiles.zalo_user_id',
                'phone': 'case when profiles.zalo_user_id is null then profiles.phone end',
            },
        },
        'ads': {
            'purpose': 'ads_targeting',
            'columns': {
                'email_sha256': profile360.sha256_hex(profile360.normalize_email('profiles.email')),
                'phone_sha256': profile360.sha256_hex(profile360.normalize_vn_phone('profiles.phone')),
            },
        },
    }) }}
{%- endmacro %}


{#- The profile columns a channel reads: best e-mail and phone, one Zalo id
    (the first of the profile's linked ids, sorted), consent per purpose. -#}
{% macro audience_profile_columns(profiles_relation) -%}
    {%- set purposes = [] -%}
    {%- for channel in profile360.audience_channels().values() -%}
        {%- do purposes.append(channel.purpose) -%}
    {%- endfor %}
    select
        profile_id,
        email,
        phone,
        nullif({{ dbt.split_part('zalo_user_id_list', "','", 1) }}, '') as zalo_user_id,
        {%- for purpose in purposes %}
            consent_{{ purpose }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ profiles_relation }}
{%- endmacro %}


{% macro audience_rows(channel, members_relation, profiles_relation) -%}
    {%- set spec = profile360.audience_channels()[channel] -%}
    {%- set columns = spec.columns -%}
    select
        members.segment_key,
        members.profile_id,
        {%- for name, expression in columns.items() %}
            {{ expression }} as {{ name }},
        {%- endfor %}
        case
            when coalesce(profiles.consent_{{ spec.purpose }}, 'unknown') <> 'granted'
                then 'no_consent'
            when
                {%- for expression in columns.values() %}
                    {{ expression }} is null{{ ' and' if not loop.last }}
                {%- endfor %}
                then 'no_identifier'
        end as left_out_reason
    from {{ members_relation }} as members
    left join ({{ profile360.audience_profile_columns(profiles_relation) }}) as profiles
        on members.profile_id = profiles.profile_id
{%- endmacro %}


{#- File names inside the run's folder, one pattern per kind (the manifest's
    file columns; orchestration/lib/exports.py writes the files it names). -#}
{% macro audience_file_patterns() -%}
    {{ return({
        'parquet': 'audience_{channel}.parquet',
        'csv': 'audience_{channel}.csv',
        'segment': '{channel}/{segment_key}.csv',
    }) }}
{%- endmacro %}


{% macro audience_file_sql(channel_expression, kind, segment_key_expression="''") -%}
    replace(
        replace('{{ profile360.audience_file_patterns()[kind] }}', '{channel}', {{ channel_expression }}),
        '{segment_key}', {{ segment_key_expression }}
    )
{%- endmacro %}
