"""The one web process: FastAPI with the Gradio chat mounted, models and stores loaded once.

``create_app`` builds everything from Settings in FastAPI's lifespan-free way (Gradio needs the
manager when it is mounted), so tests can start the real app on a free port.
"""
from __future__ import annotations

import logging
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from assistant.conversation import ConversationManager  # noqa: E402
from assistant.settings import Settings, get_settings  # noqa: E402
from assistant.web.chat_ui import build_chat  # noqa: E402

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, manager: ConversationManager | None = None) -> FastAPI:
    settings = settings or get_settings()
    manager = manager or ConversationManager(settings)
    report = manager.knowledge.ensure_ingested()
    if report:
        log.info("ingested the store on first start: %s", report)
    app = FastAPI(title="Shop assistant", version="0.1.0")
    app.state.manager = manager

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict:
        return {"status": "ok"}

    return gr.mount_gradio_app(app, build_chat(manager), path="/")


def run(host: str = "127.0.0.1", port: int = 7860) -> None:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(create_app(), host=host, port=port, log_level="info")
