"""``GET /api/v1/analytics``: the store's numbers (API key), as JSON or CSV.

The report itself is assistant.analytics.report; this module maps HTTP onto it. The JSON has the
totals and rates, the knowledge gaps and a day-by-day series; ``format=csv`` gives the series as
CSV (one row per day), and ``/api/v1/analytics/conversations`` each conversation's outcome.
"""
from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from assistant.analytics.report import outcomes, parse_window, store_report
from assistant.web.api import CallerDep, Door
from assistant.web.http_errors import ERROR_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["analytics"], responses=ERROR_RESPONSES)

Since = Annotated[str | None, Query(description="ISO date or time, inclusive (default: everything)")]
Until = Annotated[str | None, Query(description="ISO date or time, exclusive")]
Format = Annotated[Literal["json", "csv"], Query(description="json (default) or csv")]


def _csv(rows: list[dict], filename: str) -> Response:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return Response(out.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def embedder(door):
    """The store's embedding model, for grouping unanswered questions by meaning."""
    from assistant.knowledge.embeddings import embed

    encoder = door.manager.knowledge.encoder
    return lambda texts: embed(encoder, texts)


@router.get("/analytics", summary="Conversations, resolution and handoff rates, feedback, clicks, latency, gaps")
async def analytics(door: Door, caller: CallerDep, since: Since = None, until: Until = None,
                    format: Format = "json"):
    door.gatekeeper.require_api_key(caller)
    start, end = parse_window(since, until)
    report = await anyio.to_thread.run_sync(lambda: store_report(door.manager.sessions, start, end, embedder(door)))
    if format == "csv":
        return _csv(report["daily"], "analytics-daily.csv")
    return JSONResponse(report)


@router.get("/analytics/conversations", summary="Each conversation's outcome (answered, handed off, abandoned)")
async def conversation_outcomes(door: Door, caller: CallerDep, since: Since = None, until: Until = None,
                                format: Format = "json"):
    door.gatekeeper.require_api_key(caller)
    start, end = parse_window(since, until)
    rows = [o.to_dict() for o in await anyio.to_thread.run_sync(lambda: outcomes(door.manager.sessions, start, end))]
    if format == "csv":
        return _csv(rows, "conversations.csv")
    return JSONResponse({"conversations": rows})
