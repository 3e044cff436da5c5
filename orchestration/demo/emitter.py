"""Where simulated rows go: encoded into daily drop buffers, with late rows,
duplicates and broken rows injected on the way, and ground truth recorded.

Every row passes :meth:`Emitter.emit` with the day it happened on. The
emitter may

* break it (only the first row of a record, never duplicated, never late):
  exactly one defect, recorded in the broken-row truth;
* send it late (a later day's file) or twice (same file or a later one);
* record ``source,record_key,person_id`` for the person map (once per record).

Rows of a record whose first row was broken are kept out of that broken
row's file, so a file never holds a good and a broken row of one record.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable
from typing import Any

from orchestration.demo.contract import CSV, SOURCES

Row = list[Any] | dict[str, Any]

BAD_TIMESTAMPS = ("2026-13-45T99:00:00", "yesterday", "31/12/2026 25:61", "2026-02-30T10:00:00+07:00",
                  "0000-00-00 00:00:00", "not a date", "2026-06-31T10:00:00+07:00", "hôm qua")
BAD_NUMBERS = ("12,5OO", "1tr2", "15O000", "#VALUE!", "1.2.3", "hai trăm", "12k5")
UNKNOWN_VALUES: dict[str, tuple[str, ...]] = {
    "web_events": ("scroll", "video_play", "page_veiw", "purchase_complete"),
    "app_events": ("app_crash", "screen_vew", "deeplink_open", "uninstall"),
    "zalo_events": ("reaction", "call_in", "block", "sticker"),
    "email_events": ("soft_bounce", "forwarded", "deferred", "complained"),
    "ecommerce_orders": ("shiped", "complete", "on_hold", "refunding"),
    "pos_transactions": ("maybe", "hoàn", "?", "r"),
    "loyalty_members": ("platinum", "vip", "bronze", "kim cương"),
    "support_tickets": ("facebook", "tiktok", "walk_in", "sms"),
}

# source -> (error code, column it hits); column None for truncated_json.
BREAKS: dict[str, tuple[tuple[str, str | None], ...]] = {
    "web_events": (("bad_timestamp", "event_at"), ("unknown_enum", "event_type"),
                   ("truncated_json", None), ("missing_key", "event_id")),
    "app_events": (("bad_timestamp", "event_at"), ("unknown_enum", "event_type"),
                   ("truncated_json", None), ("missing_key", "event_id"),
                   ("bad_number", "session_duration_s")),
    "zalo_events": (("bad_timestamp", "event_at"), ("unknown_enum", "event_type"),
                    ("truncated_json", None), ("missing_key", "event_id")),
    "email_events": (("bad_timestamp", "event_at"), ("unknown_enum", "event_type"),
                     ("missing_key", "event_id")),
    "ecommerce_orders": (("bad_timestamp", "ordered_at"), ("bad_number", "total_amount"),
                         ("unknown_enum", "status"), ("missing_key", "order_id")),
    "ecommerce_order_items": (("negative_quantity", "quantity"),),
    "pos_transactions": (("bad_timestamp", "transacted_at"), ("bad_number", "total_amount"),
                         ("unknown_enum", "is_return"), ("missing_key", "transaction_id")),
    "pos_transaction_items": (("negative_quantity", "quantity"),),
    "crm_contacts": (("bad_timestamp", "updated_at"), ("missing_key", "contact_id")),
    "loyalty_members": (("bad_timestamp", "updated_at"), ("bad_number", "points_balance"),
                        ("unknown_enum", "tier"), ("missing_key", "loyalty_id")),
    "support_tickets": (("bad_timestamp", "opened_at"), ("bad_number", "csat_score"),
                        ("unknown_enum", "channel"), ("missing_key", "ticket_id")),
}
RESENT = frozenset(("crm_contacts", "loyalty_members", "ecommerce_orders"))
"""Sources whose records have several rows (re-sent on change)."""


def csv_encoder() -> Callable[[list[Any]], str]:
    """Encode one row as a CSV line (csv module: comma, '"' quoting, '\\n')."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def encode(row: list[Any]) -> str:
        writer.writerow(row)
        line = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return line

    return encode


_json_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def json_line(row: dict[str, Any]) -> str:
    return _json_encode(row) + "\n"


class Emitter:
    """Per-shard row sink for the day being simulated, plus future days' rows."""

    def __init__(self, rng: random.Random, days: int, *, broken_rate: float = 0.002,
                 late_rate: float = 0.01, duplicate_rate: float = 0.006, guarantee_breaks: bool = False) -> None:
        self._r = rng.random
        self.days = days
        self.day = 0
        self.broken_rate, self.late_rate, self.duplicate_rate = broken_rate, late_rate, duplicate_rate
        encode_csv = csv_encoder()
        self._encode: dict[str, Callable[[Any], str]] = {
            name: (encode_csv if spec.fmt == CSV else json_line) for name, spec in SOURCES.items()}
        self._columns = {name: spec.index for name, spec in SOURCES.items()}
        self.today: dict[str, list[str]] = {name: [] for name in SOURCES}
        self._future: dict[int, dict[str, list[str]]] = {}
        self.person_map: list[str] = []
        self.broken: list[tuple[str, int, str, str]] = []
        """(source, file day, record key or '', error code) of every broken row."""
        self._broken_files: dict[tuple[str, str], int] = {}
        # Shard 0 makes sure every (source, code) pair occurs at least once, even in tiny runs.
        self._pending: dict[str, list[tuple[str, str | None]]] = (
            {source: list(breaks) for source, breaks in BREAKS.items()} if guarantee_breaks else {})

    # ------------------------------------------------------------------ rows
    def emit(self, source: str, row: Row, day: int, key: str | None = None, person_id: str | None = None,
             *, first: bool = True, mapped: bool = True) -> bool:
        """Write one row that happened on `day`; True if it was written intact.

        first: the record's first row (only those may be broken).
        mapped: add (source, key, person_id) to the person map when written intact.
        """
        r = self._r
        if first and day == self.day and source in BREAKS:
            pending = self._pending.get(source)
            if (pending and r() < 0.25) or r() < self.broken_rate:
                if self._break(source, row, key, pending):
                    return False
        target = day
        if r() < self.late_rate:
            target = day + 1 + int(r() * 5)
            if target >= self.days:
                target = day
        resent = key is not None and source in RESENT and not first and bool(self._broken_files)
        if resent:
            target = self._avoid_broken_file(source, key, target)  # type: ignore[arg-type]
            if target < 0:  # its only possible file holds the record's broken row
                return False
        if mapped and person_id is not None:
            self.person_map.append(f"{source},{key},{person_id}\n")
        line = self._encode[source](row)
        self._put(source, target, line)
        if r() < self.duplicate_rate:
            again = target if r() < 0.5 else target + 1 + int(r() * 3)
            if again >= self.days:
                again = target
            if resent:
                again = self._avoid_broken_file(source, key, again)  # type: ignore[arg-type]
            if again >= 0:
                self._put(source, again, line)
        return True

    def _put(self, source: str, day: int, line: str) -> None:
        if day == self.day:
            self.today[source].append(line)
        else:
            self._future.setdefault(day, {}).setdefault(source, []).append(line)

    def _avoid_broken_file(self, source: str, key: str, day: int) -> int:
        """The day to file a later row of a record on; -1 to drop it."""
        if self._broken_files.get((source, key)) != day:
            return day
        return day + 1 if day + 1 < self.days else -1

    # ---------------------------------------------------------------- broken
    def _break(self, source: str, row: Row, key: str | None,
               pending: list[tuple[str, str | None]] | None) -> bool:
        """Inject exactly one defect into the row and file it; False if not applicable."""
        r = self._r
        choices = BREAKS[source]
        choice = pending[0] if pending else choices[int(r() * len(choices))]
        code, column = choice
        if code == "bad_number" and isinstance(row, dict) and row["event_type"] != "app_close":
            return False  # only app_close carries session_duration_s
        if code == "truncated_json":
            full = self._encode[source](row)
            start = full.index('",', 12) + 2  # keep the whole event_id
            cut = max(start, int(len(full) * (0.3 + 0.4 * r())))
            line = full[:min(cut, len(full) - 3)] + "\n"
        else:
            value: Any
            if code == "bad_timestamp":
                value = BAD_TIMESTAMPS[int(r() * len(BAD_TIMESTAMPS))]
            elif code == "bad_number":
                value = BAD_NUMBERS[int(r() * len(BAD_NUMBERS))]
            elif code == "negative_quantity":
                value = -1 - int(r() * 3)
            elif code == "unknown_enum":
                values = UNKNOWN_VALUES[source]
                value = values[int(r() * len(values))]
            else:  # missing_key
                value = "" if isinstance(row, list) or r() < 0.5 else None
            if isinstance(row, dict):
                row[column] = value  # type: ignore[index]
            else:
                row[self._columns[source][column]] = value  # type: ignore[index]
            line = self._encode[source](row)
        if pending:
            pending.pop(0)
            if not pending:
                del self._pending[source]
        self.today[source].append(line)
        truth_key = "" if code == "missing_key" or key is None else key
        self.broken.append((source, self.day, truth_key, code))
        if key is not None and source in RESENT:
            self._broken_files[(source, key)] = self.day
        return True

    # ------------------------------------------------------------------ days
    def start_day(self, day: int) -> None:
        self.day = day

    def finish_day(self) -> tuple[dict[str, list[str]], list[str], list[tuple[str, int, str, str]]]:
        """Lines per source for the current day's files, person-map lines, broken rows."""
        lines = self.today
        for source, later in self._future.pop(self.day, {}).items():
            lines[source].extend(later)
        result = (lines, self.person_map, self.broken)
        self.today = {name: [] for name in SOURCES}
        self.person_map, self.broken = [], []
        return result
