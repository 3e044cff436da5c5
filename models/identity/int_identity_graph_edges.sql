-- The identifier graph: one row per edge (node_a, node_b) between identifier
-- numbers (int_identity_identifier_numbers). Nodes are identifiers, not
-- records: a record links its linking identifiers as a star, each to the
-- record's smallest number (its hub), so a record with one identifier adds
-- only that node (a self edge) and a record with k identifiers k - 1 edges.
-- Records sharing a star are counted once. Stitched by
-- int_identity_merged_components.
-- Probabilistic links (docs/identity.md): each pair of records of
-- int_identity_probabilistic_pairs joins the two records' hubs. They are not
-- in int_identity_split_edges, so a group over a per-type limit is split
-- without them. Off with var profile360__identity_probabilistic, and on the
-- spark target (the scoring is a Python model).
{%- set pairs = profile360.identity_probabilistic_pairs() %}
with

int_identity_links as (

    select * from {{ ref('int_identity_links') }}
    where is_link

),

int_identity_identifier_numbers as (

    select * from {{ ref('int_identity_identifier_numbers') }}

),

record_numbers as (

    select
        int_identity_links.source,
        int_identity_links.record_key,
        int_identity_identifier_numbers.identifier_number
    from int_identity_links
    inner join int_identity_identifier_numbers
        on int_identity_links.identifier_id = int_identity_identifier_numbers.identifier_id

),

stars as (

    select
        identifier_number,
        min(identifier_number) over (partition by source, record_key) as hub_number
    from record_numbers

),

record_hubs as (

    select
        source || ':' || record_key as record_id,
        min(identifier_number) as hub_number
    from record_numbers
    group by source, record_key

),

probabilistic_edges as (

    select
        hubs_l.hub_number as node_a,
        hubs_r.hub_number as node_b
    from {{ pairs }} as pairs
    inner join record_hubs as hubs_l
        on pairs.record_id_l = hubs_l.record_id
    inner join record_hubs as hubs_r
        on pairs.record_id_r = hubs_r.record_id

),

final as (

    select distinct
        identifier_number as node_a,
        hub_number as node_b
    from stars

    union

    select
        node_a,
        node_b
    from probabilistic_edges

)

select * from final
