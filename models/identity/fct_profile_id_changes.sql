{#-
    The merge/split log: one row per (build, old profile id, new profile id)
    for records whose profile id changed at that build, read from the
    snapshot of map_records_to_profiles taken at every build. Downstream
    tools remap old ids to new ones with it.

    change_type, at the build time of the change:
      merge    the old profile is gone; its records joined a profile that
               existed before (the survivor, the older of the two, see
               int_identity_profile_anchors);
      split    the old profile still exists; part of its records now form
               (or joined) the new profile;
      renamed  the old profile is gone and the new id did not exist: late
               rows brought an identifier older than the anchor.
    cause_identifiers: `type:value` of the identifiers that tie the moved
    records to the other side (for a merge, to the survivor's other records;
    for a split, to the records left behind - now flagged or dropped for a
    limit, see int_identity_links_rejected).

    Incremental: each build appends the changes of its own snapshot, with
    the identifiers and links of that build. Right to erasure: a post-hook
    removes from the rows of earlier builds every cause identifier erased
    since (macros/privacy/erasure.sql, docs/privacy.md).
-#}
{{ config(
    materialized='incremental',
    unique_key='change_id',
    on_schema_change='fail',
    post_hook="{{ profile360.redact_erased_causes(this) }}",
) }}
-- depends_on: {{ ref('stg_landing__erasure_log') }}
{#- Changes already logged end at the latest changed_at of this table. -#}
{%- set beginning = "cast('1900-01-01' as " ~ dbt.type_timestamp() ~ ")" %}
{%- if is_incremental() %}
    {%- set logged_until = "(select coalesce(max(changed_at), " ~ beginning ~ ") from "
        ~ this ~ ")" %}
{%- else %}
    {%- set logged_until = beginning %}
{%- endif %}

with

snapshot as (

    select
        record_id,
        source,
        record_key,
        profile_id,
        cast(dbt_valid_from as {{ dbt.type_timestamp() }}) as valid_from,
        cast(dbt_valid_to as {{ dbt.type_timestamp() }}) as valid_to
    from {{ ref('snp_identity__record_profiles') }}

),

int_identity_links as (

    select * from {{ ref('int_identity_links') }}

),

map_identifiers_to_profiles as (

    select * from {{ ref('map_identifiers_to_profiles') }}

),

moves as (

    select
        after_change.record_id,
        after_change.source,
        after_change.record_key,
        before_change.profile_id as old_profile_id,
        after_change.profile_id as new_profile_id,
        after_change.valid_from as changed_at
    from snapshot as before_change
    inner join snapshot as after_change
        on
            before_change.record_id = after_change.record_id
            and before_change.valid_to = after_change.valid_from
    where
        before_change.profile_id <> after_change.profile_id
        and after_change.valid_from > {{ logged_until }}

),

pairs as (

    select
        changed_at,
        old_profile_id,
        new_profile_id,
        count(*) as records_moved
    from moves
    group by changed_at, old_profile_id, new_profile_id

),

-- Records of the profiles involved, as they stood right before / right after each change.
involved as (

    select
        changed_at,
        old_profile_id as profile_id
    from pairs
    union
    select
        changed_at,
        new_profile_id as profile_id
    from pairs

),

held_before as (

    select distinct
        involved.changed_at,
        snapshot.profile_id
    from involved
    inner join snapshot
        on
            involved.profile_id = snapshot.profile_id
            and involved.changed_at > snapshot.valid_from
            and (snapshot.valid_to is null or involved.changed_at <= snapshot.valid_to)

),

held_after as (

    select
        involved.changed_at,
        snapshot.profile_id,
        snapshot.record_id,
        snapshot.source,
        snapshot.record_key
    from involved
    inner join snapshot
        on
            involved.profile_id = snapshot.profile_id
            and involved.changed_at >= snapshot.valid_from
            and (snapshot.valid_to is null or involved.changed_at < snapshot.valid_to)

),

classified as (

    select
        pairs.changed_at,
        pairs.old_profile_id,
        pairs.new_profile_id,
        pairs.records_moved,
        case
            when exists (
                select 1 from held_after
                where
                    held_after.changed_at = pairs.changed_at
                    and held_after.profile_id = pairs.old_profile_id
            ) then 'split'
            when exists (
                select 1 from held_before
                where
                    held_before.changed_at = pairs.changed_at
                    and held_before.profile_id = pairs.new_profile_id
            ) then 'merge'
            else 'renamed'
        end as change_type
    from pairs

),

-- The other side of each change: the survivor's other records (merge) or
-- the records left in the old profile (split).
other_side as (

    select
        classified.changed_at,
        classified.old_profile_id,
        classified.new_profile_id,
        held_after.source,
        held_after.record_key
    from classified
    inner join held_after
        on
            classified.changed_at = held_after.changed_at
            and held_after.profile_id = case
                when classified.change_type = 'split' then classified.old_profile_id
                else classified.new_profile_id
            end
    where not exists (
        select 1 from moves
        where
            moves.changed_at = classified.changed_at
            and moves.old_profile_id = classified.old_profile_id
            and moves.record_id = held_after.record_id
    )

),

causes as (

    select distinct
        moves.changed_at,
        moves.old_profile_id,
        moves.new_profile_id,
        moved_links.identifier_type || ':' || moved_links.identifier_value as cause_identifier
    from moves
    inner join int_identity_links as moved_links
        on moves.source = moved_links.source and moves.record_key = moved_links.record_key
    inner join int_identity_links as side_links
        on moved_links.identifier_id = side_links.identifier_id
    inner join other_side
        on
            moves.changed_at = other_side.changed_at
            and moves.old_profile_id = other_side.old_profile_id
            and moves.new_profile_id = other_side.new_profile_id
            and side_links.source = other_side.source
            and side_links.record_key = other_side.record_key

),

cause_lists as (

    select
        changed_at,
        old_profile_id,
        new_profile_id,
        {{ dbt.listagg('cause_identifier', "', '", 'order by cause_identifier') }}
            as cause_identifiers,
        count(*) as count_cause_identifiers
    from causes
    group by changed_at, old_profile_id, new_profile_id

),

data_as_of as (

    select cast(max(last_seen_at) as date) as data_as_of
    from map_identifiers_to_profiles

),

final as (

    select
        {{ profile360.surrogate_key(['classified.changed_at', 'classified.old_profile_id',
            'classified.new_profile_id']) }} as change_id,
        classified.change_type,
        classified.old_profile_id,
        classified.new_profile_id,
        classified.changed_at,
        data_as_of.data_as_of,
        cast(classified.records_moved as bigint) as records_moved,
        cause_lists.cause_identifiers,
        cast(coalesce(cause_lists.count_cause_identifiers, 0) as bigint)
            as count_cause_identifiers
    from classified
    cross join data_as_of
    left join cause_lists
        on
            classified.changed_at = cause_lists.changed_at
            and classified.old_profile_id = cause_lists.old_profile_id
            and classified.new_profile_id = cause_lists.new_profile_id

)

select * from final
