"""Backend for any OpenAI-compatible chat server (vLLM, TGI, llama.cpp server): the scale-out path.

Talks ``POST {base_url}/chat/completions`` with ``stream: true`` over httpx and parses the SSE
stream itself. Connection errors, 5xx and 429 are retried with exponential backoff until the
first token arrives; after that a failure ends the answer with ModelUnavailable.
"""
from __future__ import annotations

import base64
import io
import json
import random
from collections.abc import Iterator
from typing import Any

import httpx
from pydantic import Field, field_validator

from assistant.backends.base import AnswerRequest, BackendOptions, ModelBackend
from assistant.errors import ModelUnavailable
from assistant.answers.prompting import as_image, bind_images, fit_pixels, request_messages, text_only

BASE_URL_SETTING = "ASSISTANT_BACKEND_OPTIONS__BASE_URL"
API_KEY_SETTING = "ASSISTANT_BACKEND_OPTIONS__API_KEY"
MODEL_SETTING = "ASSISTANT_BACKEND_OPTIONS__MODEL"
_RETRY_STATUS = {429, 500, 502, 503, 504}


class OpenAIOptions(BackendOptions):
    base_url: str = Field("http://127.0.0.1:8000/v1", description="server root including /v1")
    api_key: str | None = None
    model: str | None = Field(None, description="served model name; default: the server's first model")
    timeout: float = Field(60.0, gt=0, description="seconds to wait for the next piece of the answer")
    connect_timeout: float = Field(5.0, gt=0)
    max_retries: int = Field(2, ge=0, le=10, description="retries before the first token")
    backoff: float = Field(0.5, ge=0, description="first retry delay in seconds; doubles each retry")
    max_tokens: int = Field(384, ge=1)
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    send_images: bool = True
    max_images: int = Field(4, ge=0, le=32)
    image_format: str = Field("PNG", pattern="^(PNG|JPEG|WEBP)$")
    max_pixels: int = Field(1024 * 1024, ge=28 * 28, description="photos are shrunk to this before upload")

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https:// (got {value!r})")
        return value.rstrip("/")


def image_data_url(image: Any, fmt: str = "PNG") -> str:
    """A photo (PIL image, upload bytes or path) as a ``data:`` URL for an ``image_url`` content part."""
    image = as_image(image)
    if image.mode not in ("RGB", "L") and not (fmt != "JPEG" and image.mode == "RGBA"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return f"data:image/{fmt.lower()};base64,{base64.b64encode(buffer.getvalue()).decode('ascii')}"


class _Retryable(Exception):
    pass


class OpenAIBackend(ModelBackend):
    name = "openai"
    accepts_images = True
    max_images = 4
    Options = OpenAIOptions

    def __init__(self, options: OpenAIOptions | dict[str, Any] | None = None):
        super().__init__(options)
        opts: OpenAIOptions = self.options  # type: ignore[assignment]
        self.accepts_images = opts.send_images
        self.max_images = opts.max_images if opts.send_images else 0
        headers = {"Accept": "text/event-stream"}
        if opts.api_key:
            headers["Authorization"] = f"Bearer {opts.api_key}"
        self._client = httpx.Client(
            base_url=opts.base_url, headers=headers,
            timeout=httpx.Timeout(opts.timeout, connect=min(opts.connect_timeout, opts.timeout)))
        self._model_name: str | None = opts.model

    # -- request -----------------------------------------------------------------------------
    def payload(self, request: AnswerRequest) -> dict[str, Any]:
        """The JSON body sent for ``request``: messages with images as base64 data URLs."""
        opts: OpenAIOptions = self.options  # type: ignore[assignment]
        messages = request_messages(request)
        images = ([fit_pixels(image, opts.max_pixels) for image in request.images[: self.max_images]]
                  if self.accepts_images else [])
        # Plain-string content wherever there is no image: every server and chat template accepts it
        # (llama.cpp's server rejects content parts in system messages).
        chat = []
        for message in bind_images(messages, images):
            if any(part.get("type") == "image" and "image" in part for part in message["content"]):
                chat.append({**message, "content": [
                    {"type": "image_url", "image_url": {"url": image_data_url(part["image"], opts.image_format)}}
                    if part.get("type") == "image" else part for part in message["content"]]})
            else:
                chat.extend(text_only([message]))
        body: dict[str, Any] = {"messages": chat, "stream": True, "max_tokens": opts.max_tokens,
                                "temperature": opts.temperature}
        if self._model_name:
            body["model"] = self._model_name
        return body

    def _served_model(self) -> str:
        """The first model the server lists (vLLM needs a name; llama.cpp accepts any).

        A server that cannot be reached raises (and is retried); one without a listing gets "default".
        """
        response = self._client.get("/models", timeout=self.options.connect_timeout)  # type: ignore[attr-defined]
        try:
            response.raise_for_status()
            models = response.json().get("data") or []
            return models[0]["id"] if models else "default"
        except (httpx.HTTPStatusError, ValueError, KeyError, IndexError, AttributeError):
            return "default"

    # -- streaming ---------------------------------------------------------------------------
    def stream(self, request: AnswerRequest) -> Iterator[str]:
        opts: OpenAIOptions = self.options  # type: ignore[assignment]
        if request.cancel.is_set():
            return
        body = self.payload(request)
        attempt = 0
        while True:
            started = False
            try:
                if "model" not in body:
                    self._model_name = self._model_name or self._served_model()
                    body["model"] = self._model_name
                with self._client.stream("POST", "/chat/completions", json=body) as response:
                    self._check_status(response)
                    finished = False
                    for piece in self._pieces(response):
                        if piece is None:
                            finished = True
                            break
                        if request.cancel.is_set():
                            return                      # leaving the block closes the connection
                        started = True
                        yield piece
                if finished or request.cancel.is_set():
                    return
                if started:
                    raise ModelUnavailable(f"the model server at {opts.base_url} stopped mid-answer "
                                           f"(the stream ended without [DONE])")
                has_images = any(isinstance(m["content"], list) for m in body["messages"])
                raise _Retryable("the server closed the stream without an answer" + (
                    " (a text-only model cannot take photos: set send_images=false)" if has_images else ""))
            except _Retryable as exc:
                reason: BaseException = exc
            except (httpx.TransportError, httpx.RemoteProtocolError) as exc:
                if started:
                    raise ModelUnavailable(f"the model server at {opts.base_url} dropped the answer: {exc}") from exc
                reason = exc
            if attempt >= opts.max_retries or request.cancel.is_set():
                why = str(reason) or type(reason).__name__
                hint = ("" if isinstance(reason, _Retryable)
                        else f"; start the server or set {BASE_URL_SETTING} to where it listens")
                raise ModelUnavailable(f"no answer from the model server at {opts.base_url} after "
                                       f"{attempt + 1} attempt(s): {why}{hint}") from reason
            delay = opts.backoff * (2 ** attempt) * (1 + random.random() * 0.1)
            retry_after = getattr(reason, "retry_after", None)
            if retry_after is not None:
                delay = max(delay, min(retry_after, 30.0))
            if request.cancel.wait(delay):
                return
            attempt += 1

    def _check_status(self, response: httpx.Response) -> None:
        opts: OpenAIOptions = self.options  # type: ignore[assignment]
        if response.status_code < 400:
            return
        response.read()
        detail = _error_detail(response)
        if response.status_code in _RETRY_STATUS:
            error = _Retryable(f"HTTP {response.status_code}: {detail}")
            try:
                error.retry_after = float(response.headers.get("retry-after", ""))  # type: ignore[attr-defined]
            except ValueError:
                pass
            raise error
        if response.status_code in (401, 403):
            raise ModelUnavailable(f"the model server at {opts.base_url} refused the key (HTTP "
                                   f"{response.status_code}); set {API_KEY_SETTING}")
        if response.status_code == 404:
            raise ModelUnavailable(f"the model server at {opts.base_url} answered 404 for /chat/completions "
                                   f"({detail}); check that {BASE_URL_SETTING} ends in /v1 and that "
                                   f"{MODEL_SETTING} names a served model")
        raise ModelUnavailable(f"the model server at {opts.base_url} rejected the request "
                               f"(HTTP {response.status_code}): {detail}")

    @staticmethod
    def _pieces(response: httpx.Response) -> Iterator[str | None]:
        """Text deltas from an SSE body (``data: {json}`` lines), then ``None`` at ``data: [DONE]``."""
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue                                # comments, event names, keep-alives
            data = line[5:].strip()
            if data == "[DONE]":
                yield None
                return
            try:
                chunk = json.loads(data)
            except json.JSONDecodeError:
                continue
            if chunk.get("error"):
                raise ModelUnavailable(f"the model server reported an error: {chunk['error']}")
            for choice in chunk.get("choices") or ():
                text = (choice.get("delta") or {}).get("content") or choice.get("text")
                if text:
                    yield text

    def close(self) -> None:
        self._client.close()


def _error_detail(response: httpx.Response) -> str:
    try:
        body = response.json()
        error = body.get("error", body) if isinstance(body, dict) else body
        message = error.get("message") if isinstance(error, dict) else error
        return str(message or body)[:300]
    except ValueError:
        return response.text[:300] or response.reason_phrase

