"""The web app: FastAPI with the Gradio chat mounted, models and stores loaded once per process.

``create_app`` builds everything from Settings up front (Gradio needs the manager when it is
mounted), so tests can start the real app on a free port. One port serves:

- ``/api/v1/...`` the session API (assistant.web.api) and ``/v1/...`` the OpenAI-compatible API
- ``/widget.js`` the embeddable widget and ``/demo`` a sample store page that embeds it (with a
  demo "Signed in as" whose identity the server signs, development only)
- ``/healthz``, ``/readyz``, ``/metrics`` for operators; ``/docs`` and ``/openapi.json``
- ``/api/v1/agent/...`` and ``/agent`` for the people who take over (assistant.web.agent_api, agent_console)
- ``/`` the Gradio shopper chat, mounted last so every route above wins.
Security middleware (CORS allow-list, body-size limit) wraps everything; errors become JSON in
one place (assistant.web.http_errors).
"""
from __future__ import annotations

import logging
import os
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import anyio  # noqa: E402
from fastapi import FastAPI, Query, Request  # noqa: E402
from fastapi.middleware.cors import CORSMiddleware  # noqa: E402
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response  # noqa: E402
from sqlalchemy import text  # noqa: E402

from assistant.conversation import ConversationManager  # noqa: E402
from assistant.orders.service import demo_shoppers  # noqa: E402
from assistant.settings import Settings, get_settings  # noqa: E402
from assistant.web import analytics_api, api, http_errors, openai_compat  # noqa: E402
from assistant.web.agent_api import agent_router  # noqa: E402
from assistant.web.api import FrontDoor  # noqa: E402
from assistant.web.demo_page import render_demo  # noqa: E402
from assistant.web.metrics import MetricsMiddleware  # noqa: E402
from assistant.web.security import BodySizeLimit  # noqa: E402
from assistant.web.ui_strings import widget_script  # noqa: E402
from assistant.web.workers import UI_PORT_ENV, default_workers, run_workers  # noqa: E402

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
CORS_HEADERS = ["Authorization", "Content-Type", "X-API-Key", "X-Session-Id", "Last-Event-ID"]


def readiness(door: FrontDoor) -> dict:
    """Model and stores loaded: what a load balancer asks before sending shoppers here."""
    manager = door.manager
    checks: dict[str, object] = {"backend": getattr(manager.backend, "name", type(manager.backend).__name__)}
    try:
        checks["knowledge_chunks"] = manager.knowledge.store.count()
    except Exception as exc:          # a broken store is exactly what this endpoint reports
        checks["knowledge_error"] = str(exc)
    try:
        with manager.sessions.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["sessions"] = "ok"
    except Exception as exc:
        checks["sessions_error"] = str(exc)
    if manager.notice:
        checks["notice"] = manager.notice
    checks["ready"] = bool(checks.get("knowledge_chunks")) and checks.get("sessions") == "ok"
    return checks


def mount_takeover(app: FastAPI, manager: ConversationManager, settings: Settings) -> None:
    """The agent API (/api/v1/agent/...) and the agent console (/agent), over the manager's takeover."""
    from assistant.web.agent_console import mount_agent_console

    app.include_router(agent_router(manager.takeover, manager.write_copy))
    from assistant.knowledge.embeddings import embed

    # before the chat at "/", which catches all; the embedder groups knowledge gaps by meaning
    mount_agent_console(app, manager.takeover, settings.uploads_dir,
                        embed=lambda texts: embed(manager.knowledge.encoder, texts))


def redirect_screens(app: FastAPI, ui_port: int) -> None:
    """An API worker of several (see assistant.web.workers): the Gradio screens live in one
    process on ``ui_port``; the chat and the console are sent there, same host."""
    def elsewhere(request: Request) -> RedirectResponse:
        return RedirectResponse(str(request.url.replace(port=ui_port)), status_code=307)

    for path in ("/", "/agent", "/agent/"):
        app.add_api_route(path, elsewhere, methods=["GET"], include_in_schema=False)


def create_app(settings: Settings | None = None, manager: ConversationManager | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.http.refuse_unsafe_secret()
    owns_manager = manager is None
    manager = manager or ConversationManager(settings)
    report = manager.knowledge.ensure_ingested()
    if report:
        log.info("ingested the store on first start: %s", report)
    door = FrontDoor.build(settings, manager)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        door.runner.close()
        if owns_manager:
            manager.close()

    app = FastAPI(title=f"{settings.store_name} shop assistant", version="0.1.0", lifespan=lifespan,
                  description="Session API with SSE streaming, an OpenAI-compatible API and an embeddable "
                              "widget. Errors: `{\"error\": {\"message\", \"type\", \"limit\"?}}`.")
    app.state.manager = manager
    app.state.front_door = door
    http_errors.install(app)
    app.include_router(api.router)
    app.include_router(openai_compat.router)
    app.include_router(analytics_api.router)
    ui_port = os.environ.get(UI_PORT_ENV)
    if ui_port:
        app.include_router(agent_router(manager.takeover, manager.write_copy))
        redirect_screens(app, int(ui_port))
    else:
        mount_takeover(app, manager, settings)

    @app.get("/healthz", tags=["ops"], summary="The process is up")
    def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"], summary="Model and stores loaded",
             responses={503: {"description": "not ready; the body says which check failed"}})
    async def readyz() -> JSONResponse:
        checks = await anyio.to_thread.run_sync(readiness, door)
        return JSONResponse(checks, status_code=200 if checks["ready"] else 503)

    @app.get("/metrics", tags=["ops"], summary="Prometheus metrics", response_class=Response,
             responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}})
    def metrics() -> Response:
        return door.metrics.response()

    @app.get("/widget.js", tags=["widget"], summary="The embeddable chat widget", response_class=Response,
             responses={200: {"content": {"text/javascript": {"schema": {"type": "string"}}}}})
    def widget() -> Response:
        return Response(widget_script(settings), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=300"})

    @app.get("/demo", tags=["widget"], summary="A sample store page with the widget embedded",
             response_class=HTMLResponse)
    def demo(customer: Annotated[str | None, Query(max_length=128, description="sign in as this demo customer "
                                                   "(development only)")] = None) -> HTMLResponse:
        page = (STATIC / "demo.html").read_text(encoding="utf-8")
        return HTMLResponse(render_demo(page, settings, demo_shoppers(settings, manager.orders.orders), customer))

    # Middleware: added innermost first. CORS wraps the size limit so refusals stay readable
    # by the store's page; metrics wrap everything.
    app.add_middleware(http_errors.RouteGuard, routes=app.router.routes)
    app.add_middleware(BodySizeLimit, max_bytes=settings.http.max_body_bytes)
    # Always installed, even with no origins: then Gradio adds no CORS policy of its own either.
    app.add_middleware(CORSMiddleware, allow_origins=settings.http.cors_origins, allow_credentials=False,
                       allow_methods=["GET", "POST", "OPTIONS"], allow_headers=CORS_HEADERS,
                       expose_headers=["X-Session-Id", "Retry-After"], max_age=600)
    app.add_middleware(MetricsMiddleware, metrics=door.metrics)
    if ui_port:
        return app
    from assistant.web.chat_ui import CARD_LISTENER_JS, build_chat, chat_i18n
    from assistant.web.gradio_mount import mount

    i18n = chat_i18n(settings)
    return mount(app, build_chat(manager, i18n), path="/", i18n=i18n, js=CARD_LISTENER_JS)


def run(host: str = "127.0.0.1", port: int = 7860, workers: int | None = None, ui_port: int | None = None) -> None:
    """One process (the default: everything on one port) or ``workers`` API processes (one per
    core for load; see assistant.web.workers)."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    workers = 1 if workers is None else workers
    if workers == 1:
        uvicorn.run(create_app(), host=host, port=port, log_level="info")
    else:
        run_workers(host, port, workers, ui_port)
