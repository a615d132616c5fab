"""Prometheus metrics for the HTTP front door, served at ``GET /metrics``.

Requests are counted by route template (``/api/v1/sessions/{session_id}/messages``, never the
raw path, so labels stay few); replies by outcome, with time to first token and to done. Each
app owns its registry, so several apps in one process (tests) do not collide.
"""
from __future__ import annotations

import time

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.responses import Response

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("assistant_http_requests_total", "HTTP requests by route and status",
                                ["method", "route", "status"], registry=self.registry)
        self.request_seconds = Histogram("assistant_http_request_seconds",
                                         "Time until the response started (streams: until the headers)",
                                         ["route"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.replies = Counter("assistant_replies_total", "Replies by outcome (done, cancelled, error)",
                               ["outcome"], registry=self.registry)
        self.first_token_seconds = Histogram("assistant_reply_first_token_seconds",
                                             "Time from the message to the first answer token",
                                             buckets=LATENCY_BUCKETS, registry=self.registry)
        self.reply_seconds = Histogram("assistant_reply_seconds", "Time from the message to done",
                                       buckets=LATENCY_BUCKETS, registry=self.registry)
        self.replies_running = Gauge("assistant_replies_running", "Replies being generated now",
                                     registry=self.registry)
        self.streams_open = Gauge("assistant_event_streams_open", "SSE streams open to clients",
                                  registry=self.registry)
        self.refusals = Counter("assistant_http_refusals_total", "Requests refused by a named limit",
                                ["limit"], registry=self.registry)

    def response(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def route_label(scope: dict) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path is None:
        return "unmatched"
    return path or "/ (chat ui)"


class MetricsMiddleware:
    """ASGI middleware (not BaseHTTPMiddleware, which would buffer streams and hide disconnects)."""

    def __init__(self, app, metrics: Metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500

        async def send_and_time(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                self.metrics.request_seconds.labels(route_label(scope)).observe(time.perf_counter() - started)
            await send(message)

        try:
            await self.app(scope, receive, send_and_time)
        finally:
            self.metrics.requests.labels(scope["method"], route_label(scope), str(status)).inc()
