"""The helpdesk link, inbound: an agent's reply (or join, hand back, resolve) posted by the helpdesk.

A request is signed like the outbound webhooks (assistant.handoff.helpdesk): the timestamp is
inside the signed bytes, requests older than ``signature_tolerance_s`` are refused, and a
signature is accepted only once (the replay guard in the session database). A verified request
is applied through assistant.handoff.takeover, the core the agent API and console use too.
"""
from __future__ import annotations

import hmac
import time
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import AssistantError, InvalidInput, NotFound
from assistant.handoff.helpdesk import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from assistant.handoff.takeover import Takeover


class InvalidSignature(AssistantError):
    """A helpdesk request whose signature is missing, wrong, stale or already used."""

    status_code = 401

    def __init__(self, message: str):
        super().__init__(message)
        self.limit = "signature"


class InboundDisabled(AssistantError):
    status_code = 503



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


class InboundMessage(BaseModel):
    """What the helpdesk POSTs to /api/v1/helpdesk/inbound (see docs/helpdesk.md)."""

    model_config = ConfigDict(extra="ignore")

    conversation_id: str = Field(min_length=1, max_length=64)
    action: Literal["message", "join", "hand_back", "resolve"] = "message"
    text: str | None = Field(default=None, max_length=8000)
    agent: str = Field(default="Support agent", min_length=1, max_length=128)


def handle_inbound(takeover: Takeover, headers: Mapping[str, str], body: bytes,
                   now: float | None = None) -> dict[str, Any]:
    """Verify a helpdesk request and apply it: an agent's reply, join, hand back or resolve."""
    settings = takeover.helpdesk.settings
    if not (settings.inbound_secret and settings.inbound_secret.get_secret_value()):
        raise InboundDisabled("the helpdesk inbound endpoint is off: set ASSISTANT_HELPDESK__INBOUND_SECRET")
    verify_signature(settings.inbound_secret.get_secret_value(), headers, body,
                     settings.signature_tolerance_s, now=now)
    signature = {k.lower(): v for k, v in headers.items()}[SIGNATURE_HEADER.lower()].strip()
    moment = now if now is not None else time.time()
    if not takeover.sessions.inbound_seen.first_time(signature, moment,
                                                     forget_before=moment - 2 * settings.signature_tolerance_s):
        raise InvalidSignature("this signed request was already received (replay)")
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
