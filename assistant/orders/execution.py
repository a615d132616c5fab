"""Running a confirmed order action exactly once, and telling the store it ran.

The pending action's idempotency key is claimed in the session database's ``order_actions``
ledger before the order system is called, so a repeated yes, a retried request or a second
app process finds the claim and does nothing twice (the ``http`` connector also sends the key
as ``Idempotency-Key``). What ran is stored as an ``order_action`` session event and sent as a
signed ``order.<action>`` webhook through the helpdesk outbox (docs/orders.md).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.orders import wording as say
from assistant.orders.model import ActionRefused, Order, OrderError, OrderNotFound, OrderSystem
from assistant.orders.turn import WRITE_ACTIONS, PendingAction
from assistant.orders.verification import Identity, Verifier, mask
from assistant.storage.orders import OrderTables

if TYPE_CHECKING:  # pragma: no cover
    from assistant.handoff.helpdesk import Helpdesk
    from assistant.storage.sessions import SessionStore

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    text: str
    event: dict[str, Any] | None = None       # the stored order_action event (with its seq), when it ran
    retry: bool = False                       # the order system failed; the shopper may say yes again


class ActionRunner:
    def __init__(self, orders: OrderSystem, sessions: "SessionStore", tables: OrderTables, verifier: Verifier,
                 helpdesk: "Helpdesk | None" = None, public_url: str = "http://127.0.0.1:7860"):
        self.orders = orders
        self.sessions = sessions
        self.tables = tables
        self.verifier = verifier
        self.helpdesk = helpdesk
        self.public_url = public_url.rstrip("/")

    def run(self, session_id: str, pending: PendingAction, who: Identity, turn: int | None = None,
            language: str | None = "en", directory: Path | None = None) -> Outcome:
        """``language`` / ``directory``: what the outcome is said in (assistant.orders.wording)."""
        voice = {"language": language, "directory": directory}
        # 1. Claim the key; an earlier claim means this request already ran (or is running).
        earlier = self.tables.claim_action(pending.key, session_id, pending.order_id, pending.action)
        if earlier is not None:
            if earlier["state"] == "failed":
                return Outcome(say.refused_by_system(pending.order_id, **voice))
            return Outcome(say.already_done(pending.order_id, (earlier.get("result") or {}).get("status"),
                                            **voice))
        # 2. The order system acts; a refusal is final for this key, a failure gives it back.
        try:
            order = self.orders.get_order(pending.order_id)
            if not self.verifier.may_see(order, who):        # identity changed since the yes was asked
                raise OrderNotFound(pending.order_id)
            before = order.status
            updated = self._apply(pending, session_id)
        except (ActionRefused, OrderNotFound) as exc:
            self.tables.finish_action(pending.key, {"error": str(exc)}, failed=True)
            return Outcome(say.refused_by_system(pending.order_id, **voice))
        except OrderError as exc:
            self.tables.release_action(pending.key)
            log.warning("order system failed on %s %s: %s", pending.action, pending.order_id, exc)
            return Outcome(say.system_down(**voice), retry=True)
        self.tables.finish_action(pending.key, {"status": updated.status})
        # 3. Recorded in the conversation, and the store's systems are told.
        event = {"action": pending.action, "order_id": updated.id, "idempotency_key": pending.key,
                 "status_before": before, "status_after": updated.status, "details": pending.details,
                 "customer_id": updated.customer_id}
        self.sessions.ensure(session_id)
        number = turn if turn is not None else self.sessions.last_turn(session_id)
        seq = self.sessions.append(session_id, number, "order_action", event)
        self._webhook(session_id, event, updated)
        log.info("order %s: %s done for %s (%s -> %s)", updated.id, pending.action, mask(updated.email or ""),
                 before, updated.status)
        return Outcome(say.done(pending, updated, **voice), event={"type": "order_action", "seq": seq, **event})

    def _apply(self, pending: PendingAction, session_id: str) -> Order:
        d, key = pending.details, pending.key
        if pending.action == "cancel":
            return self.orders.cancel(pending.order_id, reason="customer asked in chat", idempotency_key=key)
        if pending.action == "change_address":
            return self.orders.change_address(pending.order_id, d["address"], idempotency_key=key)
        if pending.action == "return":
            return self.orders.request_return(pending.order_id, d["items"], d["reason"], d["condition"],
                                              photos=self.photo_refs(session_id, d.get("photos", [])),
                                              idempotency_key=key)
        if pending.action == "exchange":
            return self.orders.request_exchange(pending.order_id, d["item"], d["wanted_sku"], d["wanted_options"],
                                                reason="other option wanted", idempotency_key=key)
        raise ValueError(f"unknown order action {pending.action!r}; known: {', '.join(WRITE_ACTIONS)}")

    def photo_link(self, session_id: str, path: str) -> str:
        """Where a conversation's photo can be fetched (the agent API serves it)."""
        return f"{self.public_url}/api/v1/agent/sessions/{session_id}/images/{path.rsplit('/', 1)[-1]}"

    def photo_refs(self, session_id: str, photos: list[str]) -> list[str]:
        """The local order system keeps the stored photo paths; an outside system gets links."""
        if getattr(self.orders, "name", "") == "local":
            return list(photos)
        return [self.photo_link(session_id, p) for p in photos]

    def _webhook(self, session_id: str, event: dict[str, Any], order: Order) -> None:
        if self.helpdesk is None:
            return
        self.helpdesk.send(f"order.{event['action']}", session_id, {
            "order_id": order.id, "action": event["action"], "idempotency_key": event["idempotency_key"],
            "customer_id": order.customer_id, "status_before": event["status_before"],
            "status_after": event["status_after"], "details": event["details"],
            "photos": [self.photo_link(session_id, p) for p in event["details"].get("photos", [])],
            "order": order.to_dict()})
