"""Identifiers and how people type them.

* Deterministic, collision-free id numbers (:func:`scramble`) and hashes
  (:func:`mix64`) derived from a person's index: no per-person storage needed.
* Vietnamese mobile numbers: valid 10-digit numbers of today's prefixes, and
  their spellings (``+84 912 345 678``, ``0912.345.678``, old 11-digit
  prefixes from before the 2018 conversion, ...).
* E-mail spellings (case, spaces, Gmail dots and ``+tags``), junk values typed
  into forms and cashier screens, and the missing-value markers.
"""

from __future__ import annotations

M64 = (1 << 64) - 1

# Today's mobile prefixes (digits after the leading 0). 099 is left out on
# purpose: 0999999999 is one of the placeholder numbers cashiers type.
MOBILE_PREFIXES = ("32", "33", "34", "35", "36", "37", "38", "39", "56", "58", "59", "70", "76",
                   "77", "78", "79", "81", "82", "83", "84", "85", "86", "88", "89", "90", "91",
                   "92", "93", "94", "96", "97", "98")

# The 2018 conversion of 11-digit mobile numbers: old prefix -> new prefix.
OLD_TO_NEW_PREFIX: dict[str, str] = {
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036", "0167": "037",
    "0168": "038", "0169": "039",
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    "0186": "056", "0188": "058", "0199": "059",
}
# national 2-digit prefix -> old 3-digit prefix (without the leading 0)
_NEW_TO_OLD = {new[1:]: old[1:] for old, new in OLD_TO_NEW_PREFIX.items()}

JUNK_EMAILS = ("test@test.com", "noemail@gmail.com", "a@a.a", "khongco@gmail.com", "unknown")
JUNK_PHONES = ("0000000000", "0123456789", "0999999999", "1111111111", "unknown")
GMAIL_TAG_POOL = ("shop", "sale", "mua", "news", "2026", "promo", "order", "deal")


def mix64(x: int) -> int:
    """SplitMix64 finaliser: a well-spread 64-bit hash of an integer."""
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def stable_fraction(value: int, salt: int) -> float:
    """A fraction in [0, 1) fixed for (value, salt): stable choices without an RNG."""
    return mix64(value * 0x100000001B3 + salt) / 18446744073709551616.0


def scramble(j: int, modulus: int, offset: int) -> int:
    """Bijective, random-looking map of 0..modulus-1 onto itself.

    ``modulus`` is a product of powers of 2 and 5, so an odd multiplier not
    divisible by 5 makes the affine map a permutation: distinct ``j`` give
    distinct results, i.e. ids derived from it never collide.
    """
    return (j * 2_654_435_761 + offset) % modulus  # the multiplier is prime


PHONE_SPACE = len(MOBILE_PREFIXES) * 10**7
"""How many distinct numbers :func:`national_phone` can produce."""


def national_phone(j: int, offset: int) -> str:
    """The 9 digits after the leading 0 of the j-th distinct valid mobile number."""
    index = scramble(j, PHONE_SPACE, offset)
    return MOBILE_PREFIXES[index // 10**7] + f"{index % 10**7:07d}"


def old_phone(national: str) -> str | None:
    """The 11-digit pre-2018 spelling of a number, if its prefix was converted."""
    old = _NEW_TO_OLD.get(national[:2])
    return None if old is None else "0" + old + national[2:]


def render_phone(national: str, r: float, clean_share: float = 0.7) -> str:
    """One spelling of a mobile number; r in [0, 1) picks it (below clean_share: 0912345678)."""
    if r < clean_share:
        return "0" + national
    r = (r - clean_share) / (1.0 - clean_share)
    n = national
    if r < 0.20:
        return f"+84 {n[:3]} {n[3:6]} {n[6:]}"
    if r < 0.37:
        return "84" + n
    if r < 0.54:
        return f"0{n[:3]}.{n[3:6]}.{n[6:]}"
    if r < 0.67:
        return f"(+84) {n[:3]}-{n[3:6]}-{n[6:]}"
    if r < 0.87:
        return old_phone(n) or "0" + n
    if r < 0.94:
        return "+84" + n
    return f"0{n[:3]} {n[3:6]} {n[6:]}"


def canonical_phone(national: str) -> str:
    """The plain 10-digit spelling, used in the truth files."""
    return "0" + national


def render_email(email: str, r: float, r2: float, clean_share: float = 0.8) -> str:
    """One spelling of an e-mail address; below clean_share it is written as is.

    Variants: mixed case, upper case, surrounding spaces, Gmail dots moved
    (Gmail ignores them), a Gmail ``+tag``, an upper-case domain.
    """
    if r < clean_share:
        return email
    r = (r - clean_share) / (1.0 - clean_share)
    local, _, domain = email.partition("@")
    gmail = domain == "gmail.com"
    if r < 0.22:
        return ".".join(part.capitalize() for part in local.split(".")) + "@" + domain.capitalize()
    if r < 0.30:
        return email.upper()
    if r < 0.48:
        return (" " + email + " ") if r2 < 0.4 else (email + " " if r2 < 0.7 else " " + email)
    if r < 0.68 and gmail:
        if "." in local and r2 < 0.6:
            return local.replace(".", "") + "@" + domain
        cut = 1 + int(r2 * (len(local) - 1))
        return local[:cut] + "." + local[cut:] + "@" + domain
    if r < 0.90 and gmail:
        tag = GMAIL_TAG_POOL[int(r2 * len(GMAIL_TAG_POOL))]
        return f"{local}+{tag}@{domain}"
    return local + "@" + domain.upper()


def uuid_like(seed: int, upper: bool = False) -> str:
    """A version-4-looking UUID from a 64-bit seed (cookies, iOS device ids)."""
    a, b = mix64(seed), mix64(seed ^ 0x5DEECE66D)
    h = f"{a:016x}{b:016x}"
    text = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"
    return text.upper() if upper else text


# Missing-value markers as written in CSV (mostly empty) and JSON (mostly null).
# 100-entry tables so a single random number picks one.
_CSV_MISSING_WEIGHTS = (("", 78), ("null", 5), ("NULL", 5), ("N/A", 4), ("none", 4), ("-", 4))
CSV_MISSING: tuple[str, ...] = tuple(m for m, w in _CSV_MISSING_WEIGHTS for _ in range(w))
JSON_ODD_MISSING: tuple[str, ...] = ("", "null", "N/A", "none", "-", "NULL")
