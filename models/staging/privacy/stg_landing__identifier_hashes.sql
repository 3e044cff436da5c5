{#-
    The identifier index of the landing zone, salted hashes only: one row per
    landing record (every row and version of every source carrying
    identifiers, erased or not, before staging) and identifier on it.
    record_hash is the salted hash of the source and record key,
    identifier_hash the erasure hash of the normalised identifier (the form
    of the erasure log), spelling_hash the erasure hash of the value as typed
    (cleaned); is_blocklisted says whether the seed identifier_blocklist
    names the identifier (its value, e-mail domain or local part) at the
    time the file was indexed.

    Incremental, one read per drop: a run reads only the admitted landing
    files not yet indexed, and those re-sent with new contents since its
    previous load (landing_files_to_read), whose rows replace the ones the
    file gave before (delete+insert on _source_file). A changed blocklist
    needs `dbt build --full-refresh --select stg_landing__identifier_hashes+`.

    The erasure log, the erased spellings and the suppression counts read
    this index instead of parsing every landing file at every build.
-#}
{{ config(
    materialized='incremental',
    unique_key='_source_file',
    incremental_strategy=profile360.replace_scope_strategy(),
    replace_scope={'from': 'blocked_drops', 'keys': [['_source_file', 'source_file']]},
    partition_by=profile360.drop_partition(),
    on_schema_change='fail',
) }}
{%- set indexed = [] %}
{%- if execute and is_incremental() %}
    {%- set loaded = run_query('select distinct _source_file from ' ~ this) %}
    {%- set reread = profile360.landing_files_to_read() %}
    {%- set indexed = loaded.columns[0].values() | reject('in', reread) | list %}
{%- endif %}

with

{{ profile360.landing_identifier_ctes(skip_files=indexed) }},

identifier_blocklist as (

    select * from {{ ref('identifier_blocklist') }}

),

identifiers as (

    select distinct
        identifier_type,
        identifier_value
    from landing_identifiers_normalized
    where identifier_value is not null

),

blocklisted as (

    select distinct
        identifiers.identifier_type,
        identifiers.identifier_value
    from identifiers
    inner join identifier_blocklist
        on
            (
                identifiers.identifier_type = identifier_blocklist.identifier_type
                and identifiers.identifier_value = identifier_blocklist.identifier_value
            )
            or (
                identifiers.identifier_type = 'email'
                and identifier_blocklist.identifier_type = 'email_domain'
                and (
                    {{ dbt.split_part('identifiers.identifier_value', "'@'", 2) }}
                    = identifier_blocklist.identifier_value
                    or {{ dbt.split_part('identifiers.identifier_value', "'@'", 2) }}
                    like ('%.' || identifier_blocklist.identifier_value)
                )
            )
            or (
                identifiers.identifier_type = 'email'
                and identifier_blocklist.identifier_type = 'email_local_part'
                and {{ dbt.split_part('identifiers.identifier_value', "'@'", 1) }}
                = identifier_blocklist.identifier_value
            )

),

final as (

    select distinct
        landing.source,
        {{ profile360.salted_sha256(dbt.concat(['landing.source', "':'", 'landing.record_key'])) }}
            as record_hash,
        landing.identifier_type,
        {{ profile360.erasure_hash('landing.identifier_type', 'landing.identifier_value') }}
            as identifier_hash,
        {{ profile360.erasure_hash('landing.identifier_type', 'landing.raw_value') }}
            as spelling_hash,
        blocklisted.identifier_value is not null as is_blocklisted,
        landing._source_file,
        {{ profile360.load_timestamp() }} as _loaded_at
    from landing_identifiers_normalized as landing
    left join blocklisted
        on
            landing.identifier_type = blocklisted.identifier_type
            and landing.identifier_value = blocklisted.identifier_value
    where landing.identifier_value is not null

)

select * from final
