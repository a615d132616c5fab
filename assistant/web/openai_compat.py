"""OpenAI-compatible ``/v1/chat/completions`` and ``/v1/models``, so OpenAI SDKs and chat UIs work unchanged.

The last user message is the shopper's turn: its text parts and ``image_url`` parts (data URLs;
http(s) URLs only with ``http.allow_http_image_urls``). Calls are stateless (a new conversation
each time: earlier messages in the request are not replayed) unless an ``X-Session-Id`` header
names the conversation to continue; the id used comes back in that header. The store's own
system prompt applies; system messages from the client are ignored. ``stream: true`` gives
``chat.completion.chunk`` events ending in ``data: [DONE]``; citations ride along as an extra
top-level ``citations`` field, which OpenAI clients keep and ignore.
"""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import anyio
import httpx
from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse
from fastapi.sse import EventSourceResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.conversation import Turn
from assistant.errors import InvalidInput
from assistant.events import Error
from assistant.reply import Reply
from assistant.web.api import SESSION_ID, Door, FrontDoor, SdkCallerDep, decode_data_url, limit_per_ip
from assistant.web.http_errors import ERROR_RESPONSES, error_body
from assistant.web.replies import KEEPALIVE

MODEL_ID = "shop-assistant"
MAX_MESSAGES = 500


class ImageURL(BaseModel):
    url: str
    detail: str | None = None


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None
    image_url: ImageURL | str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None


class ChatRequest(BaseModel):
    """OpenAI's request; sampling options (temperature, max_tokens, ...) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES, json_schema_extra={
        "contains": {"required": ["role"], "properties": {"role": {"const": "user"}}}})
    stream: bool = False


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: str = "stop"


class Usage(BaseModel):
    """Token counts chat UIs show: the request's messages and the answer, by the backend's tokenizer."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int

    @classmethod
    def of(cls, backend, request: "ChatRequest", answer: str) -> "Usage":
        prompt = sum(backend.count_tokens(text) for m in request.messages for text in message_texts(m))
        completion = backend.count_tokens(answer)
        return cls(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    citations: list[dict[str, Any]] = Field(default_factory=list)


class Model(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Model]


router = APIRouter(prefix="/v1", tags=["openai-compatible"], responses=ERROR_RESPONSES,
                   dependencies=[Depends(limit_per_ip)])


@router.get("/models", response_model=ModelList, summary="The one model this store serves")
async def list_models(door: Door, caller: SdkCallerDep) -> ModelList:
    door.gatekeeper.require_api_key(caller)
    return ModelList(data=[Model(id=MODEL_ID, created=0, owned_by=door.settings.store_name)])


async def fetch_image(url: str, door: FrontDoor, position: int) -> bytes:
    if not door.settings.http.allow_http_image_urls:
        raise InvalidInput(f"image {position} is an http(s) URL; send it as a data URL, or the store must "
                           "enable allow_http_image_urls", limit="allow_http_image_urls")
    cap = door.settings.limits.max_image_bytes
    try:
        async with httpx.AsyncClient(timeout=10.0, follow_redirects=False) as client:
            async with client.stream("GET", url) as response:
                if response.status_code != 200:
                    raise InvalidInput(f"image {position} could not be fetched (HTTP {response.status_code})",
                                       limit="image_url")
                data = b""
                async for chunk in response.aiter_bytes():
                    data += chunk
                    if len(data) > cap:
                        raise InvalidInput(f"image {position} is over {cap} bytes (max_image_bytes)",
                                           limit="max_image_bytes")
                return data
    except httpx.HTTPError as exc:
        raise InvalidInput(f"image {position} could not be fetched ({type(exc).__name__})",
                           limit="image_url") from None


def message_texts(message: ChatMessage) -> list[str]:
    content = message.content
    if content is None or isinstance(content, str):
        return [content or ""]
    return [part.text or "" for part in content if part.type == "text"]


async def user_turn(request: ChatRequest, door: FrontDoor) -> Turn:
    """The last user message as a Turn: its text parts joined, its image parts decoded."""
    users = [m for m in request.messages if m.role == "user"]
    if not users:
        raise InvalidInput("messages has no user message to answer", limit="user_message")
    content = users[-1].content
    if content is None or isinstance(content, str):
        return Turn(text=content or "")
    texts, images = [], []
    for part in content:
        if part.type == "text":
            texts.append(part.text or "")
        elif part.type == "image_url" and part.image_url is not None:
            url = part.image_url if isinstance(part.image_url, str) else part.image_url.url
            position = len(images) + 1
            if url.lower().startswith(("http://", "https://")):
                images.append(await fetch_image(url, door, position))
            else:
                images.append(decode_data_url(url, position))
        else:
            raise InvalidInput(f"content part type {part.type!r} is not supported (text, image_url)",
                               limit="content_part_type")
    return Turn(text="\n".join(texts), images=images)


def failure(error: Error) -> dict[str, Any]:
    """A reply that ended in an error, as OpenAI's error body."""
    return error_body(Exception(error.fields.get("message", "the reply failed")), 500)


def chunk(completion_id: str, created: int, delta: dict[str, Any], finish: str | None = None,
          **extra: Any) -> bytes:
    body = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
    return f"data: {json.dumps(body)}\n\n".encode()


async def stream_chunks(door: FrontDoor, session_id: str, after: int, body: ChatRequest) -> AsyncIterator[bytes]:
    completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    yield chunk(completion_id, created, {"role": "assistant", "content": ""})
    reply = Reply()
    async for event in door.runner.follow(session_id, after, this_reply=True):
        if event is None:
            yield KEEPALIVE
            continue
        item = reply.add(event)
        if isinstance(item, Error):
            yield f"data: {json.dumps(failure(item))}\n\n".encode()
        elif text := item.chat_text:
            yield chunk(completion_id, created, {"content": text})
    usage = Usage.of(door.manager.backend, body, reply.chat_text.strip())
    yield chunk(completion_id, created, {}, "stop", citations=reply.cited, usage=usage.model_dump())
    yield b"data: [DONE]\n\n"


@router.post("/chat/completions", response_model=ChatCompletion, summary="OpenAI-style chat completion",
             responses={200: {"description": "chat.completion, or with stream=true SSE chat.completion.chunk "
                                             "events ending in `data: [DONE]`",
                              "content": {"text/event-stream": {"itemSchema": {
                                  "type": "object", "properties": {"data": {"type": "string", "description":
                                      "a chat.completion.chunk as JSON, or [DONE] last"}}}}}}})
async def chat_completions(body: ChatRequest, door: Door, caller: SdkCallerDep,
                           x_session_id: Annotated[str | None, Header(pattern=SESSION_ID)] = None):
    door.gatekeeper.require_api_key(caller)
    turn = await user_turn(body, door)
    door.manager.validate(turn)
    session_id = x_session_id or f"openai-{uuid.uuid4().hex}"
    if x_session_id:
        await anyio.to_thread.run_sync(door.per_session.hit, session_id)
    await anyio.to_thread.run_sync(door.manager.sessions.ensure, session_id)
    after = await door.runner.start(session_id, turn)
    headers = {"X-Session-Id": session_id}
    if body.stream:
        return EventSourceResponse(stream_chunks(door, session_id, after, body),
                                   headers={**headers, "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    reply = Reply.fold([e async for e in door.runner.follow(session_id, after, this_reply=True)])
    if reply.error:
        return JSONResponse(failure(reply.error), status_code=500, headers=headers)
    answer = reply.chat_text.strip()
    completion = ChatCompletion(id=f"chatcmpl-{uuid.uuid4().hex}", created=int(time.time()), model=MODEL_ID,
                                choices=[Choice(message=AssistantMessage(content=answer))],
                                usage=Usage.of(door.manager.backend, body, answer), citations=reply.cited)
    return JSONResponse(completion.model_dump(), headers=headers)
