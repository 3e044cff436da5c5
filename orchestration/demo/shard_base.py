"""State and helpers shared by the activity simulations of one shard.

A shard is a contiguous range of persons simulated day by day with its own
random generator, so shards are independent of each other (and of how many
worker processes run them): the output depends on the seed only.
"""

from __future__ import annotations

import random
from array import array
from datetime import date, timedelta
from typing import Any

from orchestration.demo import vocab
from orchestration.demo.catalog import Catalog, Product, weighted_table
from orchestration.demo.emitter import Emitter
from orchestration.demo.identifiers import (CSV_MISSING, JSON_ODD_MISSING, JUNK_EMAILS, JUNK_PHONES,
                                            render_email, render_phone, scramble, stable_fraction)
from orchestration.demo.population import (F_ADS_OPTIN, F_CRM, F_CUSTOMER, F_EMAIL_OPTIN, F_EXISTING,
                                           F_LOYALTY, F_SMS_OPTIN, Person, Population)

ID_SPAN = 10**8
"""Ids of one kind a shard may mint; shard s uses s*ID_SPAN .. (s+1)*ID_SPAN-1."""

_TIME_OF_DAY = tuple(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+07:00" for s in range(86400))
_HOUR_PICK = weighted_table(vocab.HOUR_WEIGHTS)
_STORE_HOUR_PICK = weighted_table(vocab.STORE_HOUR_WEIGHTS)
_CITY_NAMES = tuple(c[0] for c in vocab.CITIES)
_PROVINCES = tuple(c[1] for c in vocab.CITIES)

# Loyalty tiers by points balance.
TIER_THRESHOLDS = ((10_000, "diamond"), (3_000, "gold"), (1_000, "silver"), (0, "member"))


def tier_of(points: int) -> str:
    for threshold, tier in TIER_THRESHOLDS:
        if points >= threshold:
            return tier
    return "member"


class World:
    """What every shard reads: the run's settings, catalog and population."""

    def __init__(self, seed: int, days: int, first_day: date, catalog: Catalog, population: Population) -> None:
        self.seed, self.days, self.first_day = seed, days, first_day
        self.catalog, self.population = catalog, population
        self.day_prefix = tuple(f"{first_day + timedelta(days=d)}T" for d in range(days))
        # Share of CRM persons re-entered as a fuzzy duplicate contact (generate(fuzzy_duplicates=)).
        self.fuzzy_duplicates = 0.0


class ShardBase:
    """One shard's random generator, emitter, per-person state and helpers."""

    def __init__(self, world: World, shard: int, low: int, high: int) -> None:
        self.world, self.shard, self.low, self.high = world, shard, low, high
        self.catalog, self.pop = world.catalog, world.population
        self.days = world.days
        self.rng = random.Random(f"{world.seed}:shard:{shard}")
        self.r = self.rng.random
        self.em = Emitter(self.rng, world.days, guarantee_breaks=shard == 0)
        self._counters: dict[str, int] = {}
        self._id_base = shard * ID_SPAN
        self._salt = self.pop.salt
        size = high - low
        # Per-person state, indexed by position in the shard.
        self.known = bytearray(size)         # registered / identified with the retailer
        self.crm_mapped = bytearray(size)    # first CRM row written intact
        self.crm_version = bytearray(size)
        self.crm_created = array("i", bytes(4 * size))   # seconds since the period start
        self.loyalty_member = bytearray(size)
        self.loyalty_mapped = bytearray(size)
        self.loyalty_joined = array("i", bytes(4 * size))
        self.points = array("i", bytes(4 * size))
        self.zalo_followed = bytearray(size)
        # Fuzzy duplicate contacts written: (contact_id, person_id, original contact_id, kinds).
        self.fuzzy: list[tuple[str, str, str, str]] = []
        self.zalo_phone_shared = bytearray(size)
        self.cookie_identified = bytearray(size)  # bit k: the person identified on cookie k
        self.app_identified = bytearray(size)     # the person signed in on their own device
        self.unsubscribed = bytearray(size)
        self.app_installed = bytearray(size)
        # Truth about shared identifiers, counted from what was written.
        self.junk_users: dict[tuple[str, str], set[int]] = {}
        self.kiosk_users: dict[str, set[int]] = {}
        self.cookie_users: dict[str, set[int]] = {}
        self._init_existing()

    def _init_existing(self) -> None:
        """Persons known before the period: accounts, memberships, follows exist already."""
        pop, r = self.pop, self.r
        for li in range(self.high - self.low):
            i = self.low + li
            flags = pop.flags[i]
            if not flags & F_EXISTING:
                continue
            self.known[li] = 1 if flags & (F_CUSTOMER | F_CRM | F_LOYALTY) else 0
            created = -86400 * (30 + int(r() * 1800)) + int(r() * 86400)
            self.crm_created[li] = created
            if flags & F_LOYALTY:
                self.loyalty_member[li] = 1
                self.loyalty_joined[li] = created + int(r() * 86400 * 20)
                self.points[li] = int(r() * r() * 16_000)
            self.zalo_followed[li] = 1
            self.app_installed[li] = 1

    # ------------------------------------------------------------------ ids
    def next_id(self, prefix: str) -> str:
        n = self._counters.get(prefix, 0)
        self._counters[prefix] = n + 1
        return f"{prefix}{self._id_base + n:09d}"

    # ----------------------------------------------------------- timestamps
    def at(self, day: int, sec: int) -> str:
        """Timestamp of an event on `day`, kept within that day (long sessions stop at 23:59:59)."""
        return self.world.day_prefix[day] + _TIME_OF_DAY[min(sec, 86399)]

    def ts(self, day: int, sec: int) -> str:
        """Timestamp of second `sec` after the start of period day `day` (may overflow days)."""
        if sec >= 86400 or sec < 0:
            day, sec = day + sec // 86400, sec % 86400
        if 0 <= day < self.days:
            return self.world.day_prefix[day] + _TIME_OF_DAY[sec]
        return f"{self.world.first_day + timedelta(days=day)}T{_TIME_OF_DAY[sec]}"

    def abs_ts(self, seconds: int) -> str:
        """Timestamp of `seconds` after the period start (negative: before it)."""
        return self.ts(seconds // 86400, seconds % 86400)

    def session_start(self) -> int:
        """Second of the day a browsing session starts (busy evenings)."""
        return _HOUR_PICK[int(self.r() * 1000)] * 3600 + int(self.r() * 3600)

    def store_time(self) -> int:
        return _STORE_HOUR_PICK[int(self.r() * 1000)] * 3600 + int(self.r() * 3600)

    # ------------------------------------------------------------ rendering
    def miss(self) -> str:
        """A missing-value marker as found in CSV drops (mostly empty)."""
        return CSV_MISSING[int(self.r() * 100)]

    def odd_missing(self, row: dict[str, Any], fields: tuple[str, ...]) -> None:
        """Now and then, write one null JSON field as a text marker ('', 'N/A', ...)."""
        if self.r() < 0.03:
            field = fields[int(self.r() * len(fields))]
            if row[field] is None:
                row[field] = JSON_ODD_MISSING[int(self.r() * len(JSON_ODD_MISSING))]

    def email_typed(self, email: str, clean: float = 0.8) -> str:
        return render_email(email, self.r(), self.r(), clean)

    def phone_typed(self, national: str, clean: float = 0.7) -> str:
        return render_phone(national, self.r(), clean)

    def email_stable(self, p: Person, email: str, salt: int, clean: float = 0.85) -> str:
        """The spelling one system keeps for a person's address (same on every re-send)."""
        r1 = stable_fraction(p.index, self._salt + salt)
        return render_email(email, r1, stable_fraction(p.index, self._salt + salt + 1), clean)

    def phone_stable(self, p: Person, national: str, salt: int, clean: float = 0.7) -> str:
        return render_phone(national, stable_fraction(p.index, self._salt + salt), clean)

    def name_stable(self, p: Person, salt: int, plain: float, upper: float) -> str:
        """Full name as one system stores it: with diacritics, without, or upper case."""
        x = stable_fraction(p.index, self._salt + salt)
        if x < plain:
            return p.name_ascii
        if x < plain + upper:
            return (p.name_ascii if x < plain + upper / 2 else p.name).upper()
        return p.name

    def city_name(self, p: Person, x: float) -> str:
        """The city as typed (x in [0, 1) picks): mostly its name, else folded or an alias."""
        name = _CITY_NAMES[p.city]
        if x < 0.08:
            return vocab.fold(name)
        aliases = vocab.CITY_ALIASES.get(name)
        if aliases and x < 0.25:
            return aliases[int((x - 0.08) / 0.17 * len(aliases))]
        return name

    def province_name(self, p: Person) -> str:
        return _PROVINCES[p.city]

    def junk(self, p: Person, kind: str) -> str:
        """A junk e-mail or phone typed instead of the real one (and remember who)."""
        values = JUNK_EMAILS if kind == "email" else JUNK_PHONES
        value = values[int(self.r() * len(values))]
        self.junk_users.setdefault((kind, value), set()).add(p.index)
        return value

    def pick_product(self) -> Product:
        table = self.catalog.product_pick
        return self.catalog.products[table[int(self.r() * len(table))]]

    def pick_items(self, viewed: list[Product], max_lines: int) -> list[tuple[Product, int]]:
        """Basket lines (product, quantity): viewed products first, then popular ones."""
        r = self.r
        lines = 1 + int(r() * r() * max_lines)
        chosen: list[Product] = []
        for product in viewed:
            if len(chosen) < lines and product not in chosen:
                chosen.append(product)
        while len(chosen) < lines:
            product = self.pick_product()
            if product not in chosen:
                chosen.append(product)
        return [(product, 1 if r() < 0.75 else 2 + int(r() * 2)) for product in chosen]

    # ------------------------------------------------------------ CRM, consents
    def ensure_known(self, p: Person, li: int, day: int, sec: int, source: str) -> None:
        """First identification of a new person: CRM contact and consents are created."""
        if self.known[li]:
            return
        self.known[li] = 1
        if p.flags & F_CRM:
            sec = min(sec, 86400 - 700)
            self.crm_created[li] = day * 86400 + sec
            self.emit_crm(p, li, day, sec + 60 + int(self.r() * 600), first=True)
        self.emit_signup_consents(p, day, min(sec + 30, 86399), source)

    def emit_crm(self, p: Person, li: int, day: int, sec: int, *, first: bool) -> None:
        """A CRM contact row (first version or a re-send after a change)."""
        created = self.abs_ts(self.crm_created[li])
        updated = self.ts(day, sec)
        if first and day == 0 and self.crm_created[li] < 0:
            updated = self.abs_ts(self.crm_created[li] + int(self.r() * (-self.crm_created[li])))
        version = self.crm_version[li]
        row = self.crm_row(p, li, p.contact_ids[0], version, created, updated)
        if self.em.emit("crm_contacts", row, day, p.contact_ids[0], p.person_id,
                        first=first, mapped=not self.crm_mapped[li]):
            self.crm_mapped[li] = 1
        if first and len(p.contact_ids) > 1:
            # A second contact of the same person: typed again later, other e-mail, other spelling.
            row = self.crm_row(p, li, p.contact_ids[1], 1, created, updated)
            if len(p.emails) > 1:
                row[2] = self.email_typed(p.emails[1], 0.7)
            row[1] = p.name_ascii if row[1] == p.name else p.name
            self.em.emit("crm_contacts", row, day, p.contact_ids[1], p.person_id)
        # Only of a contact with a birth date and details (crm_row's fractions 29 and 17): a
        # duplicate sharing nothing but a name is indistinguishable from a namesake.
        if first and self.world.fuzzy_duplicates and \
                stable_fraction(p.index, self._salt + 71) < self.world.fuzzy_duplicates and \
                stable_fraction(p.index, self._salt + 29) < 0.85 and stable_fraction(p.index, self._salt + 17) < 0.7:
            self.emit_fuzzy_contact(p, li, day, created, updated)

    def emit_fuzzy_contact(self, p: Person, li: int, day: int, created: str, updated: str) -> None:
        """The person typed in again as a new contact, without e-mail, phone or account ids, with
        one or two of: a name typo, diacritics dropped, name words reordered, day and month of the
        birth date swapped, the address abbreviated. Listed in _truth/fuzzy_duplicates.csv."""
        pop = self.pop
        contact_id = f"CT{scramble(p.index + 2 * pop.size, 10**8, pop._off[2]):08d}"
        row = self.crm_row(p, li, contact_id, 1, created, updated)
        row[2] = row[3] = row[11] = row[12] = self.miss()
        row[5] = p.birth_date
        row[7] = p.address
        x = stable_fraction(p.index, self._salt + 73)
        y = stable_fraction(p.index, self._salt + 79)
        kinds = [("typo", "no_diacritics", "word_order", "swapped_day_month", "abbreviated_address")[int(x * 5)]]
        if y < 0.5:
            second = ("typo", "no_diacritics", "abbreviated_address")[int(y * 6)]
            if second not in kinds:
                kinds.append(second)
        name = p.name
        for kind in kinds:
            if kind == "typo":
                words = name.split(" ")
                given = words[-1]
                k = 1 + int(y * (len(given) - 2)) if len(given) > 2 else 0
                words[-1] = given[:k] + given[k + 1:k + 2] + given[k:k + 1] + given[k + 2:] if k else given + given[-1]
                name = " ".join(words)
            elif kind == "no_diacritics":
                name = vocab.fold(name)
            elif kind == "word_order":
                words = name.split(" ")
                name = " ".join(words[-1:] + words[:-1])
            elif kind == "swapped_day_month":
                yy, mm, dd = p.birth_date.split("-")
                if int(dd) <= 12 and dd != mm:
                    row[5] = f"{yy}-{dd}-{mm}"
                else:
                    kinds[kinds.index(kind)] = "no_diacritics"
                    name = vocab.fold(name)
            elif kind == "abbreviated_address":
                row[7] = p.address.replace("Phường ", "P.").replace("Đường ", "Đ.")
        row[1] = name
        if self.em.emit("crm_contacts", row, day, contact_id, p.person_id):
            self.fuzzy.append((contact_id, p.person_id, p.contact_ids[0], "+".join(kinds)))

    def crm_row(self, p: Person, li: int, contact_id: str, version: int, created: str, updated: str) -> list[Any]:
        miss = self.miss

        def fraction(salt: int) -> float:  # fixed per person: the contact keeps its values
            return stable_fraction(p.index, self._salt + salt)

        if p.emails:
            email = self.email_stable(p, p.emails[0], 11)
        elif fraction(37) < 0.2:
            email = self.junk(p, "email")
        else:
            email = miss()
        phone_index = 1 if version >= 1 and len(p.phones) > 1 else 0
        phone = self.phone_stable(p, p.phones[phone_index], 13 + phone_index)
        if fraction(39) < 0.01:
            phone = self.junk(p, "phone")
        has_details = version >= 1 or fraction(17) < 0.7
        x = fraction(21)
        country = "VN" if x < 0.85 else ("Vietnam" if x < 0.92 else "Việt Nam")
        gender = p.gender if fraction(19) < 0.92 else miss()
        address = p.address if version < 2 else p.address.replace(" ", "A ", 1)  # moved next door
        loyalty = p.loyalty_id if p.loyalty_id and self.loyalty_member[li] else None
        return [
            contact_id,
            self.name_stable(p, 23, 0.12, 0.08),
            email,
            phone,
            gender,
            p.birth_date if fraction(29) < 0.85 else miss(),
            p.occupation if has_details else miss(),
            address if has_details or version else miss(),
            self.city_name(p, fraction(27)),
            self.province_name(p),
            country,
            p.customer_id or miss(),
            loyalty or miss(),
            created,
            updated,
        ]

    def emit_consent(self, subject_type: str, value: str, purpose: str, status: str, source: str,
                     day: int, sec: int) -> None:
        self.em.emit("consents", [subject_type, value, purpose, status, source, self.ts(day, sec)], day,
                     first=False)

    def emit_signup_consents(self, p: Person, day: int, sec: int, source: str) -> None:
        """Consents recorded when a person signs up (form, account, membership)."""
        flags = p.flags
        if p.emails and flags & F_EMAIL_OPTIN:
            self.emit_consent("email", self.email_typed(p.emails[0], 0.9), "marketing_email", "granted",
                              source, day, sec)
        if flags & F_SMS_OPTIN:
            self.emit_consent("phone", self.phone_typed(p.phones[0], 0.8), "marketing_sms", "granted",
                              source, day, sec)
        if p.customer_id:
            if stable_fraction(p.index, self._salt + 31) < 0.85:
                self.emit_consent("customer_id", p.customer_id, "analytics", "granted", source, day, sec)
            if flags & F_ADS_OPTIN:
                self.emit_consent("customer_id", p.customer_id, "ads_targeting", "granted", source, day, sec)

    # ----------------------------------------------------------- loyalty rows
    def emit_loyalty(self, p: Person, li: int, day: int, sec: int, *, first: bool) -> None:
        """A loyalty member row: on joining (first) or after the balance changed."""
        points = self.points[li]
        email = self.email_stable(p, p.emails[0], 41, 0.8) if p.emails else (
            self.junk(p, "email") if stable_fraction(p.index, self._salt + 43) < 0.2 else self.miss())
        phone = self.phone_stable(p, p.phones[0], 47, 0.6)
        if stable_fraction(p.index, self._salt + 53) < 0.006:
            phone = self.junk(p, "phone")
        updated = self.ts(day, sec)
        if first and day == 0 and self.loyalty_joined[li] < 0:
            updated = self.abs_ts(self.loyalty_joined[li] + int(self.r() * (-self.loyalty_joined[li])))
        row = [p.loyalty_id, phone, email, self.name_stable(p, 59, 0.25, 0.15), tier_of(points), points,
               self.abs_ts(self.loyalty_joined[li]), updated]
        if self.em.emit("loyalty_members", row, day, p.loyalty_id, p.person_id,
                        first=first, mapped=not self.loyalty_mapped[li]):
            self.loyalty_mapped[li] = 1

    # ------------------------------------------------- implemented by mixins
    def web_session(self, p: Person, li: int, day: int, *, cookie: str | None = None,
                    campaign: Any = None, sec: int | None = None, force_login: bool = False) -> None:
        raise NotImplementedError
