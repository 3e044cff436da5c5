{#
    identifier_sources(): every staged source that carries identifiers, the
    one declared list the identity layer reads them from. Per source: the
    landing source name (data contract folder), its stg model, its own record
    id, the timestamp the identifiers were seen at, the kind of source
    (`event`: one row per thing that happened; `record`: a business record),
    and identifier type -> column. Adding an identifier column is one entry
    here.

    seen_at: the event time for events; for records re-sent when they change
    (CRM contacts, loyalty members) the version's updated_at; orders when
    placed (the identifiers were typed at checkout), POS transactions when
    transacted, tickets when opened.

    sessions: identifier type -> column of the visit ids of web and app
    events (docs/identity.md, "Session stitching"). A visit id links the
    events of one visit like any identifier (normalised as an opaque id,
    flagged when its events name two customers, limits alike), so the
    anonymous events before a login join the person who logged in, even on
    a shared device. Kept apart from `identifiers` because a visit id names
    no person: the erasure rules (macros/privacy/erasure.sql) neither match
    nor spread through it; the erased person's own events go with their
    other identifiers.

    record_ids: identifier type -> the record's own id, for sources of known
    persons whose records may carry no identifier at all (a CRM contact typed
    without e-mail or phone): the record is then a node of its own and gets
    a profile (docs/identity.md, "Probabilistic links"). Such an id names one
    record, so it is treated like a visit id (identity_session_types()):
    weakest rank, never a profile's name while the profile holds anything
    else, not listed in map_identifiers_to_profiles, no erasure through it.

    Records re-sent when they change are read from every version (their
    base_ view, rows that passed the quarantine checks), not only the latest:
    a contact's old phone still identifies them on the store receipts and
    Zalo messages that carry it. Each (record, identifier value) counts once,
    seen at its first version.
#}
{% macro identifier_sources() -%}
    {{ return([
        {
            'source': 'web_events', 'kind': 'event',
            'model': 'stg_web__events',
            'record_key': 'event_id', 'seen_at': 'event_at',
            'identifiers': {
                'anonymous_id': 'anonymous_id', 'customer_id': 'user_id',
                'email': 'email', 'phone': 'phone',
            },
            'sessions': {'web_session': 'session_id'},
        },
        {
            'source': 'app_events', 'kind': 'event',
            'model': 'stg_app__events',
            'record_key': 'event_id', 'seen_at': 'event_at',
            'identifiers': {'device_id': 'device_id', 'customer_id': 'user_id'},
            'sessions': {'app_session': 'session_id'},
        },
        {
            'source': 'ecommerce_orders', 'kind': 'record',
            'model': 'stg_ecommerce__orders',
            'record_key': 'order_id', 'seen_at': 'ordered_at',
            'identifiers': {
                'customer_id': 'customer_id', 'email': 'email', 'phone': 'phone',
                'anonymous_id': 'anonymous_id', 'device_id': 'device_id',
            },
        },
        {
            'source': 'pos_transactions', 'kind': 'record',
            'model': 'stg_pos__transactions',
            'record_key': 'transaction_id', 'seen_at': 'transacted_at',
            'identifiers': {'loyalty_id': 'loyalty_id', 'phone': 'phone'},
        },
        {
            'source': 'crm_contacts', 'kind': 'record',
            'model': 'base_crm__contacts', 'all_versions': true,
            'record_key': 'contact_id', 'seen_at': 'updated_at',
            'identifiers': {
                'email': 'email', 'phone': 'phone',
                'customer_id': 'customer_id', 'loyalty_id': 'loyalty_id',
            },
            'record_ids': {'crm_record': 'contact_id'},
        },
        {
            'source': 'loyalty_members', 'kind': 'record',
            'model': 'base_loyalty__members', 'all_versions': true,
            'record_key': 'loyalty_id', 'seen_at': 'updated_at',
            'identifiers': {'loyalty_id': 'loyalty_id', 'phone': 'phone', 'email': 'email'},
        },
        {
            'source': 'email_events', 'kind': 'event',
            'model': 'stg_email__events',
            'record_key': 'event_id', 'seen_at': 'event_at',
            'identifiers': {'email': 'email'},
        },
        {
            'source': 'zalo_events', 'kind': 'event',
            'model': 'stg_zalo__events',
            'record_key': 'event_id', 'seen_at': 'event_at',
            'identifiers': {'zalo_user_id': 'zalo_user_id', 'phone': 'phone'},
        },
        {
            'source': 'support_tickets', 'kind': 'record',
            'model': 'stg_support__tickets',
            'record_key': 'ticket_id', 'seen_at': 'opened_at',
            'identifiers': {'customer_id': 'customer_id', 'email': 'email', 'phone': 'phone'},
        },
    ]) }}
{%- endmacro %}


{#
    unpivot_identifiers(kind): a union with one select per (source of that
    kind, identifier column): source, record_key (as text), identifier_type,
    raw_value (as staged), seen_at, _source_file (the landing file the staged
    row came from); records with an empty column give no row.
    Sources read with all_versions keep the rows that passed quarantine and
    one row per (record, identifier value), at its first version, with the
    newest file among its versions (so a record with a version in a new drop
    has a row whose _source_file is that drop).
    Split by kind only so that no model reads seven or more relations.
#}
{% macro unpivot_identifiers(kind) -%}
    {%- set branches = [] -%}
    {%- for entry in profile360.identifier_sources() if entry.kind == kind -%}
        {%- for identifier_type, column in (entry.identifiers.items() | list)
            + (entry.get('sessions', {}).items() | list)
            + (entry.get('record_ids', {}).items() | list) -%}
            {%- do branches.append({'entry': entry, 'identifier_type': identifier_type, 'column': column}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if not branches -%}
        {{ exceptions.raise_compiler_error("unpivot_identifiers: no source of kind " ~ kind) }}
    {%- endif -%}
    {%- for branch in branches %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select
        '{{ branch.entry.source }}' as source,
        cast({{ branch.entry.record_key }} as {{ dbt.type_string() }}) as record_key,
        '{{ branch.identifier_type }}' as identifier_type,
        {{ branch.column }} as raw_value,
        {% if branch.entry.all_versions -%} min({{ branch.entry.seen_at }}) {%- else -%}
        {{ branch.entry.seen_at }} {%- endif %} as seen_at,
        {% if branch.entry.all_versions -%} max(_source_file) {%- else -%}
        _source_file {%- endif %} as _source_file
    from {{ ref(branch.entry.model) }}
    where {{ branch.column }} is not null
    {%- if branch.entry.all_versions %}
        and _quarantine_reason_code is null
    group by {{ branch.entry.record_key }}, {{ branch.column }}
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
