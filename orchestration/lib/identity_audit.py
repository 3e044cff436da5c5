"""Why are two records one profile? The chain of identifier links between them.

Reads the link audit `fct_identity_links` (one row per record-identifier
link, used or rejected, with its reason) and walks the used links of the
profile breadth-first, record -> identifier -> record, so the answer is a
shortest chain: each step names the identifier, the record that carried it
and when. Records in different profiles get the identifiers they share and
why those links were rejected.

    profile360 explain web_events:we_000123 crm_contacts:CT1234567
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import duckdb

Record = tuple[str, str]  # (source, record_key)


@dataclass(frozen=True)
class Step:
    """One hop: `record` carries `identifier_type:identifier_value`, as does `next_record`."""

    record: Record
    identifier_type: str
    identifier_value: str
    next_record: Record
    first_seen_at: object  # when next_record first carried the identifier


@dataclass
class Explanation:
    first: Record
    second: Record
    first_profile: str | None
    second_profile: str | None
    steps: list[Step] = field(default_factory=list)
    # Shared identifiers whose links were rejected: (type, value, reason).
    rejected: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def same_profile(self) -> bool:
        return self.first_profile is not None and self.first_profile == self.second_profile

    def report(self) -> str:
        # A masked record key already starts with its source (`<source>:<16 hex>`).
        name = lambda record: record[1] if record[1].startswith(f"{record[0]}:") else f"{record[0]}:{record[1]}"  # noqa: E731
        lines = [f"{name(self.first)} -> profile {self.first_profile}",
                 f"{name(self.second)} -> profile {self.second_profile}"]
        if self.first_profile is None or self.second_profile is None:
            missing = self.first if self.first_profile is None else self.second
            lines.append(f"{name(missing)} is in no profile (unknown record, or no valid identifier)")
        elif self.same_profile:
            if self.first == self.second:
                lines.append("the same record")
            lines.append(f"one profile, joined by {len(self.steps)} link(s):")
            for step in self.steps:
                seen = "" if step.first_seen_at is None else f" (seen {step.first_seen_at})"
                lines.append(f"  {name(step.record)} --{step.identifier_type} {step.identifier_value!r}--> "
                             f"{name(step.next_record)}{seen}")
        else:
            lines.append("two profiles")
            for kind, value, reason in self.rejected:
                lines.append(f"  shared {kind} {value!r} not used: {reason}")
        return "\n".join(lines)


def _schema(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute("select table_schema from information_schema.tables "
                       "where table_name = 'fct_identity_links'").fetchall()
    if not rows:
        raise LookupError("fct_identity_links is not built in this warehouse; run a build first")
    return rows[0][0]


def explain(con: duckdb.DuckDBPyConnection, first: Record, second: Record) -> Explanation:
    """The shortest chain of used links from `first` to `second` (see the module doc)."""
    schema = _schema(con)
    profiles = dict(((source, key), profile) for source, key, profile in con.execute(
        f'select distinct source, record_key, profile_id from "{schema}".fct_identity_links '
        "where (source = ? and record_key = ?) or (source = ? and record_key = ?)",
        [*first, *second]).fetchall())
    result = Explanation(first, second, profiles.get(first), profiles.get(second))
    if result.first_profile is None or result.second_profile is None:
        return result
    if not result.same_profile:
        result.rejected = con.execute(
            f"""select distinct a.identifier_type, a.identifier_value,
                    case when a.link_status = 'rejected' then a.link_reason else b.link_reason end
                from "{schema}".fct_identity_links as a
                inner join "{schema}".fct_identity_links as b on a.identifier_id = b.identifier_id
                where a.source = ? and a.record_key = ? and b.source = ? and b.record_key = ?
                order by all""", [*first, *second]).fetchall()
        return result
    links = con.execute(
        f'select source, record_key, identifier_type, identifier_value, first_seen_at '
        f'from "{schema}".fct_identity_links where profile_id = ? and link_status = \'used\'',
        [result.first_profile]).fetchall()
    links += _probabilistic_links(con, schema, result.first_profile)
    by_record: dict[Record, list[tuple[str, str]]] = {}
    by_identifier: dict[tuple[str, str], list[tuple[Record, object]]] = {}
    for source, key, kind, value, seen in links:
        by_record.setdefault((source, key), []).append((kind, value))
        by_identifier.setdefault((kind, value), []).append(((source, key), seen))
    came_from: dict[Record, Step | None] = {first: None}
    queue = deque([first])
    while queue and second not in came_from:
        record = queue.popleft()
        for identifier in by_record.get(record, []):
            for next_record, seen in by_identifier[identifier]:
                if next_record not in came_from:
                    came_from[next_record] = Step(record, *identifier, next_record, seen)
                    queue.append(next_record)
            by_identifier[identifier] = []  # each identifier is expanded once
    if second not in came_from:
        raise RuntimeError(f"{first} and {second} share profile {result.first_profile} "
                           "but no chain of used links joins them: the audit disagrees with the map")
    steps = []
    record = second
    while came_from[record] is not None:
        step = came_from[record]
        steps.append(step)
        record = step.record
    result.steps = steps[::-1]
    return result


def _probabilistic_links(con: duckdb.DuckDBPyConnection, schema: str, profile_id: str) -> list[tuple]:
    """The used probabilistic links of a profile (fct_identity_probabilistic_links, when
    built) as two pseudo-links each, sharing one pseudo-identifier of type `probabilistic`
    whose value reads `match weight W: field level (weight), ...`: a chain step through it
    is a record-to-record link with the weight and each field's comparison."""
    exists = con.execute("select count(*) from information_schema.tables where table_schema = ? "
                         "and table_name = 'fct_identity_probabilistic_links'", [schema]).fetchall()[0][0]
    if not exists:
        return []
    rows = con.execute(
        f'select * from "{schema}".fct_identity_probabilistic_links '
        "where profile_id_l = ? and link_status = 'used'", [profile_id])
    names = [d[0] for d in rows.description]
    links = []
    for values in rows.fetchall():
        row = dict(zip(names, values))
        fields = ", ".join(f"{field}: {row[f'{field}_level']} ({row[f'{field}_weight']:+.1f})"
                           for field in PROBABILISTIC_FIELDS if f"{field}_level" in row)
        value = f"match weight {row['match_weight']:.1f}: {fields}"
        for side in ("l", "r"):
            links.append((row[f"source_{side}"], row[f"record_key_{side}"], "probabilistic", value, None))
    return links


PROBABILISTIC_FIELDS = ("name_key", "birth_date", "address_key", "province_key", "email", "phone")


def explain_masked(con: duckdb.DuckDBPyConnection, key: str, first: Record, second: Record) -> Explanation:
    """explain() over the masked link audit of the serving warehouse
    (marts_masked.fct_identity_links): the two records are looked up by their
    masked keys (the look-up key), and named as given in the answer."""
    from orchestration.lib.serving import masked_record_key

    def masked(record: Record) -> Record:
        return record[0], masked_record_key(key, *record)

    result = explain(con, masked(first), masked(second))
    result.first, result.second = first, second
    return result


def parse_record(text: str) -> Record:
    """`source:record_key` -> (source, record_key)."""
    source, sep, key = text.partition(":")
    if not sep or not source or not key:
        raise ValueError(f"expected SOURCE:RECORD_KEY (e.g. web_events:we_000001), got {text!r}")
    return source, key
