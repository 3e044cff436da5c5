{#
    place_name_key(expression): the matching key of a typed place name:
    diacritics stripped (strip_diacritics), lower case, every character but
    a-z and 0-9 removed. `Hồ Chí Minh`, `HO CHI MINH` and `Ho-Chi-Minh` share
    the key `hochiminh`; `TP.HCM` and `TP HCM` share `tphcm`. The spellings
    of seeds/vn_place_names.csv are keyed the same way
    (int_place_names_keyed), and the golden record's city and province take
    the standard name of their key (int_profile_attributes_survived).
#}
{% macro place_name_key(expression) -%}
    {{ profile360.regex_replace_all('lower(' ~ profile360.strip_diacritics(expression) ~ ')', '[^a-z0-9]', '') }}
{%- endmacro %}
