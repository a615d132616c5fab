"""Shared helpers for the HTTP tests: the real app on a real port, SSE reading, test photos.

No tests here. ``serve`` starts ``create_app`` under uvicorn on 127.0.0.1 (a thread of the
test process, so it shares the session's embedding model and Chroma store) with its own
SQLite session database. ``PacedExtractive`` gives the extractive answer at a generative
model's pace, so a client can leave or reload while an answer is still being written.
"""
from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from assistant.backends.extractive import ExtractiveBackend
from assistant.settings import HttpSettings, Limits, Settings
from tests.servers import LiveServer

PHOTO = Path(__file__).resolve().parent.parent / "knowledge" / "images" / "alpine-40-pack.png"


class PacedExtractive(ExtractiveBackend):
    """The extractive backend's real answer, one word every ``pace`` seconds (stops when cancelled)."""

    def __init__(self, pace: float):
        super().__init__()
        self.pace = pace

    def stream(self, request):
        for piece in super().stream(request):
            if request.cancel.wait(self.pace):
                return
            yield piece


@contextmanager
def serve(demo_settings: Settings, demo_knowledge, data_dir: Path, backend=None,
          limits: dict[str, Any] | None = None, helpdesk: dict[str, Any] | None = None,
          **http: Any) -> Iterator[LiveServer]:
    """The real app (session API, OpenAI API, widget, Gradio) over the demo store."""
    from assistant.conversation import ConversationManager
    from assistant.storage.sessions import SessionStore
    from assistant.settings import HelpdeskSettings
    from assistant.web.server import create_app

    settings = demo_settings.model_copy(update={
        "data_dir": data_dir, "http": HttpSettings(**http),
        "limits": Limits(**{**demo_settings.limits.model_dump(), **(limits or {})}),
        "helpdesk": HelpdeskSettings(**(helpdesk or {}))})
    manager = ConversationManager(settings, knowledge=demo_knowledge, sessions=SessionStore(settings.sessions_url),
                                  backend=backend)
    try:
        with LiveServer(create_app(settings, manager)) as server:
            server.manager = manager
            yield server
    finally:
        manager.close()


def start_session(client: httpx.Client, **body: Any) -> tuple[str, dict[str, str]]:
    response = client.post("/api/v1/sessions", json=body or None)
    assert response.status_code == 201, response.text
    grant = response.json()
    return grant["session_id"], {"Authorization": f"Bearer {grant['token']}"}


def read_sse(response: httpx.Response, stop_after: int | None = None) -> list[dict[str, Any]]:
    """Events of an SSE response (``id`` and ``event`` fields checked against the JSON)."""
    events: list[dict[str, Any]] = []
    block: dict[str, str] = {}
    for line in response.iter_lines():
        if line:
            name, _, value = line.partition(":")
            block[name] = block.get(name, "") + value.removeprefix(" ")
            continue
        if "data" in block:
            event = json.loads(block["data"])
            assert block.get("id") == str(event["seq"]) and block.get("event") == event["type"]
            events.append(event)
            if stop_after is not None and len(events) >= stop_after:
                return events
        block = {}
    return events


def png(width: int = 64, height: int = 64, color=(200, 60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def data_url(data: bytes, mime: str = "image/png") -> str:
    import base64

    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def answer_of(events: list[dict[str, Any]]) -> str:
    return next(e["answer"] for e in events if e["type"] == "done")
