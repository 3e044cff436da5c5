"""Audience exports and the masked BI schema on the demo warehouse
(models/marts/activation/, models/marts/masked/, docs/activation.md).

The build of the session (conftest.built_warehouse) writes the exports into
a temporary folder (PROFILE360_EXPORTS_DIR). Everything expected here is
computed independently of the models under test: the files are read back
from disk; consent is recomputed in Python from the landing `consents`
files (latest record per profile and purpose, a withdrawal beating a grant
at the same instant), matched to profiles through the identity layer's
public map; e-mails and phones are normalised by small Python rules written
here and hashed with hashlib; the e-mails and phones searched for in the
masked schema are every spelling found in the landing files.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest
from conftest import landing_rows

CHANNELS = {"email": "marketing_email", "sms": "marketing_sms", "zalo": "marketing_zalo",
            "ads": "ads_targeting"}
CHANNEL_COLUMNS = {"email": ["email"], "sms": ["phone"], "zalo": ["zalo_user_id", "phone"],
                   "ads": ["email_sha256", "phone_sha256"]}
MISSING = {"", "null", "n/a", "none", "-"}
# landing source -> (record key column, e-mail column, phone column), from the data contract.
CONTACT_COLUMNS = {
    "crm_contacts": ("contact_id", "email", "phone"),
    "loyalty_members": ("loyalty_id", "email", "phone"),
    "ecommerce_orders": ("order_id", "email", "phone"),
    "support_tickets": ("ticket_id", "email", "phone"),
    "web_events": ("event_id", "email", "phone"),
    "email_events": ("event_id", "email", None),
    "pos_transactions": ("transaction_id", None, "phone"),
    "zalo_events": ("event_id", None, "phone"),
}
# The 2018 renumbering of Vietnamese 11-digit mobile numbers (old prefix -> new, no trunk 0).
OLD_PREFIXES = {"162": "32", "163": "33", "164": "34", "165": "35", "166": "36", "167": "37",
                "168": "38", "169": "39", "120": "70", "121": "79", "122": "77", "126": "76",
                "128": "78", "123": "83", "124": "84", "125": "85", "127": "81", "129": "82",
                "186": "56", "188": "58", "199": "59"}
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


# ----------------------------------------------------------- independent rules
def _clean(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return None if text.lower() in MISSING else text


def _email(value: str) -> str | None:
    """Lower case, no whitespace; Gmail ignores dots and +tags; None when not an address."""
    address = re.sub(r"[\s\u200b\ufeff]", "", value).lower()
    if not re.fullmatch(r"[a-z0-9!#$%&*+/=?^_{|}~.-]+@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}", address):
        return None
    local, _, domain = address.partition("@")
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.split("+")[0].replace(".", ""), "gmail.com"
        if not local:
            return None
    return f"{local}@{domain}"


def _phone(value: str) -> str | None:
    """A Vietnamese mobile number in E.164 (+84 and 9 digits), or None."""
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 11:
        digits = re.sub(r"^(00)?84", "", digits)
    national = digits[1:] if digits.startswith("0") else digits
    if len(national) == 10 and national[:3] in OLD_PREFIXES:
        national = OLD_PREFIXES[national[:3]] + national[3:]
    if len(national) >= 9 and (len(set(national[1:])) == 1 or national in (
            "123456789", "1234567890", "987654321", "9876543210")):
        return None
    return f"+84{national}" if re.fullmatch(r"[35789]\d{8}", national) else None


def _identifier(subject_type: str, value: str) -> str | None:
    if subject_type == "email":
        return _email(value)
    if subject_type == "phone":
        return _phone(value)
    text = value.strip()
    return text.lower() if UUID.match(text) else text


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _instant(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _landing_rows(landing: Path, source: str):
    """Every readable landing row of a source (none when the source has no folder)."""
    return (row for _, row in landing_rows(landing, source, missing_ok=True) if row is not None)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [{key: (value if value != "" else None) for key, value in row.items()}
                for row in csv.DictReader(handle)]


# -------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def con(built_warehouse):
    assert built_warehouse.build.returncode == 0, (
        built_warehouse.build.stdout[-6000:] + built_warehouse.build.stderr[-3000:])
    connection = duckdb.connect(str(built_warehouse.db_path), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def run_folder(built_warehouse, con) -> Path:
    """The run's folder: <exports dir>/<as-of day>, the only one the session's build wrote."""
    (as_of,) = con.execute("select cast(as_of_date as varchar) from traits.int_as_of_date").fetchone()
    folders = sorted(path.name for path in built_warehouse.exports_dir.iterdir() if path.is_dir())
    assert folders == [as_of], folders
    return built_warehouse.exports_dir / as_of


@pytest.fixture(scope="module")
def manifest(con) -> list[dict]:
    cursor = con.execute("select * from marts.rpt_audience_export_manifest order by segment_key, channel")
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def exported(run_folder) -> dict[str, dict[str, list[dict]]]:
    """Per channel, the rows of every file written for it, read back from disk."""
    out: dict[str, dict[str, list[dict]]] = {}
    reader = duckdb.connect()
    for channel in CHANNELS:
        files = {"parquet": [dict(zip([c[0] for c in cursor.description], row)) for row in cursor.fetchall()]
                 for cursor in [reader.execute(f"select * from read_parquet('{run_folder}/audience_{channel}.parquet')")]}
        files["csv"] = _read_csv(run_folder / f"audience_{channel}.csv")
        files["segments"] = [row for path in sorted((run_folder / channel).glob("*.csv"))
                             for row in _read_csv(path)]
        out[channel] = files
    reader.close()
    return out


@pytest.fixture(scope="module")
def profiles(con) -> dict[str, dict]:
    cursor = con.execute("select * from profiles.dim_profiles")
    names = [column[0] for column in cursor.description]
    return {row[0]: dict(zip(names, row)) for row in cursor.fetchall()}


@pytest.fixture(scope="module")
def members(con) -> dict[str, set[str]]:
    out = defaultdict(set)
    rows = con.execute("select segment_key, profile_id from segments.int_segment_members").fetchall()
    for segment_key, profile_id in rows:
        out[segment_key].add(profile_id)
    return out


@pytest.fixture(scope="module")
def landing_consent(landing_consent_records) -> dict[tuple[str, str], str]:
    """(profile_id, purpose) -> granted / withdrawn, recomputed from the landing consents files."""
    return {key: "withdrawn" if rank[1] else "granted" for key, rank in landing_consent_records.items()}


@pytest.fixture(scope="module")
def landing_opt_outs(built_warehouse, con) -> dict[tuple[str, str], list[datetime]]:
    """(profile_id, channel) -> times of the landing opt-out events: e-mail unsubscribe, bounce,
    spam report; Zalo unfollow (docs/activation.md), matched to profiles by the record map."""
    profile_of = {(source, key): profile_id for source, key, profile_id in con.execute(
        "select source, record_key, profile_id from identity.map_records_to_profiles "
        "where source in ('email_events', 'zalo_events')").fetchall()}
    kinds = {"email_events": ("email", {"unsubscribe", "bounce", "spam_report"}),
             "zalo_events": ("zalo", {"unfollow"})}
    out: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for source, (channel, types) in kinds.items():
        for row in _landing_rows(built_warehouse.landing_dir, source):
            profile_id = profile_of.get((source, _clean(row.get("event_id"))))
            moment = _instant(_clean(row.get("event_at")) or "")
            if profile_id and moment and (_clean(row.get("event_type")) or "").lower() in types:
                out[(profile_id, channel)].append(moment)
    return out


@pytest.fixture(scope="module")
def landing_contactable(landing_consent_records, landing_opt_outs, profiles, zalo_ids):
    """(profile_id, channel) -> None (contactable) or the reason, recomputed from the landing
    consents and events and the profiles' best e-mail, phone and Zalo ids."""
    identifiers = {
        "email": lambda p: p["email"] is not None,
        "sms": lambda p: p["phone"] is not None,
        "zalo": lambda p: bool(zalo_ids.get(p["profile_id"])) or p["phone"] is not None,
        "ads": lambda p: p["email"] is not None or p["phone"] is not None,
    }
    out = {}
    for profile_id, profile in profiles.items():
        for channel, purpose in CHANNELS.items():
            moment, withdrawn = landing_consent_records.get((profile_id, purpose), (None, 1))
            if withdrawn:
                out[(profile_id, channel)] = "no_consent"
            elif any(at >= moment for at in landing_opt_outs.get((profile_id, channel), [])):
                out[(profile_id, channel)] = "opted_out"
            elif not identifiers[channel](profile):
                out[(profile_id, channel)] = "no_identifier"
            else:
                out[(profile_id, channel)] = None
    return out


@pytest.fixture(scope="module")
def zalo_ids(con) -> dict[str, set[str]]:
    out = defaultdict(set)
    for profile_id, value in con.execute(
            "select profile_id, identifier_value from identity.map_identifiers_to_profiles "
            "where identifier_type = 'zalo_user_id' and profile_id is not null").fetchall():
        out[profile_id].add(value)
    return out


@pytest.fixture(scope="module")
def landing_consent_records(built_warehouse, con) -> dict[tuple[str, str], tuple[datetime, int]]:
    """(profile_id, purpose) -> (time, 1 if withdrawn) of the record in force, from the landing files."""
    profile_of = {(identifier_type, value): profile_id for identifier_type, value, profile_id in con.execute(
        "select identifier_type, identifier_value, profile_id from identity.map_identifiers_to_profiles "
        "where profile_id is not null").fetchall()}
    latest: dict[tuple[str, str], tuple[datetime, int]] = {}
    for row in _landing_rows(built_warehouse.landing_dir, "consents"):
        subject_type = (_clean(row.get("subject_type")) or "").lower()
        value, purpose = _clean(row.get("subject_value")), (_clean(row.get("purpose")) or "").lower()
        status, moment = (_clean(row.get("status")) or "").lower(), _instant(_clean(row.get("recorded_at")) or "")
        if value is None or moment is None or status not in ("granted", "withdrawn") or purpose not in CHANNELS.values():
            continue
        normalised = _identifier(subject_type, value)
        profile_id = profile_of.get((subject_type, normalised))
        if profile_id is None:
            continue
        rank = (moment, 1 if status == "withdrawn" else 0)  # latest wins; a withdrawal beats a grant
        if (profile_id, purpose) not in latest or rank > latest[(profile_id, purpose)]:
            latest[(profile_id, purpose)] = rank
    assert latest, "the demo should hold consents"
    return latest


@pytest.fixture(scope="module")
def landing_contacts(built_warehouse, con) -> dict[str, dict[str, set[str]]]:
    """profile_id -> {'email': {...}, 'phone': {...}}: every raw spelling on the profile's landing records."""
    profile_of = {(source, key): profile_id for source, key, profile_id in con.execute(
        "select source, record_key, profile_id from identity.map_records_to_profiles").fetchall()}
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"email": set(), "phone": set()})
    for source, (key_column, email_column, phone_column) in CONTACT_COLUMNS.items():
        for row in _landing_rows(built_warehouse.landing_dir, source):
            profile_id = profile_of.get((source, _clean(row.get(key_column))))
            if profile_id is None:
                continue
            for kind, column in (("email", email_column), ("phone", phone_column)):
                value = _clean(row.get(column)) if column else None
                if value is not None:
                    out[profile_id][kind].add(value)
    return out


@pytest.fixture(scope="module")
def landing_spellings(built_warehouse) -> dict[str, set[str]]:
    """Every e-mail and phone of the demo: raw spellings, lower-cased, normalised; phones' national digits."""
    emails, phones, nationals = set(), set(), set()
    sources = {**{source: (email, phone) for source, (_, email, phone) in CONTACT_COLUMNS.items()},
               "consents": (None, None), "erasure_requests": (None, None)}
    for source, (email_column, phone_column) in sources.items():
        for row in _landing_rows(built_warehouse.landing_dir, source):
            pairs = [("email", email_column), ("phone", phone_column)]
            if source in ("consents", "erasure_requests"):
                kind = (_clean(row.get("subject_type")) or "").lower()
                pairs = [(kind, "subject_value")] if kind in ("email", "phone") else []
            for kind, column in pairs:
                value = _clean(row.get(column)) if column else None
                if value is None:
                    continue
                if kind == "email":
                    emails |= {value, value.lower(), re.sub(r"\s", "", value.lower())}
                    if _email(value):
                        emails.add(_email(value))
                else:
                    phones.add(value)
                    if _phone(value):
                        phones.add(_phone(value))
                        nationals.add(_phone(value)[3:])
    return {"emails": {e for e in emails if "@" in e},
            "phones": {p for p in phones if len(re.sub(r"\D", "", p)) >= 7}, "nationals": nationals}


# ----------------------------------------------------------------------- tests
def test_every_segment_and_channel_has_its_files(run_folder, manifest, con):
    segments = {key for (key,) in con.execute("select segment_key from segments.dim_segments").fetchall()}
    assert len(segments) > 20  # declared segments and the lifecycle stage x tier pseudo-segments
    assert {(row["segment_key"], row["channel"]) for row in manifest} == {
        (segment, channel) for segment in segments for channel in CHANNELS}
    for row in manifest:
        assert row["run_date"].isoformat() == run_folder.name
        for name in ("segment_file", "channel_csv_file", "channel_parquet_file"):
            assert (run_folder / row[name]).is_file(), row[name]
    for channel in CHANNELS:
        assert sorted(path.stem for path in (run_folder / channel).glob("*.csv")) == sorted(segments)


def test_export_files_match_their_relations(exported, con):
    for channel, files in exported.items():
        cursor = con.execute(f"select * from marts.exp_audience_{channel}")
        rows = [dict(zip([c[0] for c in cursor.description], row)) for row in cursor.fetchall()]
        key = lambda row: (row["segment_key"], row["profile_id"])  # noqa: E731
        assert len(rows) > 0, channel
        assert list(rows[0]) == ["segment_key", "profile_id", *CHANNEL_COLUMNS[channel]]
        for name in ("parquet", "csv", "segments"):
            as_text = sorted(({k: None if v is None else str(v) for k, v in row.items()} for row in files[name]),
                             key=key)
            assert as_text == sorted(({k: None if v is None else str(v) for k, v in row.items()} for row in rows),
                                     key=key), (channel, name)


def test_no_export_row_without_consent_in_the_golden_record(exported, profiles):
    """Every row of every written file: the profile's consent in force for the channel's purpose is granted."""
    checked = 0
    for channel, purpose in CHANNELS.items():
        for name, rows in exported[channel].items():
            for row in rows:
                assert profiles[row["profile_id"]][f"consent_{purpose}"] == "granted", (channel, name, row)
                checked += 1
    assert checked > 1000


def test_no_export_row_without_consent_recomputed_from_landing(exported, landing_consent, members, manifest):
    """Consent recomputed from the landing files: no exported row lacks a grant, and the counts of
    members left out for lack of consent are the members without a grant in force."""
    for channel, purpose in CHANNELS.items():
        for row in exported[channel]["segments"]:
            assert landing_consent.get((row["profile_id"], purpose)) == "granted", (channel, row)
    for row in manifest:
        purpose = CHANNELS[row["channel"]]
        without = sum(1 for profile_id in members[row["segment_key"]]
                      if landing_consent.get((profile_id, purpose)) != "granted")
        assert row["left_out_no_consent"] == without, row
    assert sum(row["left_out_no_consent"] for row in manifest) > 0


def test_exported_identifiers_are_the_profiles_contact_points(exported, profiles, zalo_ids):
    for row in exported["email"]["segments"]:
        assert row["email"] == profiles[row["profile_id"]]["email"] is not None
    for row in exported["sms"]["segments"]:
        assert row["phone"] == profiles[row["profile_id"]]["phone"] is not None
        assert re.fullmatch(r"\+84[35789]\d{8}", row["phone"])
    for row in exported["zalo"]["segments"]:
        profile, linked = profiles[row["profile_id"]], zalo_ids.get(row["profile_id"], set())
        if row["zalo_user_id"] is not None:
            assert row["zalo_user_id"] == min(linked) and row["phone"] is None
        else:
            assert not linked and row["phone"] == profile["phone"] is not None


def test_ads_hashes_are_sha256_of_the_normalised_email_and_phone(exported, profiles, landing_contacts):
    """Each hash is hashlib.sha256 of a value normalised in Python from a raw spelling on the
    profile's own landing records, and of the profile's best e-mail / phone."""
    rows = exported["ads"]["segments"]
    assert sum(row["email_sha256"] is not None for row in rows) > 100
    assert sum(row["phone_sha256"] is not None for row in rows) > 100
    for row in rows:
        profile, raw = profiles[row["profile_id"]], landing_contacts[row["profile_id"]]
        for kind, normalise in (("email", _email), ("phone", _phone)):
            digest = row[f"{kind}_sha256"]
            if profile[kind] is None:
                assert digest is None, row
                continue
            candidates = {_sha256(value) for value in map(normalise, raw[kind]) if value}
            assert digest in candidates, (row, raw[kind])
            assert digest == _sha256(normalise(profile[kind])), row
            assert re.fullmatch(r"[0-9a-f]{64}", digest)


def test_manifest_counts_equal_the_written_files(run_folder, manifest, members, landing_contactable, exported):
    written = Counter()
    for row in manifest:
        channel = row["channel"]
        file_rows = _read_csv(run_folder / row["segment_file"])
        assert len(file_rows) == row["exported_rows"], row
        assert {r["segment_key"] for r in file_rows} <= {row["segment_key"]}
        assert row["audience_size"] == len(members[row["segment_key"]]), row
        assert row["audience_size"] == (row["exported_rows"] + row["left_out_no_consent"]
                                        + row["left_out_opted_out"] + row["left_out_no_identifier"]), row
        reasons = Counter(landing_contactable[(p, channel)] for p in members[row["segment_key"]])
        assert row["left_out_no_identifier"] == reasons["no_identifier"], row
        assert row["left_out_opted_out"] == reasons["opted_out"], row
        assert row["exported_rows"] == reasons[None], row
        written[channel] += row["exported_rows"]
    for channel in CHANNELS:
        assert written[channel] == len(exported[channel]["parquet"]) == len(exported[channel]["csv"])
    on_disk = _read_csv(run_folder / "manifest.csv")
    assert [(r["segment_key"], r["channel"], int(r["exported_rows"]), int(r["left_out_no_consent"]))
            for r in on_disk] == [(r["segment_key"], r["channel"], r["exported_rows"], r["left_out_no_consent"])
                                  for r in manifest]
    as_json = json.loads((run_folder / "manifest.json").read_text())
    assert [(r["segment_key"], r["channel"], r["audience_size"], r["left_out_no_identifier"]) for r in as_json] == [
        (r["segment_key"], r["channel"], r["audience_size"], r["left_out_no_identifier"]) for r in manifest]


def test_opted_out_since_the_grant_is_never_exported(exported, landing_consent, landing_contactable, members, con):
    """A person whose consent is still granted (no withdrawal recorded) but who unsubscribed,
    bounced or reported spam since (e-mail) or unfollowed (Zalo) is in no file of the channel;
    the segment comparison's reach columns count exactly the contactable members."""
    opted_out = {key for key, reason in landing_contactable.items() if reason == "opted_out"}
    assert {channel for _, channel in opted_out} >= {"email"}, "the demo should hold opt-outs since a grant"
    assert all(landing_consent[(profile_id, CHANNELS[channel])] == "granted" for profile_id, channel in opted_out)
    for channel in CHANNELS:
        for name, rows in exported[channel].items():
            leaked = [row for row in rows if (row["profile_id"], channel) in opted_out]
            assert not leaked, (channel, name, leaked[:3])
    comparison = con.execute(
        "select segment_key, email_reachable, sms_reachable, zalo_reachable, ads_reachable "
        "from segments.rpt_segment_comparison").fetchall()
    for segment_key, *reach in comparison:
        expected = [sum(landing_contactable[(p, channel)] is None for p in members[segment_key]) for channel in CHANNELS]
        assert reach == expected, segment_key


def test_erased_persons_are_never_exported(built_warehouse, exported, run_folder):
    """No file of the run holds an erased subject, in clear or hashed (erasure: docs/privacy.md)."""
    subjects = set()
    for row in _landing_rows(built_warehouse.landing_dir, "erasure_requests"):
        subject_type, value = (_clean(row.get("subject_type")) or "").lower(), _clean(row.get("subject_value"))
        if value and subject_type in ("email", "phone", "zalo_user_id", "customer_id"):
            normalised = _identifier(subject_type, value)
            if normalised:
                subjects |= {normalised, _sha256(normalised)}
    assert subjects, "the demo should hold erasure requests"
    for path in run_folder.rglob("*.csv"):
        text = path.read_text(encoding="utf-8")
        assert not [subject for subject in subjects if subject in text], path


def _masked_hits(con, schema: str, spellings: dict[str, set[str]], table_pattern: str = "%") -> list[tuple]:
    """Every (relation, column, value) of a schema's text columns holding a demo e-mail or phone."""
    emails, phones, nationals = spellings["emails"], spellings["phones"], spellings["nationals"]
    hits = []
    columns = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = ? and table_name like ? and data_type = 'VARCHAR' order by all",
        [schema, table_pattern]).fetchall()
    assert columns, f"no text columns in {schema}"
    for table, column in columns:
        values = con.execute(
            f'select distinct "{column}" from "{schema}"."{table}" where "{column}" is not null').fetchall()
        for (value,) in values:
            lowered = value.lower()
            tokens = set(re.split(r"[\s,;]+", lowered)) | {lowered, value}
            runs = {re.sub(r"\D", "", run) for run in re.findall(r"\+?\d[\d .()\-]{7,}\d", value)}
            addresses = set(re.findall(r"[^\s,;<>()\"']+@[^\s,;<>()\"']+", lowered))
            if (tokens & emails or tokens & phones or addresses & emails
                    or any(n in run for run in runs for n in nationals)):
                hits.append((table, column, value))
    return hits


def test_the_masked_schema_holds_no_raw_email_or_phone(built_warehouse, con, landing_spellings):
    from orchestration.lib.serving import serving_db_path

    # BI reads marts_masked as published in the serving warehouse.
    with duckdb.connect(str(serving_db_path(built_warehouse.db_path)), read_only=True) as serving:
        relations = {name for (name,) in serving.execute(
            "select table_name from information_schema.tables where table_schema = 'marts_masked'").fetchall()}
        # One schema is enough for BI: the masked golden record and a copy of every other BI table.
        assert {"dim_profiles", "dim_profile_traits", "dim_segments", "fct_segment_membership_changes",
                "rpt_segment_comparison", "rpt_lifecycle_transitions", "fct_customer_touchpoints",
                "rpt_channel_performance", "rpt_audience_export_manifest"} <= relations
        assert _masked_hits(serving, "marts_masked", landing_spellings) == []
    # The scan finds what it looks for: the unmasked golden record is full of hits.
    assert len(_masked_hits(con, "profiles", landing_spellings, "dim_profiles")) > 1000


def test_the_masked_profiles_keep_one_row_per_profile_and_mask_the_contact_points(con):
    (profiles,) = con.execute("select count(*) from profiles.dim_profiles").fetchone()
    rows = con.execute(
        "select m.full_name_initials, p.full_name, m.email_masked, p.email, m.phone_masked, p.phone, "
        "m.birth_year, p.birth_date from marts_masked.dim_profiles as m "
        "join profiles.dim_profiles as p using (profile_id)").fetchall()
    assert len(rows) == profiles
    for initials, name, email_masked, email, phone_masked, phone, birth_year, birth_date in rows:
        if name is not None:
            assert initials == " ".join(word[0].upper() + "." for word in name.split())
        if email is not None:
            local, _, domain = email.partition("@")
            assert email_masked == f"{local[0]}***@{domain}"
        if phone is not None:
            assert phone_masked == phone[:5] + "*****" + phone[-2:]
        assert birth_year == (birth_date.year if birth_date else None)
