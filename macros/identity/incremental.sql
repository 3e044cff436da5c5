{#
    Incremental identity (docs/identity.md, "Incremental builds"). The
    identifier occurrences are kept between builds; a build re-reads only the
    staged records that changed since the previous one:

      identity_occurrence_watermarks()
                          {source: newest _source_file stored} of
                          int_identifier_occurrences ({{ this }}), read at
                          execute time.
      identity_new_files_filter(watermarks)
                          a WHERE condition on the unpivot views keeping the
                          rows of files after their source's watermark (every
                          row of a source not stored yet). Rendered as
                          constants, so DuckDB pushes it through the views'
                          UNION ALL into each staging table scan.
      identity_changed_records_sql(watermarks)
                          the records to re-derive: (source, record_key,
                          reason) for records with a row in a new file
                          (`new_file`) and, when the erasure log gained rows
                          since the previous build, records holding an
                          identifier it names (`erased`), whose staged rows
                          are gone.
      The model writes those records to its work table <model>__scope;
      the strategy replace_scope (macros/incremental/replace_scope.sql)
      deletes their stored occurrences and inserts what the views hold for
      them now (nothing for an erased event), in the model's transaction.
#}
{% macro identity_occurrence_watermarks() -%}
    {%- set watermarks = {} -%}
    {%- set rows = run_query('select source, max(_source_file) from ' ~ this ~ ' group by source') -%}
    {%- for row in rows -%}
        {%- if row[1] is not none -%}
            {%- do watermarks.update({row[0]: row[1]}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(watermarks) }}
{%- endmacro %}


{% macro identity_new_files_filter(watermarks) -%}
    {%- set sources = [] -%}
    {%- for source, watermark in watermarks | dictsort -%}
        {%- do sources.append("(source = '" ~ source ~ "' and _source_file > '"
            ~ watermark | replace("'", "''") ~ "')") -%}
    {%- endfor -%}
    {%- if sources | length == 0 -%}
        1 = 1
    {%- else -%}
    ({{ sources | join(' or ') }} or source not in (
        {%- for source in watermarks | sort %}'{{ source }}'{{ ', ' if not loop.last }}{% endfor -%}
    ))
    {%- endif -%}
{%- endmacro %}


{% macro identity_changed_records_sql(watermarks) -%}
    {%- set new_files = profile360.identity_new_files_filter(watermarks) -%}
    {%- set erasure_log = ref('stg_landing__erasure_log') -%}
    select source, record_key, 'new_file' as reason
    from {{ ref('int_event_identifiers_unpivoted') }}
    where {{ new_files }}
    union
    select source, record_key, 'new_file' as reason
    from {{ ref('int_record_identifiers_unpivoted') }}
    where {{ new_files }}
    union
    select _stored.source, _stored.record_key, 'erased' as reason
    from {{ this }} as _stored
    inner join {{ erasure_log }} as _log
        on _stored.identifier_hash = _log.identifier_hash
    where _log.erased_at > {{ profile360.previous_load_at(this) }}
{%- endmacro %}



{#
    The change log int_identifier_occurrences__changes, written by that
    model's hooks and read by the stitching (int_identity_components): one
    row per (record, identifier) re-derived by a build, both the identifiers
    it held before (logged before its rows are deleted) and after (logged
    once the new rows are in), with the build time; a full refresh writes one
    row with is_full_refresh. A table beside the model, kept between builds,
    so a build of a later model that failed or did not run still finds every
    change since its own last build.
#}
{% macro identity_changes_relation() -%}
    {%- set occurrences = ref('int_identifier_occurrences') -%}
    {{ return(api.Relation.create(database=occurrences.database, schema=occurrences.schema,
        identifier=occurrences.identifier ~ '__changes', type='table')) }}
{%- endmacro %}


{#- identity_log_changes(changed): log the stored identifiers of the records
    in `changed` (pre-hook: before the build replaces them), or, with none,
    those of the rows this build wrote (post-hook). -#}
{% macro identity_log_changes(changed) -%}
    {%- set changes = profile360.identity_work_relation('changes') -%}
    {%- if execute and is_incremental() -%}
        insert into {{ changes }}
        select distinct
            source,
            record_key,
            identifier_id,
            false as is_full_refresh,
            {{ profile360.load_timestamp() }} as changed_at
        from {{ this }}
        {%- if changed is none %}
        where _loaded_at = {{ profile360.load_timestamp() }}
        {%- else %}
        where (source, record_key) in (select _changed.source, _changed.record_key from {{ changed }} as _changed)
        {%- endif %}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{% macro identity_create_changes_log() -%}
    {%- set changes = profile360.identity_work_relation('changes') -%}
    {%- set columns -%}
        cast(null as {{ dbt.type_string() }}) as source,
        cast(null as {{ dbt.type_string() }}) as record_key,
        cast(null as {{ dbt.type_string() }}) as identifier_id,
        true as is_full_refresh,
        {{ profile360.load_timestamp() }} as changed_at
    {%- endset -%}
    {%- if execute and is_incremental() -%}
        {{ profile360.identity_create_table_if_missing(changes, 'select ' ~ columns ~ ' where false') }}
    {%- else -%}
        {{ profile360.identity_replace_table(changes, 'select ' ~ columns) }}
    {%- endif -%}
{%- endmacro %}


{% macro identity_create_table_if_missing(relation, sql) -%}
    {{ return(adapter.dispatch('identity_create_table_if_missing', 'profile360')(relation, sql)) }}
{%- endmacro %}

{% macro default__identity_create_table_if_missing(relation, sql) -%}
    create table if not exists {{ relation }} as ({{ sql }})
{%- endmacro %}

{% macro spark__identity_create_table_if_missing(relation, sql) -%}
    create table if not exists {{ relation }} using {{ profile360.spark_file_format() }} as {{ sql }}
{%- endmacro %}


{#- identity_table_exists(relation): whether a table made by raw SQL (not in
    dbt's relation cache) exists, asked of the catalog at execute time. -#}
{% macro identity_table_exists(relation) -%}
    {{ return(adapter.dispatch('identity_table_exists', 'profile360')(relation)) }}
{%- endmacro %}

{% macro default__identity_table_exists(relation) -%}
    {%- set query -%}
        select count(*) from information_schema.tables
        where table_schema = '{{ relation.schema }}' and table_name = '{{ relation.identifier }}'
        {%- if relation.database %} and table_catalog = '{{ relation.database }}'{% endif %}
    {%- endset -%}
    {{ return(run_query(query).columns[0].values()[0] > 0) }}
{%- endmacro %}

{% macro spark__identity_table_exists(relation) -%}
    {%- set found = run_query("show tables in " ~ relation.schema ~ " like '" ~ relation.identifier ~ "'") -%}
    {{ return(found.rows | length > 0) }}
{%- endmacro %}


{#
    identity_logged_changes(): on an incremental build of a model downstream
    of the occurrences, the SQL of the change-log rows (source, record_key,
    identifier_id) written since that model's previous build (the newest
    _loaded_at it stored before this build), or none when the model must be
    rebuilt whole: no previous build, no change log, or the occurrences were
    fully rebuilt since.
#}
{% macro identity_logged_changes() -%}
    {%- set changes = profile360.identity_changes_relation() -%}
    {%- set since = run_query('select ' ~ profile360.previous_load_at(this)).columns[0].values()[0] -%}
    {%- if since is none or not profile360.identity_table_exists(changes) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set since_sql = "cast('" ~ since ~ "' as " ~ dbt.type_timestamp() ~ ")" -%}
    {%- set full_refreshes = run_query('select count(*) from ' ~ changes
        ~ ' where is_full_refresh and changed_at > ' ~ since_sql).columns[0].values()[0] -%}
    {%- if full_refreshes > 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set logged -%}
        select source, record_key, identifier_id from {{ changes }}
        where not is_full_refresh and changed_at > {{ since_sql }}
    {%- endset -%}
    {{ return(logged) }}
{%- endmacro %}


{#
    identity_write_scope(keys_sql, all_keys_sql): on an incremental build,
    writes the work table <model>__scope (the keys whose stored rows the
    build replaces: the strategy replace_scope deletes them) from
    keys_sql, or from all_keys_sql (every stored key) when the model is
    rebuilt whole. Returns whether the build is scoped.
#}
{% macro identity_write_scope(keys_sql, all_keys_sql) -%}
    {%- set scope = profile360.identity_work_relation('scope') -%}
    {%- if keys_sql is none -%}
        {%- do run_query(profile360.identity_replace_table(scope, all_keys_sql)) -%}
        {{ log(this.identifier ~ ': rebuilt whole (no usable change log)', info=true) }}
        {{ return(false) }}
    {%- endif -%}
    {%- do run_query(profile360.identity_replace_table(scope, keys_sql)) -%}
    {{ return(true) }}
{%- endmacro %}


{#
    identity_scope_nodes(links): for int_identity_components, writes the
    work table <model>__scope (node_id) with the nodes whose rows the build
    replaces and returns it, or returns none when the whole graph must be
    stitched (the table then holds every stored node). Scope: the stored
    groups (merged_component_id) of the seeds, plus the seeds: the records
    and identifiers logged since the previous build, and the records linked
    to a logged identifier now (its flag may have changed).
#}
{% macro identity_scope_nodes(links) -%}
    {%- set logged = profile360.identity_logged_changes() -%}
    {%- set scope_nodes = profile360.identity_work_relation('scope') -%}
    {%- if logged is none -%}
        {%- do profile360.identity_write_scope(none, 'select node_id from ' ~ this) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set seeds_sql -%}
        select 'r|' || source || '|' || record_key as node_id from ({{ logged }}) as logged
        union
        select 'i|' || identifier_id as node_id from ({{ logged }}) as logged where identifier_id is not null
        union
        select record_node_id as node_id from {{ links }}
        where is_link and identifier_id in (
            select identifier_id from ({{ logged }}) as logged where identifier_id is not null
        )
        {%- if profile360.identity_probabilistic_on() %}
        {#- A probabilistic link from a logged record reaches a group the record was not in
            (docs/identity.md, "Probabilistic links"): every identifier of the logged records'
            new merged groups is a seed too, so the groups they joined are re-stitched. #}
        union
        select 'i|' || numbers.identifier_id as node_id
        from {{ ref('int_identity_identifier_numbers') }} as numbers
        inner join {{ ref('int_identity_merged_components') }} as merged
            on numbers.identifier_number = merged.identifier_number
        where merged.component_number in (
            select seed_merged.component_number
            from ({{ logged }}) as logged
            inner join {{ links }} as seed_links
                on logged.source = seed_links.source and logged.record_key = seed_links.record_key
            inner join {{ ref('int_identity_identifier_numbers') }} as seed_numbers
                on seed_links.identifier_id = seed_numbers.identifier_id
            inner join {{ ref('int_identity_merged_components') }} as seed_merged
                on seed_numbers.identifier_number = seed_merged.identifier_number
        )
        {%- endif %}
    {%- endset -%}
    {#- The scope table first holds the seeds, then gains the other stored
        nodes of their groups (no second work table). -#}
    {%- do profile360.identity_write_scope(seeds_sql, none) -%}
    {%- set groups_sql -%}
        insert into {{ scope_nodes }}
        select stored.node_id from {{ this }} as stored
        where stored.merged_component_id in (
            select seeded.merged_component_id from {{ this }} as seeded
            where seeded.node_id in (select node_id from {{ scope_nodes }})
        )
        and stored.node_id not in (select node_id from {{ scope_nodes }})
    {%- endset -%}
    {%- do run_query(groups_sql) -%}
    {%- set counts = run_query('select (select count(*) from ' ~ scope_nodes ~ '), (select count(*) from '
        ~ this ~ ')').rows[0] -%}
    {{ log('int_identity_components: re-stitching ' ~ counts[0] ~ ' nodes around the changes ('
        ~ counts[1] ~ ' stored)', info=true) }}
    {{ return(scope_nodes) }}
{%- endmacro %}



{#
    identity_restitched(): for the models built from the stitched graph
    (anchors, maps, link audit), on an incremental build, SQL for what may
    have changed since this model's previous build, or none when it must be
    rebuilt whole (no previous build or change log, or the occurrences were
    fully rebuilt since). A dict of three queries:
      nodes        node_id: the nodes int_identity_components rewrote since
                   then (a re-stitched group is rewritten whole, so these are
                   whole components; a component is named after its smallest
                   node, so its old and new component_id are among them),
                   plus the records and identifiers of the change log (those
                   erased or no longer linking have no node any more);
      records      (source, record_key): the record nodes above, the logged
                   records, and the records of links int_identity_links
                   rewrote since then (a flag reason can change without any
                   re-stitching);
      identifiers  identifier_id: the identifier nodes above and the logged
                   identifiers (whose flag rows int_identifiers_flagged
                   rewrote).
    The calling model declares `-- depends_on:` the components and links.
#}
{% macro identity_restitched() -%}
    {%- set logged = profile360.identity_logged_changes() -%}
    {%- if logged is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set since = profile360.previous_load_at(this) -%}
    {%- set components = ref('int_identity_components') -%}
    {%- set rewritten = '(select * from ' ~ components ~ ' where _loaded_at > ' ~ since ~ ') as rewritten' -%}
    {%- set nodes -%}
        select node_id from {{ rewritten }}
        union
        select 'r|' || source || '|' || record_key as node_id from ({{ logged }}) as logged
        union
        select 'i|' || identifier_id as node_id from ({{ logged }}) as logged where identifier_id is not null
    {%- endset -%}
    {%- set records -%}
        select source, record_key from {{ rewritten }} where node_type = 'record'
        union
        select source, record_key from ({{ logged }}) as logged
        union
        select source, record_key from {{ ref('int_identity_links') }} where _loaded_at > {{ since }}
    {%- endset -%}
    {%- set identifiers -%}
        select identifier_id from {{ rewritten }} where node_type = 'identifier'
        union
        select identifier_id from ({{ logged }}) as logged where identifier_id is not null
    {%- endset -%}
    {{ return({'nodes': nodes, 'records': records, 'identifiers': identifiers}) }}
{%- endmacro %}


{#
    identity_restitched_scope(kind, all_keys_sql): writes the work table
    <model>__scope from identity_restitched()[kind] (every stored key,
    all_keys_sql, when the model is rebuilt whole) and returns a WHERE
    condition on `key_sql` keeping the scoped rows ('1 = 1' when whole).
    Outside an incremental build it writes nothing and returns '1 = 1'.
#}
{% macro identity_restitched_scope(kind, key_sql, columns, all_keys_sql) -%}
    {%- if not profile360.staging_is_incremental() -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {%- set changed = profile360.identity_restitched() -%}
    {%- set scoped = profile360.identity_write_scope(none if changed is none else changed[kind], all_keys_sql) -%}
    {%- if not scoped -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {%- set scope = profile360.identity_work_relation('scope') -%}
    {{ log(this.identifier ~ ': ' ~ run_query('select count(*) from ' ~ scope).columns[0].values()[0]
        ~ ' ' ~ kind ~ ' changed since its previous build', info=true) }}
    {{ return(key_sql ~ ' in (select ' ~ columns ~ ' from ' ~ scope ~ ')') }}
{%- endmacro %}
