"""Security at the HTTP boundary: who may call, how often, and how much they may send.

- API keys for the store's own servers (``X-API-Key`` or ``Authorization: Bearer <key>``).
- Session tokens for the website widget: short-lived, HMAC-signed, naming one conversation, so a
  transcript is readable only by the browser tab that started it (or the store's servers).
- Signed shopper identity: the store's backend sends ``HMAC-SHA256(secret, customer_id)`` with the
  customer id, the pattern Intercom and Chatwoot use, so a page cannot claim someone else's orders.
- Rate limits per client address and per conversation (token buckets in the session database, so
  every app process behind a load balancer counts the same requests; in memory without one).
- A request-body size limit applied before any body is parsed.
Every refusal raises an AssistantError subclass from ``http_errors``, mapped to JSON in one place.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass

from assistant.settings import HttpSettings
from assistant.web.http_errors import BodyTooLarge, Forbidden, RateLimited, Unauthorized, error_body

TOKEN_PREFIX = "st1."


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_customer(secret: str, customer_id: str) -> str:
    """What the store's backend computes for a logged-in shopper (hex HMAC-SHA256 of the id)."""
    return hmac.new(secret.encode(), customer_id.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Caller:
    """Who made a request: the store's server (API key) or the widget of one conversation."""

    kind: str                       # "api_key" | "session" | "anonymous"
    session_id: str | None = None


class Gatekeeper:
    """Issues and checks credentials; one per app, built from HttpSettings."""

    def __init__(self, http: HttpSettings):
        self.http = http
        self._secret = http.secret_key.encode()
        self._keys = [k.encode() for k in http.api_keys if k]

    # -- session tokens -----------------------------------------------------------------
    def issue_token(self, session_id: str, now: float | None = None) -> tuple[str, int]:
        expires = int((now or time.time()) + self.http.session_token_ttl_s)
        payload = _b64(json.dumps({"sid": session_id, "exp": expires}, separators=(",", ":")).encode())
        signature = _b64(hmac.new(self._secret, payload.encode(), hashlib.sha256).digest())
        return f"{TOKEN_PREFIX}{payload}.{signature}", expires

    def session_of(self, token: str, now: float | None = None) -> str:
        """The conversation a token names; Unauthorized when forged, malformed or expired."""
        try:
            payload, signature = token.removeprefix(TOKEN_PREFIX).split(".")
            expected = _b64(hmac.new(self._secret, payload.encode(), hashlib.sha256).digest())
            if not hmac.compare_digest(signature, expected):
                raise ValueError("bad signature")
            claims = json.loads(_unb64(payload))
            session_id, expires = str(claims["sid"]), int(claims["exp"])
        except (ValueError, KeyError, TypeError):
            raise Unauthorized("the session token is not valid; start a new session") from None
        if expires < (now or time.time()):
            raise Unauthorized("the session token has expired; refresh it or start a new session",
                               limit="session_token_ttl_s")
        return session_id

    # -- API keys and shopper identity --------------------------------------------------
    def is_api_key(self, value: str | None) -> bool:
        if not value:
            return False
        given = value.encode()
        return any(hmac.compare_digest(given, key) for key in self._keys)

    @property
    def open_without_keys(self) -> bool:
        """With no API keys configured, server-to-server routes are open in development only."""
        return not self._keys and self.http.environment == "development"

    def verify_customer(self, customer_id: str, signature: str | None) -> None:
        if not signature or not hmac.compare_digest(signature.lower(), sign_customer(self.http.secret_key,
                                                                                     customer_id)):
            raise Forbidden("the shopper identity signature does not match the customer id "
                            "(HMAC-SHA256 of the id with the store's secret)", limit="customer_signature")

    # -- who is calling -----------------------------------------------------------------
    def identify(self, authorization: str | None, api_key: str | None, any_bearer_in_dev: bool = False) -> Caller:
        """``any_bearer_in_dev``: on a development server with no keys, a bearer that is no session
        token counts as no credential (OpenAI SDKs always send one, often a placeholder)."""
        if self.is_api_key(api_key):
            return Caller("api_key")
        if api_key:
            raise Unauthorized("the API key is not valid")
        if authorization:
            scheme, _, credential = authorization.partition(" ")
            credential = credential.strip()
            if scheme.lower() != "bearer" or not credential:
                raise Unauthorized("use 'Authorization: Bearer <session token or API key>'")
            if credential.startswith(TOKEN_PREFIX):
                return Caller("session", self.session_of(credential))
            if self.is_api_key(credential):
                return Caller("api_key")
            if any_bearer_in_dev and self.open_without_keys:
                return Caller("anonymous")
            raise Unauthorized("the bearer credential is neither a valid session token nor an API key")
        return Caller("anonymous")

    def require_session(self, caller: Caller, session_id: str) -> None:
        """A conversation is readable and writable by its own token or by an API key."""
        if caller.kind == "api_key":
            return
        if caller.kind == "anonymous":
            raise Unauthorized("this conversation needs its session token (Authorization: Bearer ...)")
        if caller.session_id != session_id:
            raise Forbidden("the session token belongs to a different conversation")

    def require_api_key(self, caller: Caller) -> None:
        if caller.kind == "api_key" or (caller.kind == "anonymous" and self.open_without_keys):
            return
        if caller.kind == "session":
            raise Forbidden("session tokens cannot call this endpoint; use an API key")
        raise Unauthorized("an API key is required (X-API-Key or Authorization: Bearer <key>)")


class RateLimiter:
    """Token buckets: ``per_minute`` requests, refilled continuously, bursts up to the same number.
    With ``shared`` (the session store's ``Leases``) the buckets are rows every process updates."""

    def __init__(self, per_minute: int, limit_name: str, what: str, shared=None):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.limit_name = limit_name
        self.what = what
        self.shared = shared
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def _refuse(self, tokens: float) -> RateLimited:
        retry_after = max(1, int((1.0 - tokens) / self.rate + 0.999))
        return RateLimited(f"too many requests {self.what}: the limit is {int(self.capacity)} per minute "
                           f"({self.limit_name}); retry in {retry_after} s",
                           limit=self.limit_name, retry_after=retry_after)

    def hit(self, key: str, now: float | None = None) -> None:
        """Count one request; RateLimited when the bucket is empty (blocking: call it off the event loop)."""
        if self.shared is not None:
            tokens = self.shared.take(f"{self.limit_name}:{key}", self.capacity, self.rate, now)
            if tokens < 1.0:
                raise self._refuse(tokens)
            return
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                raise self._refuse(tokens)
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > 50_000:      # forget clients whose bucket has refilled
                full = [k for k, (t, ts) in self._buckets.items() if t + (now - ts) * self.rate >= self.capacity]
                for k in full:
                    del self._buckets[k]


class BodySizeLimit:
    """ASGI middleware: refuse bodies over ``max_bytes`` (declared or streamed) with a 413."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await self._refuse(send, int(declared))
        received = 0
        started = overflowed = False

        async def counting_receive():
            nonlocal received, overflowed
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    overflowed = True
                    raise BodyTooLarge(self._message(received), limit="max_body_bytes")
            return message

        async def watching_send(message):
            # A parser that caught the overflow may answer 400; the shopper should see the named 413.
            nonlocal started
            if overflowed:
                if not started:
                    started = True
                    await self._refuse(send, received)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, received)

    def _message(self, size: int) -> str:
        return f"the request body is {size} bytes or more; the limit is {self.max_bytes} (max_body_bytes)"

    async def _refuse(self, send, size: int) -> None:
        body = json.dumps(error_body(BodyTooLarge(self._message(size), limit="max_body_bytes"))).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
