"""What the Profile 360 app reads, and how: one ``Warehouse`` per app, in one
of two modes.

``masked`` (the default) opens the serving warehouse read-only: the tables of
schema ``marts_masked`` as a build published them, plus ``profile_lookup``
(keyed hashes of normalised identifiers). ``personal`` opens the build
warehouse read-only and reads the unmasked tables for the parts that hold
personal data (golden record, identifiers, graph, merge causes); it is only
ever chosen by an explicit flag.

Search normalises a term with the identity layer's own SQL (the rows of
``marts_masked.dim_search_normalizers``, rendered by dbt from the normaliser
macros) in an in-memory DuckDB: the app never re-implements a rule.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.lib.serving import LOOKUP_TABLE, lookup_hash, lookup_key

MASKED, PERSONAL = "masked", "personal"
M = "marts_masked"

# Channels of consent (dim_profiles consent_<purpose>) shown per profile.
CONSENT_PURPOSES = ("marketing_email", "marketing_sms", "marketing_zalo", "ads_targeting", "analytics")
# Golden-record attributes with their <attribute>_source / _updated_at provenance.
GOLDEN_MASKED = (("full_name", "full_name_initials"), ("gender", "gender"), ("birth_date", "birth_year"),
                 ("occupation", "occupation"), ("city", "city"), ("province", "province"),
                 ("email", "email_masked"), ("phone", "phone_masked"))
GOLDEN_PERSONAL = tuple((name, name) for name, _ in GOLDEN_MASKED)


def _apply_secrets(con: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    """Personal mode reads the build warehouse, whose masked views may need the build's
    secrets as session variables (orchestration/lib/dbt_secrets.py, when present)."""
    try:
        from orchestration.lib.dbt_secrets import apply_secrets
    except ImportError:
        return
    apply_secrets(con, str(db_path))


class NotPublished(RuntimeError):
    """The warehouse lacks a table the app needs (never built or published)."""


@dataclass
class Match:
    profile_id: str
    matched_on: str  # identifier type, profile_id or full_name


@dataclass
class SearchResult:
    term: str
    matches: list[Match] = field(default_factory=list)
    hint: str | None = None


class Warehouse:
    """Read-only access to the warehouse the app was started on."""

    def __init__(self, path: str | Path, mode: str = MASKED, *, key_db_path: str | Path | None = None):
        if mode not in (MASKED, PERSONAL):
            raise ValueError(f"mode must be {MASKED!r} or {PERSONAL!r}, not {mode!r}")
        self.path = Path(path).resolve()
        self.mode = mode
        # The look-up key sits beside the build warehouse (or PROFILE360_LOOKUP_KEY_FILE).
        self.key_db_path = Path(key_db_path).resolve() if key_db_path else self.path
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._stamp: tuple | None = None
        self._normalizers: tuple[tuple, list[tuple[str, bool, str]]] | None = None
        self._scratch: duckdb.DuckDBPyConnection | None = None
        self._columns: dict[tuple, list[str]] = {}

    @property
    def personal(self) -> bool:
        return self.mode == PERSONAL

    # -- connections --------------------------------------------------------
    @contextmanager
    def cursor(self):
        """A cursor for one request. Masked: one connection per published file,
        reopened when a publish replaces the file (the old one stays readable
        until then). Personal: a connection per request, closed at once, so the
        build warehouse is held as briefly as possible."""
        if not self.path.exists():
            raise NotPublished(f"no warehouse at {self.path}: run `profile360 build` (it publishes) first")
        if self.personal:
            con = duckdb.connect(str(self.path), read_only=True)
            try:
                _apply_secrets(con, self.path)
                yield con
            finally:
                con.close()
            return
        stat = os.stat(self.path)
        stamp = (stat.st_dev, stat.st_ino, stat.st_mtime_ns)
        with self._lock:
            if self._con is None or stamp != self._stamp:
                if self._con is not None:
                    self._con.close()
                self._con, self._stamp = duckdb.connect(str(self.path), read_only=True), stamp
                self._columns.clear()
            cursor = self._con.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    def stamp(self) -> tuple:
        stat = os.stat(self.path)
        return (stat.st_dev, stat.st_ino, stat.st_mtime_ns)

    def columns(self, cur, relation: str) -> list[str]:
        """Columns of a table ([] when missing), so pages show columns added later
        (e.g. an expected value from predictions) without a code change."""
        key = (relation, self.stamp())
        if key not in self._columns:
            schema, name = relation.split(".")
            self._columns[key] = [row[0] for row in cur.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                "order by ordinal_position", [schema, name]).fetchall()]
        return self._columns[key]

    def has_table(self, cur, relation: str) -> bool:
        return bool(self.columns(cur, relation))

    @staticmethod
    def rows(cur, sql: str, params: list | None = None) -> list[dict]:
        result = cur.execute(sql, params or [])
        names = [column[0] for column in result.description]
        return [dict(zip(names, row)) for row in result.fetchall()]

    def require(self, cur, relation: str) -> None:
        if not self.has_table(cur, relation):
            raise NotPublished(f"{relation} is not in {self.path}: build and publish again "
                               "(`profile360 build`), so the app's masked models are there")

    # -- search --------------------------------------------------------------
    def normalizers(self, cur) -> list[tuple[str, bool, str]]:
        stamp = self.stamp()
        if self._normalizers is None or self._normalizers[0] != stamp:
            self.require(cur, f"{M}.dim_search_normalizers")
            rows = cur.execute(f"select search_kind, is_identifier, normalizer_sql from {M}.dim_search_normalizers "
                               "order by search_kind").fetchall()
            self._normalizers = (stamp, rows)
        return self._normalizers[1]

    def normalize(self, cur, term: str) -> dict[str, str | None]:
        """The term normalised as each kind (identity's own SQL), in a private in-memory
        DuckDB. One query per kind: binding the long expressions together costs more than
        apart (8 kinds: ~0.45 s in one query, ~0.3 s in eight)."""
        kinds = self.normalizers(cur)
        with self._lock:
            if self._scratch is None:
                self._scratch = duckdb.connect(":memory:")
            scratch = self._scratch.cursor()
        try:
            return {kind: scratch.execute(f"select ({sql}) from (select cast(? as varchar) as term)",
                                          [term]).fetchone()[0]
                    for kind, _, sql in kinds}
        finally:
            scratch.close()

    def search(self, term: str) -> SearchResult:
        term = (term or "").strip()
        result = SearchResult(term)
        if not term:
            return result
        with self.cursor() as cur:
            normalized = self.normalize(cur, term)
            kinds = {kind: is_identifier for kind, is_identifier, _ in self.normalizers(cur)}
            found: dict[str, str] = {}
            profiles = f"{M}.dim_profiles" if not self.personal else "profiles.dim_profiles"
            for (profile_id,) in cur.execute(f"select profile_id from {profiles} where profile_id = ?",
                                             [term]).fetchall():
                found[profile_id] = "profile_id"
            wanted = [(kind, value) for kind, value in normalized.items() if value and kinds.get(kind)]
            if wanted and not self.personal:
                try:
                    key = lookup_key(self.key_db_path)
                except FileNotFoundError as error:
                    raise NotPublished(f"{error} (the key beside the build warehouse, or "
                                       "PROFILE360_LOOKUP_KEY_FILE)") from error
                hashes = {lookup_hash(key, kind, value): kind for kind, value in wanted}
                for kind, digest, profile_id in cur.execute(
                        f"select identifier_type, lookup_hash, profile_id from {LOOKUP_TABLE} "
                        "where lookup_hash in (select unnest(?)) order by profile_id", [list(hashes)]).fetchall():
                    if hashes.get(digest) == kind:
                        found.setdefault(profile_id, kind)
            elif wanted:
                for kind, value in wanted:
                    for (profile_id,) in cur.execute(
                            "select profile_id from identity.map_identifiers_to_profiles "
                            "where identifier_type = ? and identifier_value = ? and profile_id is not null "
                            "order by profile_id", [kind, value]).fetchall():
                        found.setdefault(profile_id, kind)
            name = normalized.get("full_name")
            if not found and name and len(name) >= 2:
                if self.personal:
                    for (profile_id,) in cur.execute(
                            "select profile_id from profiles.dim_profiles "
                            "where contains(lower(full_name_ascii), ?) order by full_name_ascii, profile_id limit 200",
                            [name]).fetchall():
                        found.setdefault(profile_id, "full_name")
                else:
                    result.hint = ("No identifier matches. Search by name works only when the app runs with "
                                   "personal data (`profile360 app --personal-data`).")
        result.matches = [Match(profile_id, kind) for profile_id, kind in found.items()]
        return result

    def match_summaries(self, profile_ids: list[str]) -> dict[str, dict]:
        if not profile_ids:
            return {}
        name = "full_name" if self.personal else "full_name_initials"
        profiles = f"{M}.dim_profiles" if not self.personal else "profiles.dim_profiles"
        with self.cursor() as cur:
            rows = self.rows(cur, f"""
                select p.profile_id, p.{name} as name, p.city, l.lifecycle_stage, l.lifecycle_tier, p.last_seen_at
                from {profiles} as p
                left join {M}.dim_profile_lifecycle as l on p.profile_id = l.profile_id
                where p.profile_id in (select unnest(?))""", [profile_ids])
        return {row["profile_id"]: row for row in rows}

    # -- one profile -----------------------------------------------------------
    def profile(self, profile_id: str) -> dict | None:
        """Everything the Standard view shows for one profile (None: no such profile)."""
        with self.cursor() as cur:
            self.require(cur, f"{M}.fct_identity_links")
            profiles = "profiles.dim_profiles" if self.personal else f"{M}.dim_profiles"
            golden = self.rows(cur, f"select * from {profiles} where profile_id = ?", [profile_id])
            if not golden:
                return None
            golden = golden[0]
            attributes = [
                {"attribute": name, "value": golden.get(column), "source": golden.get(f"{name}_source"),
                 "updated_at": golden.get(f"{name}_updated_at")}
                for name, column in (GOLDEN_PERSONAL if self.personal else GOLDEN_MASKED)]
            traits = self.rows(cur, f"select * from {M}.dim_profile_traits where profile_id = ?", [profile_id])
            lifecycle = self.rows(cur, f"select * from {M}.dim_profile_lifecycle where profile_id = ?", [profile_id])
            links = self.links(cur, profile_id)
            identifiers: dict[str, dict] = {}
            for link in links:
                entry = identifiers.setdefault(link["identifier_key"], {
                    "identifier_type": link["identifier_type"], "identifier": link["identifier_label"],
                    "records": 0, "used": 0, "rejected": 0, "first_seen_at": link["first_seen_at"],
                    "last_seen_at": link["last_seen_at"], "reasons": set()})
                entry["records"] += 1
                entry[link["link_status"]] += 1
                if link["link_status"] == "rejected":
                    entry["reasons"].add(link["link_reason"])
                for bound, pick in (("first_seen_at", min), ("last_seen_at", max)):
                    values = [v for v in (entry[bound], link[bound]) if v is not None]
                    entry[bound] = pick(values) if values else None
            touchpoints = self.rows(cur, f"""
                select occurred_at, source, channel, touchpoint_type, campaign_id, revenue, is_conversion
                from {M}.fct_customer_touchpoints where profile_id = ? order by occurred_at desc limit 300""",
                [profile_id])
            count_touchpoints = cur.execute(
                f"select count(*) from {M}.fct_customer_touchpoints where profile_id = ?", [profile_id]).fetchone()[0]
            segments = self.rows(cur, f"""
                select c.segment_key, coalesce(s.segment_name, c.segment_key) as segment_name, s.segment_kind,
                       c.entered_at, c.exited_at
                from {M}.fct_segment_membership_changes as c
                left join {M}.dim_segments as s on c.segment_key = s.segment_key
                where c.profile_id = ? order by c.exited_at is not null, c.entered_at desc, c.segment_key""",
                [profile_id])
            changes_table = "identity.fct_profile_id_changes" if self.personal else f"{M}.fct_profile_id_changes"
            changes = self.rows(cur, f"select * from {changes_table} where old_profile_id = ? or new_profile_id = ? "
                                     "order by changed_at", [profile_id, profile_id])
            contactability = self.contactability(cur, profile_id)
        consent = [{"purpose": purpose, "state": golden.get(f"consent_{purpose}"),
                    "recorded_at": golden.get(f"consent_{purpose}_at")} for purpose in CONSENT_PURPOSES]
        return {
            "profile_id": profile_id, "golden": golden, "attributes": attributes,
            "traits": traits[0] if traits else {}, "lifecycle": lifecycle[0] if lifecycle else {},
            "links": links, "identifiers": sorted(identifiers.values(), key=lambda i: (i["identifier_type"],
                                                                                      i["identifier"])),
            "touchpoints": touchpoints, "count_touchpoints": count_touchpoints,
            "segments": segments, "changes": changes, "consent": consent, "contactability": contactability,
        }

    def links(self, cur, profile_id: str) -> list[dict]:
        """The profile's identity-graph links (used and rejected), masked unless personal."""
        if self.personal:
            sql = """select source, record_key as record_label, source || ':' || record_key as record_key,
                            identifier_type, identifier_type || ':' || identifier_value as identifier_key,
                            identifier_value as identifier_label, first_seen_at, last_seen_at,
                            link_status, link_reason
                     from identity.fct_identity_links where profile_id = ?"""
        else:
            sql = f"""select source, record_key as record_label, record_key,
                             identifier_type, identifier_id as identifier_key, identifier_value as identifier_label,
                             first_seen_at, last_seen_at, link_status, link_reason
                      from {M}.fct_identity_links where profile_id = ?"""
        return self.rows(cur, sql + " order by source, record_key, identifier_type, identifier_key", [profile_id])

    def contactability(self, cur, profile_id: str) -> list[dict]:
        """Contactability per channel, when the build publishes it (issue 14's model);
        [] until then (the page shows consent state instead)."""
        relation = f"{M}.dim_profile_contactability"
        if not self.has_table(cur, relation):
            return []
        return self.rows(cur, f"select * from {relation} where profile_id = ?", [profile_id])

    def trait_columns(self) -> list[str]:
        with self.cursor() as cur:
            return self.columns(cur, f"{M}.dim_profile_traits")

    def query(self, sql: str, params: list | None = None) -> list[dict]:
        """Run a read-only query (for widgets written in Python)."""
        with self.cursor() as cur:
            return self.rows(cur, sql, params)

    # -- segment explorer ----------------------------------------------------------
    def segments(self) -> list[dict]:
        with self.cursor() as cur:
            return self.rows(cur, f"select segment_key, segment_name, segment_kind from {M}.dim_segments "
                                  "order by segment_kind, segment_order, segment_key")

    def explorer(self, selected: list[str]) -> dict:
        with self.cursor() as cur:
            heat = self.rows(cur, f"""
                select l.lifecycle_stage, l.lifecycle_tier, count(*) as profiles,
                       coalesce(sum(t.lifetime_value), 0) as revenue
                from {M}.dim_profile_lifecycle as l
                left join {M}.dim_profile_traits as t on l.profile_id = t.profile_id
                group by all""")
            comparison_columns = self.columns(cur, f"{M}.rpt_segment_comparison")
            comparison = self.rows(cur, f"""
                select c.* from {M}.rpt_segment_comparison as c
                left join {M}.dim_segments as s on c.segment_key = s.segment_key
                order by s.segment_kind, s.segment_order, c.segment_key""")
            overlap, history = {}, []
            if selected:
                members = self.rows(cur, f"""
                    select profile_id, list(segment_key order by segment_key) as segment_keys
                    from {M}.fct_segment_membership_changes
                    where exited_at is null and segment_key in (select unnest(?))
                    group by profile_id""", [selected])
                for row in members:
                    region = tuple(sorted(row["segment_keys"]))
                    overlap[region] = overlap.get(region, 0) + 1
                # A member on day d entered on or before d and had not exited by d.
                history = self.rows(cur, f"""
                    with bounds as (
                        select min(entered_at) as first_day,
                               greatest(max(entered_at), coalesce(max(exited_at), max(entered_at))) as last_day
                        from {M}.fct_segment_membership_changes),
                    days as (select cast(unnest(generate_series(first_day, last_day, interval 1 day)) as date) as day
                             from bounds)
                    select days.day, c.segment_key, count(c.profile_id) as members
                    from days
                    inner join {M}.fct_segment_membership_changes as c
                        on c.entered_at <= days.day and (c.exited_at is null or c.exited_at > days.day)
                    where c.segment_key in (select unnest(?))
                    group by all order by 1, 2""", [selected])
        return {"heat": heat, "comparison": comparison, "comparison_columns": comparison_columns,
                "overlap": overlap, "history": history}
