"""Online activity: web sessions, app sessions (own phone or a store kiosk)
and the e-commerce orders they lead to, with their status re-sends."""

from __future__ import annotations

from typing import Any

from orchestration.demo import vocab
from orchestration.demo.catalog import Campaign, Product
from orchestration.demo.identifiers import stable_fraction
from orchestration.demo.population import SEG_LEAD, SEG_ONLINE, Person
from orchestration.demo.shard_base import ShardBase

# Chance that a session ends in an order, by segment (anon, lead, online, store, omni, app).
BUY_WEB = (0.0, 0.0, 0.42, 0.0, 0.3, 0.12)
BUY_APP = (0.0, 0.0, 0.2, 0.0, 0.2, 0.26)

PAID_REFERRERS = {"google": "https://www.google.com/", "facebook": "https://m.facebook.com/",
                  "tiktok": "https://www.tiktok.com/", "zalo": "https://zalo.me/",
                  "coccoc": "https://coccoc.com/search"}
ORGANIC_REFERRERS = ("https://www.google.com/", "https://www.google.com.vn/", "https://coccoc.com/search",
                     "https://www.facebook.com/", "https://l.facebook.com/", "https://www.bing.com/")
WEB_OPTIONAL = ("user_id", "email", "phone", "referrer", "utm_source", "utm_medium", "utm_campaign",
                "search_query", "product_id")
APP_OPTIONAL = ("user_id", "screen_name", "product_id", "session_duration_s")
APP_VERSIONS = {"ios": ("5.2.0", "5.3.1", "5.4.0", "5.5.2"), "android": ("5.2.1", "5.3.0", "5.4.2", "5.5.0")}
FORMS = ("newsletter", "contact", "voucher_popup", "back_in_stock")
VOUCHERS = (20_000, 30_000, 50_000, 100_000)

HOME = vocab.SITE + "/"
CATEGORY_URLS = tuple(f"{vocab.SITE}/danh-muc/{vocab.slug(family[0])}" for family in vocab.PRODUCT_FAMILIES)


class OnlineActivities(ShardBase):
    """Web and app sessions, orders."""

    # ------------------------------------------------------------------ web
    def web_session(self, p: Person, li: int, day: int, *, cookie: str | None = None,
                    campaign: Campaign | None = None, sec: int | None = None, force_login: bool = False) -> None:
        r = self.r
        k = -1  # which of the person's own cookies (-1: a shared computer's)
        if cookie is None:
            if not p.cookies:
                return
            k = int(r() * len(p.cookies))
            cookie = p.cookies[k]
            x = stable_fraction(p.index * 4 + k, self._salt + 71)
            device = "mobile" if x < 0.62 else ("desktop" if x < 0.93 else "tablet")
        else:
            device = "desktop"
        if sec is None:
            sec = self.session_start()
        sec = min(sec, 86400 - 3600)
        session = self.next_id("ws_")
        customer = p.customer_id
        user = customer if customer and self.known[li] and not force_login and r() < 0.4 else None
        # Where the visit comes from.
        referrer: str | None = None
        utm: tuple[str, str, str] | None = None
        if campaign is None and r() < 0.35:
            active = self.catalog.active_paid[day]
            if active:
                campaign = self.catalog.paid_campaigns[active[int(r() * len(active))]]
        if campaign is not None:
            url = self.catalog.campaign_url(campaign)
            utm = (campaign.utm_source, campaign.utm_medium, campaign.campaign_id)
            referrer = PAID_REFERRERS.get(campaign.utm_source)
        else:
            x = r()
            url = HOME if x < 0.5 else (self.pick_product().url if x < 0.8 else
                                        CATEGORY_URLS[int(r() * len(CATEGORY_URLS))])
            x = r()
            if x < 0.45:
                referrer = ORGANIC_REFERRERS[int(r() * len(ORGANIC_REFERRERS))]
        ctx = (p, cookie, session, device, day)
        self._web(ctx, "page_view", sec, user, url, referrer=referrer, utm=utm,
                  props={"title": "Mây Retail" if url == HOME else "Khuyến mãi" if utm else "Danh mục"})
        # Identification: shared-computer logins, leads' forms, new accounts, returning logins.
        sec += 5 + int(r() * 60)
        if force_login and customer:
            user = self._login(ctx, sec, customer)
            self.cookie_users.setdefault(cookie, set()).add(p.index)
            self.ensure_known(p, li, day, sec, "web")
        elif p.segment == SEG_LEAD and (not self.known[li] or r() < 0.12):
            self._form(ctx, sec, FORMS[int(r() * len(FORMS))], user)
            self.ensure_known(p, li, day, sec, "web_form")
        elif customer and not self.known[li]:
            self._form(ctx, sec, "register", None)
            sec += 20 + int(r() * 60)
            user = self._login(ctx, sec, customer)
            self.ensure_known(p, li, day, sec, "web_form")
        elif customer and user is None and r() < 0.25:
            user = self._login(ctx, sec, customer)
        elif k >= 0 and user is None and self.known[li] and not self.cookie_identified[li] >> k & 1:
            # A known person on a browser where they never identified: the first visit after
            # they are known signs in (customers) or leaves a form (leads), so every browser of
            # a known person carries one identifying event.
            if customer:
                user = self._login(ctx, sec, customer)
            else:
                self._form(ctx, sec, FORMS[int(r() * len(FORMS))], None)
        if k >= 0 and self.known[li]:
            self.cookie_identified[li] |= 1 << k
        # Browsing.
        viewed: list[Product] = []
        for _ in range(1 + int(r() * r() * 9)):
            sec += 8 + int(r() * r() * 240)
            x = r()
            if x < 0.18:
                product = self.pick_product()
                query = product.search_term
                if r() < 0.3:
                    query += " " + vocab.SEARCH_EXTRAS[int(r() * len(vocab.SEARCH_EXTRAS))]
                self._web(ctx, "search", sec, user, f"{vocab.SITE}/tim-kiem", query=query,
                          props={"results": int(r() * 120)})
            elif x < 0.7 or not viewed:
                product = self.pick_product()
                viewed.append(product)
                self._web(ctx, "product_view", sec, user, product.url, product=product.product_id,
                          props={"price": product.list_price, "category": product.category})
            elif x < 0.9:
                self._web(ctx, "page_view", sec, user, CATEGORY_URLS[int(r() * len(CATEGORY_URLS))],
                          props={"title": "Danh mục"})
            else:
                product = viewed[-1]
                self._web(ctx, "add_to_cart", sec, user, product.url, product=product.product_id,
                          props={"price": product.list_price, "quantity": 1})
        # Buying.
        if r() < BUY_WEB[p.segment] and (customer or p.segment == SEG_ONLINE):
            sec += 20 + int(r() * 120)
            items = self.pick_items(viewed, 4)
            product = items[0][0]
            self._web(ctx, "add_to_cart", sec, user, product.url, product=product.product_id,
                      props={"price": product.list_price, "quantity": items[0][1]})
            sec += 15 + int(r() * 90)
            self._web(ctx, "begin_checkout", sec, user, f"{vocab.SITE}/thanh-toan",
                      props={"items": len(items), "cart_value": sum(pr.list_price * q for pr, q in items)})
            if customer and user is None and r() < 0.9:
                sec += 10 + int(r() * 40)
                user = self._login(ctx, sec, customer)
            sec += 30 + int(r() * 200)
            self.ensure_known(p, li, day, sec, "web")
            self.place_order(p, li, day, sec, "web", items, cookie=cookie, device=None, logged=user is not None)

    def _web(self, ctx: tuple[Person, str, str, str, int], event_type: str, sec: int, user: str | None,
             url: str, *, referrer: str | None = None, utm: tuple[str, str, str] | None = None,
             email: str | None = None, phone: str | None = None, query: str | None = None,
             product: str | None = None, props: dict[str, Any] | None = None) -> None:
        p, cookie, session, device, day = ctx
        event_id = self.next_id("we_")
        row = {"event_id": event_id, "event_type": event_type, "anonymous_id": cookie, "user_id": user,
               "email": email, "phone": phone, "session_id": session, "page_url": url, "referrer": referrer,
               "utm_source": utm[0] if utm else None, "utm_medium": utm[1] if utm else None,
               "utm_campaign": utm[2] if utm else None, "search_query": query, "product_id": product,
               "device_type": device, "event_at": self.at(day, sec), "properties": props or {}}
        self.odd_missing(row, WEB_OPTIONAL)
        self.em.emit("web_events", row, day, event_id, p.person_id)

    def _login(self, ctx: tuple[Person, str, str, str, int], sec: int, customer: str) -> str:
        p = ctx[0]
        r = self.r
        if p.emails and r() < 0.7:
            email, phone, method = self.email_typed(p.emails[0], 0.7), None, "email"
        else:
            email, phone, method = None, self.phone_typed(p.phones[0], 0.6), "phone"
        self._web(ctx, "login", sec, customer, f"{vocab.SITE}/dang-nhap", email=email, phone=phone,
                  props={"method": method})
        return customer

    def _form(self, ctx: tuple[Person, str, str, str, int], sec: int, form: str, user: str | None) -> None:
        p = ctx[0]
        r = self.r
        if p.emails:
            email = self.junk(p, "email") if r() < 0.02 else self.email_typed(
                p.emails[int(r() * len(p.emails))], 0.7)
        else:
            email = None
        phone = None
        if r() < 0.65:
            phone = self.junk(p, "phone") if r() < 0.03 else self.phone_typed(p.phones[0], 0.55)
        self._web(ctx, "form_submit", sec, user, f"{vocab.SITE}/dang-ky", email=email, phone=phone,
                  props={"form": form})

    # ------------------------------------------------------------------ app
    def app_session(self, p: Person, li: int, day: int, kiosk: bool = False) -> None:
        r = self.r
        device = p.kiosk_device if kiosk else p.device_id
        if device is None:
            return
        platform = "android" if kiosk else p.platform
        versions = APP_VERSIONS[platform]
        version = versions[max(0, min(len(versions) - 1, int(day / self.days * len(versions) + r() * 1.5 - 0.5)))]
        session = self.next_id("as_")
        start = sec = min(self.store_time() if kiosk else self.session_start(), 86400 - 3600)
        customer = p.customer_id
        ctx = (p, device, platform, version, session, day)
        user = None
        if kiosk:
            self._app(ctx, "app_open", sec, None, "home")
            sec += 10 + int(r() * 40)
            self._app(ctx, "screen_view", sec, None, "login")
            user = customer
            self.kiosk_users.setdefault(device, set()).add(p.index)
            self.ensure_known(p, li, day, sec, "store_kiosk")
        else:
            if not self.app_installed[li]:
                self.app_installed[li] = 1
                self._app(ctx, "app_install", sec, None, None, props={"store": "app_store" if platform == "ios"
                                                                       else "google_play"})
                sec += 5 + int(r() * 30)
            if customer and self.known[li] and r() < 0.12 and self.catalog.email_campaigns:
                campaign = self._recent_campaign(day)
                user = customer
                self._app(ctx, "push_open", sec, user, "promotions", props={"campaign_id": campaign.campaign_id})
            else:
                self._app(ctx, "app_open", sec, None, "home")
            if customer and (self.known[li] or r() < 0.7):
                if not self.known[li]:
                    self.ensure_known(p, li, day, sec, "app")
                user = customer if user or r() < 0.85 else None
            if customer and self.known[li] and user is None and not self.app_identified[li]:
                user = customer  # a known customer signs in on their own device at least once
            if user:
                self.app_identified[li] = 1
        viewed: list[Product] = []
        for _ in range(1 + int(r() * r() * 10)):
            sec += 5 + int(r() * r() * 150)
            x = r()
            if x < 0.35:
                self._app(ctx, "screen_view", sec, user, vocab.APP_SCREENS[int(r() * len(vocab.APP_SCREENS))])
            elif x < 0.85 or not viewed:
                product = self.pick_product()
                viewed.append(product)
                self._app(ctx, "product_view", sec, user, "product_detail", product.product_id,
                          props={"price": product.list_price})
            else:
                self._app(ctx, "add_to_cart", sec, user, "product_detail", viewed[-1].product_id,
                          props={"quantity": 1})
        if user and r() < (0.15 if kiosk else BUY_APP[p.segment]):
            items = self.pick_items(viewed, 4)
            sec += 10 + int(r() * 60)
            self._app(ctx, "add_to_cart", sec, user, "product_detail", items[0][0].product_id,
                      props={"quantity": items[0][1]})
            sec += 30 + int(r() * 180)
            order_id, total = self.place_order(p, li, day, sec, "app", items, cookie=None, device=device,
                                               logged=True)
            self._app(ctx, "purchase", sec + 2, user, "order_success",
                      props={"order_id": order_id, "value": total, "currency": "VND"})
        sec += 5 + int(r() * 60)
        self._app(ctx, "app_close", sec, user, None, duration=sec - start + int(r() * 10))

    def _app(self, ctx: tuple[Person, str, str, str, str, int], event_type: str, sec: int, user: str | None,
             screen: str | None, product: str | None = None, *, props: dict[str, Any] | None = None,
             duration: int | None = None) -> None:
        p, device, platform, version, session, day = ctx
        event_id = self.next_id("ae_")
        row = {"event_id": event_id, "event_type": event_type, "device_id": device, "user_id": user,
               "platform": platform, "app_version": version, "screen_name": screen, "product_id": product,
               "session_id": session, "session_duration_s": duration, "event_at": self.at(day, sec),
               "properties": props or {}}
        self.odd_missing(row, APP_OPTIONAL)
        self.em.emit("app_events", row, day, event_id, p.person_id)

    def _recent_campaign(self, day: int) -> Campaign:
        """The latest e-mail campaign sent on or before `day` (push notifications reuse it)."""
        campaigns = self.catalog.email_campaigns
        best = campaigns[0]
        for campaign in campaigns:
            if campaign.start_day > day:
                break
            best = campaign
        return best

    # ---------------------------------------------------------------- orders
    def place_order(self, p: Person, li: int, day: int, sec: int, channel: str,
                    items: list[tuple[Product, int]], *, cookie: str | None, device: str | None,
                    logged: bool) -> tuple[str, int]:
        """An order, its lines, and its status re-sends (on the days they happen)."""
        r, miss = self.r, self.miss
        order_id = self.next_id("OD")
        prices = [(product, quantity, product.list_price if r() < 0.85 else
                   round(product.list_price * 0.9 / 1000) * 1000) for product, quantity in items]
        subtotal = sum(price * quantity for _, quantity, price in prices)
        x = r()
        discount = 0 if x < 0.55 else (min(round(subtotal * 0.1 / 1000) * 1000, 100_000) if x < 0.8
                                       else min(VOUCHERS[int(r() * len(VOUCHERS))], subtotal // 2))
        total = subtotal - discount
        if p.emails:
            email = self.email_typed(p.emails[1] if len(p.emails) > 1 and r() < 0.15 else p.emails[0], 0.8)
            if r() < 0.004:
                email = self.junk(p, "email")
        else:
            email = self.junk(p, "email") if r() < 0.15 else miss()
        sec = min(sec, 86399)
        ordered_at = self.at(day, sec)
        base: list[Any] = [
            order_id, p.customer_id if logged and p.customer_id else miss(), email,
            self.phone_typed(p.phones[0] if r() < 0.9 else p.phones[-1], 0.7), cookie or miss(), device or miss(),
            channel, "placed", total, discount if discount or r() < 0.7 else miss(), "VND",
            self.city_name(p, r()), ordered_at, ordered_at]
        mapped = self.em.emit("ecommerce_orders", list(base), day, order_id, p.person_id)
        for line, (product, quantity, price) in enumerate(prices, start=1):
            self.em.emit("ecommerce_order_items", [order_id, line, product.product_id, quantity, price], day,
                         f"{order_id}:{line}")
        for status, at in self._order_timeline(sec):
            status_day = day + at // 86400
            if status_day >= self.days:
                break
            row = list(base)
            row[7], row[13] = status, self.ts(day, at)
            if self.em.emit("ecommerce_orders", row, status_day, order_id, p.person_id, first=False,
                            mapped=not mapped):
                mapped = True
        return order_id, total

    def _order_timeline(self, sec: int) -> list[tuple[str, int]]:
        """Later statuses of an order and when (seconds from the order day's start)."""
        r = self.r
        if r() < 0.06:
            return [("cancelled", sec + 3600 + int(r() * 70_000))]
        steps = []
        if r() < 0.4:  # paid online; the others pay cash on delivery
            steps.append(("paid", sec + 60 + int(r() * 900)))
        shipped = sec + 43_200 + int(r() * 129_600)
        delivered = shipped + 86_400 + int(r() * 259_200)
        steps += [("shipped", shipped), ("delivered", delivered)]
        if r() < 0.04:
            steps.append(("returned", delivered + 172_800 + int(r() * 432_000)))
        return steps
