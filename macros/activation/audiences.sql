{#
    Audience exports (docs/activation.md, models/marts/activation/) and the
    contactability rule (models/profiles/dim_profile_contactability.sql).
    The channels live here, once:

      audience_channels()            per channel: the consent purpose it needs,
                                     the identifier columns it exports (SQL
                                     over a profile row `profiles`: best
                                     e-mail, best phone, one Zalo id) and the
                                     events that opt a person out of it
                                     (`opt_outs`: the staging model, its
                                     landing source and event types).
      audience_rows(channel, members, contactability)
                                     one row per segment member with the
                                     channel's identifiers and why it is left
                                     out (`no_consent`, `opted_out`,
                                     `no_identifier`) or NULL when it is
                                     exported: read from
                                     dim_profile_contactability, the one
                                     place that decides who can be contacted.
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
            'opt_outs': {
                'relation': 'stg_email__events',
                'source': 'email_events',
                'event_types': ['unsubscribe', 'bounce', 'spam_report'],
            },
        },
        'sms': {
            'purpose': 'marketing_sms',
            'columns': {'phone': 'profiles.phone'},
            'opt_outs': none,
        },
        'zalo': {
            'purpose': 'marketing_zalo',
            'columns': {
                'zalo_user_id': 'profiles.zalo_user_id',
                'phone': 'case when profiles.zalo_user_id is null then profiles.phone end',
            },
            'opt_outs': {
                'relation': 'stg_zalo__events',
                'source': 'zalo_events',
                'event_types': ['unfollow'],
            },
        },
        'ads': {
            'purpose': 'ads_targeting',
            'columns': {
                'email_sha256': profile360.sha256_hex(profile360.normalize_email('profiles.email')),
                'phone_sha256': profile360.sha256_hex(profile360.normalize_vn_phone('profiles.phone')),
            },
            'opt_outs': none,
        },
    }) }}
{%- endmacro %}


{#- Every identifier column of any channel, in channel order (the columns of
    dim_profile_contactability). -#}
{% macro audience_identifier_columns() -%}
    {%- set names = [] -%}
    {%- for spec in profile360.audience_channels().values() -%}
        {%- for name in spec.columns -%}
            {%- if name not in names -%}{%- do names.append(name) -%}{%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}


{#- One row per segment member of the channel: its identifiers and the reason
    it is left out (NULL: exported). A member without a contactability row
    (not a profile of dim_profiles) is left out as `no_consent`. -#}
{% macro audience_rows(channel, members_relation, contactability_relation) -%}
    {%- set spec = profile360.audience_channels()[channel] -%}
    select
        members.segment_key,
        members.profile_id,
        {%- for name in spec.columns %}
            contactability.{{ name }},
        {%- endfor %}
        case
            when contactability.profile_id is null then 'no_consent'
            else contactability.not_contactable_reason
        end as left_out_reason
    from {{ members_relation }} as members
    left join {{ contactability_relation }} as contactability
        on
            members.profile_id = contactability.profile_id
            and contactability.channel = '{{ channel }}'
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
