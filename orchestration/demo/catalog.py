"""Reference data of the simulated retailer: products, stores, campaigns and
the daily marketing spend. Small, built once per run from the seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from orchestration.demo import vocab


def weighted_table(weights: list[float] | tuple[float, ...], size: int = 1000) -> tuple[int, ...]:
    """Indices repeated in proportion to weights: ``table[int(r * len(table))]``
    is a weighted pick with a single random number."""
    total = float(sum(weights))
    table: list[int] = []
    cumulative = 0.0
    for index, weight in enumerate(weights):
        cumulative += weight
        table.extend([index] * (round(cumulative / total * size) - len(table)))
    return tuple(table)


@dataclass(frozen=True)
class Product:
    product_id: str
    name: str
    category: str
    brand: str
    list_price: int
    url: str
    search_term: str
    """What a shopper types to find it (item name, with or without diacritics)."""


@dataclass(frozen=True)
class Store:
    store_id: str
    name: str
    city_index: int
    city: str
    province: str
    region: str
    opened_at: str
    has_kiosk: bool


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    channel: str
    utm_source: str
    utm_medium: str
    start_day: int
    """First day index (may be before the period)."""
    end_day: int
    daily_budget: int
    landing_slug: str


PAID_CHANNELS: tuple[tuple[str, str, str, str], ...] = (
    # (spend channel, id prefix, utm_source, utm_medium)
    ("google_ads", "gg", "google", "cpc"),
    ("facebook_ads", "fb", "facebook", "paid_social"),
    ("tiktok_ads", "tt", "tiktok", "paid_social"),
    ("zalo_ads", "zl", "zalo", "paid_social"),
    ("coccoc_ads", "cc", "coccoc", "cpc"),
)
THEMES = ("sale_giua_thang", "back_to_school", "trung_thu", "sale_11_11", "black_friday", "flash_sale",
          "freeship", "hang_moi_ve", "member_day", "quoc_khanh", "sale_10_10", "sale_9_9",
          "summer_sale", "tet_preorder", "phu_nu_20_10", "sinh_nhat_may", "sale_cuoi_tuan")


class Catalog:
    """Products, stores and campaigns of one run, plus the daily spend rows."""

    def __init__(self, seed: int, persons: int, days: int, first_day: date) -> None:
        rng = random.Random(f"{seed}:catalog")
        self.first_day = first_day
        self.days = days
        self.products = self._products(rng)
        popularity = [1.0 / (rank + 4) ** 0.9 for rank in range(len(self.products))]
        rng.shuffle(popularity)
        self.product_pick = weighted_table(popularity, 4000)
        self.stores = self._stores(rng)
        self.stores_by_city: dict[int, list[int]] = {}
        for index, store in enumerate(self.stores):
            self.stores_by_city.setdefault(store.city_index, []).append(index)
        self.store_weights = weighted_table([3.0 if s.has_kiosk else 1.0 for s in self.stores])
        scale = max(0.05, persons / 2000)
        self.paid_campaigns = self._paid_campaigns(rng, scale)
        self.email_campaigns, self.email_send_days = self._email_campaigns(rng, scale)
        self.email_by_day = {c.start_day: c for c in self.email_campaigns}
        self.active_paid: list[tuple[int, ...]] = [
            tuple(i for i, c in enumerate(self.paid_campaigns) if c.start_day <= day <= c.end_day)
            for day in range(days)]
        self._seed = seed

    # ---------------------------------------------------------------- products
    @staticmethod
    def _products(rng: random.Random, count: int = 200) -> list[Product]:
        products: list[Product] = []
        seen: set[str] = set()
        while len(products) < count:
            families = vocab.PRODUCT_FAMILIES
            category, items, brands, (low, high) = families[len(products) % len(families)]
            item, brand = rng.choice(items), rng.choice(brands)
            name = f"{item} {brand} {rng.choice(vocab.PRODUCT_VARIANTS)}"
            if name in seen:
                continue
            seen.add(name)
            price = max(10, round(rng.randint(low, high) / 10) * 10) * 1000 - 1000
            product_id = f"SKU{len(products) + 1:05d}"
            url = f"{vocab.SITE}/san-pham/{vocab.slug(name)}-{product_id.lower()}"
            term = item.lower() if rng.random() < 0.6 else vocab.fold(item).lower()
            products.append(Product(product_id, name, category, brand, price, url, term))
        return products

    # ------------------------------------------------------------------ stores
    def _stores(self, rng: random.Random) -> list[Store]:
        city_index = {city: i for i, (city, _, _, _) in enumerate(vocab.CITIES)}
        stores = []
        latest = self.first_day - timedelta(days=30)
        span = (latest - date(2014, 1, 1)).days
        for number, (city, suffix, kiosk) in enumerate(vocab.STORE_SITES, start=1):
            index = city_index[city]
            _, province, region, _ = vocab.CITIES[index]
            opened = date(2014, 1, 1) + timedelta(days=rng.randrange(max(1, span)))
            stores.append(Store(f"ST{number:03d}", f"{vocab.RETAILER_NAME} {suffix}", index, city,
                                province, region, opened.isoformat(), kiosk))
        return stores

    # --------------------------------------------------------------- campaigns
    def _paid_campaigns(self, rng: random.Random, scale: float) -> list[Campaign]:
        campaigns: list[Campaign] = []
        for channel, prefix, source, medium in PAID_CHANNELS:
            day = -rng.randint(0, 20)
            while day < self.days:
                length = rng.randint(14, 45)
                theme = rng.choice(THEMES)
                start = self.first_day + timedelta(days=day)
                budget = int(rng.randint(500, 4_000) * scale) * 1000
                campaigns.append(Campaign(f"{prefix}_{start:%Y%m%d}_{theme}", channel, source, medium,
                                          day, day + length - 1, max(budget, 100_000), theme.replace("_", "-")))
                day += rng.randint(7, 25)
        return campaigns

    def _email_campaigns(self, rng: random.Random, scale: float) -> tuple[list[Campaign], list[int]]:
        campaigns: list[Campaign] = []
        day = rng.randint(0, 3)
        while day < self.days:
            theme = rng.choice(THEMES)
            sent = self.first_day + timedelta(days=day)
            budget = max(50_000, int(rng.randint(100, 600) * scale) * 1000)
            campaigns.append(Campaign(f"em_{sent:%Y%m%d}_{theme}", "email", "newsletter", "email",
                                      day, day, budget, theme.replace("_", "-")))
            day += rng.randint(3, 5)
        return campaigns, [c.start_day for c in campaigns]

    # ------------------------------------------------------------------- rows
    def product_rows(self) -> list[list[str]]:
        return [[p.product_id, p.name, p.category, p.brand, str(p.list_price)] for p in self.products]

    def store_rows(self) -> list[list[str]]:
        return [[s.store_id, s.name, s.city, s.province, s.region, s.opened_at] for s in self.stores]

    def spend_rows(self, day: int) -> list[list[str]]:
        """marketing_spend of one day: every active paid campaign, and the
        e-mail campaign sent that day (the e-mail service's cost)."""
        rng = random.Random(f"{self._seed}:spend:{day}")
        spend_date = (self.first_day + timedelta(days=day)).isoformat()
        rows = []
        for index in self.active_paid[day]:
            campaign = self.paid_campaigns[index]
            amount = round(campaign.daily_budget * rng.uniform(0.7, 1.2) / 1000) * 1000
            rows.append([spend_date, campaign.channel, campaign.campaign_id, str(amount), "VND"])
        for campaign in self.email_campaigns:
            if campaign.start_day == day:
                rows.append([spend_date, "email", campaign.campaign_id, str(campaign.daily_budget), "VND"])
        return rows

    def campaign_url(self, campaign: Campaign) -> str:
        """Landing page of a campaign, with its UTM parameters."""
        return (f"{vocab.SITE}/khuyen-mai/{campaign.landing_slug}?utm_source={campaign.utm_source}"
                f"&utm_medium={campaign.utm_medium}&utm_campaign={campaign.campaign_id}")
