{#
    Right to erasure (docs/privacy.md). The rules live here, once:

      erasure_salt()                 the salt of every erasure hash, as SQL
                                     (a session variable): env var
                                     PROFILE360_ERASURE_SALT, else a demo
                                     default (set your own in production),
                                     never in SQL text.
      erasure_hash(type, value)      sha256 hex of salt || type || ':' || value,
                                     value already normalised; NULL for NULL.
                                     The input is the `type:value` form of the
                                     identity layer, so a merge/split log cause
                                     hashes to the same value.
      normalize_as(type, expression) the identity normaliser of one identifier
                                     type, chosen when compiling.
      identifier_hash_as(type, expr) erasure_hash(type, normalize_as(type, expr)).
      erasure_landing_sources()      the landing sources that carry identifiers,
                                     with their dbt source and format; their
                                     identifier columns come from
                                     identifier_sources() (macros/identity).
      not_erased(source)             a WHERE condition for a base_ model: true
                                     when none of the row's identifiers (the
                                     columns identifier_sources() declares for
                                     that landing source) is erased. Compared
                                     as typed, against the hashes of every
                                     landing spelling of an erased identifier
                                     (stg_landing__erased_spellings): one hash
                                     per value, no normaliser per row.
      not_erased_subject(type, value) the same for rows naming one subject by
                                     type and value (consents: few rows, their
                                     own spellings), normalised then compared
                                     with the erasure log.
#}
{#- The salt as SQL: a session variable that the dbt-duckdb plugin
    orchestration/lib/dbt_secrets.py sets from PROFILE360_ERASURE_SALT, so the
    salt itself is written in no compiled SQL, view definition, log or run
    artefact; a session without it fails instead of hashing without salt. -#}
{% macro erasure_salt() -%}
    {{ return(adapter.dispatch('erasure_salt', 'profile360')()) }}
{%- endmacro %}

{% macro default__erasure_salt() -%}
    cast(coalesce(
        getvariable('profile360_erasure_salt'),
        error('profile360: the erasure salt is not set in this session (dbt sets it: orchestration/lib/dbt_secrets.py)')
    ) as {{ dbt.type_string() }})
{%- endmacro %}

{#- Spark: a Spark SQL variable of the session, set by the job that runs dbt. -#}
{% macro spark__erasure_salt() -%}
    '${profile360.erasure_salt}'
{%- endmacro %}


{% macro erasure_hash(identifier_type, value) -%}
    case when {{ value }} is not null then
        {{ profile360.salted_sha256(identifier_type ~ " || ':' || " ~ value) }}
    end
{%- endmacro %}


{#- salted_sha256(text): sha256 hex of the erasure salt followed by the text. -#}
{% macro salted_sha256(text) -%}
    {{ return(adapter.dispatch('salted_sha256', 'profile360')(text)) }}
{%- endmacro %}

{#- erasure_salt() unqualified: dbt unit tests override it (a literal salt). -#}
{% macro default__salted_sha256(text) -%}
    sha256({{ erasure_salt() }} || {{ text }})
{%- endmacro %}

{% macro spark__salted_sha256(text) -%}
    sha2(concat({{ erasure_salt() }}, {{ text }}), 256)
{%- endmacro %}


{% macro normalize_as(identifier_type, expression) -%}
    {%- if identifier_type == 'email' -%}
        {{ profile360.normalize_email(expression) }}
    {%- elif identifier_type == 'phone' -%}
        {{ profile360.normalize_vn_phone(expression) }}
    {%- else -%}
        {{ profile360.normalize_identifier(expression) }}
    {%- endif -%}
{%- endmacro %}


{% macro identifier_hash_as(identifier_type, expression) -%}
    {{ profile360.erasure_hash("'" ~ identifier_type ~ "'", profile360.normalize_as(identifier_type, expression)) }}
{%- endmacro %}


{% macro erasure_landing_sources() -%}
    {{ return({
        'web_events': {'source': 'web', 'format': 'jsonl'},
        'app_events': {'source': 'app', 'format': 'jsonl'},
        'zalo_events': {'source': 'zalo', 'format': 'jsonl'},
        'ecommerce_orders': {'source': 'ecommerce', 'format': 'csv'},
        'pos_transactions': {'source': 'pos', 'format': 'csv'},
        'crm_contacts': {'source': 'crm', 'format': 'csv'},
        'loyalty_members': {'source': 'loyalty', 'format': 'csv'},
        'email_events': {'source': 'email', 'format': 'csv'},
        'support_tickets': {'source': 'support', 'format': 'csv'},
    }) }}
{%- endmacro %}


{% macro _identifier_entry(landing_source) -%}
    {%- for entry in profile360.identifier_sources() if entry.source == landing_source -%}
        {{ return(entry) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("no identifier_sources() entry for " ~ landing_source) }}
{%- endmacro %}


{% macro not_erased(landing_source) -%}
    {%- set entry = profile360._identifier_entry(landing_source) -%}
    {%- set conditions = [] -%}
    {%- for identifier_type, column in entry.identifiers.items() -%}
        {%- do conditions.append(profile360._spelling_not_erased(
            profile360.erasure_hash("'" ~ identifier_type ~ "'", column))) -%}
    {%- endfor -%}
    ({{ conditions | join("\n        and ") }})
{%- endmacro %}


{% macro not_erased_subject(identifier_type, value) -%}
    {{ profile360._hash_not_logged(profile360.erasure_hash(
        identifier_type, profile360.normalize_identifier_by_type(identifier_type, value)
    )) }}
{%- endmacro %}


{#- One uncorrelated anti-join per hash: each hash is computed once per row. -#}
{% macro _spelling_not_erased(hash_expression) -%}
    coalesce({{ hash_expression }}, '') not in (
        select _erased.spelling_hash from {{ ref('stg_landing__erased_spellings') }} as _erased
    )
{%- endmacro %}


{% macro _hash_not_logged(hash_expression) -%}
    coalesce({{ hash_expression }}, '') not in (
        select _erased.identifier_hash from {{ ref('stg_landing__erasure_log') }} as _erased
    )
{%- endmacro %}


{#
    landing_identifier_ctes(skip_files): CTEs, to put inside a model's WITH
    list, that read every landing source carrying identifiers straight from
    its files (in flight, every row and version, before staging) and end with
    `landing_identifiers_normalized`: one row per (source, _source_file,
    record_key, identifier_type, raw_value, identifier_value), the raw value
    as typed (cleaned) and identifier_value normalised by the identity macros.
    Files named in `skip_files` (landing paths as in _source_file, e.g.
    `web_events/2026-11-01.jsonl`) are not read: each source's reader opens
    only its admitted files not skipped (landing_reader's explicit list);
    where the admission is not built (the reader is the whole source), a
    constant filter on the file name drops that source's skipped files. So
    the SQL text grows with the files read, not with the files indexed
    before. Used only by stg_landing__identifier_hashes, which persists
    salted hashes, never a raw value.
#}
{% macro landing_identifier_ctes(skip_files=[]) -%}
    {%- set sources = profile360.erasure_landing_sources() -%}
    {%- for landing_source, spec in sources.items() %}
    {%- set entry = profile360._identifier_entry(landing_source) %}
    {#- Only the admitted files not yet indexed are opened (landing_reader). #}
    {%- set admitted = profile360.admitted_landing_files(landing_source) %}
    {%- set own_skipped = [] %}
    {%- if admitted is none %}
        {%- for file in skip_files if file.startswith(landing_source ~ '/') %}{% do own_skipped.append(file) %}{% endfor %}
    {%- endif %}
    {%- set reader = profile360.landing_reader(
        spec.source, landing_source, none if admitted is none else admitted | reject('in', skip_files) | list
    ) %}
    {%- set skipped %}
        where {{ profile360.admitted_landing_file('filename') }}
        {%- if own_skipped | length > 0 %}
            and {{ profile360.landing_file('filename') }} not in (
                {%- for file in own_skipped | sort %}'{{ file | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor -%}
            )
        {%- endif %}
    {%- endset %}
landing_{{ landing_source }} as (

    {%- if spec.format == 'jsonl' %}
    select
        _source_file,
        {{ profile360.clean_text(profile360.json_text('doc', entry.record_key)) }} as record_key,
        {%- for column in entry.identifiers.values() | unique %}
        {{ profile360.clean_text(profile360.json_text('doc', column)) }} as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from (
        select
            {{ profile360.landing_file('filename') }} as _source_file,
            {{ profile360.try_parse_json('raw_line') }} as doc
        from {{ reader }}
        {{- skipped }}
    ) as parsed
    {%- else %}
    select distinct
        {{ profile360.landing_file('filename') }} as _source_file,
        {{ profile360.clean_text(entry.record_key) }} as record_key,
        {%- for column in entry.identifiers.values() | unique %}
        {{ profile360.clean_text(column) }} as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ reader }}
    {{- skipped }}
    {%- endif %}

),

    {%- endfor %}
landing_identifier_values as (
    {%- for landing_source in sources %}
    {%- set entry = profile360._identifier_entry(landing_source) %}
    {%- for identifier_type, column in entry.identifiers.items() %}
    select
        '{{ landing_source }}' as source,
        _source_file,
        record_key,
        '{{ identifier_type }}' as identifier_type,
        {{ column }} as raw_value
    from landing_{{ landing_source }}
    where record_key is not null and {{ column }} is not null
    union all
    {%- endfor %}
    {%- endfor %}
    select
        cast(null as {{ dbt.type_string() }}) as source,
        cast(null as {{ dbt.type_string() }}) as _source_file,
        cast(null as {{ dbt.type_string() }}) as record_key,
        cast(null as {{ dbt.type_string() }}) as identifier_type,
        cast(null as {{ dbt.type_string() }}) as raw_value
    where 1 = 0

),

{#- Each type's normalisation once, over every source's values. #}
landing_identifiers_normalized as (
    select
        source,
        _source_file,
        record_key,
        identifier_type,
        raw_value,
        {{ profile360.normalize_identifier_by_type('identifier_type', 'raw_value') }} as identifier_value
    from landing_identifier_values

)
{%- endmacro %}


{#
    redact_erased_causes(relation): a post-hook for the merge/split log
    (fct_profile_id_changes), whose rows from earlier builds keep
    cause_identifiers as `type:value` text: every cause whose erasure hash
    (the same `type:value` text, salted) is in the erasure log is removed
    from the list and the count, at every build. New rows never hold one:
    their identifiers come from staging, already suppressed.
#}
{% macro redact_erased_causes(relation) -%}
    {{ return(adapter.dispatch('redact_erased_causes', 'profile360')(relation)) }}
{%- endmacro %}

{% macro default__redact_erased_causes(relation) -%}
    {%- set erased = "select identifier_hash from " ~ ref('stg_landing__erasure_log') -%}
    {%- set causes = "unnest(string_split(" ~ relation ~ ".cause_identifiers, ', ')) as causes (cause)" -%}
    update {{ relation }}
    set
        cause_identifiers = (
            select string_agg(cause, ', ' order by cause)
            from {{ causes }}
            where {{ profile360.salted_sha256('cause') }} not in ({{ erased }})
        ),
        count_cause_identifiers = (
            select count(*)
            from {{ causes }}
            where {{ profile360.salted_sha256('cause') }} not in ({{ erased }})
        )
    where exists (
        select 1
        from {{ causes }}
        where {{ profile360.salted_sha256('cause') }} in ({{ erased }})
    )
{%- endmacro %}

{#- Spark: no UPDATE on plain Parquet tables, so the redacted table is
    written aside and replaces the log's rows (INSERT OVERWRITE cannot read
    the table it overwrites). Same rule: the rows with an erased cause lose
    it from the list (sorted, NULL when none is left) and the count; every
    other row is copied unchanged. Nothing is rewritten when no cause is
    erased. -#}
{% macro spark__redact_erased_causes(relation, key='change_id') -%}
    {%- if not execute -%}
        select 1
    {%- else -%}
    {%- set erased = "select distinct identifier_hash from " ~ ref('stg_landing__erasure_log') -%}
    {%- set causes -%}
        select
            listed.{{ key }},
            listed.cause,
            erased.identifier_hash is not null as is_erased
        from (
            select {{ key }}, explode(split(cause_identifiers, ', ')) as cause
            from {{ relation }}
            where cause_identifiers is not null
        ) as listed
        left join ({{ erased }}) as erased
            on {{ profile360.salted_sha256('listed.cause') }} = erased.identifier_hash
    {%- endset -%}
    {%- set hits = run_query("select count(*) from (" ~ causes ~ ") as causes where is_erased")
        .columns[0].values()[0] -%}
    {%- if hits == 0 -%}
        select 1
    {%- else -%}
        {%- set aside = api.Relation.create(schema=relation.schema, identifier=relation.identifier ~ '__redacted') -%}
        {%- set columns = adapter.get_columns_in_relation(relation) -%}
        {%- do run_query('drop table if exists ' ~ aside) -%}
        {%- call statement('redact_erased_causes') -%}
            create table {{ aside }} as
            with causes as ({{ causes }}),
            redacted as (
                select
                    {{ key }},
                    nullif(array_join(array_sort(collect_list(case when not is_erased then cause end)), ', '), '')
                        as cause_identifiers,
                    count(case when not is_erased then 1 end) as count_cause_identifiers
                from causes
                group by {{ key }}
                having max(case when is_erased then 1 else 0 end) = 1
            )
            select
            {%- for column in columns %}
                {%- if column.name | lower in ('cause_identifiers', 'count_cause_identifiers') %}
                case when redacted.{{ key }} is null then stored.{{ column.name }}
                    else cast(redacted.{{ column.name }} as {{ column.data_type }}) end as {{ column.name }}
                {%- else %}
                stored.{{ column.name }}
                {%- endif %}{{ "," if not loop.last }}
            {%- endfor %}
            from {{ relation }} as stored
            left join redacted on stored.{{ key }} = redacted.{{ key }}
        {%- endcall -%}
        {%- do run_query('insert overwrite table ' ~ relation ~ ' select * from ' ~ aside) -%}
        drop table if exists {{ aside }}
    {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#
    What an erasure removes from the tables that keep history (docs/privacy.md):

      erased_record_hashes()         SQL: the salted record hashes (source ':'
                                     record key, as stg_landing__identifier_hashes
                                     writes them) of every landing record that
                                     carries an erased identifier.
      forget_erased_records(relation)
                                     a hook: deletes from a table keyed by
                                     (source, record_key) the rows of erased
                                     records. Run on the record-map snapshot
                                     and on the occurrences change log once
                                     the stitching has read them (the
                                     snapshot's post-hooks): a record key can
                                     be an identifier itself (a loyalty id).
      forget_erased_profiles(relation)
                                     a hook: deletes the rows of erased
                                     profiles from a history keyed by
                                     profile_id (segment spells). An erased
                                     profile is one that no longer holds any
                                     record (not in map_records_to_profiles)
                                     and did not go into another profile (it is
                                     no old_profile_id of the merge/split log).
    Erasure never fails a build: these only delete.
#}
{% macro erased_record_hashes() -%}
    select _hashes.record_hash
    from {{ ref('stg_landing__identifier_hashes') }} as _hashes
    inner join {{ ref('stg_landing__erasure_log') }} as _log
        on _hashes.identifier_hash = _log.identifier_hash
{%- endmacro %}


{% macro forget_erased_records(relation) -%}
    {{ profile360.delete_rows_where(relation, profile360.salted_sha256(dbt.concat(['source', "':'", 'record_key']))
        ~ ' in (' ~ profile360.erased_record_hashes() ~ ')') }}
{%- endmacro %}


{% macro forget_erased_profiles(relation) -%}
    {{ profile360.delete_rows_where(relation,
        'profile_id not in (select _records.profile_id from ' ~ ref('map_records_to_profiles') ~ ' as _records'
        ~ ' where _records.profile_id is not null)'
        ~ ' and profile_id not in (select _changes.old_profile_id from ' ~ ref('fct_profile_id_changes') ~ ' as _changes'
        ~ ' where _changes.old_profile_id is not null)') }}
{%- endmacro %}


{#
    erasure_closure_rounds(rounds): the CTEs round_1 .. round_<rounds> of the
    erasure log (models/staging/privacy/stg_landing__erasure_log.sql), each
    followed by a comma. Round n adds, to every (request, identifier) of round
    n-1 whose identifier links, every linking identifier on the landing
    records that carry it. Needs CTEs round_0, linking, landing_identifiers.
#}
{% macro erasure_closure_rounds(rounds) -%}
    {{ return(adapter.dispatch('erasure_closure_rounds', 'profile360')(rounds)) }}
{%- endmacro %}

{% macro default__erasure_closure_rounds(rounds) -%}
    {%- for n in range(1, rounds + 1) %}
round_{{ n }} as (

    select * from round_{{ n - 1 }}

    union

    select
        round_{{ n - 1 }}.request_id,
        reached.identifier_type,
        reached.identifier_hash,
        false as is_subject
    from round_{{ n - 1 }}
    inner join linking as spreading
        on round_{{ n - 1 }}.identifier_hash = spreading.identifier_hash
    inner join landing_identifiers as carrier
        on round_{{ n - 1 }}.identifier_hash = carrier.identifier_hash
    inner join landing_identifiers as reached
        on carrier.record_hash = reached.record_hash
    inner join linking as reached_linking
        on reached.identifier_hash = reached_linking.identifier_hash

),
    {% endfor %}
{%- endmacro %}


{#- Spark inlines CTEs: a round naming the previous one twice doubles the
    plan at every round (10 rounds: the planner ran for minutes). Here each
    round names the previous one once, and gives every row of it plus the
    identifier it reaches (the same rows as the union above). -#}
{% macro spark__erasure_closure_rounds(rounds) -%}
    {%- for n in range(1, rounds + 1) %}
round_{{ n }} as (

    select distinct
        request_id,
        kept.identifier_type,
        kept.identifier_hash,
        kept.is_subject
    from (
        select
            previous.request_id,
            previous.identifier_type as previous_type,
            previous.identifier_hash as previous_hash,
            previous.is_subject as previous_is_subject,
            reached.identifier_type as reached_type,
            reached_linking.identifier_hash as reached_hash
        from round_{{ n - 1 }} as previous
        left join linking as spreading
            on previous.identifier_hash = spreading.identifier_hash
        left join landing_identifiers as carrier
            on spreading.identifier_hash = carrier.identifier_hash
        left join landing_identifiers as reached
            on carrier.record_hash = reached.record_hash
        left join linking as reached_linking
            on reached.identifier_hash = reached_linking.identifier_hash
    ) as stepped
    lateral view stack(
        2,
        previous_type, previous_hash, previous_is_subject,
        reached_type, reached_hash, false
    ) kept as identifier_type, identifier_hash, is_subject
    where kept.identifier_hash is not null

),
    {% endfor %}
{%- endmacro %}
