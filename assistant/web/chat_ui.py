"""The shopper chat (Gradio): a thin view over ConversationManager.respond and the session store.

The conversation id lives in the browser (gr.BrowserState), so a reload finds the same
conversation and the chat is rebuilt from the session store: follow-ups such as "and how much is
it?" keep working. Every bubble is drawn from what the store holds (``chat_history``): the
shopper's words exactly as typed (escaped, never rendered as HTML or markdown), the bot's answers
with product cards and citations numbered from 1 by title, a person's replies as their own
bubbles under their name, and "joined"/"resolved" notices as small lines of their own. Answers
stream; thumbs up/down rate that turn's answer; suggested next questions are buttons. Opening a
product card's link, or tapping a suggestion, is recorded as the widget's are (FeedbackStore.shopper_did,
the HTTP events endpoint's own function): a listener in the page hands the opened link to a
hidden trigger, and the card is found again among the cards the conversation was shown.

In a demo (development, an order system that lists its customers) "Signed in as" picks a demo
customer: each pick starts a fresh conversation carrying that customer's id, as the HTTP API's
signed identity does (``new_session``, then ``shopper_turn`` per message).

Its own words come from the store's ``ui`` message catalogs: the page's (title, description,
placeholder) through Gradio's i18n, in the browser's language; those written into the chat in the
language the shopper writes in, as the dialogue state has it.
"""
from __future__ import annotations

import html
import re
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.conversation import ConversationManager
from assistant.errors import AssistantError, InvalidInput
from assistant.events import Token
from assistant.messages import message as ui_message
from assistant.orders.service import demo_shoppers
from assistant.reply import Reply
from assistant.web.ui_strings import messages_dir, ui_catalogs

POLL_S = 2.0
MAX_SUGGESTIONS = 3
STORAGE_KEY = "shop-assistant-chat"
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]|~$])")            # format anywhere in a line
_LINE_STARTS = re.compile(r"^(\s*)([#>+\-=]|\d+(?=[.)]))", re.MULTILINE)   # headings, quotes, lists
_MARK = re.compile(r"\[(\d+)\]")
# Run once when the page loads (passed to mount_gradio_app: a load event of its own kept the
# shopper's first message from being sent): a click on a link in the chat's card list (cards are
# a bulleted list, the sources a numbered one that may link the same product page) is handed, its
# href as written, to the hidden #card-opened trigger; the link still opens as usual.
CARD_LISTENER_JS = """() => {
  if (window.shopCardListener) return;
  window.shopCardListener = true;
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('#shop-chat ul > li a[href]');
    const trigger = document.querySelector('#card-opened');
    if (!link || !trigger) return;
    window.shopCardOpened = link.getAttribute('href');
    trigger.click();
  }, true);
}"""


def shown(text: str) -> str:
    """What the shopper (or an agent) typed, for a markdown bubble: shown as typed, never rendered."""
    text = _MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(text or "", quote=False))
    return _LINE_STARTS.sub(lambda m: m.group(1) + "\\" + m.group(2) if not m.group(2).isdigit()
                            else m.group(1) + m.group(2) + "\\", text)


def numbered(answer: str, citations: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """The answer with its ``[n]`` marks renumbered 1, 2, ... by first appearance, and the cited
    sources in that order (all of them, in their own order, when the answer has no marks)."""
    by_number = {c.get("number"): c for c in citations}
    order: list[int] = []
    for mark in _MARK.findall(answer):
        if int(mark) in by_number and int(mark) not in order:
            order.append(int(mark))
    if not order:
        return answer, citations
    position = {n: i + 1 for i, n in enumerate(order)}
    text = _MARK.sub(lambda m: f"[{position[int(m.group(1))]}]" if int(m.group(1)) in position else m.group(0), answer)
    return text, [by_number[n] for n in order]


def sources_block(citations: list[dict[str, Any]], sources_word: str) -> str:
    if not citations:
        return ""
    lines = [f"{i}. [{shown(c.get('title') or 'source')}]({c['url']})" if c.get("url")
             else f"{i}. {shown(c.get('title') or 'source')}" for i, c in enumerate(citations, start=1)]
    return f"\n\n**{sources_word}**\n\n" + "\n".join(lines)


def money(value: Any, currency: str | None) -> str:
    return f"{value:.2f} {currency}" if currency and currency != "USD" else f"${value:.2f}"


def cards_block(cards: list[dict[str, Any]], words: dict[str, str]) -> str:
    """Product cards as markdown built from the card fields (names escaped): image, name linked to
    the product page, price with the was-price struck through, stock."""
    rows = []
    for c in cards:
        name = shown(c.get("name") or c.get("id") or "")
        image = (f'<img src="{html.escape(c["image"])}" alt="{html.escape(c.get("name") or "")}" width="72">'
                 if c.get("image") else "")
        parts = [image,
                 f"**[{name}]({c['url']})**" if c.get("url") else f"**{name}**"]
        if c.get("price") is not None:
            price = money(c["price"], c.get("currency"))
            if c.get("compare_at_price"):
                price += f" ~~{money(c['compare_at_price'], c.get('currency'))}~~"
            parts.append(price)
        parts.append(words["in_stock"] if c.get("in_stock") else words["out_of_stock"])
        rows.append("- " + " · ".join(p for p in parts if p))
    return "\n\n" + "\n".join(rows) if rows else ""


def answer_bubble(text: str, citations: list[dict[str, Any]], cards: list[dict[str, Any]],
                  words: dict[str, str], notes: list[str] = ()) -> str:
    body, cited = numbered(text, citations)
    lead = "".join(f"_{shown(n)}_\n\n" for n in notes)
    return lead + body + cards_block(cards, words) + sources_block(cited, words["sources"])


def notice_bubble(text: str) -> str:
    return f"<small>ℹ️ {shown(text)}</small>"


def agent_bubble(agent: str | None, text: str, agent_word: str) -> str:
    return f"**{shown(agent or agent_word)}** ({agent_word}): {shown(text)}"


def chat_history(manager: ConversationManager, session_id: str | None,
                 words: dict[str, str]) -> tuple[list[dict[str, Any]], list[int | None], list[str]]:
    """The chat as the store has it: (messages for gr.Chatbot, the turn each message answers or
    None, the last answer's suggested questions)."""
    sessions = manager.sessions
    if not session_id or not sessions.exists(session_id):
        return [], [], []
    per_turn: dict[int, Reply] = defaultdict(Reply)
    for ev in sessions.events(session_id):
        if ev.type in ("products", "suggestions", "done"):
            per_turn[ev.turn].add(ev)
    transcript = sessions.transcript(session_id)
    streamed = {m["turn"] for m in transcript if m["role"] == "assistant" and (m.get("content") or "").strip()}
    messages: list[dict[str, Any]] = []
    turns: list[int | None] = []
    last_answer_turn = None
    for m in transcript:
        role, content = m["role"], m.get("content") or ""
        if role == "user":
            if content.strip():
                messages.append({"role": "user", "content": shown(content)})
                turns.append(None)
            for path in m.get("images") or []:
                if Path(path).is_file():
                    messages.append({"role": "user", "content": {"path": str(path)}})
                    turns.append(None)
            said = per_turn[m["turn"]].answer if m["turn"] in per_turn else ""
            if m["turn"] not in streamed and said.strip():   # not streamed: a handoff's message
                messages.append({"role": "assistant", "content": said})
                turns.append(None)
        elif role == "assistant":
            if not content.strip():
                continue
            cards = per_turn[m["turn"]].cards if m["turn"] in per_turn else []
            messages.append({"role": "assistant",
                             "content": answer_bubble(content, m.get("citations") or [], cards, words)})
            turns.append(m["turn"])
            last_answer_turn = m["turn"]
        elif role == "agent":
            messages.append({"role": "assistant", "content": agent_bubble(m.get("agent"), content, words["agent"])})
            turns.append(None)
            last_answer_turn = None
        elif content:
            messages.append({"role": "assistant", "content": notice_bubble(content)})
            turns.append(None)
    suggestions = per_turn[last_answer_turn].next_questions if last_answer_turn in per_turn else []
    return messages, turns, suggestions


def opened_card(manager: ConversationManager, session_id: str | None, href: str | None) -> tuple[int, str] | None:
    """(turn, product id) of the product card whose link the shopper opened: the latest turn
    that showed a card with that link; None for any other link (a citation, a tracking page)."""
    if not session_id or not href or not manager.sessions.exists(session_id):
        return None
    href = html.unescape(href)
    found = None
    for ev in manager.sessions.events(session_id):
        if ev.type == "products":
            for c in ev.data.get("products") or []:
                if c.get("url") == href and c.get("id"):
                    found = (ev.turn, c["id"])
    return found


def limit_message(exc: AssistantError, settings, language: str | None, directory: Path) -> str | None:
    """A short sentence for a broken limit (None for an empty message: nothing to say)."""
    limits = settings.limits
    limit = exc.limit if isinstance(exc, InvalidInput) else None
    if limit == "empty_message":
        return None
    if limit == "max_message_chars":
        return ui_message("ui.limit_message_chars", language, directory, max=limits.max_message_chars)
    if limit == "max_images_per_turn":
        return ui_message("ui.limit_images", language, directory, max=limits.max_images_per_turn)
    if limit == "max_image_bytes":
        return ui_message("ui.limit_image_bytes", language, directory, mb=max(1, limits.max_image_bytes // 2**20))
    return ui_message("ui.error", language, directory)


def thumb(liked: bool | str | None) -> str | None:
    """Gradio's like value (True/False, or the option's name: "Like"/"Dislike") -> up/down."""
    if isinstance(liked, str):
        return {"like": "up", "dislike": "down"}.get(liked.strip().lower())
    return None if liked is None else ("up" if liked else "down")


def chat_i18n(settings) -> gr.I18n:
    """The page's own words in every supported language, for Gradio to pick by the browser's."""
    store = settings.store_name
    return gr.I18n(**{lang: {k: v.replace("{store}", store) for k, v in words.items()}
                      for lang, words in ui_catalogs(settings).items()})


def new_session_id() -> str:
    return f"web-{uuid.uuid4().hex[:20]}"


def build_chat(manager: ConversationManager, i18n: gr.I18n | None = None) -> gr.Blocks:
    """The chat page; mount it with the same ``i18n`` (``chat_i18n``) so its words translate."""
    i18n = i18n or chat_i18n(manager.settings)
    directory = messages_dir(manager.settings)
    sessions = manager.sessions
    shoppers = {c.id: c for c in demo_shoppers(manager.settings, manager.orders.orders)}

    def language_of(session_id: str | None) -> str:
        return sessions.load_state(session_id).language if session_id and sessions.exists(session_id) else "en"

    def words_for(session_id: str | None) -> dict[str, str]:
        language = language_of(session_id)
        return {k: ui_message(f"ui.{k}", language, directory)
                for k in ("sources", "agent", "in_stock", "out_of_stock", "error")}

    def chips(questions: list[str]) -> list[Any]:
        questions = questions[:MAX_SUGGESTIONS]
        return [gr.update(value=questions[i], visible=True) if i < len(questions) else gr.update(visible=False)
                for i in range(MAX_SUGGESTIONS)]

    def view(session_id: str | None):
        messages, _, suggestions = chat_history(manager, session_id, words_for(session_id))
        return [messages, sessions.last_seq(session_id) if session_id and sessions.exists(session_id) else 0,
                *chips(suggestions)]

    def restore(stored: str | None):
        """On page load: the conversation this browser had (rebuilt from the store), or a new id."""
        session_id = stored if stored and sessions.exists(stored) else (stored or new_session_id())
        return [session_id, session_id, *view(session_id)]

    def send(message: dict | str, session_id: str | None):
        """Ask: the shopper's bubble at once, the answer as it streams, then the store's view."""
        if isinstance(message, str):
            message = {"text": message, "files": []}
        text, files = message.get("text") or "", message.get("files") or []
        if not text.strip() and not files:              # whitespace only: nothing is sent
            yield [gr.skip(), gr.skip(), gr.skip(), *[gr.skip()] * MAX_SUGGESTIONS]
            return
        session_id = session_id or new_session_id()
        history, _, _ = chat_history(manager, session_id, words_for(session_id))
        history.append({"role": "user", "content": shown(text)})
        hide = [gr.update(visible=False)] * MAX_SUGGESTIONS
        yield [history, gr.update(value=None), gr.skip(), *hide]
        try:
            images = [Path(f if isinstance(f, str) else f["path"]).read_bytes() for f in files]
            answer = Reply()
            for event in manager.respond(session_id, manager.shopper_turn(session_id, text, images)):
                if isinstance(answer.add(event), Token) and answer.text.strip():
                    streaming = {"role": "assistant", "content": answer_bubble(
                        answer.text, [], [], words_for(session_id), answer.notes)}
                    yield [history + [streaming], gr.skip(), gr.skip(), *[gr.skip()] * MAX_SUGGESTIONS]
        except AssistantError as exc:
            said = limit_message(exc, manager.settings, language_of(session_id), directory)
            shown_history = history[:-1] if said is None else history + [{"role": "assistant",
                                                                           "content": f"⚠️ {shown(said)}"}]
            yield [shown_history, gr.skip(), gr.skip(), *[gr.skip()] * MAX_SUGGESTIONS]
            return
        messages, seq, *buttons = view(session_id)
        yield [messages, gr.skip(), seq, *buttons]

    def poll(session_id: str | None, last_seq: int | None):
        """Redraw when the store has something new (an agent's reply, a notice) and no answer streams."""
        if not session_id or not sessions.exists(session_id):
            return [gr.skip(), gr.skip(), *[gr.skip()] * MAX_SUGGESTIONS]
        seq, waiting = sessions.progress(session_id)
        if seq == (last_seq or 0) or waiting:
            return [gr.skip(), gr.skip(), *[gr.skip()] * MAX_SUGGESTIONS]
        return view(session_id)

    def rate(session_id: str | None, data: gr.LikeData):
        """Thumbs up/down on an answer -> that turn's rating in the store."""
        _, turns, _ = chat_history(manager, session_id, words_for(session_id))
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        rating = thumb(data.liked)
        if rating is None or not isinstance(index, int) or index >= len(turns) or turns[index] is None:
            return
        sessions.feedback.rate(session_id, turns[index], rating)

    def sign_in(customer_id: str | None):
        """A new conversation as this demo customer ("" = a guest): one shopper never sees
        another's order talk, in the chat or in the stored dialogue state."""
        if customer_id and customer_id not in shoppers:
            raise gr.Error(f"{customer_id!r} is not one of the demo customers")
        session_id = manager.new_session(customer_id=customer_id or None)
        return [session_id, session_id, *view(session_id)]

    def suggest(question: str, session_id: str | None):
        if session_id and sessions.exists(session_id) and sessions.last_turn(session_id):
            sessions.feedback.shopper_did(session_id, sessions.last_turn(session_id), "suggestion_click", question)
        yield from send({"text": question, "files": []}, session_id)

    def card_opened(href: str | None, session_id: str | None):
        """A product card's link opened in the chat -> a product_click on the turn that showed it."""
        card = opened_card(manager, session_id, href)
        if card is not None:
            sessions.feedback.shopper_did(session_id, card[0], "product_click", card[1])

    def api_chat(message: dict, request: gr.Request) -> str:
        """``/chat`` for API clients (gradio_client): the finished answer as text, its sources listed
        with their ids, one conversation per client session."""
        files = message.get("files") or []
        session_id = f"web-{request.session_hash}" if request and request.session_hash else new_session_id()
        try:
            images = [Path(f if isinstance(f, str) else f["path"]).read_bytes() for f in files]
            turn = manager.shopper_turn(session_id, message.get("text") or "", images)
            answer = Reply.fold(manager.respond(session_id, turn))
        except AssistantError as exc:
            return limit_message(exc, manager.settings, language_of(session_id), directory) or ""
        text = answer.text or answer.answer
        if answer.cited:
            text += f"\n\n{words_for(session_id)['sources']}\n" + "\n".join(
                f"- [{c.get('number') or '-'}] {c['title']} ({c['source_id']})" for c in answer.cited)
        return text

    tab_title = ui_message("ui.chat_title", "en", directory, store=manager.settings.store_name)
    guest = ui_message("ui.guest", "en", directory)
    with gr.Blocks(title=tab_title, analytics_enabled=False) as page:
        gr.Markdown(f"## {tab_title}")
        gr.Markdown(i18n("chat_description"))
        signed_in = gr.Dropdown([(guest, "")] + [(f"{c.name} ({c.id})", c.id) for c in shoppers.values()],
                                value="", label=i18n("signed_in_as"), info=i18n("signed_in_hint"),
                                visible=bool(shoppers), elem_id="signed-in-as")
        stored = gr.BrowserState(None, storage_key=STORAGE_KEY)
        session = gr.State(None)
        last_seq = gr.State(0)
        chatbot = gr.Chatbot(label=i18n("title"), height=520, group_consecutive_messages=False,
                             elem_id="shop-chat", feedback_options=("Like", "Dislike"))
        with gr.Row():
            buttons = [gr.Button(visible=False, size="sm", elem_classes=["suggestion"]) for _ in range(MAX_SUGGESTIONS)]
        box = gr.MultimodalTextbox(file_types=["image"], file_count="multiple", placeholder=i18n("placeholder"),
                                   show_label=False, elem_id="shop-input")
        opened_href = gr.Textbox(visible=False)           # carries the href (set by the js below)
        opened = gr.Button(visible="hidden", elem_id="card-opened")
        outputs = [chatbot, box, last_seq, *buttons]
        signed_in.input(sign_in, [signed_in], [session, stored, chatbot, last_seq, *buttons], api_name=False)
        page.load(restore, [stored], [session, stored, chatbot, last_seq, *buttons], api_name=False)
        # a message sent while the last is still being handled (an empty Enter, then the question)
        # waits its turn instead of being dropped (Gradio drops a submit while one is pending)
        box.submit(send, [box, session], outputs, api_name=False, trigger_mode="always_last")
        gr.api(api_chat, api_name="chat")
        for button in buttons:
            button.click(suggest, [button, session], outputs, api_name=False)
        chatbot.like(rate, [session], None, api_name="rate")
        opened.click(card_opened, [opened_href, session], None, api_name=False, show_progress="hidden",
                     js="(href, session) => [window.shopCardOpened || '', session]")
        gr.Timer(POLL_S).tick(poll, [session, last_seq], [chatbot, last_seq, *buttons],
                              show_progress="hidden", api_name=False)
    return page
