"""The agent console: a Gradio page at /agent where a person takes over conversations.

Behind a login (any agent name + the agent token, ``ASSISTANT_HELPDESK__AGENT_TOKEN``; the name
is how the shopper sees them). It lists open tickets with their summaries; picking one shows the
summary, the shopper's photos and the live transcript (refreshed every two seconds), with a reply
box and "Join", "Hand back to bot" and "Resolve". Every button calls assistant.handoff.takeover, the same
core the agent API and the helpdesk webhook use. Clicking a ticket row opens its conversation;
the shopper's words are shown exactly as typed (escaped). An "Analytics" tab draws the store's
report (assistant.analytics.report) for a date range: totals, charts over time, knowledge gaps
and CSV downloads.

``mount_agent_console(app, takeover, uploads_dir)`` mounts it; it must be mounted before the
shopper chat at "/" (a mount at "/" catches every path after it).
"""
from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd
from babel import Locale, UnknownLocaleError
from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from gradio.data_classes import FileData

from assistant.analytics.report import outcomes, parse_window, store_report
from assistant.errors import AssistantError
from assistant.handoff.takeover import Takeover, Ticket
from assistant.vision.images import image_mime
from assistant.web.agent_api import check_agent_token, conversation_view
from assistant.web.chat_ui import shown
from assistant.web.gradio_mount import mount

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
             f"**Summary:** {shown(s.get('headline') or '-')}",
             f"**Why:** {ticket.get('rule') or '-'} - {ticket.get('reason') or '-'} (mode: {ticket.get('mode')})",
             (f"**Language:** {language_name(ticket.get('language') or s.get('language'))}"
             " - the shopper's messages are shown as they typed them"),
             (f"**Intent:** {s.get('intent') or '-'}"
             f" · **sentiment** {s.get('sentiment', 0):+.2f} · **frustration** {s.get('frustration', 0)}"
             f" · **failed answers** {s.get('consecutive_failures', 0)}")]
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
        lines += [f"- _{shown(t.get('question') or '?')}_ -> {shown((t.get('answer') or '')[:160])}" for t in tried[-3:]]
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
                out.append({"role": "user", "content": shown(m["content"])})
            out += [{"role": "user", "content": f} for f in map(photo, m.get("images") or []) if f]
        elif m["role"] == "assistant":
            text = m["content"].strip() + ("" if m.get("complete") else " …(cut off)")
            out.append({"role": "assistant", "content": f"**Bot:** {text}"})
        elif m["role"] == "agent":
            out.append({"role": "assistant",
                        "content": f"**{shown(m.get('agent') or 'Agent')} (agent):** {shown(m.get('content', ''))}"})
        else:
            out.append({"role": "assistant", "content": f"_{shown(m.get('content', ''))}_"})
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


def closed_label(session_id: str, view: dict[str, Any] | None) -> str:
    """A conversation no longer queued, named by its last ticket's summary (its id if it had none)."""
    tickets = (view or {}).get("tickets") or ([view["ticket"]] if view and view.get("ticket") else [])
    headline = ((tickets[-1].get("summary") or {}).get("headline") if tickets else None) or session_id
    status = tickets[-1]["status"] if tickets else (view["owner"] if view else "gone")
    return f"{headline} · {status}"[:120]


def opened_row(takeover: Takeover, row: list[Any] | None) -> str | None:
    """The conversation of a clicked ticket row (its first cell is the ticket id)."""
    if not row:
        return None
    try:
        return takeover.get(str(row[0])).session_id
    except AssistantError:
        return None


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
        choices.append((closed_label(session_id, view), session_id))
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
            table = gr.Dataframe(headers=_HEADERS, value=[], interactive=False, wrap=True, elem_id="tickets",
                                 label="Open tickets (click a row to open it)",
                                 column_widths=["11%", "8%", "8%", "8%", "11%", "12%", "42%"])
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

    def open_row(event: gr.SelectData):
        return opened_row(takeover, event.row_value) or gr.skip()

    panel.table.select(open_row, None, panel.picker, api_name=False)
    triggers = [(button.click, action, action) for action, button in panel.buttons.items()]
    triggers.append((panel.reply.submit, "reply", False))
    for trigger, action, api_name in triggers:
        trigger(handler(action), [panel.picker, panel.reply], [panel.status, panel.reply], api_name=api_name
                ).then(refresh, [panel.picker, fresh], outputs, show_progress="hidden", api_name=False)


Embed = Callable[[list[str]], Sequence[Sequence[float]]]
_SERIES = ("conversations", "answered", "handed_off", "abandoned", "rated_up", "rated_down", "product_clicks")


def percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.0%}"


def totals_markdown(report: dict[str, Any]) -> str:
    """The headline numbers, one table row each."""
    cards, latency, fb = report["product_cards"], report["latency_ms"], report["feedback"]
    by_rule = ", ".join(f"{shown(r)} {percent(v)}" for r, v in report["handoff_rate_by_rule"].items()) or "-"
    reasons = ", ".join(f"{shown(r['reason'])} ({r['count']})" for r in fb["reasons"][:5]) or "-"
    ms = lambda v: "-" if v is None else f"{v:.0f} ms"
    rows = [("Conversations", report["conversations"]), ("Turns", report["turns"]),
            ("Automated resolution rate", percent(report["automated_resolution_rate"])),
            ("Handoff rate", percent(report["handoff_rate"])), ("Handoff rate by rule", by_rule),
            ("Feedback", f"{fb['up']} up / {fb['down']} down"), ("Top reasons (down)", reasons),
            ("Card click-through", (f"{percent(cards['click_through_rate'])} ({cards['clicks']} clicks, "
                                   f"{cards['replies_with_cards']} replies with cards)")),
            ("Photo turns", report["photo_turns"]),
            ("Latency p50 / p95", f"{ms(latency['p50'])} / {ms(latency['p95'])}")]
    return "| Measure | Value |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)


def daily_frame(report: dict[str, Any]) -> pd.DataFrame:
    """The daily series, long form (date, series, count): one bar per series and day."""
    rows = [{"date": d["date"], "series": k, "count": d[k]} for d in report["daily"] for k in _SERIES]
    return pd.DataFrame(rows, columns=["date", "series", "count"])


def write_csv(rows: list[dict[str, Any]], name: str, folder: Path) -> str:
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as out:
        if rows:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return str(path)


def analytics_view(takeover: Takeover, since: str | None, until: str | None, embed: Embed | None):
    """Everything the Analytics tab shows for a date range (blank = everything)."""
    try:
        start, end = parse_window((since or "").strip() or None, (until or "").strip() or None)
    except AssistantError as exc:
        return [f"⚠️ {exc}", *[gr.skip()] * 5]
    report = store_report(takeover.sessions, start, end, embed)
    ends = [o.to_dict() for o in outcomes(takeover.sessions, start, end)]
    rules = pd.DataFrame([{"rule": r, "handoffs": c} for r, c in report["handoffs_by_rule"].items()],
                         columns=["rule", "handoffs"])
    gaps = [[g.get("question"), g.get("count"), " / ".join(g.get("examples") or [])]
            for g in report["knowledge_gaps"]]
    folder = Path(tempfile.mkdtemp(prefix="analytics-"))
    top = max(report["handoffs_by_rule"].values(), default=0)
    return [totals_markdown(report), daily_frame(report), gr.update(value=rules, y_lim=[0, top + 1]), gaps,
            write_csv(report["daily"], "analytics-daily.csv", folder),
            write_csv(ends, "conversations.csv", folder)]


def analytics_tab(console: gr.Blocks, takeover: Takeover, embed: Embed | None) -> None:
    """The store's numbers: a date range, totals, charts over time, knowledge gaps, CSVs."""
    with gr.Row():
        since = gr.Textbox(label="From (YYYY-MM-DD, blank = all)", elem_id="since")
        until = gr.Textbox(label="Until (exclusive)", elem_id="until")
        show = gr.Button("Show", variant="primary", elem_id="analytics-show")
    totals = gr.Markdown(elem_id="analytics-totals")
    with gr.Row():
        daily = gr.BarPlot(x="date", y="count", color="series", title="Conversations and feedback per day",
                            elem_id="analytics-daily", height=300)
        rules = gr.BarPlot(x="rule", y="handoffs", title="Handoffs by rule", elem_id="analytics-rules", height=300)
    gaps = gr.Dataframe(headers=["knowledge gap", "times asked", "examples"], value=[], interactive=False,
                        wrap=True, label="Knowledge gaps: questions the assistant could not answer")
    with gr.Row():
        daily_csv = gr.DownloadButton("Daily series (CSV)", elem_id="daily-csv")
        ends_csv = gr.DownloadButton("Conversation outcomes (CSV)", elem_id="outcomes-csv")

    def draw(a: str, b: str):
        return analytics_view(takeover, a, b, embed)

    outputs = [totals, daily, rules, gaps, daily_csv, ends_csv]
    show.click(draw, [since, until], outputs, api_name="analytics")
    console.load(draw, [since, until], outputs, api_name=False)


def build_agent_console(takeover: Takeover, title: str = "Agent console", embed: Embed | None = None) -> gr.Blocks:
    """The console page: tickets (``layout`` places, ``wire`` connects) and the Analytics tab."""
    with gr.Blocks(title=title, analytics_enabled=False) as console:
        with gr.Tab("Tickets"):
            panel = layout(title)
        with gr.Tab("Analytics", elem_id="analytics-tab"):
            analytics_tab(console, takeover, embed)
        wire(console, panel, takeover)
    return console


def _disabled_console() -> gr.Blocks:
    with gr.Blocks(title="Agent console", analytics_enabled=False) as page:
        gr.Markdown("## Agent console is off\nSet `ASSISTANT_HELPDESK__AGENT_TOKEN` and restart to enable it.")
    return page


def mount_agent_console(app: FastAPI, takeover: Takeover, uploads_dir: Path | str,
                        path: str = AGENT_PATH, title: str = "Agent console", embed: Embed | None = None) -> FastAPI:
    """Mount the console at ``path`` behind a login: any agent name, password = the agent token.
    The bare path (``/agent``, as the README writes it) redirects to the mounted app's ``/agent/``."""
    @app.get(path, include_in_schema=False)
    def to_console() -> RedirectResponse:
        return RedirectResponse(f"{path}/", status_code=307)

    token = takeover.helpdesk.settings.agent_token
    secret = token.get_secret_value() if token else ""
    if not secret:
        return mount(app, _disabled_console(), path=path)

    def login(username: str, password: str) -> bool:
        try:
            check_agent_token(takeover, password)      # the agent API's own check, constant-time
        except AssistantError:
            return False
        return bool((username or "").strip())

    Path(uploads_dir).mkdir(parents=True, exist_ok=True)
    return mount(app, build_agent_console(takeover, title, embed), path=path, auth=login,
                 auth_message="Sign in with your name and the agent token.",
                 allowed_paths=[str(Path(uploads_dir).resolve())])
