-- One row per valid identifier (identifier_type, identifier_value): how often
-- and where it was seen, how many customer and loyalty ids it shares records
-- with, and whether it is flagged as junk (seed identifier_blocklist) or as
-- shared by more people than var profile360__identity_shared_thresholds allows.
-- Flagged identifiers stay here with their reason; stitching filters on them.
-- Incremental (macros/identity/incremental.sql): a build recomputes only the
-- identifiers in the change log since its previous build (an identifier's
-- counts change only when a record holding it is re-derived), deleting their
-- stored rows first.
-- depends_on: {{ ref('int_identifier_occurrences') }}
{{ config(
    materialized='incremental',
    incremental_strategy=profile360.replace_scope_strategy(),
    on_schema_change='fail',
    replace_scope={'from': 'work', 'keys': [['identifier_id', 'identifier_id']]},
) }}
{%- set scoped = {'identifiers': '1 = 1', 'records': '1 = 1'} %}
{%- if profile360.staging_is_incremental() %}
    {%- set logged = profile360.identity_logged_changes() %}
    {%- if profile360.identity_write_scope(
        none if logged is none else
        'select distinct identifier_id from (' ~ logged ~ ') as logged where identifier_id is not null',
        'select identifier_id from ' ~ this) %}
        {%- do scoped.update({
            'identifiers': 'identifier_id in (select scope.identifier_id from '
                ~ profile360.identity_work_relation('scope') ~ ' as scope)',
            'records': '(source, record_key) in (select scoped_records.source, scoped_records.record_key'
                ~ ' from valid_occurrences as scoped_records)',
        }) %}
    {%- endif %}
{%- endif %}

with

int_identifier_occurrences as (

    select * from {{ ref('int_identifier_occurrences') }}

),

identifier_blocklist as (

    select * from {{ ref('identifier_blocklist') }}

),

valid_occurrences as (

    select
        identifier_id,
        identifier_type,
        identifier_value,
        source,
        record_key,
        seen_at
    from int_identifier_occurrences
    where is_valid and {{ scoped.identifiers }}

),

-- The strongest person ids on each record: an identifier seen on records of
-- many different customers (or loyalty members) is not one person's.
record_anchors as (

    select
        source,
        record_key,
        identifier_type as anchor_type,
        identifier_value as anchor_value
    from int_identifier_occurrences
    where is_valid and identifier_type in ('customer_id', 'loyalty_id') and {{ scoped.records }}

),

anchors_per_identifier as (

    select
        valid_occurrences.identifier_id,
        count(distinct case
            when record_anchors.anchor_type = 'customer_id' then record_anchors.anchor_value
        end) as count_customer_ids,
        count(distinct case
            when record_anchors.anchor_type = 'loyalty_id' then record_anchors.anchor_value
        end) as count_loyalty_ids
    from valid_occurrences
    left join record_anchors
        on
            valid_occurrences.source = record_anchors.source
            and valid_occurrences.record_key = record_anchors.record_key
    group by valid_occurrences.identifier_id

),

identifiers as (

    select
        identifier_id,
        identifier_type,
        identifier_value,
        count(distinct {{ dbt.concat(['source', "'|'", 'record_key']) }}) as count_records,
        count(distinct source) as count_sources,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from valid_occurrences
    group by identifier_id, identifier_type, identifier_value

),

email_parts as (

    select
        identifier_id,
        {{ dbt.split_part('identifier_value', "'@'", 1) }} as local_part,
        {{ dbt.split_part('identifier_value', "'@'", 2) }} as domain_part
    from identifiers
    where identifier_type = 'email'

),

-- Blocklist entries match a normalised value exactly; email_domain entries
-- match an e-mail's domain and its subdomains; email_local_part entries match
-- the part before the @ at any domain.
blocklist_matches as (

    select
        identifiers.identifier_id,
        identifier_blocklist.reason
    from identifiers
    inner join identifier_blocklist
        on
            identifiers.identifier_type = identifier_blocklist.identifier_type
            and identifiers.identifier_value = identifier_blocklist.identifier_value

    union all

    select
        email_parts.identifier_id,
        identifier_blocklist.reason
    from email_parts
    inner join identifier_blocklist
        on
            identifier_blocklist.identifier_type = 'email_domain'
            and (
                email_parts.domain_part = identifier_blocklist.identifier_value
                or email_parts.domain_part like ('%.' || identifier_blocklist.identifier_value)
            )

    union all

    select
        email_parts.identifier_id,
        identifier_blocklist.reason
    from email_parts
    inner join identifier_blocklist
        on
            identifier_blocklist.identifier_type = 'email_local_part'
            and email_parts.local_part = identifier_blocklist.identifier_value

),

blocklist_reasons as (

    -- Several entries may match (the address and its domain): the first
    -- reason in alphabetical order is reported.
    select
        identifier_id,
        min(reason) as blocklist_reason
    from blocklist_matches
    group by identifier_id

),

limited as (

    select
        identifiers.identifier_id,
        identifiers.identifier_type,
        identifiers.identifier_value,
        identifiers.count_records,
        identifiers.count_sources,
        anchors_per_identifier.count_customer_ids,
        anchors_per_identifier.count_loyalty_ids,
        identifiers.first_seen_at,
        identifiers.last_seen_at,
        blocklist_reasons.blocklist_reason,
        {%- set limits = var('profile360__identity_shared_thresholds') %}
        case identifiers.identifier_type
            {%- for identifier_type, limit in limits.items() %}
                when '{{ identifier_type }}' then {{ limit }}
            {%- endfor %}
        end as shared_limit
    from identifiers
    inner join anchors_per_identifier
        on identifiers.identifier_id = anchors_per_identifier.identifier_id
    left join blocklist_reasons
        on identifiers.identifier_id = blocklist_reasons.identifier_id

),

final as (

    select
        identifier_id,
        identifier_type,
        identifier_value,
        count_records,
        count_sources,
        count_customer_ids,
        count_loyalty_ids,
        first_seen_at,
        last_seen_at,
        shared_limit,
        blocklist_reason is not null as is_blocklisted,
        coalesce(
            count_customer_ids > shared_limit or count_loyalty_ids > shared_limit, false
        ) as is_shared,
        blocklist_reason is not null
        or coalesce(
            count_customer_ids > shared_limit or count_loyalty_ids > shared_limit, false
        ) as is_flagged,
        case
            when blocklist_reason is not null
                then 'blocklisted: ' || blocklist_reason
            when count_customer_ids > shared_limit
                then
                    'shared: ' || cast(count_customer_ids as {{ dbt.type_string() }})
                    || ' distinct customer ids > ' || cast(shared_limit as {{ dbt.type_string() }})
            when count_loyalty_ids > shared_limit
                then
                    'shared: ' || cast(count_loyalty_ids as {{ dbt.type_string() }})
                    || ' distinct loyalty ids > ' || cast(shared_limit as {{ dbt.type_string() }})
        end as flag_reason,
        {{ profile360.load_timestamp() }} as _loaded_at
    from limited

)

select * from final
