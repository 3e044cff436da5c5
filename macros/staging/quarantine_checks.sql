{#
    quarantine_checks(...): two columns that say why a landing row cannot be
    staged, or NULL for a good row. Checks run in this order and the first
    that fails is reported:

      truncated_json     json_doc given and the line is not one JSON object
      missing_key        a column of `key` is missing
      bad_timestamp      a column of `timestamps` is missing or not ISO-8601;
                         a column of `optional_timestamps` is present but not
      future_timestamp   a column of `timestamps` (the row's own time) is
                         later than the end (midnight UTC) of the drop day
                         of the row's file (`drop_file`, e.g. _source_file)
                         plus var profile360__future_timestamp_tolerance_hours:
                         a row cannot tell of a time its drop had not reached,
                         and must not move the as-of day past the newest drop.
                         Optional times of a later state (a ticket's
                         resolved_at) are not checked: traits read them as
                         of their day, so a future one is simply not yet
      bad_date           a column of `dates` is present but not YYYY-MM-DD
      bad_number         a column of `numbers` is present but not a number
      negative_quantity  a column of `non_negative` is below zero
      unknown_enum       a column of `enums` ({column: [values]}) is missing or
                         not one of its values; `optional_enums` may be missing

    Columns: _quarantine_reason_code (one of the codes above) and
    _quarantine_reason (code, column and offending value, for people).
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
    {%- for column in optional_timestamps -%}
        {%- do checks.append({'when': column ~ ' is not null and ' ~ profile360.parse_timestamp_utc(column) ~ ' is null', 'code': 'bad_timestamp', 'column': column}) -%}
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
        {%- do checks.append({'when': column ~ ' is not null and ' ~ profile360.parse_date(column) ~ ' is null', 'code': 'bad_date', 'column': column}) -%}
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
        {%- do checks.append({'when': 'lower(' ~ column ~ ') not in (\'' ~ values | join("', '") ~ '\')', 'code': 'unknown_enum', 'column': column}) -%}
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
    end as _quarantine_reason
{%- endmacro %}
