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
      audience_exports_root()        the exports folder: var
                                     profile360__exports_dir, else env
                                     PROFILE360_EXPORTS_DIR, else `exports`
                                     (relative to the dbt project).
      audience_run_date()            the as-of day of this build
                                     (int_as_of_date), the name of the run's
                                     folder: a re-run or backfilled day
                                     overwrites its own folder only.
      audience_file(channel, kind, segment_key), audience_file_sql(...)
                                     a file name inside the run's folder
                                     (Jinja / SQL, one pattern per kind):
                                     `audience_<channel>.parquet` / `.csv`
                                     (every segment, long) and
                                     `<channel>/<segment_key>.csv` (one
                                     segment: the file to upload).
      audience_export_path(channel, kind)
                                     full path of a channel's long file.
      prepare_audience_folder(channel)
                                     pre-hook: creates <root>/<run date>/<channel>.
      write_audience_files(channel)  post-hook of exp_audience_<channel>: the
                                     long CSV, and one CSV per segment of
                                     dim_segments (header only when empty).
      write_audience_manifest()      post-hook of rpt_audience_export_manifest:
                                     manifest.csv and manifest.json.
      write_query_to_file(), ensure_directory()
                                     the engine-specific file writing and
                                     folder creation (dispatched).
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


{% macro audience_exports_root() -%}
    {%- set root = (var('profile360__exports_dir', none) or env_var('PROFILE360_EXPORTS_DIR', '') or 'exports')
        | string | trim -%}
    {{ return(root.rstrip('/') or '/') }}
{%- endmacro %}


{% macro audience_run_date() -%}
    {#- ref() outside the execute guard: hooks are parsed too, so the model
        depends on int_as_of_date and is built after it. -#}
    {%- set as_of_relation = ref('int_as_of_date') -%}
    {%- if not execute -%}
        {{ return('run-date') }}
    {%- endif -%}
    {%- set result = run_query('select cast(max(as_of_date) as varchar) from ' ~ as_of_relation) -%}
    {{ return(result.columns[0].values()[0]) }}
{%- endmacro %}


{#- File names inside the run's folder, one pattern per kind; Jinja and SQL
    (the manifest) fill the same patterns. -#}
{% macro audience_file_patterns() -%}
    {{ return({
        'parquet': 'audience_{channel}.parquet',
        'csv': 'audience_{channel}.csv',
        'segment': '{channel}/{segment_key}.csv',
    }) }}
{%- endmacro %}


{% macro audience_file(channel, kind, segment_key='') -%}
    {{ return(profile360.audience_file_patterns()[kind]
        | replace('{channel}', channel) | replace('{segment_key}', segment_key)) }}
{%- endmacro %}


{% macro audience_file_sql(channel_expression, kind, segment_key_expression="''") -%}
    replace(
        replace('{{ profile360.audience_file_patterns()[kind] }}', '{channel}', {{ channel_expression }}),
        '{segment_key}', {{ segment_key_expression }}
    )
{%- endmacro %}


{% macro audience_export_folder() -%}
    {{ return(profile360.audience_exports_root() ~ '/' ~ profile360.audience_run_date()) }}
{%- endmacro %}


{% macro audience_export_path(channel, kind) -%}
    {{ return(profile360.audience_export_folder() ~ '/' ~ profile360.audience_file(channel, kind)) }}
{%- endmacro %}


{% macro prepare_audience_folder(channel=none) -%}
    {%- set folder = profile360.audience_export_folder() -%}
    {%- if execute -%}
        {%- do profile360.ensure_directory(folder) -%}
        {%- if channel is not none -%}
            {%- do profile360.ensure_directory(folder ~ '/' ~ channel) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#
    write_query_to_file(query, path, file_format): write a query's rows to one
    file, `csv` (with a header) or `json` (one array). DuckDB: COPY. Spark
    writes folders of part files, not one named file: not supported there
    (the exports' `external` materialization is DuckDB's too).
#}
{% macro write_query_to_file(query, path, file_format) -%}
    {{ return(adapter.dispatch('write_query_to_file', 'profile360')(query, path, file_format)) }}
{%- endmacro %}

{% macro default__write_query_to_file(query, path, file_format) -%}
    {%- set options = {'csv': 'format csv, header true', 'json': 'format json, array true'}[file_format] -%}
    {%- do run_query("copy (" ~ query ~ ") to '" ~ path | replace("'", "''") ~ "' (" ~ options ~ ")") -%}
{%- endmacro %}

{% macro spark__write_query_to_file(query, path, file_format) -%}
    {{ exceptions.raise_compiler_error("audience files are written by DuckDB only (write_query_to_file)") }}
{%- endmacro %}


{% macro write_audience_files(channel) -%}
    {%- set folder = profile360.audience_export_folder() -%}
    {%- set segments_relation = ref('dim_segments') -%}
    {%- if execute -%}
        {%- do profile360.write_query_to_file(
            'select * from ' ~ this ~ ' order by segment_key, profile_id',
            folder ~ '/' ~ profile360.audience_file(channel, 'csv'), 'csv') -%}
        {%- set keys = run_query('select segment_key from ' ~ segments_relation ~ ' order by segment_key') -%}
        {%- for segment_key in keys.columns[0].values() -%}
            {%- do profile360.write_query_to_file(
                'select * from ' ~ this ~ " where segment_key = '" ~ segment_key | replace("'", "''")
                ~ "' order by profile_id",
                folder ~ '/' ~ profile360.audience_file(channel, 'segment', segment_key), 'csv') -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{% macro write_audience_manifest() -%}
    {%- set folder = profile360.audience_export_folder() -%}
    {%- if execute -%}
        {%- do profile360.ensure_directory(folder) -%}
        {%- set query = 'select * from ' ~ this ~ ' order by segment_key, channel' -%}
        {%- do profile360.write_query_to_file(query, folder ~ '/manifest.csv', 'csv') -%}
        {%- do profile360.write_query_to_file(query, folder ~ '/manifest.json', 'json') -%}
    {%- endif -%}
{%- endmacro %}


{#
    ensure_directory(path): create a folder and its missing parents (the
    `external` materialization and COPY write into existing folders only).
    DuckDB has no mkdir: an empty partitioned COPY creates its target folder
    (one level) and writes no file; OVERWRITE_OR_IGNORE leaves an existing
    folder and its files as they are. Spark's writers create folders
    themselves.
#}
{% macro ensure_directory(path) -%}
    {{ return(adapter.dispatch('ensure_directory', 'profile360')(path)) }}
{%- endmacro %}

{% macro default__ensure_directory(path) -%}
    {%- set parts = path.split('/') -%}
    {%- set prefix = namespace(value='/' if path.startswith('/') else '') -%}
    {%- for part in parts if part not in ('', '.') -%}
        {%- set prefix.value = prefix.value ~ part -%}
        {%- if part != '..' -%}
            {%- do run_query(
                "copy (select 1 as _partition, 1 as _value where false) to '"
                ~ prefix.value | replace("'", "''")
                ~ "' (format csv, partition_by (_partition), overwrite_or_ignore)") -%}
        {%- endif -%}
        {%- set prefix.value = prefix.value ~ '/' -%}
    {%- endfor -%}
{%- endmacro %}

{% macro spark__ensure_directory(path) -%}
{%- endmacro %}
