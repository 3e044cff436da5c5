{#
    profile_attributes(): the golden-record attributes chosen by survivorship,
    in the order dim_profiles shows them. Which sources may supply each one,
    and the rule that picks the winner, are data: seeds/survivorship_rules.csv.
    Where each candidate value comes from is int_profile_attribute_candidates.
#}
{% macro profile_attributes() -%}
    {{ return(['full_name', 'gender', 'birth_date', 'occupation', 'city', 'province', 'email', 'phone']) }}
{%- endmacro %}


{#
    consent_purposes(): the consent purposes of the landing contract, one
    dim_profiles column each.
#}
{% macro consent_purposes() -%}
    {{ return(var('profile360__accepted_values')['consent_purpose']) }}
{%- endmacro %}


{#
    profile_attribute_sources(): where the descriptive golden-record
    attributes come from, declared once. Per staged source (its landing
    folder name, as in map_records_to_profiles): the staging model, its
    record key, the time a value was observed, and {attribute: column}.
    int_profile_attribute_candidates turns each column into candidate values
    and int_profile_fingerprints hashes the same columns, so an attribute
    added here is both a candidate and a reason to recompute a profile whose
    value changed. E-mails and phones come from the identity layer instead.
#}
{% macro profile_attribute_sources() -%}
    {{ return([
        {
            'source': 'crm_contacts', 'model': 'stg_crm__contacts', 'key': 'contact_id',
            'observed_at': 'updated_at',
            'attributes': {
                'full_name': 'full_name', 'gender': 'gender', 'birth_date': 'birth_date',
                'occupation': 'occupation', 'city': 'city', 'province': 'province',
            },
        },
        {
            'source': 'loyalty_members', 'model': 'stg_loyalty__members', 'key': 'loyalty_id',
            'observed_at': 'updated_at',
            'attributes': {'full_name': 'full_name'},
        },
        {
            'source': 'ecommerce_orders', 'model': 'stg_ecommerce__orders', 'key': 'order_id',
            'observed_at': 'ordered_at',
            'attributes': {'city': 'shipping_city'},
        },
    ]) }}
{%- endmacro %}


{#
    profile_attribute_values(records): one query, a union of one branch per
    declared (source, attribute): the non-null values of the records in
    `records` (a relation or CTE with profile_id, source, record_key), as
    (profile_id, attribute_name, attribute_value, source, observed_at).
#}
{% macro profile_attribute_values(records) -%}
    {%- for entry in profile360.profile_attribute_sources() %}
    {%- set outer_loop = loop %}
    {%- for attribute, column in entry.attributes.items() %}
    {%- if not (outer_loop.first and loop.first) %}
    union all
    {%- endif %}
    select
        {{ records }}.profile_id,
        '{{ attribute }}' as attribute_name,
        cast(staged.{{ column }} as {{ dbt.type_string() }}) as attribute_value,
        '{{ entry.source }}' as source,
        staged.{{ entry.observed_at }} as observed_at
    from {{ ref(entry.model) }} as staged
    inner join {{ records }}
        on
            {{ records }}.source = '{{ entry.source }}'
            and staged.{{ entry.key }} = {{ records }}.record_key
    where staged.{{ column }} is not null
    {%- endfor %}
    {%- endfor %}
{%- endmacro %}


{#
    profile_attribute_fingerprints(records): one query, a union of one branch
    per declared source: per profile of `records` (profile_id, source,
    record_key), a hash-sum of the source's key, attribute columns and
    observation time (profile360.fingerprint_sum), tagged with the source.
#}
{% macro profile_attribute_fingerprints(records) -%}
    {%- for entry in profile360.profile_attribute_sources() %}
    {%- set columns = ["'" ~ entry.source ~ "'", 'staged.' ~ entry.key] %}
    {%- for column in entry.attributes.values() %}
        {%- do columns.append('staged.' ~ column) %}
    {%- endfor %}
    {%- do columns.append('staged.' ~ entry.observed_at) %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select
        {{ records }}.profile_id,
        {{ profile360.fingerprint_sum(columns) }} as part_fingerprint
    from {{ ref(entry.model) }} as staged
    inner join {{ records }}
        on
            {{ records }}.source = '{{ entry.source }}'
            and staged.{{ entry.key }} = {{ records }}.record_key
    group by {{ records }}.profile_id
    {%- endfor %}
{%- endmacro %}
