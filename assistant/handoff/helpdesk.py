"""The helpdesk link: signed webhooks out on every takeover step, signed agent replies in.

Outbound: ``Helpdesk.notify`` writes one row per configured URL into the ``webhook_outbox`` table
(in the session database, so a restart loses nothing) and wakes a background worker thread that
POSTs it. A failed delivery is retried with exponential backoff; after ``retries`` retries (or at
once on a 4xx that retrying cannot fix) it moves to ``webhook_dead_letters`` with the last error,
where an operator can see it and ``redeliver`` it. Deliveries may arrive out of order after a
retry: receivers order messages by ``seq`` and drop repeats by ``delivery_id``.

Signing (both directions): ``X-Assistant-Timestamp: <unix seconds>`` and
``X-Assistant-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>``. The
timestamp is inside the signed bytes, so an old request cannot be replayed with a fresh time;
requests older than ``signature_tolerance_s`` are refused, and an inbound signature is accepted
only once. The payload and the inbound format are documented in docs/helpdesk.md.
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
from typing import TYPE_CHECKING, Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from assistant.errors import AssistantError, InvalidInput, NotFound
from assistant.storage.sessions import SessionStore, dead_letters_table, inbound_seen_table, now_iso, outbox_table
from assistant.settings import HelpdeskSettings

if TYPE_CHECKING:  # pragma: no cover
    from assistant.handoff.takeover import Takeover

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Assistant-Signature"
TIMESTAMP_HEADER = "X-Assistant-Timestamp"
EVENT_HEADER = "X-Assistant-Event"
DELIVERY_HEADER = "X-Assistant-Delivery"
PAYLOAD_VERSION = 1
_RETRYABLE_4XX = {408, 409, 425, 429}


class InvalidSignature(AssistantError):
    """A helpdesk request whose signature is missing, wrong, stale or already used."""

    status_code = 401

    def __init__(self, message: str):
        super().__init__(message)
        self.limit = "signature"


class InboundDisabled(AssistantError):
    status_code = 503


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """``sha256=<hex>`` over ``b"<timestamp>." + body``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = int(now if now is not None else time.time())
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign(secret, timestamp, body),
            "Content-Type": "application/json"}


def verify_signature(secret: str, headers: Mapping[str, str], body: bytes, tolerance_s: int = 300,
                     now: float | None = None) -> int:
    """Check a signed request; returns its timestamp or raises InvalidSignature saying why."""
    lowered = {k.lower(): v for k, v in headers.items()}
    signature = lowered.get(SIGNATURE_HEADER.lower(), "")
    raw_ts = lowered.get(TIMESTAMP_HEADER.lower(), "")
    if not signature or not raw_ts:
        raise InvalidSignature(f"missing {SIGNATURE_HEADER} or {TIMESTAMP_HEADER} header")
    try:
        timestamp = int(raw_ts)
    except ValueError:
        raise InvalidSignature(f"{TIMESTAMP_HEADER} must be unix seconds") from None
    age = (now if now is not None else time.time()) - timestamp
    if abs(age) > tolerance_s:
        raise InvalidSignature(f"the signed timestamp is {int(age)} s off; the limit is {tolerance_s} s "
                               "(signature_tolerance_s)")
    if not hmac.compare_digest(sign(secret, timestamp, body), signature.strip()):
        raise InvalidSignature("the signature does not match the body")
    return timestamp


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
        payload = self.payload(event, ticket, messages)
        rows = [{"url": url, "session_id": ticket["session_id"], "event": event,
                 "body": json.dumps({**payload, "delivery_id": f"{payload['delivery_id']}-{i}"}, default=str),
                 "attempts": 0, "next_attempt_at": time.time(), "claimed_until": 0.0, "created_at": now_iso()}
                for i, url in enumerate(self.settings.webhook_urls)]
        with self.sessions.write() as conn:
            conn.execute(insert(outbox_table), rows)
        if self.autostart:
            self.start()
        self._wake.set()
        return len(rows)

    def send(self, event: str, session_id: str, payload: dict[str, Any]) -> int:
        """Queue a signed webhook for an event that is not a takeover step (an order action:
        ``order.cancel``...), through the same durable outbox, retries and dead letters."""
        if not self.enabled:
            return 0
        body = {"version": PAYLOAD_VERSION, "event": event, "delivery_id": uuid.uuid4().hex, "sent_at": now_iso(),
                "conversation_id": session_id, **payload}
        rows = [{"url": url, "session_id": session_id, "event": event,
                 "body": json.dumps({**body, "delivery_id": f"{body['delivery_id']}-{i}"}, default=str),
                 "attempts": 0, "next_attempt_at": time.time(), "claimed_until": 0.0, "created_at": now_iso()}
                for i, url in enumerate(self.settings.webhook_urls)]
        with self.sessions.write() as conn:
            conn.execute(insert(outbox_table), rows)
        if self.autostart:
            self.start()
        self._wake.set()
        return len(rows)

    def deliver_due(self, now: float | None = None, limit: int = 20) -> int:
        """One pass: POST every due delivery this process can claim; returns how many were tried."""
        now = now if now is not None else time.time()
        with self.sessions.engine.connect() as conn:
            due = conn.execute(select(outbox_table).where(outbox_table.c.next_attempt_at <= now,
                                                          outbox_table.c.claimed_until < now)
                               .order_by(outbox_table.c.id).limit(limit)).mappings().all()
        tried = 0
        for row in due:
            with self.sessions.write() as conn:   # claim it, so another process does not send it too
                claimed = conn.execute(update(outbox_table).where(outbox_table.c.id == row["id"],
                                                                  outbox_table.c.claimed_until < now)
                                       .values(claimed_until=now + self.settings.timeout + 30)).rowcount
            if claimed:
                tried += 1
                self._attempt(dict(row))
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
                with self.sessions.write() as conn:
                    conn.execute(delete(outbox_table).where(outbox_table.c.id == row["id"]))
                return
            error = f"HTTP {response.status_code}: {response.text[:200]}"
            permanent = 400 <= response.status_code < 500 and response.status_code not in _RETRYABLE_4XX
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        attempts = row["attempts"] + 1
        with self.sessions.write() as conn:
            if permanent or attempts > self.settings.retries:
                log.warning("helpdesk webhook to %s dead-lettered after %d attempt(s): %s", row["url"], attempts, error)
                conn.execute(insert(dead_letters_table).values(
                    url=row["url"], session_id=row["session_id"], event=row["event"], body=row["body"],
                    attempts=attempts, last_error=error, created_at=row["created_at"], failed_at=now_iso()))
                conn.execute(delete(outbox_table).where(outbox_table.c.id == row["id"]))
            else:
                delay = min(self.settings.backoff_max_s, self.settings.backoff_s * 2 ** (attempts - 1))
                conn.execute(update(outbox_table).where(outbox_table.c.id == row["id"]).values(
                    attempts=attempts, last_error=error, next_attempt_at=time.time() + delay, claimed_until=0.0))

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=self.settings.timeout, follow_redirects=False)
        return self._client

    def pending(self) -> list[dict[str, Any]]:
        with self.sessions.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(outbox_table).order_by(outbox_table.c.id)).mappings()]

    def dead_letters(self) -> list[dict[str, Any]]:
        with self.sessions.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(dead_letters_table)
                                                  .order_by(dead_letters_table.c.id)).mappings()]

    def redeliver(self, dead_letter_id: int) -> None:
        """Put a dead letter back in the outbox (e.g. after the receiver is fixed)."""
        with self.sessions.write() as conn:
            row = conn.execute(select(dead_letters_table).where(dead_letters_table.c.id == dead_letter_id)
                               ).mappings().first()
            if row is None:
                raise InvalidInput(f"no dead letter with id {dead_letter_id}")
            conn.execute(insert(outbox_table).values(
                url=row["url"], session_id=row["session_id"], event=row["event"], body=row["body"], attempts=0,
                next_attempt_at=time.time(), claimed_until=0.0, created_at=row["created_at"]))
            conn.execute(delete(dead_letters_table).where(dead_letters_table.c.id == dead_letter_id))
        self._wake.set()

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
        with self.sessions.engine.connect() as conn:
            nxt = conn.execute(select(outbox_table.c.next_attempt_at).order_by(outbox_table.c.next_attempt_at)
                               .limit(1)).scalar()
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


class InboundMessage(BaseModel):
    """What the helpdesk POSTs to /api/v1/helpdesk/inbound (see docs/helpdesk.md)."""

    model_config = ConfigDict(extra="ignore")

    conversation_id: str = Field(min_length=1, max_length=64)
    action: Literal["message", "join", "hand_back", "resolve"] = "message"
    text: str | None = Field(default=None, max_length=8000)
    agent: str = Field(default="Support agent", min_length=1, max_length=128)


def handle_inbound(takeover: "Takeover", headers: Mapping[str, str], body: bytes,
                   now: float | None = None) -> dict[str, Any]:
    """Verify a helpdesk request and apply it: an agent's reply, join, hand back or resolve."""
    settings = takeover.helpdesk.settings
    if not (settings.inbound_secret and settings.inbound_secret.get_secret_value()):
        raise InboundDisabled("the helpdesk inbound endpoint is off: set ASSISTANT_HELPDESK__INBOUND_SECRET")
    verify_signature(settings.inbound_secret.get_secret_value(), headers, body,
                     settings.signature_tolerance_s, now=now)
    signature = {k.lower(): v for k, v in headers.items()}[SIGNATURE_HEADER.lower()].strip()
    moment = now if now is not None else time.time()
    try:
        with takeover.sessions.write() as conn:
            conn.execute(delete(inbound_seen_table).where(
                inbound_seen_table.c.received_at < moment - 2 * settings.signature_tolerance_s))
            conn.execute(insert(inbound_seen_table).values(signature=signature[:80], received_at=moment))
    except IntegrityError:
        raise InvalidSignature("this signed request was already received (replay)") from None
    try:
        message = InboundMessage.model_validate_json(body)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InvalidInput(f"inbound message: {'.'.join(map(str, err['loc'])) or 'body'}: {err['msg']}",
                           limit="inbound_schema") from None
    sid, agent = message.conversation_id, message.agent
    if not takeover.sessions.exists(sid):
        raise NotFound(f"no conversation with id {sid!r}")
    seq = None
    if message.action == "message":
        if not (message.text or "").strip():
            raise InvalidInput("inbound message: text is required for action 'message'", limit="inbound_schema")
        seq = takeover.agent_reply(sid, message.text, agent, source="helpdesk")
        ticket = takeover.ticket_for(sid)
    elif message.action == "join":
        ticket = takeover.agent_join(sid, agent)
    elif message.action == "hand_back":
        ticket = takeover.hand_back(sid, agent)
    else:
        ticket = takeover.resolve(sid, agent)
    return {"ok": True, "conversation_id": sid, "action": message.action, "seq": seq,
            "ticket": ticket.id if ticket else None, "status": ticket.status if ticket else None}
