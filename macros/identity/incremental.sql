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
      identity_delete_changed_records(changed)
                          the pre-hook: deletes the stored occurrences of
                          those records, in the model's transaction; the
                          model then inserts what the views hold for them
                          now (nothing for an erased event).
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
    where _log.erased_at > (
        select max(_previous._loaded_at) from {{ this }} as _previous
        where _previous._loaded_at < {{ profile360.load_timestamp() }}
    )
{%- endmacro %}


{% macro identity_delete_changed_records(changed) -%}
    {#- The work table is written when the model compiles on an incremental run
        (run_query, so it is not in dbt's relation cache: no existence check). -#}
    {%- if execute and is_incremental() -%}
        delete from {{ this }}
        where (source, record_key) in (select _changed.source, _changed.record_key from {{ changed }} as _changed)
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
