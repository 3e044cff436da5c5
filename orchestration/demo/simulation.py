"""One shard of the population simulated day by day.

At start the shard draws every person's sessions over their active window
into per-day buckets (one int per session: person position * 16 + kind);
each :meth:`Shard.step` then plays one day's sessions in random order and
returns that day's rows for every source as a :class:`DayChunk`.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

from orchestration.demo.engagement import EngagementActivities
from orchestration.demo.offline import StoreActivities
from orchestration.demo.online import OnlineActivities
from orchestration.demo.population import (F_APP, F_CRM, F_EMAIL_OPTIN, F_EXISTING, F_LOYALTY, F_ZALO,
                                           SEG_ANON, SEG_APP, SEG_LEAD, SEG_OMNI, SEG_ONLINE, SEG_STORE, Person)
from orchestration.demo.shard_base import World

(K_WEB, K_APP, K_KIOSK, K_STORE, K_EMAIL, K_ZALO, K_TICKET, K_CRM_UPDATE, K_SHARED_WEB,
 K_ERASE) = range(10)

# Expected sessions over 180 active days, by segment (anon, lead, online, store, omni, app).
WEB_RATE = (2.4, 3.0, 4.0, 1.0, 3.2, 1.0)
APP_RATE = (1.5, 2.0, 2.5, 0.0, 3.0, 9.0)     # persons with the app on their phone
STORE_RATE = (0.0, 0.0, 0.15, 4.0, 3.0, 0.3)
ZALO_RATE = (0.0, 2.0, 2.0, 2.5, 2.5, 1.5)    # Zalo followers
TICKET_RATE = (0.0, 0.05, 0.35, 0.1, 0.35, 0.3)
CRM_UPDATE_RATE = (0.0, 0.4, 0.5, 0.3, 0.5, 0.4)
EMAIL_SHARE = (0.0, 0.13, 0.12, 0.09, 0.12, 0.11)  # share of campaigns an opted-in address receives

SHARD_SIZE = 25_000
"""Persons per shard. Fixed, so the output does not depend on the number of workers."""


@dataclass
class DayChunk:
    """One shard's output for one drop day."""

    shard: int
    day: int
    text: dict[str, str]
    """Source -> concatenated lines (no header)."""
    rows: dict[str, int]
    person_map: str
    broken: list[tuple[str, int, str, str]]


@dataclass
class ShardTruth:
    """Shared identifiers a shard actually wrote: value -> distinct persons."""

    junk: dict[tuple[str, str], int] = field(default_factory=dict)
    kiosk: dict[str, int] = field(default_factory=dict)
    cookies: dict[str, int] = field(default_factory=dict)
    fuzzy: list[tuple[str, str, str, str]] = field(default_factory=list)


def shard_ranges(persons: int) -> list[tuple[int, int]]:
    return [(low, min(persons, low + SHARD_SIZE)) for low in range(0, persons, SHARD_SIZE)]


class Shard(OnlineActivities, StoreActivities, EngagementActivities):
    """Persons low..high-1, simulated one day at a time."""

    def __init__(self, world: World, shard: int, low: int, high: int) -> None:
        super().__init__(world, shard, low, high)
        self._handlers: dict[int, Callable[[Person, int, int], None]] = {
            K_WEB: lambda p, li, day: self.web_session(p, li, day),
            K_APP: lambda p, li, day: self.app_session(p, li, day),
            K_KIOSK: self._kiosk_visit,
            K_STORE: lambda p, li, day: self.store_visit(p, li, day),
            K_EMAIL: self.email_receipt,
            K_ZALO: self.zalo_session,
            K_TICKET: self.support_ticket,
            K_CRM_UPDATE: self.crm_update,
            K_SHARED_WEB: self._shared_computer_visit,
            K_ERASE: self.erasure_request,
        }
        self.snapshot_persons: list[int] = []
        self.buckets = [array("i") for _ in range(world.days)]
        self._schedule()

    # ------------------------------------------------------------- schedule
    def _schedule(self) -> None:
        pop, r = self.pop, self.r
        send_days = self.catalog.email_send_days
        buckets = self.buckets
        for li in range(self.high - self.low):
            i = self.low + li
            seg, flags = pop.segment[i], pop.flags[i]
            start, end = pop.start[i], pop.end[i]
            window = end - start + 1
            scale = window / 180.0 * pop.activity[i]
            counts = [0] * 10
            counts[K_WEB] = self._draw(WEB_RATE[seg] * scale) if pop.n_cookies[i] else 0
            counts[K_APP] = self._draw(APP_RATE[seg] * scale) if flags & F_APP else 0
            counts[K_STORE] = self._draw(STORE_RATE[seg] * scale)
            counts[K_ZALO] = self._draw(ZALO_RATE[seg] * scale) if flags & F_ZALO else 0
            counts[K_TICKET] = self._draw(TICKET_RATE[seg] * scale)
            # Everyone shows up at least once in their main channel.
            if seg in (SEG_ANON, SEG_LEAD, SEG_ONLINE) and pop.n_cookies[i]:
                counts[K_WEB] = max(1, counts[K_WEB])
            elif seg == SEG_STORE or (seg == SEG_OMNI and not counts[K_WEB]):
                counts[K_STORE] = max(1, counts[K_STORE])
            elif seg == SEG_APP and flags & F_APP:
                counts[K_APP] = max(1, counts[K_APP])
            if pop.kiosk[i] >= 0:
                counts[K_KIOSK] = 1 + int(r() * 3)
            if pop.shared_cookie[i] >= 0:
                counts[K_SHARED_WEB] = 1 + int(r() * 2)
            for kind in (K_WEB, K_APP, K_KIOSK, K_STORE, K_ZALO, K_TICKET, K_SHARED_WEB):
                code = li * 16 + kind
                for _ in range(counts[kind]):
                    buckets[start + int(r() * window)].append(code)
            if flags & F_CRM:
                low_day = max(start, 1)
                if low_day <= end:
                    for _ in range(self._draw(CRM_UPDATE_RATE[seg] * scale)):
                        day = low_day + int(r() * (end - low_day + 1))
                        buckets[day].append(li * 16 + K_CRM_UPDATE)
            if flags & F_EMAIL_OPTIN and pop.n_emails[i]:
                first, last = bisect_left(send_days, start), bisect_right(send_days, end)
                wanted = min(last - first, self._draw((last - first) * EMAIL_SHARE[seg] * pop.activity[i]))
                for index in sorted(self.rng.sample(range(first, last), wanted)):
                    buckets[send_days[index]].append(li * 16 + K_EMAIL)
            if pop.erase_day[i] >= 0:
                buckets[pop.erase_day[i]].append(li * 16 + K_ERASE)
            if flags & F_EXISTING and flags & (F_CRM | F_LOYALTY):
                self.snapshot_persons.append(li)

    def _draw(self, expected: float) -> int:
        """An integer count with the given expectation (floor, plus one by chance)."""
        n = int(expected)
        return n + (1 if self.r() < expected - n else 0)

    # ------------------------------------------------------------- sessions
    def _kiosk_visit(self, p: Person, li: int, day: int) -> None:
        self.app_session(p, li, day, kiosk=True)
        if self.r() < 0.5:
            self.store_visit(p, li, day)

    def _shared_computer_visit(self, p: Person, li: int, day: int) -> None:
        self.web_session(p, li, day, cookie=p.shared_cookie, force_login=True)

    # ------------------------------------------------------------------ days
    def step(self, day: int) -> DayChunk:
        """Simulate one day; returns the rows of that day's drop files."""
        self.em.start_day(day)
        person = self.pop.person
        low = self.low
        if day == 0:
            for li in self.snapshot_persons:
                self.snapshot(person(low + li), li)
            self.snapshot_persons = []
        bucket = self.buckets[day]
        self.buckets[day] = array("i")  # played: free it
        self.rng.shuffle(bucket)
        handlers = self._handlers
        for code in bucket:
            li = code >> 4
            handlers[code & 15](person(low + li), li, day)
        lines, person_map, broken = self.em.finish_day()
        return DayChunk(self.shard, day, {s: "".join(v) for s, v in lines.items() if v},
                        {s: len(v) for s, v in lines.items() if v}, "".join(person_map), broken)

    def truth(self) -> ShardTruth:
        return ShardTruth(junk={k: len(v) for k, v in self.junk_users.items()},
                          kiosk={k: len(v) for k, v in self.kiosk_users.items()},
                          cookies={k: len(v) for k, v in self.cookie_users.items()},
                          fuzzy=list(self.fuzzy))
