"""The agent console: a Gradio page at /agent where a person takes over conversations.

Behind a login (any agent name + the agent token, ``ASSISTANT_HELPDESK__AGENT_TOKEN``; the name
is how the shopper sees them). It lists open tickets with their summaries; picking one shows the
summary, the shopper's photos and the live transcript (refreshed every two seconds), with a reply
box and "Join", "Hand back to bot" and "Resolve". Every button calls assistant.handoff.takeover, the same
core the agent API and the helpdesk webhook use.

``mount_agent_console(app, takeover, uploads_dir)`` mounts it; it must be mounted before the
shopper chat at "/" (a mount at "/" catches every path after it).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
from babel import Locale, UnknownLocaleError
from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from gradio.data_classes import FileData

from assistant.errors import AssistantError
from assistant.handoff.takeover import Takeover, Ticket
from assistant.web.agent_api import check_agent_token, conversation_view
from assistant.vision.images import image_mime

AGENT_PATH = "/agent"
REFRESH_S = 2.0
_HEADERS = ["ticket", "status", "agent", "opened", "language", "rule", "summary"]


def language_name(code: str | None) -> str:
    """"es" -> "Spanish (es)": the language the shopper writes in, named for the agent."""
    code = code or "en"
    try:
        return f"{Locale.parse(code).get_display_name('en')} ({code})"
    except (ValueError, UnknownLocaleError):
        return code


def ticket_rows(tickets: list[Ticket]) -> list[list[Any]]:
    return [[t.id, t.status, t.agent or "", t.created_at[11:19], language_name(t.language), t.rule or "",
             t.summary.get("headline", "")] for t in tickets]


def ticket_choices(tickets: list[Ticket]) -> list[tuple[str, str]]:
    return [(f"{t.id} · {t.status} · {t.summary.get('headline', '')}"[:120], t.session_id) for t in tickets]


def summary_markdown(view: dict[str, Any] | None) -> str:
    """The ticket's summary as an agent reads it: who, what, why, what the bot already tried."""
    if not view:
        return "_Pick a ticket on the left._"
    ticket = view.get("ticket") or (view["tickets"][-1] if view.get("tickets") else None)
    if ticket is None:
        return f"Conversation `{view['conversation_id']}` - the bot owns it; no ticket."
    s = ticket.get("summary") or {}
    slots = s.get("slots") or {}
    product = (slots.get("product_in_focus") or {}).get("name")
    lines = [f"### {ticket['id']} - {ticket['status']}" + (f" ({ticket['agent']})" if ticket.get("agent") else ""),
             f"**Why:** {ticket.get('rule') or '-'} - {ticket.get('reason') or '-'} (mode: {ticket.get('mode')})",
             f"**Language:** {language_name(ticket.get('language') or s.get('language'))}"
             " - the shopper's messages are shown as they typed them",
             f"**Intent:** {s.get('intent') or '-'}"
             f" · **sentiment** {s.get('sentiment', 0):+.2f} · **frustration** {s.get('frustration', 0)}"
             f" · **failed answers** {s.get('consecutive_failures', 0)}"]
    facts = [f"product **{product}**" if product else None,
             f"order **{slots['order_id']}**" if slots.get("order_id") else None,
             f"email {slots['email']}" if slots.get("email") else None,
             ", ".join(f"{k} {v}" for k, v in (slots.get("attributes") or {}).items()) or None,
             f"budget ${slots['budget']:.2f}" if slots.get("budget") else None,
             f"refund ${slots['refund_amount']:.2f}" if slots.get("refund_amount") else None]
    if any(facts):
        lines.append("**Slots:** " + " · ".join(f for f in facts if f))
    tried = s.get("tried") or []
    if tried:
        lines.append("**The bot tried:**")
        lines += [f"- _{t.get('question') or '?'}_ -> {(t.get('answer') or '')[:160]}" for t in tried[-3:]]
    if s.get("photo_notes"):
        lines.append("**Photo notes:** " + " / ".join(s["photo_notes"]))
    return "\n\n".join(lines)


def photo(path: str) -> FileData | None:
    """An uploaded photo for the chat view; uploads are named by hash (no extension), so the
    image type is read from the file itself."""
    try:
        return FileData(path=str(path), mime_type=image_mime(path))
    except OSError:
        return None


def chat_messages(transcript: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The transcript for gr.Chatbot: the shopper on the right, bot/agents/notices on the left."""
    out: list[dict[str, Any]] = []
    for m in transcript:
        if m["role"] == "user":
            if m.get("content"):
                out.append({"role": "user", "content": m["content"]})
            out += [{"role": "user", "content": f} for f in map(photo, m.get("images") or []) if f]
        elif m["role"] == "assistant":
            text = m["content"].strip() + ("" if m.get("complete") else " …(cut off)")
            out.append({"role": "assistant", "content": f"**Bot:** {text}"})
        elif m["role"] == "agent":
            out.append({"role": "assistant", "content": f"**{m.get('agent') or 'Agent'} (agent):** {m.get('content', '')}"})
        else:
            out.append({"role": "assistant", "content": f"_{m.get('content', '')}_"})
    return out


def photos_of(view: dict[str, Any] | None) -> list[str]:
    if not view:
        return []
    return [p for m in view["transcript"] if m["role"] == "user" for p in m.get("images") or [] if Path(p).is_file()]


def agent_name(request: gr.Request | None) -> str:
    """The name the agent signed in with (how the shopper sees them)."""
    return (getattr(request, "username", None) or "Support agent") if request else "Support agent"


def change_stamp(view: dict[str, Any] | None, tickets: list[Ticket]) -> str:
    """What the page shows, in one string: equal stamps mean nothing changed since the last tick."""
    return "|".join([str(view["transcript"][-1]["seq"]) if view and view["transcript"] else "-",
                     str(view["ticket"]["updated_at"]) if view and view.get("ticket") else "-",
                     str(view["owner"]) if view else "-", ",".join(t.id + t.status for t in tickets)])


def refresh_panel(takeover: Takeover, session_id: str | None, seen: str, request: gr.Request | None):
    """The tickets table, the picker, the summary, photos and transcript of the picked
    conversation, and the new stamp; all skipped when nothing changed (no flicker, no re-upload)."""
    takeover.agent_seen(agent_name(request))   # an open console counts as an agent online
    tickets = takeover.open_tickets()
    view = conversation_view(takeover, session_id) if session_id else None
    stamp = change_stamp(view, tickets)
    if stamp == seen:
        return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), seen
    choices = ticket_choices(tickets)
    if session_id and session_id not in [c[1] for c in choices]:
        choices.append((f"{session_id} · {view['owner'] if view else 'gone'} (closed)", session_id))
    return (gr.update(value=ticket_rows(tickets)), gr.update(choices=choices, value=session_id),
            summary_markdown(view), photos_of(view), chat_messages(view["transcript"]) if view else [], stamp)


def apply_action(takeover: Takeover, action: str, session_id: str | None, text: str,
                 request: gr.Request | None) -> tuple[str, str]:
    """One button: reply, join, hand back or resolve; returns (status line, what stays in the box)."""
    if not session_id:
        return "Pick a ticket first.", text
    agent = agent_name(request)
    try:
        if action == "reply":
            if not (text or "").strip():
                return "Type a reply first.", text
            takeover.agent_reply(session_id, text, agent, source="console")
            return f"Sent as {agent}.", ""
        if action == "join":
            takeover.agent_join(session_id, agent)
            return f"You ({agent}) own this conversation now.", text
        if action == "hand_back":
            takeover.hand_back(session_id, agent)
            return "Handed back to the bot.", text
        takeover.resolve(session_id, agent)
        return "Resolved; the bot is back.", text
    except AssistantError as exc:
        return f"⚠️ {exc}", text


def preselected_session(takeover: Takeover, request: gr.Request | None) -> str | None:
    """The conversation of ``?ticket=<id>`` (the helpdesk's console_url links here), if it exists."""
    wanted = dict(request.query_params).get("ticket") if request else None
    if not wanted:
        return None
    try:
        return takeover.get(wanted).session_id
    except AssistantError:
        return None


@dataclass
class ConsolePanel:
    """The console's components, as ``layout`` places them."""

    seen: gr.State
    table: gr.Dataframe
    picker: gr.Dropdown
    summary: gr.Markdown
    photos: gr.Gallery
    chat: gr.Chatbot
    reply: gr.Textbox
    buttons: dict[str, gr.Button]      # action -> its button
    status: gr.Markdown

    @property
    def outputs(self) -> list[Any]:
        return [self.table, self.picker, self.summary, self.photos, self.chat, self.seen]


def layout(title: str) -> ConsolePanel:
    """Tickets on the left; summary, photos, transcript, reply box and buttons on the right."""
    gr.Markdown(f"## {title}\nOpen tickets refresh every {REFRESH_S:.0f} s. Replies reach the shopper's chat.")
    seen = gr.State("")
    with gr.Row():
        with gr.Column(scale=2):
            table = gr.Dataframe(headers=_HEADERS, value=[], interactive=False, label="Open tickets", wrap=True)
            picker = gr.Dropdown(label="Conversation", choices=[], value=None, allow_custom_value=True)
        with gr.Column(scale=3):
            summary = gr.Markdown(summary_markdown(None))
            photos = gr.Gallery(label="Shopper's photos", columns=4, height=150, allow_preview=True,
                                object_fit="contain")
            chat = gr.Chatbot(label="Live transcript", height=420)
            reply = gr.Textbox(label="Reply to the shopper", lines=2, placeholder="Type and press Send")
            with gr.Row():
                buttons = {"reply": gr.Button("Send", variant="primary"), "join": gr.Button("Join"),
                           "hand_back": gr.Button("Hand back to bot"),
                           "resolve": gr.Button("Resolve", variant="stop")}
            status = gr.Markdown()
    return ConsolePanel(seen, table, picker, summary, photos, chat, reply, buttons, status)


def wire(console: gr.Blocks, panel: ConsolePanel, takeover: Takeover) -> None:
    """Refresh on a timer and on picking; each button acts, then refreshes at once."""
    def refresh(session_id: str | None, seen: str, request: gr.Request):
        return refresh_panel(takeover, session_id, seen, request)

    def preselect(request: gr.Request):
        return preselected_session(takeover, request)

    def handler(action: str):
        def run(session_id: str | None, text: str, request: gr.Request):
            return apply_action(takeover, action, session_id, text, request)
        return run

    outputs, fresh = panel.outputs, gr.State("")
    gr.Timer(REFRESH_S).tick(refresh, [panel.picker, panel.seen], outputs, show_progress="hidden", api_name=False)
    panel.picker.change(refresh, [panel.picker, fresh], outputs, show_progress="hidden", api_name="view")
    console.load(preselect, None, panel.picker, api_name=False)
    triggers = [(button.click, action, action) for action, button in panel.buttons.items()]
    triggers.append((panel.reply.submit, "reply", False))
    for trigger, action, api_name in triggers:
        trigger(handler(action), [panel.picker, panel.reply], [panel.status, panel.reply], api_name=api_name
                ).then(refresh, [panel.picker, fresh], outputs, show_progress="hidden", api_name=False)


def build_agent_console(takeover: Takeover, title: str = "Agent console") -> gr.Blocks:
    """The console page: ``layout`` places the components, ``wire`` connects them to the takeover."""
    with gr.Blocks(title=title, analytics_enabled=False) as console:
        wire(console, layout(title), takeover)
    return console


def _disabled_console() -> gr.Blocks:
    with gr.Blocks(title="Agent console", analytics_enabled=False) as page:
        gr.Markdown("## Agent console is off\nSet `ASSISTANT_HELPDESK__AGENT_TOKEN` and restart to enable it.")
    return page


def mount_agent_console(app: FastAPI, takeover: Takeover, uploads_dir: Path | str,
                        path: str = AGENT_PATH, title: str = "Agent console") -> FastAPI:
    """Mount the console at ``path`` behind a login: any agent name, password = the agent token.
    The bare path (``/agent``, as the README writes it) redirects to the mounted app's ``/agent/``."""
    @app.get(path, include_in_schema=False)
    def to_console() -> RedirectResponse:
        return RedirectResponse(f"{path}/", status_code=307)

    token = takeover.helpdesk.settings.agent_token
    secret = token.get_secret_value() if token else ""
    if not secret:
        return gr.mount_gradio_app(app, _disabled_console(), path=path)

    def login(username: str, password: str) -> bool:
        try:
            check_agent_token(takeover, password)      # the agent API's own check, constant-time
        except AssistantError:
            return False
        return bool((username or "").strip())

    Path(uploads_dir).mkdir(parents=True, exist_ok=True)
    return gr.mount_gradio_app(app, build_agent_console(takeover, title), path=path, auth=login,
                               auth_message="Sign in with your name and the agent token.",
                               allowed_paths=[str(Path(uploads_dir).resolve())])
