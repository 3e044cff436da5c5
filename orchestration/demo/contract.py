"""The landing-zone contract as the generator writes it (docs/data-contract.md).

One :class:`SourceSpec` per landing folder: its file format, its columns in
order, the column that identifies a record in the ground-truth files, and
whether it is a daily drop or a single reference drop on the first day.
Closed value lists mirror the contract (and `profile360__accepted_values`).
"""

from __future__ import annotations

from dataclasses import dataclass

CSV, JSONL = "csv", "jsonl"


@dataclass(frozen=True)
class SourceSpec:
    """One landing source: folder name, format, ordered columns, record key."""

    name: str
    fmt: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    """Columns identifying one record (joined with ':' in the truth files)."""
    daily: bool = True
    """False: a reference source written once, on the first day of the period."""
    person_mapped: bool = False
    """True: its records belong to persons and are listed in _truth/person_map.csv."""

    @property
    def index(self) -> dict[str, int]:
        """Column name -> position, for CSV rows built as lists."""
        return {column: position for position, column in enumerate(self.columns)}


def _spec(name: str, fmt: str, columns: str, key: str, *, daily: bool = True,
          person_mapped: bool = False) -> SourceSpec:
    return SourceSpec(name, fmt, tuple(c.strip() for c in columns.split(",")),
                      tuple(key.split("+")), daily, person_mapped)


SOURCES: dict[str, SourceSpec] = {spec.name: spec for spec in (
    _spec("crm_contacts", CSV,
          "contact_id, full_name, email, phone, gender, birth_date, occupation, address, city, "
          "province, country, customer_id, loyalty_id, created_at, updated_at",
          "contact_id", person_mapped=True),
    _spec("web_events", JSONL,
          "event_id, event_type, anonymous_id, user_id, email, phone, session_id, page_url, referrer, "
          "utm_source, utm_medium, utm_campaign, search_query, product_id, device_type, event_at, properties",
          "event_id", person_mapped=True),
    _spec("app_events", JSONL,
          "event_id, event_type, device_id, user_id, platform, app_version, screen_name, product_id, "
          "session_id, session_duration_s, event_at, properties",
          "event_id", person_mapped=True),
    _spec("ecommerce_orders", CSV,
          "order_id, customer_id, email, phone, anonymous_id, device_id, channel, status, total_amount, "
          "discount_amount, currency, shipping_city, ordered_at, updated_at",
          "order_id", person_mapped=True),
    _spec("ecommerce_order_items", CSV,
          "order_id, line_number, product_id, quantity, unit_price", "order_id+line_number"),
    _spec("pos_transactions", CSV,
          "transaction_id, store_id, loyalty_id, phone, total_amount, currency, payment_method, "
          "is_return, transacted_at",
          "transaction_id", person_mapped=True),
    _spec("pos_transaction_items", CSV,
          "transaction_id, line_number, product_id, quantity, unit_price", "transaction_id+line_number"),
    _spec("loyalty_members", CSV,
          "loyalty_id, phone, email, full_name, tier, points_balance, joined_at, updated_at",
          "loyalty_id", person_mapped=True),
    _spec("email_events", CSV,
          "event_id, campaign_id, email, event_type, link_url, event_at", "event_id", person_mapped=True),
    _spec("zalo_events", JSONL,
          "event_id, zalo_user_id, phone, event_type, event_at, properties", "event_id", person_mapped=True),
    _spec("support_tickets", CSV,
          "ticket_id, customer_id, email, phone, channel, category, priority, status, opened_at, "
          "resolved_at, csat_score",
          "ticket_id", person_mapped=True),
    _spec("consents", CSV,
          "subject_type, subject_value, purpose, status, source, recorded_at", "subject_value"),
    _spec("erasure_requests", CSV,
          "request_id, subject_type, subject_value, requested_at", "request_id", person_mapped=True),
    _spec("products", CSV, "product_id, product_name, category, brand, list_price", "product_id",
          daily=False),
    _spec("stores", CSV, "store_id, store_name, city, province, region, opened_at", "store_id",
          daily=False),
    _spec("marketing_spend", CSV, "spend_date, channel, campaign_id, spend_amount, currency",
          "spend_date+channel+campaign_id"),
)}

# Closed value lists of the contract.
WEB_EVENT_TYPES = ("page_view", "search", "product_view", "add_to_cart", "begin_checkout",
                   "form_submit", "login")
APP_EVENT_TYPES = ("app_install", "app_open", "screen_view", "product_view", "add_to_cart",
                   "purchase", "push_open", "app_close")
ORDER_STATUSES = ("placed", "paid", "shipped", "delivered", "cancelled", "returned")
LOYALTY_TIERS = ("member", "silver", "gold", "diamond")
EMAIL_EVENT_TYPES = ("sent", "delivered", "open", "click", "bounce", "unsubscribe", "spam_report")
ZALO_EVENT_TYPES = ("follow", "unfollow", "message_in", "message_out", "mini_app_open", "share_phone")
TICKET_CHANNELS = ("hotline", "email", "chat", "zalo", "store")
CONSENT_SUBJECT_TYPES = ("email", "phone", "zalo_user_id", "customer_id")
CONSENT_PURPOSES = ("marketing_email", "marketing_sms", "marketing_zalo", "ads_targeting", "analytics")

MISSING_MARKERS = ("", "null", "NULL", "N/A", "none", "-")

ERROR_CODES = ("bad_timestamp", "bad_number", "negative_quantity", "unknown_enum",
               "truncated_json", "missing_key")

TRUTH_DIR = "_truth"
SHARED_CASES = ("junk", "family_email", "family_phone", "kiosk_device", "shared_cookie")


def file_name(source: str, day_iso: str, gzip: bool) -> str:
    """Landing file of one source and drop day, relative to the landing root."""
    ext = SOURCES[source].fmt + (".gz" if gzip else "")
    return f"{source}/{day_iso}.{ext}"
