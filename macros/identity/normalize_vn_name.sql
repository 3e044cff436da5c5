{#
    Normalisers of the probabilistic matching (models/identity/probabilistic/,
    docs/identity.md "Probabilistic links"). Plain SQL over the cross-database
    regex macros; only the word sort is engine-specific (dispatched).

    normalize_vn_name(expression): a Vietnamese full name as one comparable
    text: diacritics stripped (strip_diacritics, đ -> d), lower case, every
    character but a-z turned into a space, the common abbreviations written
    out (Ng. -> nguyen, Tr. -> tran, Ph. -> pham, H. -> hoang... and the
    middle names V. -> van, T. -> thi), spaces collapsed, and the words
    sorted, so `Nguyễn Văn Đức`, `NGUYEN VAN DUC`, `Đức Nguyễn Văn` and
    `Ng. V. Duc` all become `duc nguyen van`. NULL for a name with no letter.

    normalize_vn_address(expression): a street address the same way, with the
    administrative words shortened to their usual abbreviation (phuong -> p,
    quan -> q, duong -> d, thanh pho -> tp...), so `12 Lê Lợi, Phường 5` and
    `12 Le Loi P.5` both become `12 le loi p 5`. Word order is kept.

    sorted_words(expression): the words (separated by single spaces, no leading
    or trailing one) in alphabetical order.
#}
{% macro _vn_name_abbreviations() -%}
    {{ return([
        ('ng', 'nguyen'), ('tr', 'tran'), ('ph', 'pham'), ('h', 'hoang'), ('hg', 'hoang'),
        ('v', 'van'), ('t', 'thi'), ('th', 'thi'),
    ]) }}
{%- endmacro %}


{% macro normalize_vn_name(expression) -%}
    {%- set text = 'lower(' ~ profile360.strip_diacritics(expression) ~ ')' -%}
    {%- set text = profile360.regex_replace_all(text, '[^a-z]+', ' ') -%}
    {#- A namespace: a variable set inside a loop is lost when the loop ends. -#}
    {%- set ns = namespace(text=text) -%}
    {%- for short, long in profile360._vn_name_abbreviations() -%}
        {%- set ns.text = profile360.regex_replace_all(ns.text, '\\b' ~ short ~ '\\b', long) -%}
    {%- endfor -%}
    {%- set text = profile360.regex_replace_all(ns.text, ' +', ' ') -%}
    nullif({{ profile360.sorted_words('trim(' ~ text ~ ')') }}, '')
{%- endmacro %}


{% macro _vn_address_abbreviations() -%}
    {{ return([
        ('phuong', 'p'), ('quan', 'q'), ('duong', 'd'), ('thanh pho', 'tp'), ('huyen', 'h'),
        ('xa', 'x'), ('so', ''), ('ngo', 'ng'), ('hem', 'h'),
    ]) }}
{%- endmacro %}


{% macro normalize_vn_address(expression) -%}
    {%- set text = 'lower(' ~ profile360.strip_diacritics(expression) ~ ')' -%}
    {%- set text = profile360.regex_replace_all(text, '[^a-z0-9]+', ' ') -%}
    {%- set ns = namespace(text=text) -%}
    {%- for long, short in profile360._vn_address_abbreviations() -%}
        {%- set ns.text = profile360.regex_replace_all(ns.text, '\\b' ~ long ~ '\\b', short) -%}
    {%- endfor -%}
    {%- set text = profile360.regex_replace_all(ns.text, ' +', ' ') -%}
    nullif(trim({{ text }}), '')
{%- endmacro %}


{% macro sorted_words(expression) -%}
    {{ return(adapter.dispatch('sorted_words', 'profile360')(expression)) }}
{%- endmacro %}

{% macro default__sorted_words(expression) -%}
    array_to_string(list_sort(string_split({{ expression }}, ' ')), ' ')
{%- endmacro %}

{% macro spark__sorted_words(expression) -%}
    array_join(array_sort(split({{ expression }}, ' ')), ' ')
{%- endmacro %}
