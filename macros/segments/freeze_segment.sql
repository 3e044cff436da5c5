{#
    freeze_segment(segment_key, snapshot_name): a "historical segment". Copies
    the segment's members of the last build (int_segment_members: profile and
    as-of day) into the table segment_snapshots beside the segment models,
    under the snapshot name, with the time it was frozen. Freezing the same
    segment under the same name again replaces that snapshot; other
    snapshots are never touched, and later builds never change them.
    Run it with `profile360 freeze-segment --segment KEY --name NAME` or
    `dbt run-operation freeze_segment --args '{segment_key: ..., snapshot_name: ...}'`.
    A past day's membership without a snapshot is in
    fct_segment_membership_changes: entered_at <= day and (exited_at is null
    or exited_at > day).
#}
{% macro freeze_segment(segment_key, snapshot_name) %}
    {%- if modules.re.match('^[a-z0-9_]+$', segment_key | string) is none
        or modules.re.match('^[A-Za-z0-9_.-]+$', snapshot_name | string) is none -%}
        {{ exceptions.raise_compiler_error("freeze_segment: segment_key must be snake case and snapshot_name plain letters, digits, _ . -") }}
    {%- endif -%}
    {%- set members = ref('int_segment_members') -%}
    {%- set snapshots = api.Relation.create(
        database=members.database, schema=members.schema, identifier='segment_snapshots') -%}
    {%- set known = run_query("select count(*) from " ~ ref('dim_segments') ~ " where segment_key = '" ~ segment_key ~ "'") -%}
    {%- if known.columns[0].values()[0] == 0 -%}
        {{ exceptions.raise_compiler_error("freeze_segment: no segment " ~ segment_key ~ " in dim_segments") }}
    {%- endif -%}
    {%- do run_query(
        "create table if not exists " ~ snapshots ~ " ("
        ~ "snapshot_name " ~ dbt.type_string() ~ ", segment_key " ~ dbt.type_string()
        ~ ", profile_id " ~ dbt.type_string() ~ ", as_of_date date, frozen_at " ~ dbt.type_timestamp() ~ ")"
    ) -%}
    {%- do run_query(
        "delete from " ~ snapshots ~ " where snapshot_name = '" ~ snapshot_name
        ~ "' and segment_key = '" ~ segment_key ~ "'"
    ) -%}
    {%- do run_query(
        "insert into " ~ snapshots ~ " (snapshot_name, segment_key, profile_id, as_of_date, frozen_at) "
        ~ "select '" ~ snapshot_name ~ "', segment_key, profile_id, as_of_date, "
        ~ dbt.current_timestamp() ~ " from " ~ members ~ " where segment_key = '" ~ segment_key ~ "'"
    ) -%}
    {%- do adapter.commit() -%}
    {%- set frozen = run_query("select count(*) from " ~ snapshots ~ " where snapshot_name = '"
        ~ snapshot_name ~ "' and segment_key = '" ~ segment_key ~ "'") -%}
    {{ log("froze " ~ frozen.columns[0].values()[0] ~ " members of " ~ segment_key ~ " as " ~ snapshot_name ~ " in " ~ snapshots, info=True) }}
{% endmacro %}
