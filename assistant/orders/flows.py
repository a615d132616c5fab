"""The order desk: status, tracking, cancel, change address, return and exchange, as the store's
policy decides, for a shopper whose identity is checked first.

``OrderDesk.handle(session_id, state, text, ...)`` takes one shopper message and the desk's
part of the dialogue state (an ``OrderTurn`` dict) and returns an ``OrderReply``: the words to
say (deterministic; a generative backend may rephrase them, never decide), the new desk state,
changes for the dialogue state (the order and product in focus), and a handoff reason when the
policy says a person must decide. It knows nothing about HTTP or streaming.

One turn, in order:
  1. a pending write waits for yes or no: yes runs it once, no leaves the order as it was
  2. what is asked: an order action (learned detector), an order number, or the step the desk
     was waiting for (an email, an address, a photo...)
  3. who is asking: the integrator's customer, or an order proven in chat; nothing about an
     order is said before that, and another customer's order looks like no order at all
  4. which order and which item: named, described ("the tent I bought") or the latest one
  5. the policy: allowed now? what is still missing? must a person decide?
  6. a write is stated back and kept as the pending action until the shopper says yes
Every write that runs is recorded as an ``order_action`` session event and fires a signed
``order.<action>`` webhook through the helpdesk outbox.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.dialogue.signals import find_order_ids
from assistant.orders.actions import OrderActionDetector
from assistant.orders.execution import ActionRunner
from assistant.orders.model import Order, OrderItem, OrderNotFound, OrderSystem, parse_time
from assistant.orders.policy import OrdersPolicy
from assistant.orders.turn import (OrderTurn, PendingAction, find_email, find_zip, match_items, said_yes_or_no,
                                   mentioned_options, parse_address)
from assistant.orders.verification import Identity, Verifier, mask
from assistant.orders import wording as say
from assistant.settings import DEFAULT_ORDER_ID_PATTERN
from assistant.storage.orders import OrderTables

if TYPE_CHECKING:  # pragma: no cover
    from assistant.handoff.helpdesk import Helpdesk
    from assistant.knowledge.catalog import Product
    from assistant.storage.sessions import SessionStore

log = logging.getLogger(__name__)
# the conversation's own intents (assistant.dialogue.state.INTENTS) that are about an order
ORDER_INTENTS = {"order_status": "status", "return_or_refund": "return", "exchange": "exchange"}




@dataclass
class OrderReply:
    text: str
    handled: bool = True                  # False: not an order matter, the manager answers as usual
    state: dict[str, Any] = field(default_factory=dict)           # the new OrderTurn dict
    state_changes: dict[str, Any] = field(default_factory=dict)   # DialogueState fields to set
    events: list[dict[str, Any]] = field(default_factory=list)    # order_action events (already stored)
    handoff_reason: str | None = None
    citations: list[str] = field(default_factory=list)            # policy documents the reply rests on

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "handled": self.handled, "state": self.state,
                "state_changes": self.state_changes, "events": self.events,
                "handoff_reason": self.handoff_reason, "citations": self.citations}


class OrderDesk:
    def __init__(self, orders: OrderSystem, sessions: "SessionStore", policy: OrdersPolicy | None = None,
                 detector: OrderActionDetector | None = None, products: Mapping[str, "Product"] | None = None,
                 helpdesk: "Helpdesk | None" = None, public_url: str = "http://127.0.0.1:7860",
                 order_id_pattern: str = DEFAULT_ORDER_ID_PATTERN, clock: Callable[[], datetime] | None = None,
                 messages_dir: Path | None = None):
        self.orders = orders
        self.sessions = sessions
        self.tables = OrderTables(sessions)
        self.policy = policy or OrdersPolicy()
        self.detector = detector or OrderActionDetector()
        self.products = dict(products or {})
        self.helpdesk = helpdesk
        self.public_url = public_url.rstrip("/")
        self.order_id_pattern = order_id_pattern       # the store's order-number format (settings)
        # what "now" is for the store's windows (returns, exchanges, damage): an eval replays a
        # conversation on the day its orders describe
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.messages_dir = messages_dir               # the store's message catalogs (orders.yaml per language)
        self.verifier = Verifier(orders, self.tables, self.policy)
        self.runner = ActionRunner(orders, sessions, self.tables, self.verifier, helpdesk, self.public_url)

    # -- the turn -----------------------------------------------------------------------
    def handle(self, session_id: str, state: Mapping[str, Any] | None, text: str, intent: str | None = None,
               customer_id: str | None = None, images: list[str] | None = None, turn: int | None = None,
               now: datetime | None = None, language: str | None = None) -> OrderReply:
        desk = OrderTurn.from_dict(state)
        ctx = _Ctx(session_id, desk, text or "", customer_id, list(images or []), turn,
                   now or self.clock(), intent, language=language, messages_dir=self.messages_dir)
        reply = self._turn(ctx)
        reply.state = desk.to_dict()
        if desk.order_id:
            reply.state_changes.setdefault("order_id", desk.order_id)
        return reply

    def _turn(self, ctx: "_Ctx") -> OrderReply:
        desk, text = ctx.desk, ctx.text
        # 1. A stated-back write waits for the shopper's yes or no.
        if desk.pending is not None:
            answer = said_yes_or_no(text, ctx.language) or self.detector.reply(text).label
            if answer == "yes":
                return self._execute(ctx, desk.pending)
            if answer == "no":
                order_id, voice = desk.pending.order_id, ctx.answer_voice
                desk.reset_goal()
                return OrderReply(say.kept_as_is(order_id, **voice))
        # 2. What is asked.
        asked = self.detector.action(text).label
        numbers = find_order_ids(text, self.order_id_pattern)
        if not asked and not numbers and ctx.elsewhere and not self._fills_slot(ctx):
            return self._not_mine(ctx)       # a question of another kind: the desk keeps its place
        if desk.pending is not None and not asked and not numbers:
            return OrderReply(say.yes_or_no(desk.pending.summary, **ctx.answer_voice))
        if asked and desk.goal and self._fills_slot(ctx):
            asked = None                     # an answer to what the desk asked, not a new request
        if asked:
            if asked != desk.goal or desk.pending is not None:
                desk.reset_goal()
            desk.goal = asked
        elif desk.goal is None:
            if not (numbers or ctx.intent in ORDER_INTENTS):
                return self._not_mine(ctx)
            desk.goal = ORDER_INTENTS.get(ctx.intent or "", "status")
        if numbers:
            if numbers[0] != desk.order_id:
                desk.draft.pop("item", None)
                if desk.pending is not None:
                    desk.pending, desk.awaiting = None, None     # another order: the old yes is void
            desk.order_id = numbers[0]
            ctx.named_order = True
        # 3-6. Who, which order, what the policy allows.
        return self._advance(ctx)

    def _fills_slot(self, ctx: "_Ctx") -> bool:
        """Does the message answer what the desk is waiting for?"""
        waiting, text = ctx.desk.awaiting, ctx.text
        if waiting == "verification":
            return bool(find_email(text) or find_zip(text))
        if waiting == "address":
            return parse_address(text) is not None
        if waiting == "photo":
            return bool(ctx.images)
        if waiting == "condition":
            return self.detector.condition(text).label is not None
        if waiting == "item" and ctx.desk.order_id:      # "the saute pan", of the order in focus
            try:
                return bool(match_items(text, [self.orders.get_order(ctx.desk.order_id)]))
            except OrderNotFound:
                return False
        return False

    def _not_mine(self, ctx: "_Ctx") -> OrderReply:
        """Not an order action; a product from the shopper's orders may still be in focus
        ("how do I wash the sleeping bag I bought?")."""
        changes: dict[str, Any] = {}
        who = ctx.identity
        if who.known:
            hits = match_items(ctx.text, self._visible_orders(who))
            if hits and hits[0][1].product_id:
                changes["product_in_focus"] = hits[0][1].product_id
        return OrderReply("", handled=False, state_changes=changes)

    def names_their_item(self, customer_id: str | None, text: str) -> bool:
        """Does the message name an item from one of this verified customer's orders ("I want to
        return the down vest")? Such a message is about their order though it never says "order"."""
        return bool(customer_id) and bool(match_items(text, self.orders.orders_for(customer_id)))

    # -- who is asking ----------------------------------------------------------------------
    def _visible_orders(self, who: Identity) -> list[Order]:
        seen: dict[str, Order] = {}
        if who.customer_id:
            for order in self.orders.orders_for(who.customer_id):
                seen[order.id] = order
        for order_id in who.proven_orders:
            if order_id not in seen:
                try:
                    seen[order_id] = self.orders.get_order(order_id)
                except OrderNotFound:
                    continue
        return sorted(seen.values(), key=lambda o: o.created_at, reverse=True)

    def _verify(self, ctx: "_Ctx") -> OrderReply | None:
        """None once the order in focus may be discussed; otherwise what to ask or refuse."""
        desk, who = ctx.desk, ctx.identity
        if desk.order_id is None:
            return None
        try:
            order = self.orders.get_order(desk.order_id)
        except OrderNotFound:
            order = None
        if order is not None and self.verifier.may_see(order, who):
            ctx.order = order
            return None
        # Not theirs, or not proven yet: the same words whether or not the order exists.
        email, zip_code = find_email(ctx.text), find_zip(ctx.text)
        if not (email or zip_code):
            locked = self.verifier.locked_until(ctx.session_id, desk.order_id)
            if locked:
                return OrderReply(say.locked(locked - time.time(), **ctx.voice))
            desk.awaiting = "verification"
            if who.customer_id:
                return OrderReply(say.not_on_account(desk.order_id, **ctx.voice))
            return OrderReply(say.ask_proof(desk.order_id, **ctx.voice))
        proof = self.verifier.prove(ctx.session_id, desk.order_id, email=email, zip_code=zip_code)
        log.info("order proof for %s in %s: %s (email %s, zip %s)", desk.order_id, ctx.session_id, proof.reason,
                 mask(email), mask(zip_code))
        if proof.ok:
            desk.proven_orders = list(dict.fromkeys([*desk.proven_orders, desk.order_id]))
            ctx.identity = Identity(ctx.customer_id, desk.proven_orders)
            ctx.order = self.orders.get_order(desk.order_id)
            desk.awaiting = None
            ctx.just_proven = True
            return None
        if proof.reason == "locked":
            # still waiting for a proof: another zip or email is told about the lock, not sent elsewhere
            desk.awaiting = "verification"
            return OrderReply(say.locked(proof.locked_until - time.time(), **ctx.voice))
        desk.awaiting = "verification"
        return OrderReply(say.no_match(desk.order_id, **ctx.voice))

    # -- which order, which item ----------------------------------------------------------------
    def _choose_order(self, ctx: "_Ctx") -> OrderReply | None:
        desk, who = ctx.desk, ctx.identity
        if desk.order_id is not None and not ctx.named_order and who.known and desk.awaiting is None:
            # an item named now that the order in focus does not hold moves the focus to its order
            hits = match_items(ctx.text, self._visible_orders(who))
            if hits and all(o.id != desk.order_id for o, _ in hits):
                desk.order_id, desk.draft = None, {}
            # "cancel my pending order" while a shipped one is in focus: the status named picks
            described = self._described_by_status(ctx.text, self._visible_orders(who))
            if described and all(o.id != desk.order_id for o in described):
                desk.order_id, desk.draft = None, {}
        if desk.order_id is not None:
            return self._verify(ctx)
        if not who.known:
            desk.awaiting = "verification"
            return OrderReply(say.ask_order_and_proof(**ctx.voice))
        visible = self._visible_orders(who)
        if not visible:
            return OrderReply(say.no_orders(**ctx.voice))
        hits = match_items(ctx.text, visible)
        # the same product in several orders: the one the action can still apply to
        hits = [h for h in hits if self._may_try(desk.goal, h[0])] or hits
        if hits:
            ctx.order, item = hits[0]
            desk.order_id = ctx.order.id
            if len({o.id for o, _ in hits}) == 1 and len(hits) == 1:
                desk.draft["item"] = item.sku or item.product_id or item.name
            return None
        visible = self._described_by_status(ctx.text, visible) or visible
        candidates = [o for o in visible if self._may_try(desk.goal, o)] or visible
        if desk.goal == "status" or len(candidates) == 1:
            ctx.order = candidates[0]
            desk.order_id = ctx.order.id
            ctx.others = len(visible) - 1 if desk.goal == "status" else 0
            return None
        desk.awaiting = "which_order"
        return OrderReply(say.which_order(candidates[:5], **ctx.voice))

    @staticmethod
    def _described_by_status(text: str, orders: list[Order]) -> list[Order]:
        """The orders whose status the shopper's words name ("my pending order", "the shipped
        one"): the store's own status values, read from the orders, not a word list."""
        lowered = f" {text.lower()} "
        named = {o.status for o in orders
                 if o.status and re.search(rf"(?<!\w){re.escape(o.status.lower())}(?!\w)", lowered)}
        return [o for o in orders if o.status in named]

    def _may_try(self, goal: str | None, order: Order) -> bool:
        cfg = self.policy.config
        if goal == "cancel":
            return order.status in cfg.cancel.allowed_statuses
        if goal == "change_address":
            return order.status in cfg.change_address.allowed_statuses
        if goal in ("return", "exchange"):
            return order.status in ("delivered", "return requested", "exchange requested")
        return True

    def _choose_item(self, ctx: "_Ctx") -> tuple[OrderItem | None, OrderReply | None]:
        order, desk = ctx.order, ctx.desk
        chosen = desk.draft.get("item")
        if chosen is None:
            hits = [i for o, i in match_items(ctx.text, [order])]
            if len(hits) == 1:
                chosen = hits[0].sku or hits[0].product_id or hits[0].name
            elif len(order.items) == 1:
                chosen = order.items[0].sku or order.items[0].product_id or order.items[0].name
        item = next((i for i in order.items if chosen in (i.sku, i.product_id, i.name)), None)
        if item is None:
            desk.awaiting = "item"
            return None, OrderReply(say.which_item(order, **ctx.voice))
        desk.draft["item"] = item.sku or item.product_id or item.name
        return item, None

    # -- the flows ---------------------------------------------------------------------------
    def _advance(self, ctx: "_Ctx") -> OrderReply:
        stop = self._choose_order(ctx)
        if stop is not None:
            return stop
        order, goal = ctx.order, ctx.desk.goal
        ctx.goal_was = goal
        changes = {"order_id": order.id}
        product = next((i.product_id for i in order.items if i.product_id and
                        ctx.desk.draft.get("item") in (i.sku, i.product_id, i.name)), None)
        if product:
            changes["product_in_focus"] = product
        flow = {"status": self._status, "cancel": self._cancel, "change_address": self._change_address,
                "return": self._return, "exchange": self._exchange}[goal or "status"]
        reply = flow(ctx)
        for key, value in changes.items():
            reply.state_changes.setdefault(key, value)
        if ctx.just_proven and reply.handled:
            reply.text = say.joined(say.thanks_proven(order.id, **ctx.voice), reply.text, **ctx.voice)
        return reply

    def _status(self, ctx: "_Ctx") -> OrderReply:
        ctx.desk.reset_goal()
        return OrderReply(say.status(ctx.order, others=ctx.others, **ctx.voice), citations=self._cite(ctx))

    def _before_dispatch(self, ctx: "_Ctx", rule, what: str) -> OrderReply | None:
        order = ctx.order
        if not rule.enabled:
            ctx.desk.reset_goal()
            return OrderReply(say.not_offered(what, **ctx.voice), citations=self._cite(ctx))
        if order.status not in rule.allowed_statuses:
            ctx.desk.reset_goal()
            return OrderReply(say.too_late(order, what, **ctx.voice), citations=self._cite(ctx))
        return None

    def _cancel(self, ctx: "_Ctx") -> OrderReply:
        stop = self._before_dispatch(ctx, self.policy.config.cancel, "cancelled")
        if stop:
            return stop
        return self._propose(ctx, "cancel", {}, say.confirm_cancel(ctx.order, **ctx.voice))

    def _change_address(self, ctx: "_Ctx") -> OrderReply:
        stop = self._before_dispatch(ctx, self.policy.config.change_address, "re-addressed")
        if stop:
            return stop
        address = parse_address(ctx.text) or ctx.desk.draft.get("address")
        if not address:
            ctx.desk.awaiting = "address"
            return OrderReply(say.ask_address(ctx.order, **ctx.voice))
        name = ctx.order.shipping_address.get("name")
        full = {**({"name": name} if name else {}), "country": ctx.order.shipping_address.get("country", "US"),
                **address}
        return self._propose(ctx, "change_address", {"address": full}, say.confirm_address(ctx.order, full, **ctx.voice))

    def _delivered_at(self, ctx: "_Ctx", what: str) -> tuple[datetime | None, OrderReply | None]:
        order = ctx.order
        if order.status not in ("delivered", "return requested", "exchange requested"):
            ctx.desk.reset_goal()
            return None, OrderReply(say.not_delivered(order, what, **ctx.voice), citations=self._cite(ctx))
        return parse_time(order.delivered_at) or parse_time(order.created_at), None

    def _return(self, ctx: "_Ctx") -> OrderReply:
        rule, desk = self.policy.config.returns, ctx.desk
        if not rule.enabled:
            desk.reset_goal()
            return OrderReply(say.not_offered("returned", **ctx.voice), citations=self._cite(ctx))
        delivered, stop = self._delivered_at(ctx, "returned")
        if stop:
            return stop
        item, stop = self._choose_item(ctx)
        if stop:
            return stop
        if item.product_id in rule.non_returnable_products:
            desk.reset_goal()
            return OrderReply(say.non_returnable(item, **ctx.voice), citations=self._cite(ctx))
        if ctx.now > max(self.policy.return_deadline(delivered), self.policy.damage_deadline(delivered)):
            desk.reset_goal()
            return OrderReply(say.joined(say.window_closed(item, self.policy.return_deadline(delivered), **ctx.voice),
                                         say.warranty(**ctx.voice), **ctx.voice), citations=self._cite(ctx))
        condition = desk.draft.get("condition") or self.detector.condition(ctx.text).label
        if condition is None:
            desk.awaiting = "condition"
            return OrderReply(say.ask_condition(item, **ctx.voice))
        desk.draft["condition"] = condition
        if condition not in rule.accepted_conditions:
            desk.reset_goal()
            return OrderReply(say.condition_refused(item, condition, **ctx.voice), citations=self._cite(ctx, "condition"))
        photos = list(dict.fromkeys([*desk.draft.get("photos", []), *ctx.images]))
        desk.draft["photos"] = photos
        if condition == "damaged":
            if ctx.now > self.policy.damage_deadline(delivered):
                return self._to_person(ctx, f"damage reported after {rule.damage_report_days} days: a warranty "
                                            "claim a person must assess", say.damage_late(item, rule.damage_report_days, **ctx.voice),
                                       topic="damage")
            if rule.photo_required_for_damage and not photos:
                desk.awaiting = "photo"
                return OrderReply(say.ask_photo(item, **ctx.voice))
        elif ctx.now > self.policy.return_deadline(delivered):
            desk.reset_goal()
            return OrderReply(say.window_closed(item, self.policy.return_deadline(delivered), **ctx.voice),
                              citations=self._cite(ctx))
        value = item.price * item.quantity
        if rule.person_decides_over is not None and value > rule.person_decides_over:
            return self._to_person(ctx, f"return worth {value:.2f} {ctx.order.currency} is over "
                                        f"{rule.person_decides_over:g}", say.person_decides_return(item, **ctx.voice))
        details = {"items": [desk.draft["item"]], "condition": condition, "photos": photos,
                   "reason": "damaged on arrival" if condition == "damaged" else "no longer wanted"}
        return self._propose(ctx, "return", details, say.confirm_return(ctx.order, item, condition, photos, **ctx.voice))

    def _exchange(self, ctx: "_Ctx") -> OrderReply:
        rule, desk = self.policy.config.exchange, ctx.desk
        if not rule.enabled:
            desk.reset_goal()
            return OrderReply(say.not_offered("exchanged", **ctx.voice), citations=self._cite(ctx))
        delivered, stop = self._delivered_at(ctx, "exchanged")
        if stop:
            return stop
        item, stop = self._choose_item(ctx)
        if stop:
            return stop
        if ctx.now > self.policy.exchange_deadline(delivered):
            desk.reset_goal()
            return OrderReply(say.window_closed(item, self.policy.exchange_deadline(delivered), "exchanged",
                                                  **ctx.voice), citations=self._cite(ctx))
        product = self.products.get(item.product_id or "")
        if product is None or len(product.variants) < 2:
            desk.reset_goal()
            return OrderReply(say.no_other_options(item, **ctx.voice), citations=self._cite(ctx))
        wanted = {**item.options, **desk.draft.get("options", {}), **mentioned_options(ctx.text, product.variants)}
        desk.draft["options"] = {k: v for k, v in wanted.items() if item.options.get(k) != v}
        in_stock = [v for v in product.variants if v.in_stock and v.sku != item.sku]
        if not desk.draft["options"]:
            desk.awaiting = "option"
            return OrderReply(say.ask_option(item, in_stock, **ctx.voice))
        variant = next((v for v in product.variants if all(v.options.get(k) == val for k, val in wanted.items())), None)
        if variant is None:
            desk.awaiting = "option"
            desk.draft["options"] = {}
            return OrderReply(say.no_such_option(item, wanted, in_stock, **ctx.voice))
        if rule.require_in_stock and not variant.in_stock:
            desk.awaiting = "option"
            desk.draft["options"] = {}
            return OrderReply(say.out_of_stock(item, variant, in_stock, **ctx.voice), citations=self._cite(ctx))
        details = {"item": desk.draft["item"], "wanted_sku": variant.sku, "wanted_options": dict(variant.options),
                   "price_difference": round((variant.price or product.price) - item.price, 2)}
        return self._propose(ctx, "exchange", details, say.confirm_exchange(ctx.order, item, variant,
                                                                              details["price_difference"], **ctx.voice))

    # -- stating back, handing off, running once --------------------------------------------
    def _propose(self, ctx: "_Ctx", action: str, details: dict[str, Any], summary: str) -> OrderReply:
        if self.policy.config.person_decides_for_vip and self._is_vip(ctx.order):
            return self._to_person(ctx, f"VIP customer asked to {action.replace('_', ' ')}",
                                   say.person_decides_vip(**ctx.voice))
        ctx.desk.pending = PendingAction(action, ctx.order.id, details, summary, language=ctx.language or "en")
        ctx.desk.awaiting = "confirm"
        return OrderReply(say.yes_or_no(summary, **ctx.voice), citations=self._cite(ctx))

    def _is_vip(self, order: Order) -> bool:
        try:
            return self.orders.get_customer(order.customer_id).vip
        except OrderNotFound:
            return False

    def _to_person(self, ctx: "_Ctx", reason: str, text: str, topic: str | None = None) -> OrderReply:
        cited = self._cite(ctx, topic)
        ctx.desk.reset_goal()
        return OrderReply(text, handoff_reason=reason, citations=cited)

    _TOPIC = {"status": "tracking", "cancel": "cancel", "change_address": "change_address", "return": "returns",
              "exchange": "exchange"}

    def _cite(self, ctx: "_Ctx", topic: str | None = None) -> list[str]:
        """The store document the reply rests on (``sources`` in orders.yaml), by topic."""
        topic = topic or self._TOPIC.get(ctx.desk.goal or ctx.goal_was or "", "")
        source = self.policy.config.sources.get(topic)
        return [source] if source else []

    def _execute(self, ctx: "_Ctx", pending: PendingAction) -> OrderReply:
        """Run a confirmed write once (assistant.orders.execution) and close the goal."""
        outcome = self.runner.run(ctx.session_id, pending, ctx.identity, turn=ctx.turn, **ctx.answer_voice)
        if outcome.retry:
            return OrderReply(outcome.text)           # the system failed: the pending yes stays
        if outcome.event:
            ctx.desk.done = [*ctx.desk.done, pending.key][-20:]
        ctx.desk.reset_goal()
        return OrderReply(outcome.text, events=[outcome.event] if outcome.event else [])


@dataclass
class _Ctx:
    session_id: str
    desk: OrderTurn
    text: str
    customer_id: str | None
    images: list[str]
    turn: int | None
    now: datetime
    intent: str | None = None           # the conversation's intent for this message, if known
    language: str | None = None         # the shopper's language (its yes and no are read, the replies said, in it)
    messages_dir: Path | None = None    # the store's message catalogs (None: the packaged ones)
    order: Order | None = None
    others: int = 0
    just_proven: bool = False
    goal_was: str | None = None         # the goal this turn worked on (kept after a reset, for citing)
    named_order: bool = False           # the message itself gives an order number
    identity: Identity = field(init=False)

    def __post_init__(self) -> None:
        self.identity = Identity(self.customer_id, list(self.desk.proven_orders))

    @property
    def voice(self) -> dict[str, Any]:
        """The language and catalogs the desk's sentences are said in (assistant.orders.wording)."""
        return {"language": self.language, "directory": self.messages_dir}

    @property
    def answer_voice(self) -> dict[str, Any]:
        """What the answer to a stated-back write is said in: the language the question was asked
        in (a short "yes" / "no, gracias" is too short to tell a change of language), the
        shopper's when the question was stored without one."""
        pending = self.desk.pending
        asked_in = pending.language if pending is not None else None
        return {"language": asked_in or self.language, "directory": self.messages_dir}

    @property
    def elsewhere(self) -> bool:
        """The conversation's intent names another kind of question (a product, shipping
        times...) and the message gives nothing the desk waits for."""
        if self.intent is None or self.intent in ORDER_INTENTS or self.intent in ("greeting", "human_request"):
            return False
        waiting = self.desk.awaiting
        if waiting == "verification":
            return not (find_email(self.text) or find_zip(self.text))
        if waiting == "address":
            return parse_address(self.text) is None
        if waiting == "photo":
            return not self.images
        return waiting is None or self.intent in ("product_question", "recommendation", "availability",
                                                  "out_of_scope", "payment", "shipping")
