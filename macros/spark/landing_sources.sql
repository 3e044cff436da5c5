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
            {%- elif node.source_name == 'landing_checks' -%}
                {#- The file checks written before dbt (orchestration/lib/spark_file_checks.py). -#}
                {%- do profile360._spark_landing_view(node, 'parquet', node.meta.spark_path, {}, '*') -%}
            {%- elif node.name in folders -%}
                {%- set glob = landing_dir ~ '/' ~ node.name ~ '/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9].' ~ folders[node.name].format ~ '*' -%}
                {%- do profile360._spark_landing_source_view(node, folders[node.name].format, glob, '') -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- The view of a landing source's files matching `glob`, under the
    source's name plus `suffix`: CSV by header, JSON Lines one raw line per row. -#}
{% macro _spark_landing_source_view(node, format, glob, suffix) -%}
    {%- if format == 'jsonl' -%}
        {#- One raw line per row, as DuckDB's reader: a line cut in half is quarantined. -#}
        {%- do profile360._spark_landing_view(
            node, 'text', glob, {}, 'value as raw_line, input_file_name() as filename', suffix
        ) -%}
    {%- else -%}
        {#- Columns by header (a file whose header differs from the
            first file's fails the read, naming it); quoted
            newlines and "" escapes as DuckDB reads them. -#}
        {%- do profile360._spark_landing_view(
            node, 'csv', glob,
            {'header': 'true', 'enforceSchema': 'false', 'multiLine': 'true',
             'quote': '"', 'escape': '"', 'mode': 'PERMISSIVE'},
            '*, input_file_name() as filename', suffix
        ) -%}
    {%- endif -%}
{%- endmacro %}

{% macro _spark_landing_view(node, file_format, path, options, select_list, suffix='') -%}
    {%- set files = node.schema ~ '.' ~ node.identifier ~ suffix ~ '__landing_files' -%}
    {%- set view = node.schema ~ '.' ~ node.identifier ~ suffix -%}
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


{#
    spark__landing_reader (macros/staging/landing.sql): a staging model opens
    only the files stg_landing__files admitted in this build. At execute time
    a view of the source over exactly those files (one Hadoop glob
    `<folder>/{<file>,<file>,...}`), named after the source and the reading
    model; the source's own view (all date-named files) where no list exists
    (unit tests, parsing). A rejected or blocked file is never opened, so a
    damaged one cannot fail the read.
#}
{% macro spark__landing_reader(source_name, table_name, files=none) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if files is none -%}
        {%- set files = profile360.admitted_landing_files(table_name) -%}
    {%- endif -%}
    {%- if files is none or not execute -%}
        {{ return(relation | string) }}
    {%- endif -%}
    {%- set spec = profile360.landing_sources()[table_name] -%}
    {%- if files | length == 0 -%}
        {%- set columns = ['raw_line'] if spec.format == 'jsonl' else var('profile360__landing_csv_columns')[table_name] -%}
        {%- set selected = [] -%}
        {%- for column in columns + ['filename'] -%}
            {%- do selected.append('cast(null as ' ~ dbt.type_string() ~ ') as ' ~ column) -%}
        {%- endfor -%}
        {{ return('(select ' ~ selected | join(', ') ~ ' where 1 = 0)') }}
    {%- endif -%}
    {%- set node = graph.sources['source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name] -%}
    {%- set names = [] -%}
    {%- for file in files | sort -%}
        {%- set name = file.split('/')[-1] -%}
        {%- if modules.re.search('[^A-Za-z0-9._-]', name) -%}
            {{ exceptions.raise_compiler_error("landing file " ~ file ~ ": a name outside [A-Za-z0-9._-] cannot be read on Spark") }}
        {%- endif -%}
        {%- do names.append(name) -%}
    {%- endfor -%}
    {%- set suffix = '__for_' ~ this.identifier -%}
    {%- do profile360._spark_landing_source_view(
        node, spec.format, node.meta.landing_dir ~ '/' ~ table_name ~ '/{' ~ names | join(',') ~ '}', suffix
    ) -%}
    {{ return(node.schema ~ '.' ~ node.identifier ~ suffix) }}
{%- endmacro %}
