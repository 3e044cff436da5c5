-- The per-type limit split (over-merge protection), as edges. A merged
-- component holding more identifiers of a type than
-- var profile360__identity_max_per_profile allows (two customer ids, two
-- loyalty ids, a dozen e-mails...) is split by the stronger types: at level
-- l only the links of the l strongest types (var
-- profile360__identity_identifier_ranks) join identifiers. Every level of
-- every conflicted component is one layer of one graph (node
-- l * identity_level_factor() + identifier number), stitched at once by
-- int_identity_split_components; int_identity_components keeps, for each
-- identifier, the highest level at which its part breaks no limit. Level 0
-- holds every identifier of a conflicted component alone (the part of an
-- identifier whose type links at no level left). Empty when no component
-- breaks a limit.
{%- set limits = var('profile360__identity_max_per_profile') %}
{%- set ranks = profile360.identity_ranked_types() %}

with

int_identity_links as (

    select * from {{ ref('int_identity_links') }}
    where is_link

),

int_identity_identifier_numbers as (

    select * from {{ ref('int_identity_identifier_numbers') }}

),

int_identity_merged_components as (

    select * from {{ ref('int_identity_merged_components') }}

),

merged_identifiers as (

    select
        int_identity_identifier_numbers.identifier_id,
        int_identity_identifier_numbers.identifier_type,
        int_identity_identifier_numbers.identifier_number,
        {{ profile360.identity_identifier_rank('int_identity_identifier_numbers.identifier_type') }}
            as identifier_rank,
        int_identity_merged_components.component_number
    from int_identity_identifier_numbers
    inner join int_identity_merged_components
        on
            int_identity_identifier_numbers.identifier_number
            = int_identity_merged_components.identifier_number

),

conflicts as (

    select component_number
    from merged_identifiers
    group by component_number
    having
        {%- for identifier_type, limit in limits.items() %}
            {% if not loop.first %}or {% endif -%}
            count(distinct case
                when identifier_type = '{{ identifier_type }}'
                    then identifier_number
            end) > {{ limit | int }}
        {%- endfor %}

),

conflicted_identifiers as (

    select merged_identifiers.*
    from merged_identifiers
    inner join conflicts
        on merged_identifiers.component_number = conflicts.component_number

),

levels as (

    {%- for level in range(1, ranks | length) %}
        {% if not loop.first %}union all {% endif -%}
        select {{ level }} as split_level
    {%- endfor %}

),

record_levels as (

    select
        int_identity_links.source,
        int_identity_links.record_key,
        levels.split_level,
        conflicted_identifiers.identifier_number
    from int_identity_links
    inner join conflicted_identifiers
        on int_identity_links.identifier_id = conflicted_identifiers.identifier_id
    inner join levels
        on conflicted_identifiers.identifier_rank <= levels.split_level

),

stars as (

    select
        split_level,
        identifier_number,
        min(identifier_number) over (partition by source, record_key, split_level) as hub_number
    from record_levels

),

layered as (

    select
        split_level * {{ profile360.identity_level_factor() }} + identifier_number as node_a,
        split_level * {{ profile360.identity_level_factor() }} + hub_number as node_b
    from stars

    union all

    select
        identifier_number as node_a,
        identifier_number as node_b
    from conflicted_identifiers

),

final as (

    select distinct
        node_a,
        node_b
    from layered

)

select * from final
