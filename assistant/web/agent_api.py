"""HTTP endpoints for the people who take over: the agent API and the helpdesk's inbound webhook.

``agent_router(takeover)`` is included by create_app. Agent endpoints need the agent token
(``ASSISTANT_HELPDESK__AGENT_TOKEN``) as ``Authorization: Bearer <token>`` or ``X-Agent-Token``;
the inbound endpoint needs a signature made with ``inbound_secret`` instead (assistant.handoff.inbound).
The agent endpoints include the helpdesk's dead letters and their redelivery. All the work is done
by assistant.handoff (takeover, helpdesk, inbound); this module only maps HTTP onto them, and
errors leave through the app's handlers (assistant.web.http_errors).
"""
from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import AssistantError, NotFound
from assistant.handoff.inbound import handle_inbound
from assistant.handoff.takeover import OPEN, Takeover
from assistant.vision.images import image_mime
from assistant.web.api import decode_data_url
from assistant.web.http_errors import ERROR_RESPONSES, Unauthorized

AGENT_PREFIX = "/api/v1/agent"
INBOUND_PATH = "/api/v1/helpdesk/inbound"


class AgentApiDisabled(AssistantError):
    """The store has not switched the agent API on (no agent token): as if it were not there."""

    status_code = 404


class AgentAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agent: str | None = Field(default=None, max_length=128, description="the agent's display name")


class AgentReply(AgentAction):
    text: str = Field(min_length=1, max_length=8000)


class CopyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    image: str | None = Field(default=None, description="a photo to write from, as a base64 data URL "
                                                        "(default: the catalog's own photo)")


# (product id, photo bytes or None) -> assistant.answers.product_copy.ProductCopy
Copywriter = Callable[[str, "bytes | None"], Any]


def check_agent_token(takeover: Takeover, presented: str | None) -> None:
    """Raise unless ``presented`` is the configured agent token (constant-time compare)."""
    token = takeover.helpdesk.settings.agent_token
    if not (token and token.get_secret_value()):
        raise AgentApiDisabled("the agent API is off: set ASSISTANT_HELPDESK__AGENT_TOKEN")
    if not presented or not hmac.compare_digest(presented.encode(), token.get_secret_value().encode()):
        raise Unauthorized("a valid agent token is required (Authorization: Bearer <token> or X-Agent-Token)",
                           limit="agent_token")


def conversation_view(takeover: Takeover, session_id: str) -> dict[str, Any]:
    """Everything an agent needs about one conversation (also what the console shows)."""
    if not takeover.sessions.exists(session_id):
        raise NotFound(f"no conversation with id {session_id!r}")
    ticket = takeover.ticket_for(session_id)
    return {"conversation_id": session_id, "owner": takeover.owner(session_id),
            "ticket": ticket.to_dict() if ticket else None,
            "tickets": [t.to_dict() for t in takeover.tickets(session_id=session_id)],
            "transcript": takeover.sessions.transcript(session_id)}


def agent_router(takeover: Takeover, copywriter: Copywriter | None = None) -> APIRouter:
    def agent(authorization: Annotated[str | None, Header()] = None,
              x_agent_token: Annotated[str | None, Header()] = None) -> None:
        bearer = authorization[7:].strip() if authorization and authorization[:7].lower() == "bearer " else None
        check_agent_token(takeover, x_agent_token or bearer)
        takeover.agent_seen("api")

    router = APIRouter(responses=ERROR_RESPONSES)
    agents = APIRouter(prefix=AGENT_PREFIX, tags=["agent"], dependencies=[Depends(agent)])

    def who(body: AgentAction | None, fallback: str = "Support agent") -> str:
        return (body.agent if body and body.agent else None) or fallback

    @agents.get("/tickets")
    def tickets(status: Annotated[str, Query(description="open, all, or one status")] = "open") -> dict:
        chosen = OPEN if status == "open" else None if status == "all" else [status]
        return {"tickets": [t.to_dict() for t in takeover.tickets(statuses=chosen)]}

    @agents.get("/sessions/{session_id}")
    def conversation(session_id: str) -> dict:
        return conversation_view(takeover, session_id)

    @agents.get("/sessions/{session_id}/events")
    def events(session_id: str, after: Annotated[int, Query(ge=0, le=2**53)] = 0) -> dict:
        if not takeover.sessions.exists(session_id):
            raise NotFound(f"no conversation with id {session_id!r}")
        return {"events": [e.to_dict() for e in takeover.sessions.events(session_id, after=after)]}

    @agents.get("/sessions/{session_id}/images/{name}")
    def image(session_id: str, name: str) -> FileResponse:
        path = takeover.sessions.photo(session_id, name)
        return FileResponse(path, media_type=image_mime(path))

    @agents.post("/sessions/{session_id}/join")
    def join(session_id: str, body: AgentAction | None = None) -> dict:
        return takeover.agent_join(session_id, who(body)).to_dict()

    @agents.post("/sessions/{session_id}/messages")
    def reply(session_id: str, body: AgentReply) -> dict:
        seq = takeover.agent_reply(session_id, body.text, who(body), source="api")
        ticket = takeover.ticket_for(session_id)
        return {"seq": seq, "ticket": ticket.id if ticket else None, "status": ticket.status if ticket else None}

    @agents.post("/sessions/{session_id}/hand-back")
    def hand_back(session_id: str, body: AgentAction | None = None) -> dict:
        return takeover.hand_back(session_id, body.agent if body else None).to_dict()

    @agents.post("/sessions/{session_id}/resolve")
    def resolve(session_id: str, body: AgentAction | None = None) -> dict:
        return takeover.resolve(session_id, body.agent if body else None).to_dict()

    @agents.get("/dead-letters")
    def dead_letters() -> dict:
        """Helpdesk webhooks that gave up, oldest first, with their attempts and last error."""
        return {"dead_letters": takeover.helpdesk.dead_letter_report()}

    @agents.post("/dead-letters/{dead_letter_id}/redeliver")
    def redeliver(dead_letter_id: Annotated[int, Path(ge=1, le=2**53)]) -> dict:
        """Send a dead letter again now: delivered, pending (failed again, retried with backoff) or dead."""
        return takeover.helpdesk.redeliver(dead_letter_id)

    if copywriter is not None:
        @agents.post("/products/{product_id}/copy")
        def product_copy(product_id: Annotated[str, Path(max_length=200)], body: CopyRequest | None = None) -> dict:
            """A product page description from the product's photo and specs, by the configured
            generative backend (a labelled template draft with the extractive one)."""
            image = decode_data_url(body.image, 1) if body and body.image else None
            return copywriter(product_id, image).to_dict()

    @router.post(INBOUND_PATH, tags=["helpdesk"])
    async def inbound(request: Request) -> dict:
        """A helpdesk posts an agent's reply (or join / hand_back / resolve), signed with inbound_secret."""
        body = await request.body()
        return await run_in_threadpool(handle_inbound, takeover, dict(request.headers), body)

    router.include_router(agents)
    return router
