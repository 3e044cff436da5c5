"""The simulated population: who the persons are, what identifiers they own,
when they are active, and which identifiers they share.

Persons are kept as compact arrays (about 30 bytes each, so a million fit
easily and are shared with forked workers); :meth:`Population.person`
derives a full :class:`Person` on demand. Identifiers are derived from the
person's index through bijective scrambles, so they never collide by
accident: every shared identifier in the data is an intended one, listed by
:meth:`Population.shared_groups`.
"""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass
from typing import Any, Callable, Generic, TypeVar
from datetime import date, timedelta

from orchestration.demo import vocab
from orchestration.demo.catalog import Catalog, weighted_table
from orchestration.demo.identifiers import (PHONE_SPACE, canonical_phone, mix64, national_phone,
                                            scramble, stable_fraction, uuid_like)

# Behaviour segments.
SEG_ANON, SEG_LEAD, SEG_ONLINE, SEG_STORE, SEG_OMNI, SEG_APP = range(6)
SEGMENTS = ("anonymous", "lead", "online_buyer", "store_buyer", "omnichannel", "app_user")
SEGMENT_WEIGHTS = (28, 14, 20, 14, 14, 10)
BUYERS = (SEG_ONLINE, SEG_STORE, SEG_OMNI, SEG_APP)

# Person flags (bit mask).
F_CUSTOMER = 1      # has an e-commerce / CRM account (customer_id)
F_LOYALTY = 2       # loyalty member (loyalty_id)
F_ZALO = 4          # follows the Zalo official account (zalo_user_id)
F_APP = 8           # uses the mobile app on an own device
F_CRM = 16          # has a CRM contact
F_EXISTING = 32     # known before the period: CRM/loyalty rows in the first drop
F_EMAIL_OPTIN = 64  # granted marketing e-mail
F_SMS_OPTIN = 128   # granted marketing SMS
F_DUP_CONTACT = 256  # a second CRM contact for the same person
F_CHURNED = 512     # stops early
F_ADS_OPTIN = 1024  # granted ads targeting

_DOMAINS = tuple(d for d, _ in vocab.EMAIL_DOMAINS)
_DOMAIN_PICK = weighted_table([w for _, w in vocab.EMAIL_DOMAINS])
_FAMILY_PICK = weighted_table([w for _, w in vocab.FAMILY_NAMES])
_CITY_PICK = weighted_table([c[3] for c in vocab.CITIES])
_FAMILY = tuple(n for n, _ in vocab.FAMILY_NAMES)
_FAMILY_ASCII = tuple(vocab.fold(n) for n in _FAMILY)
_MIDDLE = (vocab.MIDDLE_NAMES_MALE, vocab.MIDDLE_NAMES_FEMALE)
_MIDDLE_ASCII = tuple(tuple(vocab.fold(n) for n in names) for names in _MIDDLE)
_GIVEN = (vocab.GIVEN_NAMES_MALE, vocab.GIVEN_NAMES_FEMALE)
_GIVEN_ASCII = tuple(tuple(vocab.fold(n) for n in names) for names in _GIVEN)
_GENDER_CODES = ("M", "F", "O")
# Hash inputs of shared devices and cookies carry a high bit that no person's
# own device or cookie input reaches (those stay below 2**58), so never collide.
_KIOSK_TAG = 1 << 60
_SHARED_COOKIE_TAG = 1 << 61


_T = TypeVar("_T")


class cached_property(Generic[_T]):  # noqa: N801 - named after functools.cached_property
    """functools.cached_property without its lock (Python 3.11 takes one on every first read)."""

    def __init__(self, function: Callable[[Any], _T]) -> None:
        self.function, self.name = function, function.__name__
        self.__doc__ = function.__doc__

    def __get__(self, instance: Any, owner: type | None = None) -> _T:
        if instance is None:
            return self  # type: ignore[return-value]
        value = instance.__dict__[self.name] = self.function(instance)
        return value


class Person:
    """Everything the simulation needs to know about one person.

    A view on the population's arrays: cheap attributes are read at once,
    the others (identifiers, address, ...) are derived on first use, so a
    session only pays for what it touches.
    """

    def __init__(self, pop: Population, i: int) -> None:
        self._pop = pop
        self.index = i
        self.segment: int = pop.segment[i]
        self.flags: int = pop.flags[i]
        self.city: int = pop.city[i]
        self.store: int = pop.store[i]
        self.person_id = f"P{i + 1:0{pop._pid_width}d}"

    @cached_property
    def gender(self) -> str:
        return _GENDER_CODES[self._pop.gender[self.index]]

    @cached_property
    def name(self) -> str:
        """Full name with diacritics, family name first."""
        pop, i = self._pop, self.index
        g = pop.gender[i] & 1
        return f"{_FAMILY[pop.family_name[i]]} {_MIDDLE[g][pop.middle_name[i]]} {_GIVEN[g][pop.given_name[i]]}"

    @cached_property
    def name_ascii(self) -> str:
        pop, i = self._pop, self.index
        g = pop.gender[i] & 1
        return (f"{_FAMILY_ASCII[pop.family_name[i]]} {_MIDDLE_ASCII[g][pop.middle_name[i]]} "
                f"{_GIVEN_ASCII[g][pop.given_name[i]]}")

    @cached_property
    def emails(self) -> tuple[str, ...]:
        pop, i = self._pop, self.index
        emails = tuple(pop.email(i, k) for k in range(pop.n_emails[i]))
        group = pop.family[i]
        if group >= 0 and emails:
            kind, head, _ = pop.families[group]
            if kind == "email" and i != head:
                emails = (pop.email(head, 0),) + emails[1:]
        return emails

    @cached_property
    def phones(self) -> tuple[str, ...]:
        """National numbers (9 digits after the leading 0)."""
        pop, i = self._pop, self.index
        phones = tuple(pop.phone(i, k) for k in range(pop.n_phones[i]))
        group = pop.family[i]
        if group >= 0:
            kind, head, _ = pop.families[group]
            if kind == "phone" and i != head:
                phones = (pop.phone(head, 0),) + phones[1:]
        return phones

    @cached_property
    def birth_date(self) -> str:
        age_days = int(6570 + self._fraction(303) ** 1.6 * 16000)  # 18 .. 62 years
        return (self._pop.first_day - timedelta(days=age_days)).isoformat()

    @cached_property
    def customer_id(self) -> str | None:
        pop = self._pop
        return f"C{scramble(self.index, 10**7, pop._off[3]):07d}" if self.flags & F_CUSTOMER else None

    @cached_property
    def loyalty_id(self) -> str | None:
        pop = self._pop
        return f"L{scramble(self.index, 10**8, pop._off[4]):08d}" if self.flags & F_LOYALTY else None

    @cached_property
    def contact_ids(self) -> tuple[str, ...]:
        """CRM contact ids: none, one, or two (the person was entered twice)."""
        pop, i = self._pop, self.index
        if not self.flags & F_CRM:
            return ()
        first = f"CT{scramble(i, 10**8, pop._off[2]):08d}"
        if self.flags & F_DUP_CONTACT:
            return first, f"CT{scramble(i + pop.size, 10**8, pop._off[2]):08d}"
        return (first,)

    @cached_property
    def zalo_user_id(self) -> str | None:
        pop, i = self._pop, self.index
        if not self.flags & F_ZALO:
            return None
        salt = pop.salt
        return f"{1 + mix64(salt ^ i) % 9}{mix64(salt + i) % 10**9:09d}{scramble(i, 10**9, pop._off[5]):09d}"

    @cached_property
    def cookies(self) -> tuple[str, ...]:
        """Web anonymous ids, one per browser / device."""
        pop, i = self._pop, self.index
        return tuple(uuid_like(pop.salt ^ (i * 4 + k + 1) * 0x9E3779B1) for k in range(pop.n_cookies[i]))

    @cached_property
    def platform(self) -> str:
        return "ios" if self._fraction(404) < 0.35 else "android"

    @cached_property
    def device_id(self) -> str | None:
        """The own phone's app device id (app users only)."""
        if not self.flags & F_APP:
            return None
        salt, i = self._pop.salt, self.index
        if self.platform == "ios":
            return uuid_like(salt ^ (i * 8 + 5) * 0x85EBCA6B, upper=True)
        return f"{mix64(salt ^ (i * 8 + 7)):016x}"

    @cached_property
    def kiosk_device(self) -> str | None:
        kiosk = self._pop.kiosk[self.index]
        return self._pop.kiosk_devices[kiosk] if kiosk >= 0 else None

    @cached_property
    def shared_cookie(self) -> str | None:
        shared = self._pop.shared_cookie[self.index]
        return self._pop.shared_cookies[shared] if shared >= 0 else None

    @cached_property
    def address(self) -> str:
        street = vocab.STREETS[int(self._fraction(505) * len(vocab.STREETS))]
        return f"{1 + int(self._fraction(606) * 399)} {street}, Phường {1 + int(self._fraction(707) * 15)}"

    @cached_property
    def occupation(self) -> str:
        return vocab.OCCUPATIONS[int(self._fraction(808) * len(vocab.OCCUPATIONS))]

    def _fraction(self, salt: int) -> float:
        return stable_fraction(self.index, self._pop.salt + salt)


@dataclass(frozen=True)
class SharedGroup:
    """An identifier used by several persons on purpose (truth file rows)."""

    case: str
    identifier_type: str
    raw_value: str
    members: tuple[int, ...]


class Population:
    """Compact per-person arrays plus the shared-identifier groups."""

    def __init__(self, seed: int, persons: int, days: int, first_day: date, catalog: Catalog) -> None:
        if persons < 1 or days < 1:
            raise ValueError("persons and days must be at least 1")
        if 2 * persons > min(PHONE_SPACE, 10**7):
            raise ValueError("at most 5,000,000 persons")
        self.seed, self.size, self.days, self.first_day = seed, persons, days, first_day
        self.salt = mix64(seed * 7919 + 17)
        self._off = [mix64(self.salt + k) for k in range(8)]
        self._email_mod = 10 ** max(3, len(str(2 * persons - 1)))
        self._pid_width = max(6, len(str(persons)))
        n = persons
        self.segment = array("B", bytes(n))
        self.gender = array("B", bytes(n))
        self.family_name = array("B", bytes(n))
        self.middle_name = array("B", bytes(n))
        self.given_name = array("B", bytes(n))
        self.city = array("B", bytes(n))
        self.store = array("B", bytes(n))
        self.n_emails = array("B", bytes(n))
        self.n_phones = array("B", bytes(n))
        self.n_cookies = array("B", bytes(n))
        self.flags = array("H", bytes(2 * n))
        self.start = array("h", bytes(2 * n))
        self.end = array("h", bytes(2 * n))
        self.activity = array("f", bytes(4 * n))
        self.family = array("i", [-1]) * n
        self.kiosk = array("b", [-1]) * n
        self.shared_cookie = array("i", [-1]) * n
        self.erase_day = array("h", [-1]) * n
        self.families: list[tuple[str, int, tuple[int, ...]]] = []
        """(kind 'email' | 'phone', head index, members including the head)."""
        self.kiosk_devices: list[str] = []
        self.kiosk_stores: list[int] = []
        self.kiosk_members: list[tuple[int, ...]] = []
        self.shared_cookies: list[str] = []
        self.shared_cookie_members: list[tuple[int, ...]] = []
        rng = random.Random(f"{seed}:population")
        self._draw_persons(rng, catalog)
        self._draw_groups(rng, catalog)

    # ------------------------------------------------------------- drawing
    def _draw_persons(self, rng: random.Random, catalog: Catalog) -> None:
        r = rng.random
        days = self.days
        segment_pick = weighted_table(SEGMENT_WEIGHTS)
        for i in range(self.size):
            seg = segment_pick[int(r() * 1000)]
            gender = 1 if r() < 0.52 else 0
            self.segment[i] = seg
            self.gender[i] = gender if r() > 0.01 else 2
            self.family_name[i] = _FAMILY_PICK[int(r() * 1000)]
            self.middle_name[i] = int(r() * len(_MIDDLE[gender]))
            self.given_name[i] = int(r() * len(_GIVEN[gender]))
            city = _CITY_PICK[int(r() * 1000)]
            self.city[i] = city
            self.store[i] = self._home_store(city, r(), catalog)
            flags = self._draw_flags(seg, r)
            if seg == SEG_ANON:
                n_emails = 0
            elif seg == SEG_STORE:
                n_emails = 0 if r() < 0.4 else 1
            else:
                x = r()
                n_emails = 1 if x < 0.72 else (2 if x < 0.92 else (0 if seg != SEG_LEAD else 1))
            self.n_emails[i] = n_emails
            self.n_phones[i] = 2 if r() < 0.18 else 1
            x = r()  # browsers / devices with the site's cookie
            n_cookies = 0 if seg == SEG_APP and x < 0.5 else (1 if x < 0.75 else (2 if x < 0.92 else 3))
            if seg == SEG_ANON:
                # Never identified: one browser, or only the app. Two browsers of an anonymous
                # person are two visitors to anyone, the truth file included.
                n_cookies = 0 if flags & F_APP else min(n_cookies, 1)
            self.n_cookies[i] = n_cookies
            # Active window: existing persons from day 0, new ones from a later day.
            if r() < 0.65 or days == 1:
                flags |= F_EXISTING
                start = 0
            else:
                start = int(r() * days)
            end = days - 1
            if seg != SEG_ANON and r() < 0.15 and days - start > 3:
                flags |= F_CHURNED
                end = start + max(1, int((days - start) * (0.15 + 0.45 * r())))
            self.start[i], self.end[i] = start, end
            self.activity[i] = 0.25 + rng.expovariate(1.0) * 0.75
            self.flags[i] = flags

    @staticmethod
    def _draw_flags(seg: int, r) -> int:  # type: ignore[no-untyped-def]
        """Which systems know the person, by segment (r: the RNG's random)."""
        flags = 0
        if seg == SEG_ANON:
            return F_APP if r() < 0.03 else 0
        if seg == SEG_LEAD:
            flags |= F_CRM | (F_CUSTOMER if r() < 0.25 else 0) | (F_APP if r() < 0.05 else 0)
        elif seg == SEG_ONLINE:
            flags |= (F_CUSTOMER if r() < 0.85 else 0) | (F_LOYALTY if r() < 0.1 else 0)
            flags |= (F_APP if r() < 0.15 else 0)
            flags |= F_CRM if (flags & F_CUSTOMER) and r() < 0.9 else 0
        elif seg == SEG_STORE:
            flags |= F_LOYALTY if r() < 0.7 else 0
            flags |= F_CRM if (flags & F_LOYALTY) and r() < 0.5 else 0
        elif seg == SEG_OMNI:
            flags |= F_CUSTOMER | (F_LOYALTY if r() < 0.85 else 0) | (F_CRM if r() < 0.95 else 0)
            flags |= F_APP if r() < 0.35 else 0
        else:  # SEG_APP
            flags |= F_CUSTOMER | F_APP | (F_CRM if r() < 0.8 else 0) | (F_LOYALTY if r() < 0.3 else 0)
        flags |= F_ZALO if r() < (0.4 if seg in (SEG_STORE, SEG_OMNI) else 0.3) else 0
        flags |= F_EMAIL_OPTIN if r() < 0.75 else 0
        flags |= F_SMS_OPTIN if r() < 0.45 else 0
        flags |= F_ADS_OPTIN if r() < 0.55 else 0
        flags |= F_DUP_CONTACT if (flags & F_CRM) and r() < 0.03 else 0
        return flags

    @staticmethod
    def _home_store(city: int, r: float, catalog: Catalog) -> int:
        """A store in the person's city (most of the time), else a big store."""
        local = catalog.stores_by_city.get(city)
        if local and r < 0.9:
            return local[int(r / 0.9 * len(local))]
        return catalog.store_weights[int(r * len(catalog.store_weights))]

    def _draw_groups(self, rng: random.Random, catalog: Catalog) -> None:
        """Families, store kiosks, shared computers and erasure requests."""
        n, days = self.size, self.days
        segment, flags = self.segment, self.flags
        taken = bytearray(n)
        buyers = _Drawer(rng, [i for i in range(n) if segment[i] in BUYERS], taken)
        customers = _Drawer(rng, [i for i in range(n) if segment[i] in (SEG_ONLINE, SEG_OMNI, SEG_APP)], taken)
        # Families of 2-4 sharing one e-mail (account holders) or one phone (any buyer).
        n_families = max(4, round(n * 0.008)) if n >= 50 else 0
        for f in range(n_families):
            kind = "email" if f % 2 == 0 else "phone"
            members = (customers if kind == "email" else buyers).take(rng.randint(2, 4))
            if len(members) < 2:
                break
            head = members[0]
            for i in members:
                self.family[i] = len(self.families)
                self.family_name[i] = self.family_name[head]
                self.city[i] = self.city[head]
                self.store[i] = self.store[head]
                self.start[i], self.end[i] = 0, days - 1
                extra = F_CRM | F_EXISTING | (F_CUSTOMER if segment[i] != SEG_STORE else F_LOYALTY)
                flags[i] = (flags[i] | extra) & ~F_CHURNED
                if kind == "email":
                    self.n_emails[i] = max(1, self.n_emails[i])
            self.families.append((kind, head, tuple(members)))
        # Store kiosks: a tablet in a few stores where many customers log in to the app.
        kiosk_stores = [i for i, s in enumerate(catalog.stores) if s.has_kiosk]
        n_kiosks = min(len(kiosk_stores), max(2, n // 2000)) if n >= 100 else 0
        per_kiosk = max(12, min(5000, n // 1000))
        for k in range(n_kiosks):
            store = kiosk_stores[k]
            self.kiosk_stores.append(store)
            self.kiosk_devices.append(f"{mix64(self.salt ^ (_KIOSK_TAG | k)):016x}")
            members = buyers.take(per_kiosk)
            self.kiosk_members.append(tuple(members))
            for i in members:
                self.kiosk[i] = k
                self.store[i] = store
                flags[i] = (flags[i] | F_CUSTOMER) & ~F_CHURNED
                self.end[i] = days - 1
        # Shared computers (internet cafe, office, family PC): one cookie, several logins.
        n_shared = max(2, min(200, n // 2000)) if n >= 100 else 0
        for c in range(n_shared):
            self.shared_cookies.append(uuid_like(self.salt ^ (_SHARED_COOKIE_TAG | c)))
            members = customers.take(rng.randint(3, 8))
            self.shared_cookie_members.append(tuple(members))
            for i in members:
                self.shared_cookie[i] = c
                flags[i] = (flags[i] | F_CUSTOMER) & ~F_CHURNED
                self.end[i] = days - 1
        # A few erasure requests ("forget me"): activity stops that day.
        if days >= 3 and n >= 100:
            known = _Drawer(rng, [i for i in range(n) if flags[i] & F_CRM], taken)
            for i in known.take(max(2, round(n * 0.0005))):
                if self.start[i] + 1 <= self.end[i]:
                    self.erase_day[i] = rng.randint(self.start[i] + 1, self.end[i])
                    self.end[i] = self.erase_day[i]

    # ------------------------------------------------------------ identifiers
    def email(self, i: int, k: int) -> str:
        """The k-th (0 or 1) own e-mail address of person i, unique to them."""
        g, f = self.gender[i] & 1, self.family_name[i]
        given = _GIVEN_ASCII[g][self.given_name[i]].lower()
        family = _FAMILY_ASCII[f].lower()
        middle = _MIDDLE_ASCII[g][self.middle_name[i]].lower()
        style = int(stable_fraction(i, self.salt + 101 + k) * 8)
        local = (f"{given}.{family}", f"{given}{family}", f"{family}{given}", f"{family}.{given}",
                 f"{given}{middle[0]}{family}", f"{family}{middle}{given}", f"{given}_{family}",
                 f"{middle}{given}")[style]
        number = scramble(i + k * self.size, self._email_mod, self._off[0])
        domain = _DOMAINS[_DOMAIN_PICK[int(stable_fraction(i, self.salt + 202 + k) * 1000)]]
        return f"{local}{number}@{domain}"

    def phone(self, i: int, k: int) -> str:
        """The k-th own mobile number of person i (9 national digits)."""
        return national_phone(i + k * self.size, self._off[1])

    def family_identifier(self, group: int) -> tuple[str, str]:
        """(identifier type, canonical value) shared by a family."""
        kind, head, _ = self.families[group]
        return (kind, self.email(head, 0)) if kind == "email" else (kind, canonical_phone(self.phone(head, 0)))

    def person(self, i: int) -> Person:
        """The view of person i."""
        return Person(self, i)

    # ------------------------------------------------------------------ truth
    def shared_groups(self) -> list[SharedGroup]:
        """Families, kiosks and shared cookies as designed (members who may share)."""
        groups = []
        for index, (kind, _, members) in enumerate(self.families):
            identifier_type, value = self.family_identifier(index)
            groups.append(SharedGroup(f"family_{kind}", identifier_type, value, members))
        for device, members in zip(self.kiosk_devices, self.kiosk_members):
            groups.append(SharedGroup("kiosk_device", "device_id", device, members))
        for cookie, members in zip(self.shared_cookies, self.shared_cookie_members):
            groups.append(SharedGroup("shared_cookie", "anonymous_id", cookie, members))
        return groups


class _Drawer:
    """Draws distinct, not yet taken persons from a shuffled candidate list."""

    def __init__(self, rng: random.Random, candidates: list[int], taken: bytearray) -> None:
        rng.shuffle(candidates)
        self._candidates, self._next, self._taken = candidates, 0, taken

    def take(self, count: int) -> list[int]:
        chosen: list[int] = []
        while len(chosen) < count and self._next < len(self._candidates):
            i = self._candidates[self._next]
            self._next += 1
            if not self._taken[i]:
                self._taken[i] = 1
                chosen.append(i)
        return chosen
