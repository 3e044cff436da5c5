{#-
    How much the erasure log suppresses, counts only: one row per landing
    source carrying identifiers, with the number of its records (distinct
    record keys, every version) that carry an erased identifier and so never
    reach staging. Rebuilt at every build from the landing index
    (stg_landing__identifier_hashes) and the log.
-#}

with

landing_identifiers as (

    select * from {{ ref('stg_landing__identifier_hashes') }}

),

stg_landing__erasure_log as (

    select * from {{ ref('stg_landing__erasure_log') }}

),

sources as (

    select distinct source from landing_identifiers

),

suppressed as (

    select
        landing_identifiers.source,
        count(distinct landing_identifiers.record_hash) as count_records_suppressed
    from landing_identifiers
    inner join stg_landing__erasure_log
        on landing_identifiers.identifier_hash = stg_landing__erasure_log.identifier_hash
    group by landing_identifiers.source

),

final as (

    select
        sources.source,
        cast(coalesce(suppressed.count_records_suppressed, 0) as bigint)
            as count_records_suppressed,
        {{ profile360.load_timestamp() }} as _loaded_at
    from sources
    left join suppressed
        on sources.source = suppressed.source

)

select * from final
