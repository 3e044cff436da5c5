"""In-store and service activity: POS transactions (with loyalty points and
memberships opened at the till) and support tickets."""

from __future__ import annotations

from orchestration.demo import vocab
from orchestration.demo.catalog import weighted_table
from orchestration.demo.population import Person
from orchestration.demo.shard_base import ShardBase

_PAYMENT_PICK = weighted_table([w for _, w in vocab.PAYMENT_METHODS])
_PAYMENTS = tuple(m for m, _ in vocab.PAYMENT_METHODS)
_TICKET_CHANNELS = ("hotline", "chat", "email", "zalo", "store")
_TICKET_CHANNEL_PICK = weighted_table((35, 25, 15, 15, 10))
_CSAT_PICK = weighted_table((7, 8, 15, 30, 40))  # scores 1..5
_BOOLEANS = (("true", "false"), ("1", "0"), ("TRUE", "FALSE"))


class StoreActivities(ShardBase):
    """POS visits and support tickets."""

    def store_visit(self, p: Person, li: int, day: int, sec: int | None = None) -> None:
        r, miss = self.r, self.miss
        catalog = self.catalog
        store = catalog.stores[p.store if r() < 0.85 else catalog.store_weights[int(r() * 1000)]]
        if sec is None:
            sec = self.store_time()
        sec = min(sec, 86400 - 1200)
        transaction_id = self.next_id("TX")
        joining = bool(p.loyalty_id) and not self.loyalty_member[li]
        if joining:  # signs up at the till
            self.loyalty_member[li] = 1
            self.loyalty_joined[li] = day * 86400 + sec
            self.ensure_known(p, li, day, sec, "pos")
        scanned = bool(p.loyalty_id) and (joining or r() < 0.85)
        phones = p.phones
        if scanned:
            phone = self.phone_typed(phones[0], 0.6) if r() < 0.25 else miss()
        else:
            x = r()
            if x < 0.42:
                phone = self.phone_typed(phones[int(r() * len(phones))], 0.55)
            elif x < 0.47:
                phone = self.junk(p, "phone")  # the cashier's placeholder
            else:
                phone = miss()
        is_return = not joining and r() < 0.04
        items = self.pick_items([], 5)
        total = sum(product.list_price * quantity for product, quantity in items)
        x = r()
        booleans = _BOOLEANS[0 if x < 0.9 else (1 if x < 0.95 else 2)]
        row = [transaction_id, store.store_id, p.loyalty_id if scanned else miss(), phone, total, "VND",
               _PAYMENTS[_PAYMENT_PICK[int(r() * 1000)]], booleans[0] if is_return else booleans[1],
               self.ts(day, sec)]
        self.em.emit("pos_transactions", row, day, transaction_id, p.person_id)
        for line, (product, quantity) in enumerate(items, start=1):
            self.em.emit("pos_transaction_items", [transaction_id, line, product.product_id, quantity,
                                                   product.list_price], day, f"{transaction_id}:{line}")
        if scanned:
            earned = total // 10_000
            self.points[li] = max(0, self.points[li] + (-earned if is_return else earned))
            self.emit_loyalty(p, li, day, sec + 60 + int(r() * 900), first=joining)

    def support_ticket(self, p: Person, li: int, day: int) -> None:
        r, miss = self.r, self.miss
        ticket_id = self.next_id("TK")
        channel = _TICKET_CHANNELS[_TICKET_CHANNEL_PICK[int(r() * 1000)]]
        sec = self.store_time()
        customer = p.customer_id if p.customer_id and (
            (channel in ("email", "chat") and r() < 0.8) or r() < 0.35) else miss()
        if p.emails and (channel == "email" or (channel == "chat" and r() < 0.6) or r() < 0.1):
            email = self.junk(p, "email") if r() < 0.01 else self.email_typed(p.emails[0], 0.75)
        else:
            email = miss()
        phone = self.phone_typed(p.phones[0], 0.6) if channel in ("hotline", "zalo", "store") or r() < 0.3 \
            else miss()
        category = vocab.TICKET_CATEGORIES[int(r() * len(vocab.TICKET_CATEGORIES))]
        priority = vocab.TICKET_PRIORITIES[min(3, int(r() * r() * 4.5))]
        opened_at = self.ts(day, sec)
        # The helpdesk exports a ticket once: when solved, or still open at the last drop.
        resolved = sec + 600 + int(r() * r() * 86400 * 5)
        resolved_day = day + resolved // 86400
        if r() < 0.85 and resolved_day < self.days:
            status = "resolved" if r() < 0.6 else "closed"
            csat = str(1 + _CSAT_PICK[int(r() * 1000)]) if r() < 0.7 else miss()
            row = [ticket_id, customer, email, phone, channel, category, priority, status, opened_at,
                   self.ts(day, resolved), csat]
            self.em.emit("support_tickets", row, resolved_day, ticket_id, p.person_id)
        else:
            row = [ticket_id, customer, email, phone, channel, category, priority,
                   "open" if r() < 0.5 else "pending", opened_at, miss(), miss()]
            self.em.emit("support_tickets", row, day, ticket_id, p.person_id)
