"""Engagement and records: e-mail campaigns, Zalo official account, CRM
changes, the first drop's snapshot of known customers, erasure requests."""

from __future__ import annotations

from orchestration.demo import vocab
from orchestration.demo.population import F_CRM, F_EMAIL_OPTIN, F_LOYALTY, F_SMS_OPTIN, Person
from orchestration.demo.shard_base import ShardBase

ZALO_OPTIONAL = ("phone",)
_FOLLOW_SOURCES = ("qr_code_store", "ads", "oa_search", "mini_app", "article")
_REPLIES = ("Dạ shop chào bạn ạ", "Shop đã nhận thông tin, bạn chờ chút nhé", "Cảm ơn bạn đã liên hệ Mây Retail")


class EngagementActivities(ShardBase):
    """E-mail, Zalo, CRM updates, snapshot and erasure."""

    # ---------------------------------------------------------------- e-mail
    def email_receipt(self, p: Person, li: int, day: int) -> None:
        """One campaign e-mail reaching the person: sent, delivered, opened, clicked..."""
        if self.unsubscribed[li] or not p.emails:
            return
        campaign = self.catalog.email_by_day.get(day)
        if campaign is None:
            return
        r = self.r
        address = self.email_stable(p, p.emails[0], 61, 0.93)
        sec = 9 * 3600 + int(r() * 5400)
        self._email(p, campaign.campaign_id, address, "sent", None, day, sec)
        if r() < 0.02:
            self._email(p, campaign.campaign_id, address, "bounce", None, day, sec + 2 + int(r() * 60))
            return
        self._email(p, campaign.campaign_id, address, "delivered", None, day, sec + 5 + int(r() * 120))
        if r() < 0.33:
            sec += 600 + int(r() * r() * 40_000)
            self._email(p, campaign.campaign_id, address, "open", None, day, sec)
            if r() < 0.25:
                sec += 10 + int(r() * 600)
                link = self.catalog.campaign_url(campaign)
                self._email(p, campaign.campaign_id, address, "click", link, day, sec)
                if r() < 0.5:
                    self.web_session(p, li, day, campaign=campaign, sec=sec + 3)
            if r() < 0.015:
                sec += 30
                self._email(p, campaign.campaign_id, address, "unsubscribe", None, day, sec)
                self.unsubscribed[li] = 1
                self.emit_consent("email", self.email_typed(p.emails[0], 0.9), "marketing_email", "withdrawn",
                                  "email_unsubscribe", day, sec + 1)
        elif r() < 0.002:
            self._email(p, campaign.campaign_id, address, "spam_report", None, day, sec + 3600)

    def _email(self, p: Person, campaign_id: str, address: str, event_type: str, link: str | None,
               day: int, sec: int) -> None:
        event_id = self.next_id("ee_")
        row = [event_id, campaign_id, address, event_type, link or self.miss(), self.at(day, sec)]
        self.em.emit("email_events", row, day, event_id, p.person_id)

    # ------------------------------------------------------------------ Zalo
    def zalo_session(self, p: Person, li: int, day: int) -> None:
        zalo_id = p.zalo_user_id
        if zalo_id is None:
            return
        r = self.r
        sec = min(self.session_start(), 86400 - 1800)
        if not self.zalo_followed[li]:
            self.zalo_followed[li] = 1
            phone = self.phone_typed(p.phones[0], 0.7) if r() < 0.5 else None
            if phone is not None:
                self.zalo_phone_shared[li] = 1
            self._zalo(p, zalo_id, "follow", phone, day, sec,
                       {"source": _FOLLOW_SOURCES[int(r() * len(_FOLLOW_SOURCES))]})
            self.emit_consent("zalo_user_id", zalo_id, "marketing_zalo", "granted", "zalo_oa", day, sec)
        for _ in range(1 + int(r() * 3)):
            sec += 20 + int(r() * 300)
            # A follower who never shared a phone is asked by the mini app and shares it.
            x = r() if self.zalo_phone_shared[li] else 1.0
            if x < 0.5:
                text = vocab.ZALO_MESSAGES_IN[int(r() * len(vocab.ZALO_MESSAGES_IN))]
                self._zalo(p, zalo_id, "message_in", None, day, sec, {"text": text})
                if r() < 0.8:
                    sec += 30 + int(r() * 400)
                    self._zalo(p, zalo_id, "message_out", None, day, sec,
                               {"text": _REPLIES[int(r() * len(_REPLIES))]})
            elif x < 0.85 or self.zalo_phone_shared[li]:
                page = vocab.ZALO_MINI_APP_PAGES[int(r() * len(vocab.ZALO_MINI_APP_PAGES))]
                self._zalo(p, zalo_id, "mini_app_open", None, day, sec, {"page": page})
            else:
                self.zalo_phone_shared[li] = 1
                phone = "84" + p.phones[0] if r() < 0.7 else self.phone_typed(p.phones[0], 0.5)
                self._zalo(p, zalo_id, "share_phone", phone, day, sec, {})
        if r() < 0.03:
            sec = min(sec + 60, 86399)
            self.zalo_followed[li] = 0
            self._zalo(p, zalo_id, "unfollow", None, day, sec, {})
            self.emit_consent("zalo_user_id", zalo_id, "marketing_zalo", "withdrawn", "zalo_oa", day, sec)

    def _zalo(self, p: Person, zalo_id: str, event_type: str, phone: str | None, day: int, sec: int,
              props: dict[str, str]) -> None:
        event_id = self.next_id("ze_")
        row = {"event_id": event_id, "zalo_user_id": zalo_id, "phone": phone, "event_type": event_type,
               "event_at": self.at(day, sec), "properties": props}
        self.odd_missing(row, ZALO_OPTIONAL)
        self.em.emit("zalo_events", row, day, event_id, p.person_id)

    # ------------------------------------------------------------------- CRM
    def crm_update(self, p: Person, li: int, day: int) -> None:
        """A change to a known contact (new phone, address, details): the row is re-sent."""
        if not (self.known[li] and p.flags & F_CRM and p.contact_ids):
            return
        r = self.r
        self.crm_version[li] = min(250, self.crm_version[li] + 1)
        sec = self.store_time()
        self.emit_crm(p, li, day, sec, first=False)
        if r() < 0.1:  # and sometimes a preference change
            if p.customer_id and r() < 0.6:
                self.emit_consent("customer_id", p.customer_id, "ads_targeting", "withdrawn",
                                  "preference_center", day, sec + 5)
            else:
                self.emit_consent("phone", self.phone_typed(p.phones[0], 0.8), "marketing_sms", "withdrawn",
                                  "preference_center", day, sec + 5)

    def snapshot(self, p: Person, li: int) -> None:
        """First drop: customers known before the period (CRM contacts, members, consents)."""
        if p.flags & F_CRM and self.known[li] and p.contact_ids:
            self.emit_crm(p, li, 0, 0, first=True)
            self.emit_signup_consents(p, 0, self.crm_created[li] + 30, "crm")
            if self.r() < 0.08 and p.flags & (F_EMAIL_OPTIN | F_SMS_OPTIN):  # changed their mind since
                withdrawn = self.crm_created[li] + int(self.r() * -self.crm_created[li])
                if p.emails and p.flags & F_EMAIL_OPTIN:
                    self.emit_consent("email", self.email_typed(p.emails[0], 0.9), "marketing_email",
                                      "withdrawn", "preference_center", 0, withdrawn)
                else:
                    self.emit_consent("phone", self.phone_typed(p.phones[0], 0.8), "marketing_sms",
                                      "withdrawn", "preference_center", 0, withdrawn)
        if p.flags & F_LOYALTY and self.loyalty_member[li]:
            self.emit_loyalty(p, li, 0, 0, first=True)

    # --------------------------------------------------------------- privacy
    def erasure_request(self, p: Person, li: int, day: int) -> None:
        r = self.r
        request_id = self.next_id("ER")
        x = r()
        if p.emails and x < 0.5:
            subject_type, value = "email", self.email_typed(p.emails[0], 0.9)
        elif p.customer_id and x < 0.7:
            subject_type, value = "customer_id", p.customer_id
        else:
            subject_type, value = "phone", self.phone_typed(p.phones[0], 0.8)
        row = [request_id, subject_type, value, self.ts(day, self.store_time())]
        self.em.emit("erasure_requests", row, day, request_id, p.person_id)
