{#
    register_landing_sources(): an on-run-start hook (dbt_project.yml) that
    makes the landing files readable through dbt's source() on engines
    without dbt-duckdb's `external_location` readers. DuckDB: nothing (its
    sources read the files in place). Spark: for every source of the
    landing contract (landing_sources(), macros/staging/landing.sql) and the
    landing listing (source landing.files), an external table over the
    source folder's date-named files (every column as text) and, under the
    source's own name, a view adding the file each row came from
    (`filename`, as on DuckDB). The views carry no rule: the admission
    (admitted_landing_file, landing_rejection_reason) stays in the models,
    the same SQL on both engines. Runs once per dbt command; the tables are
    external, so dropping them never touches the files.
#}
{% macro register_landing_sources() -%}
    {{ return(adapter.dispatch('register_landing_sources', 'profile360')()) }}
{%- endmacro %}

{% macro default__register_landing_sources() -%}
{%- endmacro %}

{% macro spark__register_landing_sources() -%}
    {%- if execute -%}
        {%- set folders = profile360.landing_sources() -%}
        {%- for node in graph.sources.values() if node.package_name == project_name -%}
            {%- set landing_dir = node.meta.get('landing_dir') -%}
            {%- if node.source_name == 'landing' and node.name == 'files' -%}
                {%- do profile360._spark_landing_view(
                    node, 'binaryFile', landing_dir ~ '/*/*', {},
                    'path as filename, content, length as size, modificationTime as last_modified'
                ) -%}
            {%- elif node.name in folders -%}
                {%- set format = folders[node.name].format -%}
                {%- set glob = landing_dir ~ '/' ~ node.name ~ '/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9].' ~ format ~ '*' -%}
                {%- if format == 'jsonl' -%}
                    {#- One raw line per row, as DuckDB's reader: a line cut in half is quarantined. -#}
                    {%- do profile360._spark_landing_view(
                        node, 'text', glob, {}, 'value as raw_line, input_file_name() as filename'
                    ) -%}
                {%- else -%}
                    {#- Columns by header (a file whose header differs from the
                        first file's fails the read, naming it); quoted
                        newlines and "" escapes as DuckDB reads them. -#}
                    {%- do profile360._spark_landing_view(
                        node, 'csv', glob,
                        {'header': 'true', 'enforceSchema': 'false', 'multiLine': 'true',
                         'quote': '"', 'escape': '"', 'mode': 'PERMISSIVE'},
                        '*, input_file_name() as filename'
                    ) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{% macro _spark_landing_view(node, file_format, path, options, select_list) -%}
    {%- set files = node.schema ~ '.' ~ node.identifier ~ '__landing_files' -%}
    {%- set view = node.schema ~ '.' ~ node.identifier -%}
    {%- set all_options = {'path': path} -%}
    {%- do all_options.update(options) -%}
    {%- do run_query('create database if not exists ' ~ node.schema) -%}
    {%- do run_query('drop view if exists ' ~ view) -%}
    {%- do run_query('drop table if exists ' ~ files) -%}
    {%- set rendered = [] -%}
    {%- for key, value in all_options.items() -%}
        {%- if "'" in value -%}
            {{ exceptions.raise_compiler_error("landing path or option with a single quote: " ~ value) }}
        {%- endif -%}
        {%- do rendered.append("'" ~ key ~ "' '" ~ value ~ "'") -%}
    {%- endfor -%}
    {%- do run_query('create table ' ~ files ~ ' using ' ~ file_format ~ ' options (' ~ rendered | join(', ') ~ ')') -%}
    {%- do run_query('create view ' ~ view ~ ' as select ' ~ select_list ~ ' from ' ~ files) -%}
{%- endmacro %}
