{#-
    Every spelling, as typed in the landing files, of every erased identifier:
    one row per spelling_hash (salted hash of the identifier type and the
    cleaned landing value, `+84 912 345 678` and `0912345678` apart), with
    the identifier_hash of the erasure log it normalises to. Rebuilt at every
    build from the landing index (stg_landing__identifier_hashes, every drop
    read once) and the log, so it lists every spelling present today.
    base_* models compare each identifier column's hash with it: a plain
    anti-join instead of running the identity normalisers on every landing
    row of every read of a base_ view.
-#}

with

landing_spellings as (

    select * from {{ ref('stg_landing__identifier_hashes') }}

),

stg_landing__erasure_log as (

    select * from {{ ref('stg_landing__erasure_log') }}

),

final as (

    select distinct
        landing_spellings.spelling_hash,
        landing_spellings.identifier_hash,
        landing_spellings.identifier_type
    from landing_spellings
    inner join stg_landing__erasure_log
        on landing_spellings.identifier_hash = stg_landing__erasure_log.identifier_hash

)

select * from final
