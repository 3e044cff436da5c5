"""The demo generator, checked against the landing-zone contract by reading
its files back (csv / json / gzip), independently of the generator's code.

The contract below is written out again on purpose (docs/data-contract.md):
a generator drifting from it must fail here.
"""

from __future__ import annotations

import csv
import filecmp
import gzip
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from orchestration.demo import GenerationReport, generate

PERSONS, DAYS, END = 300, 30, date(2026, 11, 22)
DATES = [(END - timedelta(days=DAYS - 1 - d)).isoformat() for d in range(DAYS)]

COLUMNS = {
    "crm_contacts": "contact_id full_name email phone gender birth_date occupation address city province "
                    "country customer_id loyalty_id created_at updated_at",
    "web_events": "event_id event_type anonymous_id user_id email phone session_id page_url referrer "
                  "utm_source utm_medium utm_campaign search_query product_id device_type event_at properties",
    "app_events": "event_id event_type device_id user_id platform app_version screen_name product_id "
                  "session_id session_duration_s event_at properties",
    "ecommerce_orders": "order_id customer_id email phone anonymous_id device_id channel status total_amount "
                        "discount_amount currency shipping_city ordered_at updated_at",
    "ecommerce_order_items": "order_id line_number product_id quantity unit_price",
    "pos_transactions": "transaction_id store_id loyalty_id phone total_amount currency payment_method "
                        "is_return transacted_at",
    "pos_transaction_items": "transaction_id line_number product_id quantity unit_price",
    "loyalty_members": "loyalty_id phone email full_name tier points_balance joined_at updated_at",
    "email_events": "event_id campaign_id email event_type link_url event_at",
    "zalo_events": "event_id zalo_user_id phone event_type event_at properties",
    "support_tickets": "ticket_id customer_id email phone channel category priority status opened_at "
                       "resolved_at csat_score",
    "consents": "subject_type subject_value purpose status source recorded_at",
    "erasure_requests": "request_id subject_type subject_value requested_at",
    "products": "product_id product_name category brand list_price",
    "stores": "store_id store_name city province region opened_at",
    "marketing_spend": "spend_date channel campaign_id spend_amount currency",
}
COLUMNS = {source: tuple(columns.split()) for source, columns in COLUMNS.items()}
JSONL = {"web_events", "app_events", "zalo_events"}
REFERENCE = {"products", "stores"}
# Sources whose records belong to persons, and the column naming a record.
PERSON_KEYS = {"crm_contacts": "contact_id", "web_events": "event_id", "app_events": "event_id",
               "ecommerce_orders": "order_id", "pos_transactions": "transaction_id",
               "loyalty_members": "loyalty_id", "email_events": "event_id", "zalo_events": "event_id",
               "support_tickets": "ticket_id", "erasure_requests": "request_id"}
BOOLEANS = {"true", "false", "1", "0", "yes", "no", "y", "n", "t", "f"}
ENUMS = {
    ("web_events", "event_type"): {"page_view", "search", "product_view", "add_to_cart", "begin_checkout",
                                   "form_submit", "login"},
    ("app_events", "event_type"): {"app_install", "app_open", "screen_view", "product_view", "add_to_cart",
                                   "purchase", "push_open", "app_close"},
    ("app_events", "platform"): {"ios", "android"},
    ("ecommerce_orders", "channel"): {"web", "app"},
    ("ecommerce_orders", "status"): {"placed", "paid", "shipped", "delivered", "cancelled", "returned"},
    ("pos_transactions", "is_return"): BOOLEANS,
    ("loyalty_members", "tier"): {"member", "silver", "gold", "diamond"},
    ("email_events", "event_type"): {"sent", "delivered", "open", "click", "bounce", "unsubscribe",
                                     "spam_report"},
    ("zalo_events", "event_type"): {"follow", "unfollow", "message_in", "message_out", "mini_app_open",
                                    "share_phone"},
    ("support_tickets", "channel"): {"hotline", "email", "chat", "zalo", "store"},
    ("consents", "subject_type"): {"email", "phone", "zalo_user_id", "customer_id"},
    ("consents", "purpose"): {"marketing_email", "marketing_sms", "marketing_zalo", "ads_targeting", "analytics"},
    ("consents", "status"): {"granted", "withdrawn"},
    ("erasure_requests", "subject_type"): {"email", "phone", "zalo_user_id", "customer_id"},
}
OPTIONAL_ENUMS = {("crm_contacts", "gender"): {"m", "f", "o"}}
# What makes a row unusable, per source: key columns, timestamps (required / optional),
# dates, numbers, quantities that must not be negative.
CHECKS = {
    "crm_contacts": dict(key=["contact_id"], ts=["updated_at"], opt_ts=["created_at"], dates=["birth_date"]),
    "web_events": dict(key=["event_id"], ts=["event_at"]),
    "app_events": dict(key=["event_id"], ts=["event_at"], numbers=["session_duration_s"]),
    "ecommerce_orders": dict(key=["order_id"], ts=["ordered_at", "updated_at"],
                             numbers=["total_amount", "discount_amount"]),
    "ecommerce_order_items": dict(key=["order_id", "line_number"],
                                  numbers=["line_number", "quantity", "unit_price"], non_negative=["quantity"]),
    "pos_transactions": dict(key=["transaction_id"], ts=["transacted_at"], numbers=["total_amount"]),
    "pos_transaction_items": dict(key=["transaction_id", "line_number"],
                                  numbers=["line_number", "quantity", "unit_price"], non_negative=["quantity"]),
    "loyalty_members": dict(key=["loyalty_id"], ts=["joined_at", "updated_at"], numbers=["points_balance"]),
    "email_events": dict(key=["event_id"], ts=["event_at"]),
    "zalo_events": dict(key=["event_id"], ts=["event_at"]),
    "support_tickets": dict(key=["ticket_id"], ts=["opened_at"], opt_ts=["resolved_at"], numbers=["csat_score"]),
    "consents": dict(key=["subject_value"], ts=["recorded_at"]),
    "erasure_requests": dict(key=["request_id"], ts=["requested_at"]),
    "products": dict(key=["product_id"], numbers=["list_price"]),
    "stores": dict(key=["store_id"], dates=["opened_at"]),
    "marketing_spend": dict(key=["spend_date", "channel"], dates=["spend_date"], numbers=["spend_amount"]),
}
MISSING = {"", "null", "n/a", "none", "-"}
ERROR_CODES = {"bad_timestamp", "bad_number", "negative_quantity", "unknown_enum", "truncated_json", "missing_key"}
OLD_TO_NEW = {"0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036", "0167": "037",
              "0168": "038", "0169": "039", "0120": "070", "0121": "079", "0122": "077", "0126": "076",
              "0128": "078", "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
              "0186": "056", "0188": "058", "0199": "059"}
VALID_MOBILE = re.compile(r"^0(3[2-9]|5[689]|7[06-9]|8[1-9]|9[0-46-9])\d{7}$")


# ----------------------------------------------------------------- reading
class Landing:
    """A generated landing zone read back from its files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # source -> [(file, line number, row dict or None if the line is not JSON, raw text)]
        self.rows: dict[str, list[tuple[str, int, dict | None, str]]] = {}
        self.headers: dict[str, list[list[str]]] = {}
        for source in COLUMNS:
            self.rows[source], self.headers[source] = [], []
            for path in sorted((root / source).iterdir()):
                relative = f"{source}/{path.name}"
                opener = gzip.open if path.name.endswith(".gz") else open
                with opener(path, "rt", encoding="utf-8", newline="") as handle:
                    if source in JSONL:
                        for number, line in enumerate(handle, start=1):
                            try:
                                row = json.loads(line)
                            except json.JSONDecodeError:
                                row = None
                            self.rows[source].append((relative, number, row, line))
                    else:
                        reader = csv.reader(handle)
                        header = next(reader)
                        self.headers[source].append(header)
                        for number, values in enumerate(reader, start=2):
                            assert len(values) == len(header), f"{relative}:{number} has {len(values)} fields"
                            self.rows[source].append((relative, number, dict(zip(header, values)), ""))

    def truth(self, name: str) -> list[dict[str, str]]:
        with open(self.root / "_truth" / name, encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    def good_rows(self, source: str) -> list[tuple[str, dict]]:
        return [(file, row) for file, _, row, _ in self.rows[source]
                if row is not None and not defects(source, row)]

    def values(self, column: str, sources: tuple[str, ...] | None = None) -> list[str]:
        """Every present value of a column over the sources that have it."""
        found = []
        for source in sources or tuple(COLUMNS):
            if column in COLUMNS[source]:
                found += [str(row[column]) for _, _, row, _ in self.rows[source]
                          if row is not None and row.get(column) is not None and clean(row[column]) is not None]
        return found


def clean(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return None if text.lower() in MISSING else text


def _is_timestamp(text: str) -> bool:
    try:
        return datetime.fromisoformat(text).tzinfo is not None
    except ValueError:
        return False


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
        return re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) is not None
    except ValueError:
        return False


def _is_number(value) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    try:
        float(str(value))
        return re.fullmatch(r"-?\d+(\.\d+)?", str(value).strip()) is not None
    except ValueError:
        return False


def defects(source: str, row: dict) -> list[str]:
    """Every reason the row breaks the contract (a good row has none)."""
    checks = CHECKS[source]
    found = []
    value = {column: clean(row.get(column)) for column in COLUMNS[source]}
    if any(value[c] is None for c in checks.get("key", [])):
        found.append("missing_key")
    for column in checks.get("ts", []):
        if value[column] is None or not _is_timestamp(value[column]):
            found.append("bad_timestamp")
    for column in checks.get("opt_ts", []):
        if value[column] is not None and not _is_timestamp(value[column]):
            found.append("bad_timestamp")
    for column in checks.get("dates", []):
        if value[column] is not None and not _is_date(value[column]):
            found.append("bad_date")
    for column in checks.get("numbers", []):
        if value[column] is not None and not _is_number(row[column]):
            found.append("bad_number")
    for column in checks.get("non_negative", []):
        if value[column] is not None and _is_number(row[column]) and float(row[column]) < 0:
            found.append("negative_quantity")
    for (enum_source, column), allowed in ENUMS.items():
        if enum_source == source and (value[column] is None or value[column].lower() not in allowed):
            found.append("unknown_enum")
    for (enum_source, column), allowed in OPTIONAL_ENUMS.items():
        if enum_source == source and value[column] is not None and value[column].lower() not in allowed:
            found.append("unknown_enum")
    return found


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[GenerationReport, Landing]:
    root = tmp_path_factory.mktemp("gen") / "landing"
    report = generate(root, persons=PERSONS, days=DAYS, end_date=END, seed=7)
    return report, Landing(root)


@pytest.fixture(scope="module")
def landing(generated) -> Landing:
    return generated[1]


def _data_files(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file() and p.parent.name != "_truth")


def _normal_email(value: str) -> str:
    local, _, domain = value.strip().lower().partition("@")
    if domain == "gmail.com":
        local = local.split("+")[0].replace(".", "")
    return f"{local}@{domain}"


# ------------------------------------------------------------------ layout
def test_every_source_has_one_file_per_day_with_the_contract_columns(landing):
    for source, columns in COLUMNS.items():
        files = sorted(p.name for p in (landing.root / source).iterdir())
        ext = "jsonl" if source in JSONL else "csv"
        expected = [f"{DATES[0]}.{ext}"] if source in REFERENCE else [f"{d}.{ext}" for d in DATES]
        assert files == expected, source
        if source in JSONL:
            parsed = [row for _, _, row, _ in landing.rows[source] if row is not None]
            assert parsed, source
            for row in parsed:
                assert tuple(row) == columns, row
                assert isinstance(row["properties"], dict)
        else:
            assert all(tuple(header) == columns for header in landing.headers[source]), source
            assert landing.rows[source], f"{source} has no rows"


def test_values_follow_the_contract_formats(landing):
    for source in COLUMNS:
        for file, row in landing.good_rows(source):
            for column in CHECKS[source].get("ts", []) + CHECKS[source].get("opt_ts", []):
                if clean(row[column]) is not None:
                    assert str(row[column]).endswith("+07:00"), (file, column, row[column])
            for column in ("total_amount", "discount_amount", "unit_price", "list_price", "spend_amount"):
                if column in row and clean(row[column]) is not None:
                    assert re.fullmatch(r"\d+", str(row[column])), (file, column, row[column])
            if "currency" in row:
                assert row["currency"] == "VND"
    assert landing.values("birth_date") and all(_is_date(v) for v in landing.values("birth_date"))


def test_the_report_counts_what_the_files_hold(generated):
    report, landing = generated
    assert report.persons == PERSONS and report.days == DAYS
    for source in COLUMNS:
        assert report.rows_per_source[source] == len(landing.rows[source]), source
    assert report.files_written == sum(1 for _ in _data_files(landing.root))
    injected = Counter((row["source"], row["error_code"]) for row in landing.truth("broken_rows.csv"))
    assert dict(injected) == report.broken_rows
    assert {code for _, code in injected} == ERROR_CODES
    saved = json.loads((landing.root / "_truth" / "generation_report.json").read_text(encoding="utf-8"))
    assert saved["total_rows"] == report.total_rows and saved["total_broken_rows"] == sum(injected.values())
    assert "persons" in report.summary() or str(PERSONS) in report.summary()


# ----------------------------------------------------------------- broken rows
def test_broken_rows_are_exactly_the_rows_that_break_the_contract(landing):
    """Read every row with an independent validator: its findings are the truth file, one defect each."""
    found = Counter()
    for source in COLUMNS:
        for file, _, row, raw in landing.rows[source]:
            if row is None:
                assert raw.strip() and not raw.rstrip("\n").endswith("}"), raw
                found[(source, file, "truncated_json")] += 1
                continue
            problems = defects(source, row)
            assert len(problems) <= 1, (file, row, problems)
            if problems:
                found[(source, file, problems[0])] += 1
    truth = landing.truth("broken_rows.csv")
    assert found == Counter((r["source"], r["file"], r["error_code"]) for r in truth)
    by_source = defaultdict(set)
    for r in truth:
        by_source[r["source"]].add(r["error_code"])
    assert {"truncated_json"} <= by_source["web_events"] and "truncated_json" in by_source["app_events"]
    assert "negative_quantity" in by_source["ecommerce_order_items"] | by_source["pos_transaction_items"]
    total = sum(len(rows) for rows in landing.rows.values())
    assert 0 < len(truth) < total * 0.03


def test_broken_rows_carry_their_record_key_and_are_never_duplicated(landing):
    truth = landing.truth("broken_rows.csv")
    keyed = [r for r in truth if r["error_code"] not in ("missing_key",)]
    assert all(r["record_key"] for r in keyed)
    assert all(not r["record_key"] for r in truth if r["error_code"] == "missing_key")
    for r in keyed:
        if r["error_code"] == "truncated_json":
            continue
        key_columns = CHECKS[r["source"]]["key"]
        same_key_in_file = [row for file, _, row, _ in landing.rows[r["source"]]
                            if file == r["file"] and row is not None
                            and ":".join(str(row[c]) for c in key_columns) == r["record_key"]]
        assert len(same_key_in_file) == 1, r  # no intact copy of the record beside the broken row


# ------------------------------------------------------------------ determinism
def test_same_seed_same_bytes_other_seed_other_data(tmp_path, generated):
    _, landing = generated
    again = tmp_path / "again"
    generate(again, persons=PERSONS, days=DAYS, end_date=END, seed=7)
    files = _data_files(landing.root) + [Path("_truth") / n for n in
                                         ("person_map.csv", "broken_rows.csv", "shared_identifiers.csv")]
    assert files and _data_files(again) == _data_files(landing.root)
    for name in files:
        assert (landing.root / name).read_bytes() == (again / name).read_bytes(), name
    other = tmp_path / "other"
    generate(other, persons=PERSONS, days=DAYS, end_date=END, seed=8)
    web = Path("web_events") / f"{DATES[5]}.jsonl"
    assert (other / web).read_bytes() != (landing.root / web).read_bytes()


def test_worker_processes_do_not_change_the_output(tmp_path, monkeypatch):
    from orchestration.demo import simulation

    monkeypatch.setattr(simulation, "SHARD_SIZE", 70)  # several shards from few persons
    one, two = tmp_path / "one", tmp_path / "two"
    generate(one, persons=200, days=8, end_date=END, seed=3, workers=1)
    report = generate(two, persons=200, days=8, end_date=END, seed=3, workers=2)
    assert report.workers == 2
    names = _data_files(one) + [Path("_truth") / "person_map.csv", Path("_truth") / "broken_rows.csv"]
    match, mismatch, errors = filecmp.cmpfiles(one, two, [str(n) for n in names], shallow=False)
    assert not mismatch and not errors and len(match) == len(names)


def test_gzip_mode_writes_the_same_data_compressed(tmp_path):
    plain, packed = tmp_path / "plain", tmp_path / "packed"
    generate(plain, persons=120, days=4, end_date=END, seed=5)
    generate(packed, persons=120, days=4, end_date=END, seed=5, gzip=True)
    plain_files, packed_files = _data_files(plain), _data_files(packed)
    assert [str(p) + ".gz" for p in plain_files] == [str(p) for p in packed_files]
    for name in plain_files:
        with gzip.open(packed / (str(name) + ".gz"), "rb") as handle:
            assert handle.read() == (plain / name).read_bytes(), name
    broken = Landing(packed).truth("broken_rows.csv")
    assert broken and all(row["file"].endswith(".gz") for row in broken)


# ------------------------------------------------------------------ messy cases
def test_emails_are_typed_in_many_ways(landing):
    emails = landing.values("email") + [row["subject_value"] for _, row in landing.good_rows("consents")
                                        if row["subject_type"] == "email"]
    assert any(e.strip() != e for e in emails), "leading/trailing spaces"
    assert any(e.strip() != e.strip().lower() for e in emails), "mixed case"
    assert any(re.search(r"\+\w+@gmail\.com$", e.strip().lower()) for e in emails), "gmail +tag"
    spellings = defaultdict(set)
    for e in emails:
        if e.strip().lower().endswith("@gmail.com"):
            spellings[_normal_email(e)].add(e.strip().lower().split("+")[0].split("@")[0])
    assert any(len(s) > 1 for s in spellings.values()), "one gmail box written with and without dots"


def test_phones_are_typed_in_every_contract_spelling(landing):
    phones = landing.values("phone") + [row["subject_value"] for _, row in landing.good_rows("consents")
                                        if row["subject_type"] == "phone"]
    patterns = {
        "+84 912 345 678": r"\+84 \d{3} \d{3} \d{3}", "0912345678": r"0\d{9}", "84912345678": r"84\d{9}",
        "0912.345.678": r"0\d{3}\.\d{3}\.\d{3}", "(+84) 912-345-678": r"\(\+84\) \d{3}-\d{3}-\d{3}",
        "old 11 digits": r"01\d{9}",
    }
    for spelling, pattern in patterns.items():
        assert any(re.fullmatch(pattern, p) for p in phones), spelling
    ten_digit = {p for p in phones if re.fullmatch(r"0\d{9}", p)}
    olds = [p for p in phones if re.fullmatch(r"01\d{9}", p)]
    assert all(p[:4] in OLD_TO_NEW for p in olds)
    converted = {OLD_TO_NEW[p[:4]] + p[4:] for p in olds}
    assert converted & ten_digit, "an old number also appears in today's spelling"
    junk = {"0000000000", "0123456789", "0999999999", "1111111111"}
    assert all(VALID_MOBILE.match(p) for p in ten_digit - junk)


def test_junk_identifiers_are_used_by_several_persons(landing):
    shared = landing.truth("shared_identifiers.csv")
    junk = {row["raw_value"] for row in shared if row["case"] == "junk"}
    assert junk & {"test@test.com", "noemail@gmail.com", "a@a.a", "khongco@gmail.com", "unknown"}
    assert junk & {"0000000000", "0123456789", "0999999999", "1111111111"}
    written = set(landing.values("email")) | set(landing.values("phone"))
    assert junk <= written
    assert {row["case"] for row in shared} == {"junk", "family_email", "family_phone", "kiosk_device",
                                               "shared_cookie"}
    assert all(int(row["person_count"]) >= 1 for row in shared)


def _person_of(landing: Landing) -> dict[tuple[str, str], str]:
    return {(r["source"], r["record_key"]): r["person_id"] for r in landing.truth("person_map.csv")}


def test_a_family_shares_one_email_and_a_kiosk_serves_many_persons(landing):
    person = _person_of(landing)
    shared = landing.truth("shared_identifiers.csv")
    family_emails = {row["raw_value"] for row in shared if row["case"] == "family_email"}
    users = defaultdict(set)
    for source in ("crm_contacts", "ecommerce_orders", "loyalty_members"):
        key = PERSON_KEYS[source]
        for _, row in landing.good_rows(source):
            if clean(row["email"]):
                users[_normal_email(row["email"])].add(person[(source, row[key])])
    assert any(len(users[_normal_email(e)]) >= 2 for e in family_emails)
    devices = defaultdict(set)
    for _, row in landing.good_rows("app_events"):
        devices[row["device_id"]].add(person[("app_events", row["event_id"])])
    kiosks = {row["raw_value"] for row in shared if row["case"] == "kiosk_device"}
    assert kiosks and all(len(devices[d]) >= 10 for d in kiosks)
    cookies = defaultdict(set)
    for _, row in landing.good_rows("web_events"):
        cookies[row["anonymous_id"]].add(person[("web_events", row["event_id"])])
    shared_cookies = {row["raw_value"] for row in shared if row["case"] == "shared_cookie"}
    assert shared_cookies and all(len(cookies[c]) >= 2 for c in shared_cookies)
    assert max(len(p) for c, p in cookies.items() if c not in shared_cookies) == 1


def test_names_with_and_without_diacritics_and_in_upper_case(landing):
    names = landing.values("full_name")
    assert any(not n.isascii() for n in names)
    assert any(n.isascii() and n != n.upper() for n in names)
    assert any(n == n.upper() for n in names)


def test_missing_values_use_every_marker(landing):
    raw = Counter()
    for source in COLUMNS:
        if source in JSONL:
            raw["json null"] += sum(1 for _, _, row, _ in landing.rows[source]
                                    if row and any(v is None for v in row.values()))
            continue
        for _, _, row, _ in landing.rows[source]:
            raw.update(v for v in row.values() if v.strip().lower() in MISSING)
    for marker in ("", "null", "NULL", "N/A", "none", "-", "json null"):
        assert raw[marker] > 0, marker


def test_duplicates_and_late_rows(landing):
    stats = {}
    for source, stamp in (("web_events", "event_at"), ("app_events", "event_at"), ("email_events", "event_at"),
                          ("zalo_events", "event_at"), ("pos_transactions", "transacted_at")):
        key = PERSON_KEYS[source]
        seen: dict[str, list[tuple[str, str]]] = defaultdict(list)
        late = 0
        for file, row in landing.good_rows(source):
            seen[row[key]].append((file, json.dumps(row, sort_keys=True)))
            late += row[stamp][:10] < file.split("/")[1][:10]
        copies = [c for c in seen.values() if len(c) > 1]
        assert all(len({text for _, text in c}) == 1 for c in copies), f"{source}: a re-sent row must be identical"
        stats[source] = (copies, late)
    everywhere = [c for copies, _ in stats.values() for c in copies]
    same_file = sum(1 for c in everywhere if len({f for f, _ in c}) == 1)
    later_file = sum(1 for c in everywhere if len({f for f, _ in c}) > 1)
    print(f"duplicates: {same_file} in the same file, {later_file} in a later one; late rows: "
          + ", ".join(f"{source} {late}" for source, (_, late) in stats.items()))
    assert same_file and later_file
    assert stats["web_events"][0] and stats["web_events"][1], "web events: duplicates and late rows"
    assert sum(1 for _, late in stats.values() if late) >= 2


def test_orders_move_forward_and_records_are_re_sent_when_they_change(landing):
    order = ["placed", "paid", "shipped", "delivered", "returned"]
    by_order = defaultdict(list)
    for _, row in landing.good_rows("ecommerce_orders"):
        by_order[row["order_id"]].append((row["updated_at"], row["status"]))
    assert any(len({s for _, s in rows}) >= 3 for rows in by_order.values())
    for order_id, rows in by_order.items():
        statuses = [s for _, s in sorted(set(rows))]
        if "cancelled" in statuses:
            assert statuses[-1] == "cancelled" and set(statuses) <= {"placed", "cancelled"}, order_id
        else:
            assert [order.index(s) for s in statuses] == sorted(order.index(s) for s in statuses), order_id
    for source, key in (("crm_contacts", "contact_id"), ("loyalty_members", "loyalty_id")):
        versions = defaultdict(set)
        for _, row in landing.good_rows(source):
            versions[row[key]].add(row["updated_at"])
        assert any(len(v) > 1 for v in versions.values()), source


def test_ids_are_unique_except_exact_duplicates(landing):
    for source in ("web_events", "app_events", "zalo_events", "email_events", "pos_transactions",
                   "support_tickets", "erasure_requests"):
        key = PERSON_KEYS[source]
        texts = defaultdict(set)
        for _, row in landing.good_rows(source):
            texts[row[key]].add(json.dumps(row, sort_keys=True))
        assert all(len(t) == 1 for t in texts.values()), source
    assert re.fullmatch(r"we_\d{9}", landing.good_rows("web_events")[0][1]["event_id"])


def test_consents_grants_withdrawals_and_erasure_requests(landing):
    consents = [row for _, row in landing.good_rows("consents")]
    statuses = Counter(row["status"] for row in consents)
    assert statuses["granted"] > statuses["withdrawn"] > 0
    assert landing.good_rows("erasure_requests")
    spend = {row["campaign_id"] for _, row in landing.good_rows("marketing_spend")}
    utm = {row["utm_campaign"] for _, row in landing.good_rows("web_events") if clean(row["utm_campaign"])}
    email = {row["campaign_id"] for _, row in landing.good_rows("email_events")}
    assert utm and utm <= spend and email <= spend
    assert len(landing.good_rows("products")) >= 150 and len(landing.good_rows("stores")) >= 15


# ------------------------------------------------------------------ person map
def test_person_map_lists_exactly_the_intact_records_of_each_person_source(landing):
    mapped = defaultdict(set)
    for row in landing.truth("person_map.csv"):
        assert re.fullmatch(r"P\d{6,}", row["person_id"]), row
        mapped[row["source"]].add(row["record_key"])
    assert set(mapped) == set(PERSON_KEYS)
    for source, key in PERSON_KEYS.items():
        keys = {row[key] for _, row in landing.good_rows(source)}
        assert keys and mapped[source] == keys, source
    rows = landing.truth("person_map.csv")
    assert len(rows) == len({(r["source"], r["record_key"]) for r in rows}), "one row per record"
    persons = {r["person_id"] for r in rows}
    assert len(persons) > PERSONS * 0.8
