{#-
    The erasure log: one row per erased identifier (identifier_hash), never a
    raw value. Each build adds the subject of every new erasure request and
    every identifier of the same person, found in flight over all landing
    records (docs/privacy.md):

      round 0   the request subjects' hashes and everything already logged;
      round n   every identifier on a record that carries a *linking* erased
                identifier of round n-1, when that identifier links too.

    Landing records are read from stg_landing__identifier_hashes, the salted
    hash index of every landing record (erased or not, before staging),
    which reads each drop once.

    An identifier links unless it is junk (seed identifier_blocklist) or
    shared by more customer or loyalty ids than
    var profile360__identity_shared_thresholds allows: the identity layer's
    own rules, so the closure follows the identity graph and never crosses a
    family e-mail or a store kiosk into another person. A shared identifier
    that is itself a subject is erased (its records go) but does not spread.

    Incremental and append-only: an identifier once erased stays erased, even
    when the records that tied it to the subject are later purged from the
    landing zone. base_* models drop every landing row carrying a logged hash.
    This model reads the landing index (not staging, which it filters): a
    documented exception to "one source per staging model".
-#}
{{ config(
    materialized='incremental',
    unique_key='identifier_hash',
    on_schema_change='fail',
) }}
{%- set rounds = var('profile360__erasure_closure_rounds') %}
{%- set limits = var('profile360__identity_shared_thresholds') %}

with

landing_identifiers as (

    select * from {{ ref('stg_landing__identifier_hashes') }}

),

stg_privacy__erasure_requests as (

    select * from {{ ref('stg_privacy__erasure_requests') }}

),

logged as (

    {%- if is_incremental() %}
        select
            request_id,
            identifier_type,
            identifier_hash
        from {{ this }}
    {%- else %}
        select
            cast(null as {{ dbt.type_string() }}) as request_id,
            cast(null as {{ dbt.type_string() }}) as identifier_type,
            cast(null as {{ dbt.type_string() }}) as identifier_hash
        where 1 = 0
    {%- endif %}

),

record_anchors as (

    select
        record_hash,
        identifier_type as anchor_type,
        identifier_hash as anchor_hash
    from landing_identifiers
    where identifier_type in ('customer_id', 'loyalty_id')

),

anchor_counts as (

    select
        landing_identifiers.identifier_hash,
        landing_identifiers.identifier_type,
        count(distinct case
            when record_anchors.anchor_type = 'customer_id' then record_anchors.anchor_hash
        end) as count_customer_ids,
        count(distinct case
            when record_anchors.anchor_type = 'loyalty_id' then record_anchors.anchor_hash
        end) as count_loyalty_ids,
        max(case when landing_identifiers.is_blocklisted then 1 else 0 end) as is_blocklisted,
        case landing_identifiers.identifier_type
            {%- for identifier_type, limit in limits.items() %}
                when '{{ identifier_type }}' then {{ limit }}
            {%- endfor %}
        end as shared_limit
    from landing_identifiers
    left join record_anchors
        on landing_identifiers.record_hash = record_anchors.record_hash
    group by landing_identifiers.identifier_hash, landing_identifiers.identifier_type

),

-- Identifiers through which the erasure spreads: the identity layer's linking ones.
linking as (

    select anchor_counts.identifier_hash
    from anchor_counts
    where
        anchor_counts.is_blocklisted = 0
        and anchor_counts.count_customer_ids <= anchor_counts.shared_limit
        and anchor_counts.count_loyalty_ids <= anchor_counts.shared_limit

),

round_0 as (

    select
        request_id,
        subject_type as identifier_type,
        subject_hash as identifier_hash,
        true as is_subject
    from stg_privacy__erasure_requests
    where subject_hash is not null

    union

    select
        request_id,
        identifier_type,
        identifier_hash,
        false as is_subject
    from logged

),

{{ profile360.erasure_closure_rounds(rounds) }}

closure as (

    select
        identifier_hash,
        min(identifier_type) as identifier_type,
        min(request_id) as request_id,
        max(case when is_subject then 1 else 0 end) = 1 as is_subject
    from {{ 'round_' ~ rounds }}
    group by identifier_hash

),

final as (

    select
        closure.identifier_hash,
        closure.identifier_type,
        closure.request_id,
        case when closure.is_subject then 'subject' else 'identity_graph' end as erased_as,
        {{ profile360.load_timestamp() }} as erased_at
    from closure
    {%- if is_incremental() %}
        where closure.identifier_hash not in (select logged.identifier_hash from logged)
    {%- endif %}

)

select * from final
