"""The helpdesk link, outbound: a signed webhook on every takeover step.

``Helpdesk.notify`` writes one row per configured URL into the webhook outbox (in the session
database, assistant.storage.outbox, so a restart loses nothing) and wakes a background worker
thread that POSTs it. A failed delivery is retried with exponential backoff; after ``retries``
retries (or at once on a 4xx that retrying cannot fix) it moves to the dead letters with the last
error, where an operator sees it and redelivers it (``assistant helpdesk dead-letters`` /
``redeliver ID``, or ``GET /api/v1/agent/dead-letters`` and ``POST .../{id}/redeliver``).
Deliveries may arrive out of order after a retry: receivers order messages by ``seq`` and drop
repeats by ``delivery_id``.

Signing (both directions): ``X-Assistant-Timestamp: <unix seconds>`` and
``X-Assistant-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>``. The
timestamp is inside the signed bytes, so an old request cannot be replayed with a fresh time.
Agent replies coming in are checked in assistant.handoff.inbound. The payload and the inbound
format are documented in docs/helpdesk.md.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from assistant.errors import NotFound
from assistant.settings import HelpdeskSettings
from assistant.storage.schema import now_iso
from assistant.storage.sessions import SessionStore

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Assistant-Signature"
TIMESTAMP_HEADER = "X-Assistant-Timestamp"
EVENT_HEADER = "X-Assistant-Event"
DELIVERY_HEADER = "X-Assistant-Delivery"
PAYLOAD_VERSION = 1
_RETRYABLE_4XX = {408, 409, 425, 429}


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """``sha256=<hex>`` over ``b"<timestamp>." + body``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = int(now if now is not None else time.time())
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign(secret, timestamp, body),
            "Content-Type": "application/json"}


class Helpdesk:
    """Sends takeover events to the configured webhook URLs (no URLs: does nothing)."""

    def __init__(self, settings: HelpdeskSettings | None, sessions: SessionStore, autostart: bool = True):
        self.settings = settings or HelpdeskSettings()
        self.sessions = sessions
        self.autostart = autostart
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None
        if autostart and self.enabled and self.pending():    # webhooks left by a previous process
            self.start()

    @property
    def enabled(self) -> bool:
        return bool(self.settings.webhook_urls)

    # -- payloads -------------------------------------------------------------------------
    def message_payload(self, session_id: str, message: Mapping[str, Any]) -> dict[str, Any]:
        """A transcript message as the helpdesk sees it; photos become links."""
        base = self.settings.public_url.rstrip("/")
        out = {k: message.get(k) for k in ("role", "content", "turn", "seq", "created_at") if k in message}
        if message.get("agent"):
            out["agent"] = message["agent"]
        if message.get("role") == "assistant":
            out["complete"] = message.get("complete", False)
        images = message.get("images") or []
        if images:
            out["images"] = [f"{base}/api/v1/agent/sessions/{session_id}/images/{Path(p).name}" for p in images]
        return out

    def payload(self, event: str, ticket: Mapping[str, Any], messages: list[Mapping[str, Any]]) -> dict[str, Any]:
        session_id = ticket["session_id"]
        base = self.settings.public_url.rstrip("/")
        summary = dict(ticket.get("summary") or {})
        summary["photos"] = [f"{base}/api/v1/agent/sessions/{session_id}/images/{Path(p).name}"
                             for p in summary.get("photos", [])]
        return {
            "version": PAYLOAD_VERSION, "event": event, "delivery_id": uuid.uuid4().hex,
            "sent_at": now_iso(), "conversation_id": session_id, "status": ticket["status"],
            "reason": ticket.get("reason"), "rule": ticket.get("rule"), "mode": ticket.get("mode"),
            "ticket": {k: ticket.get(k) for k in ("id", "status", "mode", "agent", "created_at", "joined_at",
                                                  "closed_at")},
            "summary": summary,
            "transcript_url": f"{base}/api/v1/agent/sessions/{session_id}",
            "console_url": f"{base}/agent/?ticket={ticket['id']}",
            "messages": [self.message_payload(session_id, m) for m in messages],
        }

    # -- outbound -------------------------------------------------------------------------
    def notify(self, event: str, ticket: Mapping[str, Any], messages: list[Mapping[str, Any]]) -> int:
        """Queue one webhook per URL (durably) and wake the worker; returns how many were queued."""
        if not self.enabled:
            return 0
        return self._queue(event, ticket["session_id"], self.payload(event, ticket, messages))

    def send(self, event: str, session_id: str, payload: dict[str, Any]) -> int:
        """Queue a signed webhook for an event that is not a takeover step (an order action:
        ``order.cancel``...), through the same durable outbox, retries and dead letters."""
        if not self.enabled:
            return 0
        body = {"version": PAYLOAD_VERSION, "event": event, "delivery_id": uuid.uuid4().hex, "sent_at": now_iso(),
                "conversation_id": session_id, **payload}
        return self._queue(event, session_id, body)

    def _queue(self, event: str, session_id: str, body: dict[str, Any]) -> int:
        """One durable outbox row per webhook URL (each its own delivery id); wakes the worker."""
        rows = [{"url": url, "session_id": session_id, "event": event,
                 "body": json.dumps({**body, "delivery_id": f"{body['delivery_id']}-{i}"}, default=str)}
                for i, url in enumerate(self.settings.webhook_urls)]
        self.sessions.outbox.queue(rows)
        if self.autostart:
            self.start()
        self._wake.set()
        return len(rows)

    def deliver_due(self, now: float | None = None, limit: int = 20) -> int:
        """One pass: POST every due delivery this process can claim; returns how many were tried."""
        now = now if now is not None else time.time()
        outbox, tried = self.sessions.outbox, 0
        for row in outbox.due(now, limit):
            if outbox.claim(row["id"], now, until=now + self.settings.timeout + 30):   # no other process sends it
                tried += 1
                self._attempt(row)
        return tried

    def _attempt(self, row: dict[str, Any]) -> None:
        body = row["body"].encode()
        secret = self.settings.webhook_secret.get_secret_value() if self.settings.webhook_secret else ""
        headers = {**signed_headers(secret, body), EVENT_HEADER: row["event"],
                   DELIVERY_HEADER: json.loads(row["body"])["delivery_id"]}
        error, permanent = None, False
        try:
            response = self._http().post(row["url"], content=body, headers=headers)
            if response.is_success:
                self.sessions.outbox.delivered(row["id"])
                return
            error = f"HTTP {response.status_code}: {response.text[:200]}"
            permanent = 400 <= response.status_code < 500 and response.status_code not in _RETRYABLE_4XX
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        attempts = row["attempts"] + 1
        if permanent or attempts > self.settings.retries:
            log.warning("helpdesk webhook to %s dead-lettered after %d attempt(s): %s", row["url"], attempts, error)
            self.sessions.outbox.give_up(row, attempts, error)
        else:
            delay = min(self.settings.backoff_max_s, self.settings.backoff_s * 2 ** (attempts - 1))
            self.sessions.outbox.retry_later(row["id"], attempts, error, at=time.time() + delay)

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=self.settings.timeout, follow_redirects=False)
        return self._client

    def pending(self) -> list[dict[str, Any]]:
        return self.sessions.outbox.pending()

    def dead_letters(self) -> list[dict[str, Any]]:
        """Deliveries that gave up, oldest first, each with its attempts and last error."""
        return self.sessions.outbox.dead_letters()

    def dead_letter_report(self) -> list[dict[str, Any]]:
        """The dead letters as an operator reads them (CLI, agent API): the raw body is left out,
        its event and delivery id are kept."""
        report = []
        for row in self.dead_letters():
            entry = {k: v for k, v in row.items() if k != "body"}
            entry["delivery_id"] = json.loads(row["body"]).get("delivery_id")
            report.append(entry)
        return report

    def redeliver(self, dead_letter_id: int) -> dict[str, Any]:
        """Put a dead letter back in the outbox (e.g. after the receiver is fixed) and try it once
        now. Returns ``{"dead_letter_id", "outbox_id", "status", "last_error"}`` where status is
        ``delivered``, ``pending`` (it failed again, or a worker holds it, and it waits in the outbox
        for the next retry) or ``dead`` (it gave up again: a new dead letter)."""
        outbox = self.sessions.outbox
        outbox_id = outbox.redeliver(dead_letter_id)
        if outbox_id is None:
            raise NotFound(f"no dead letter with id {dead_letter_id}")
        row = next(r for r in outbox.pending() if r["id"] == outbox_id)
        now = time.time()
        if outbox.claim(outbox_id, now, until=now + self.settings.timeout + 30):
            self._attempt(row)
        waiting = next((r for r in outbox.pending() if r["id"] == outbox_id), None)
        dead = next((d for d in outbox.dead_letters() if d["body"] == row["body"]), None)
        status = "pending" if waiting else "dead" if dead else "delivered"
        if waiting and self.autostart and self.enabled:
            self.start()
            self._wake.set()
        return {"dead_letter_id": dead_letter_id, "outbox_id": outbox_id, "status": status,
                "last_error": (waiting or dead or {}).get("last_error")}

    # -- the worker -----------------------------------------------------------------------
    def start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="helpdesk-webhooks", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                tried = self.deliver_due()
            except Exception:       # the worker must outlive a bad row or a locked database
                log.exception("helpdesk webhook worker pass failed")
                tried = 0
            if not tried:
                self._wake.wait(self._idle_wait())
                self._wake.clear()

    def _idle_wait(self) -> float:
        nxt = self.sessions.outbox.next_attempt_at()
        return 1.0 if nxt is None else max(0.01, min(1.0, nxt - time.time()))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until the outbox is empty (delivered or dead-lettered); False on timeout."""
        deadline = time.monotonic() + timeout
        while self.pending():
            if time.monotonic() > deadline:
                return False
            self._wake.set()
            time.sleep(0.02)
        return True

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._client is not None:
            self._client.close()
            self._client = None
