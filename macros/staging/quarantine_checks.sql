{#
    quarantine_checks(...): the rules that decide whether a landing row can be
    staged, in one place. Three columns:

      _quarantine_reason_code  why the row cannot be staged (a code below),
                               NULL for a row kept;
      _quarantine_reason       code, column and offending value, for people;
      _invalid_optional_fields the optional fields of a kept row whose value
                               is present but cannot be typed (their typed
                               column is NULL), comma-separated in argument
                               order, e.g. 'created_at,birth_date'; NULL when
                               none. The row is kept: an optional value never
                               quarantines a row.

    Checks that quarantine, in this order (the first that fails is reported):

      truncated_json     json_doc given and the line is not one JSON object
      missing_key        a column of `key` is missing
      bad_timestamp      a column of `timestamps` (required: the row's own
                         time) is missing or not ISO-8601
      future_timestamp   a column of `timestamps` (the row's own time) is
                         later than the end (midnight UTC) of the drop day
                         of the row's file (`drop_file`, e.g. _source_file)
                         plus var profile360__future_timestamp_tolerance_hours:
                         a row cannot tell of a time its drop had not reached,
                         and must not move the as-of day past the newest drop.
                         Optional times of a later state (a ticket's
                         resolved_at) are not checked: traits read them as
                         of their day, so a future one is simply not yet
      bad_date           a column of `dates` that is also a `key` column is
                         present but not YYYY-MM-DD (the key cannot be typed)
      bad_number         a column of `numbers` is present but not a number
                         (still quarantines: the demo generator's truth
                         counts these rows as broken; see docs/layers.md)
      negative_quantity  a column of `non_negative` is below zero
      unknown_enum       a column of `enums` ({column: [values]}, required)
                         is missing or not one of its values

    Optional checks (flag, NULL value, row kept), flagged in this order:
      `optional_timestamps` present but not ISO-8601; `dates` (not in `key`)
      present but not YYYY-MM-DD; `optional_enums` present but not one of
      their values (the typed column must then be NULL: see
      optional_enum_value()).

    Arguments name text columns of the calling CTE (already clean_text-ed);
    enum values are compared lower-cased.
#}
{% macro quarantine_checks(
    key=[], timestamps=[], optional_timestamps=[], dates=[], numbers=[],
    non_negative=[], enums={}, optional_enums={}, json_doc=none, drop_file='_source_file'
) -%}
    {%- set checks = [] -%}
    {%- if json_doc -%}
        {%- do checks.append({'when': json_doc ~ ' is null', 'code': 'truncated_json', 'column': none}) -%}
    {%- endif -%}
    {%- for column in key -%}
        {%- do checks.append({'when': column ~ ' is null', 'code': 'missing_key', 'column': column}) -%}
    {%- endfor -%}
    {%- for column in timestamps -%}
        {%- do checks.append({'when': profile360.parse_timestamp_utc(column) ~ ' is null', 'code': 'bad_timestamp', 'column': column}) -%}
    {%- endfor -%}
    {%- set optional = [] -%}
    {%- for column in optional_timestamps -%}
        {%- do optional.append({'when': column ~ ' is not null and ' ~ profile360.parse_timestamp_utc(column) ~ ' is null', 'column': column}) -%}
    {%- endfor -%}
    {%- if drop_file -%}
        {%- set latest_allowed = dbt.dateadd(
            'hour',
            24 + var('profile360__future_timestamp_tolerance_hours') | int,
            'cast(' ~ profile360.landing_drop_date(drop_file) ~ ' as ' ~ dbt.type_timestamp() ~ ')'
        ) -%}
        {%- for column in timestamps -%}
            {%- do checks.append({'when': profile360.parse_timestamp_utc(column) ~ ' > ' ~ latest_allowed, 'code': 'future_timestamp', 'column': column}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for column in dates -%}
        {%- set bad_date = {'when': column ~ ' is not null and ' ~ profile360.parse_date(column) ~ ' is null', 'code': 'bad_date', 'column': column} -%}
        {%- if column in key -%}
            {%- do checks.append(bad_date) -%}
        {%- else -%}
            {%- do optional.append(bad_date) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for column in numbers -%}
        {%- do checks.append({'when': column ~ ' is not null and ' ~ profile360.try_cast(column, dbt.type_numeric()) ~ ' is null', 'code': 'bad_number', 'column': column}) -%}
    {%- endfor -%}
    {%- for column in non_negative -%}
        {%- do checks.append({'when': profile360.try_cast(column, dbt.type_numeric()) ~ ' < 0', 'code': 'negative_quantity', 'column': column}) -%}
    {%- endfor -%}
    {%- for column, values in enums.items() -%}
        {%- do checks.append({'when': 'coalesce(lower(' ~ column ~ ') not in (\'' ~ values | join("', '") ~ '\'), true)', 'code': 'unknown_enum', 'column': column}) -%}
    {%- endfor -%}
    {%- for column, values in optional_enums.items() -%}
        {%- do optional.append({'when': 'lower(' ~ column ~ ') not in (\'' ~ values | join("', '") ~ '\')', 'column': column}) -%}
    {%- endfor -%}
    case
        {%- for check in checks %}
        when {{ check.when }} then '{{ check.code }}'
        {%- endfor %}
    end as _quarantine_reason_code,
    case
        {%- for check in checks %}
        when {{ check.when }} then
            {%- if check.column %}
            {{ dbt.concat(["'" ~ check.code ~ ": " ~ check.column ~ " = '", "coalesce(" ~ check.column ~ ", '(missing)')"]) }}
            {%- else %}
            '{{ check.code }}: the line is not one complete JSON object'
            {%- endif %}
        {%- endfor %}
    end as _quarantine_reason,
    {%- if optional | length == 0 %}
    cast(null as {{ dbt.type_string() }}) as _invalid_optional_fields
    {%- else %}
    {%- set flags = [] -%}
    {%- for check in optional -%}
        {%- do flags.append("case when " ~ check.when ~ " then '," ~ check.column ~ "' else '' end") -%}
    {%- endfor %}
    substr(
        nullif({{ dbt.concat(flags) if flags | length > 1 else flags[0] }}, ''),
        2
    ) as _invalid_optional_fields
    {%- endif %}
{%- endmacro %}


{#- optional_enum_value(column, values): the typed value of an optional enum
    column (upper- or lower-cased by the caller): the column when one of
    `values` (compared lower-cased), else NULL (quarantine_checks flags it). -#}
{% macro optional_enum_value(column, values) -%}
    case when lower({{ column }}) in ('{{ values | join("', '") }}') then {{ column }} end
{%- endmacro %}
