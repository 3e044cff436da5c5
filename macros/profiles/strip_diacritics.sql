{#
    strip_diacritics(expression): the text with Vietnamese (and Latin-1)
    diacritics removed and đ/Đ written d/D, so `Nguyễn Văn Đức` becomes
    `Nguyen Van Duc`. Plain `translate()`, which DuckDB, Spark and PostgreSQL
    share, so it needs no dispatch; DuckDB's strip_accents() would keep đ.
#}
{% macro strip_diacritics(expression) -%}
    translate(
        {{ expression }},
        'ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯưẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ',
        'AAAAEEEIIOOOOUUYaaaaeeeiioooouuyAaDdIiUuOoUuAaAaAaAaAaAaAaAaAaAaAaAaEeEeEeEeEeEeEeEeIiIiOoOoOoOoOoOoOoOoOoOoOoOoUuUuUuUuUuUuUuYyYyYyYy'
    )
{%- endmacro %}
