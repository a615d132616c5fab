"""The session API under ``/api/v1``: what the website widget and a store's own apps call.

- ``POST /sessions`` -> session id + short-lived signed token (optionally a signed shopper identity)
- ``POST /sessions/{id}/messages`` (text and photos, JSON with data URLs or multipart) -> the
  reply's events as SSE (id = the event's seq), or one JSON reply when asked for
- ``GET /sessions/{id}`` -> transcript; ``GET /sessions/{id}/events?after=N`` -> resume a stream
- ``POST /sessions/{id}/token`` -> a fresh token; ``GET /sessions/{id}/images/{image}`` -> an upload
Every turn goes through ``ConversationManager`` (validate + respond); nothing here answers.
"""
from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.sse import EventSourceResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.conversation import ConversationManager
from assistant.dialogue.language import normalise_locale
from assistant.errors import InvalidInput, NotFound
from assistant.reply import Reply
from assistant.settings import Settings
from assistant.vision.images import image_mime
from assistant.web.http_errors import ERROR_RESPONSES, UnsupportedMediaType
from assistant.web.metrics import Metrics
from assistant.web.replies import IMAGE_ID, ReplyRunner, public_event, public_images
from assistant.web.security import Caller, Gatekeeper, RateLimiter

SESSION_ID = r"^[A-Za-z0-9_.:-]{1,64}$"
DATA_URL = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(;[\w.+-]+=[\w.+-]+)*)(?P<b64>;base64)?,",
                      re.IGNORECASE)


@dataclass
class FrontDoor:
    """Everything the HTTP routes share, built once in create_app."""

    settings: Settings
    manager: ConversationManager
    gatekeeper: Gatekeeper
    per_ip: RateLimiter
    per_session: RateLimiter
    runner: ReplyRunner
    metrics: Metrics

    @classmethod
    def build(cls, settings: Settings, manager: ConversationManager) -> "FrontDoor":
        http = settings.http
        metrics = Metrics()
        shared = manager.sessions.leases      # counted across every process sharing the database
        return cls(settings, manager, Gatekeeper(http),
                   RateLimiter(http.rate_limit_per_ip, "rate_limit_per_ip", "from this address", shared),
                   RateLimiter(http.rate_limit_per_session, "rate_limit_per_session", "in this conversation",
                               shared),
                   ReplyRunner(manager, http, metrics), metrics)


# -- dependencies (Annotated aliases) --------------------------------------------------------
# Dependencies that touch no store are ``async``: FastAPI runs a plain ``def`` one in a worker
# thread, a round trip through the thread pool for a dict lookup or an HMAC check.
async def get_door(request: Request) -> FrontDoor:
    return request.app.state.front_door


Door = Annotated[FrontDoor, Depends(get_door)]


def limit_per_ip(request: Request, door: Door) -> None:
    door.per_ip.hit(request.client.host if request.client else "unknown")


async def identify(door: Door, authorization: Annotated[str | None, Header()] = None,
                   x_api_key: Annotated[str | None, Header()] = None) -> Caller:
    return door.gatekeeper.identify(authorization, x_api_key)


async def identify_sdk_client(door: Door, authorization: Annotated[str | None, Header()] = None,
                              x_api_key: Annotated[str | None, Header()] = None) -> Caller:
    """``/v1``: the official OpenAI SDKs refuse to run without an API key, so a development server
    with no keys accepts whatever bearer they send."""
    return door.gatekeeper.identify(authorization, x_api_key, any_bearer_in_dev=True)


CallerDep = Annotated[Caller, Depends(identify)]
SdkCallerDep = Annotated[Caller, Depends(identify_sdk_client)]
SessionId = Annotated[str, Path(pattern=SESSION_ID, description="the conversation id")]


async def session_caller(session_id: SessionId, caller: CallerDep, door: Door) -> Caller:
    """The caller may use this conversation (its token or an API key), and it exists."""
    door.gatekeeper.require_session(caller, session_id)
    if not await anyio.to_thread.run_sync(door.manager.sessions.exists, session_id):
        raise NotFound(f"no conversation with id {session_id!r}")
    return caller


SessionCaller = Annotated[Caller, Depends(session_caller)]


# -- request and response bodies ---------------------------------------------------------------
class NewSession(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: str | None = Field(None, min_length=1, max_length=128, description="the store's customer id")
    customer_signature: str | None = Field(None, max_length=128,
                                           description="hex HMAC-SHA256 of customer_id with the store's secret; "
                                                       "not needed when the caller uses an API key")
    locale: str | None = Field(None, max_length=16, description="the conversation's language (en, zh, es, de, "
                                                                "fr, ja; 'zh-CN' reads as zh); unset: detected "
                                                                "from the shopper's messages")


class SessionGrant(BaseModel):
    session_id: str
    token: str = Field(description="send as 'Authorization: Bearer <token>'")
    expires_at: int = Field(description="unix time")
    expires_in: int = Field(description="seconds")
    customer_id: str | None = None
    language: str = Field("en", description="the conversation's language so far (ISO 639-1)")


class MessageIn(BaseModel):
    # Not empty: some words or a photo (checked by the core; stated here so the schema says so too).
    model_config = ConfigDict(extra="forbid", json_schema_extra={"anyOf": [
        {"required": ["text"], "properties": {"text": {"pattern": "\\S"}}},
        {"required": ["images"], "properties": {"images": {"minItems": 1}}}]})

    text: str = Field("", description="the shopper's words")
    images: list[str] = Field(default_factory=list, description="photos as data URLs (data:image/png;base64,...)",
                              json_schema_extra={"items": {"type": "string", "pattern": "^data:image/"}})
    stream: bool = Field(True, description="false: one JSON reply instead of an event stream")


class ReplyOut(BaseModel):
    session_id: str
    answer: str
    citations: list[dict[str, Any]] = Field(default_factory=list)
    handoff: dict[str, Any] | None = None
    products: list[dict[str, Any]] = Field(default_factory=list, description="cards of the products the answer "
                                           "is about: id, name, price, compare_at_price, in_stock, image, url")
    suggestions: list[str] = Field(default_factory=list, description="next questions to offer the shopper")
    language: str | None = Field(None, description="the conversation's language after this message")
    events: list[dict[str, Any]] = Field(description="every event of this reply, as the stream sends them")


class Transcript(BaseModel):
    session_id: str
    customer_id: str | None = None
    created_at: str
    updated_at: str
    owner: str = Field(description="who answers now: bot, queued (waiting for a person) or agent")
    last_seq: int = Field(description="resume the event stream after this")
    language: str = Field("en", description="the shopper's language, detected per message unless the "
                                            "session's locale fixes it (ISO 639-1)")
    locale: str | None = Field(None, description="the language the integrator set, if any")
    messages: list[dict[str, Any]]


# One SSE event (OpenAPI 3.2 ``itemSchema``, as FastAPI writes it for its own SSE routes).
STREAM_EVENT_SCHEMA = {"type": "object", "properties": {
    "event": {"type": "string", "description": "user, token, citations, perception, state, handoff, "
                                               "agent_message, notice, done or error"},
    "id": {"type": "string", "description": "the event's seq: resume with ?after=<id> or Last-Event-ID"},
    "data": {"type": "string", "contentMediaType": "application/json",
             "description": "the event as JSON: {type, seq, turn, created_at, ...its fields}"},
    "retry": {"type": "integer", "minimum": 0}}}

router = APIRouter(prefix="/api/v1", tags=["sessions"], responses=ERROR_RESPONSES,
                   dependencies=[Depends(limit_per_ip)])


def grant(door: FrontDoor, session_id: str, customer_id: str | None, language: str = "en") -> SessionGrant:
    token, expires = door.gatekeeper.issue_token(session_id)
    return SessionGrant(session_id=session_id, token=token, expires_at=expires,
                        expires_in=door.settings.http.session_token_ttl_s, customer_id=customer_id,
                        language=language)


@router.post("/sessions", status_code=201, response_model=SessionGrant, summary="Start a conversation")
async def create_session(door: Door, caller: CallerDep, body: NewSession | None = None) -> SessionGrant:
    customer_id = body.customer_id if body else None
    locale = normalise_locale(body.locale if body else None)
    if customer_id and caller.kind != "api_key":
        door.gatekeeper.verify_customer(customer_id, body.customer_signature)
    session_id = await anyio.to_thread.run_sync(
        lambda: door.manager.new_session(customer_id=customer_id, locale=locale))
    return grant(door, session_id, customer_id, locale or "en")


@router.post("/sessions/{session_id}/token", response_model=SessionGrant, summary="Renew the session token")
async def renew_token(session_id: SessionId, door: Door, _caller: SessionCaller) -> SessionGrant:
    info = await anyio.to_thread.run_sync(door.manager.sessions.info, session_id)
    state = await anyio.to_thread.run_sync(door.manager.sessions.load_state, session_id)
    return grant(door, session_id, info.get("customer_id"), state.language)


@router.get("/sessions/{session_id}", response_model=Transcript, summary="The conversation so far")
async def read_session(session_id: SessionId, door: Door, _caller: SessionCaller) -> Transcript:
    def load() -> Transcript:
        store = door.manager.sessions
        info = store.info(session_id)
        messages = store.transcript(session_id)
        for message in messages:
            if "images" in message:
                message["images"] = public_images(session_id, message["images"])
        last_seq = door.manager.sessions.last_seq(session_id)
        state = store.load_state(session_id)
        return Transcript(session_id=session_id, customer_id=info.get("customer_id"),
                          created_at=info["created_at"], updated_at=info["updated_at"],
                          owner=door.manager.sessions.owner(session_id), last_seq=last_seq,
                          language=state.language, locale=state.locale, messages=messages)

    return await anyio.to_thread.run_sync(load)


def decode_data_url(url: str, position: int) -> bytes:
    """The bytes of a base64 ``data:`` URL; a 400 naming what is wrong otherwise."""
    match = DATA_URL.match(url[:300])
    if not match or not match.group("b64"):
        raise InvalidInput(f"image {position} is not a base64 data URL (data:image/...;base64,...)",
                           limit="image_encoding")
    mime = (match.group("mime") or "").lower()
    if mime and not mime.startswith("image/"):
        raise InvalidInput(f"image {position} is {mime}, not an image", limit="image_type")
    try:
        return base64.b64decode(url[match.end():], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"image {position} has invalid base64 data", limit="image_encoding") from None


async def read_message(request: Request, door: FrontDoor) -> tuple[str, list[bytes], bool]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            raw = await request.json()
        except ValueError:
            raise InvalidInput("the body is not valid JSON", limit="json") from None
        try:
            message = MessageIn.model_validate(raw)
        except ValidationError as exc:
            raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None
        return message.text, [decode_data_url(u, i + 1) for i, u in enumerate(message.images)], message.stream
    if kind == "multipart/form-data":
        form = await request.form(max_files=door.settings.limits.max_images_per_turn + 16, max_fields=64)
        text = form.get("text") or ""
        if not isinstance(text, str):
            raise InvalidInput("the 'text' field must be text, not a file", limit="text_field")
        images = [await f.read() for f in form.getlist("images") if not isinstance(f, str)]
        stream = str(form.get("stream") or "true").lower()
        if stream not in ("true", "false", "1", "0"):
            raise RequestValidationError([{"loc": ("body", "stream"), "msg": "must be true or false",
                                           "type": "bool_parsing"}])
        return text, images, stream in ("true", "1")
    raise UnsupportedMediaType("send the message as application/json or multipart/form-data",
                               limit="content_type")


def wants_json(request: Request, stream: bool) -> bool:
    accept = request.headers.get("accept", "")
    return not stream or ("application/json" in accept and "text/event-stream" not in accept)


MESSAGE_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": MessageIn.model_json_schema()},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "text": {"type": "string"},
        "images": {"type": "array", "items": {"type": "string", "format": "binary"}},
        "stream": {"type": "boolean"}}, "anyOf": MessageIn.model_json_schema()["anyOf"]}},
}}}


@router.post("/sessions/{session_id}/messages", summary="Send a message; the reply streams back",
             response_model=ReplyOut, openapi_extra=MESSAGE_BODY,
             responses={200: {"description": "the reply: an SSE stream of events (default), or one JSON reply "
                                             "with `stream: false` / `Accept: application/json`",
                              "content": {"text/event-stream": {"itemSchema": STREAM_EVENT_SCHEMA}}},
                         409: ERROR_RESPONSES[400] | {"description": "a reply is still being written"}})
async def send_message(session_id: SessionId, request: Request, door: Door, _caller: SessionCaller):
    await anyio.to_thread.run_sync(door.per_session.hit, session_id)
    text, images, stream = await read_message(request, door)
    turn = await anyio.to_thread.run_sync(door.manager.shopper_turn, session_id, text, images)
    door.manager.validate(turn)
    after = await door.runner.start(session_id, turn)
    if not wants_json(request, stream):
        return EventSourceResponse(door.runner.sse(session_id, after, this_reply=True),
                                   headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    stored = [e async for e in door.runner.follow(session_id, after, this_reply=True) if e is not None]
    reply = Reply.fold(stored)
    out = ReplyOut(session_id=session_id, answer=reply.answer or (reply.error.message if reply.error else ""),
                   citations=reply.cited, handoff=reply.handoff.fields if reply.handoff else None,
                   products=reply.cards, suggestions=reply.next_questions,
                   language=reply.done.language if reply.done else None,
                   events=[public_event(session_id, e) for e in stored])
    return JSONResponse(out.model_dump())


@router.get("/sessions/{session_id}/events", summary="Replay events after N, then follow new ones",
            response_model=None,
            responses={200: {"description": "SSE; ends when no reply is pending and the bot owns the "
                                            "conversation, stays open (keep-alives) while a person owns it",
                             "content": {"text/event-stream": {"itemSchema": STREAM_EVENT_SCHEMA}}}})
async def follow_events(session_id: SessionId, door: Door, _caller: SessionCaller,
                        after: Annotated[int | None, Query(ge=0, le=2**53, description="the last seq you have")] = None,
                        last_event_id: Annotated[str | None, Header()] = None):
    if after is None:
        # only a plain seq counts: "²".isdigit() is True, and a huge number would overflow SQLite
        after = int(last_event_id) if last_event_id and re.fullmatch(r"[0-9]{1,15}", last_event_id) else 0
    return EventSourceResponse(door.runner.sse(session_id, after, this_reply=False),
                               headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get("/sessions/{session_id}/images/{image_id}", summary="A photo the shopper sent",
            response_class=FileResponse, responses={200: {"content": {"image/*": {}}}})
async def read_image(session_id: SessionId, door: Door, _caller: SessionCaller,
                     image_id: Annotated[str, Path(pattern=IMAGE_ID.pattern)]) -> FileResponse:
    def find() -> FileResponse:
        path = door.manager.sessions.photo(session_id, image_id)
        return FileResponse(path, media_type=image_mime(path))

    return await anyio.to_thread.run_sync(find)


@router.get("/products/{product_id}/image", summary="A product's photo, for the product cards",
            response_class=FileResponse, responses={200: {"content": {"image/*": {}}}})
async def product_image(product_id: Annotated[str, Path(max_length=200)], door: Door) -> FileResponse:
    """Public like the store's own product pages; only files the catalog names are served."""
    product = door.manager.knowledge.directory.get(product_id)
    path = product.images[0] if product is not None and product.images else None
    if path is None or not await anyio.to_thread.run_sync(lambda: os.path.isfile(path)):
        raise NotFound(f"no photo of a product with id {product_id!r}")
    return FileResponse(path, media_type=image_mime(path), headers={"Cache-Control": "public, max-age=3600"})


# -- what the shopper tells the store about answers -------------------------------------------
class AnswerRating(BaseModel):
    model_config = ConfigDict(extra="forbid")

    turn: int = Field(ge=1, le=2**31, description="the turn whose answer is rated")
    rating: Literal["up", "down"]
    reason: str | None = Field(None, max_length=500, description="optional: what was wrong or right")


class ShopperAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["product_click", "suggestion_click", "citation_click"]
    turn: int = Field(ge=1, le=2**31, description="the turn whose reply it came from")
    target: str | None = Field(None, max_length=500, description="the product id, question or source id")


@router.post("/sessions/{session_id}/feedback", summary="Rate one answer (thumbs up/down, optional reason)")
async def rate_answer(session_id: SessionId, body: AnswerRating, door: Door, _caller: SessionCaller) -> dict:
    def save() -> dict:
        return door.manager.sessions.feedback.rate(session_id, body.turn, body.rating, body.reason)

    await anyio.to_thread.run_sync(door.per_session.hit, session_id)
    return await anyio.to_thread.run_sync(save)


@router.post("/sessions/{session_id}/events", status_code=202,
             summary="Record what the shopper did with a reply (opened a product card, tapped a suggestion)")
async def record_action(session_id: SessionId, body: ShopperAction, door: Door, _caller: SessionCaller) -> dict:
    def save() -> dict:
        return door.manager.sessions.feedback.shopper_did(session_id, body.turn, body.type, body.target)

    await anyio.to_thread.run_sync(door.per_session.hit, session_id)
    return await anyio.to_thread.run_sync(save)
