"""The shopper chat (Gradio): a thin view over ConversationManager.respond.

The browser tab's Gradio session hash is the conversation id, so follow-ups in one tab share
dialogue state. In a demo (development, an order system that lists its customers) "Signed
in as" picks a demo customer: each pick starts a fresh conversation carrying that customer's
id, as the HTTP API's signed identity does (``new_session``, then ``shopper_turn`` per message). Answers stream; citations are listed under each answer; what the photo showed
("I read: ...") is noted above it. After a handoff, a timer polls the session store so an
agent's replies appear in the chat as they are sent.

Its own words come from the store's ``ui`` message catalogs: the page's (title, description,
placeholder) through Gradio's i18n, in the browser's language; those written into the chat (an
agent's name tag) in the language the shopper writes in, as the dialogue state has it.
"""
from __future__ import annotations

from pathlib import Path

import gradio as gr

from assistant.conversation import ConversationManager
from assistant.errors import AssistantError
from assistant.events import AgentMessage, Token
from assistant.messages import message as ui_message
from assistant.orders.service import demo_shoppers
from assistant.reply import Reply
from assistant.web.ui_strings import messages_dir, ui_catalogs

POLL_S = 2.0


def session_of(request: gr.Request | None, conversation: str | None = None) -> str:
    """The tab's conversation: the one its last "Signed in as" pick started, else the tab's own."""
    if conversation:
        return conversation
    return f"web-{request.session_hash}" if request and request.session_hash else "web-anonymous"


def render_reply(answer: str, citations: list[dict], notices: list[str], sources_word: str = "Sources") -> str:
    text = "\n\n".join([*(f"_{n}_" for n in notices), answer]) if notices else answer
    if citations:
        sources = "\n".join(f"- [{c.get('number') or '•'}] {c['title']} `{c['source_id']}`" for c in citations)
        text += f"\n\n**{sources_word}**\n{sources}"
    return text


def agent_line(message: AgentMessage, agent_word: str = "Agent") -> str:
    return f"**{message.agent or agent_word}:** {message.content or message.fields.get('text') or ''}"


def chat_i18n(settings) -> gr.I18n:
    """The page's own words in every supported language, for Gradio to pick by the browser's."""
    store = settings.store_name
    return gr.I18n(**{lang: {k: v.replace("{store}", store) for k, v in words.items()}
                      for lang, words in ui_catalogs(settings).items()})


def build_chat(manager: ConversationManager, i18n: gr.I18n | None = None) -> gr.Blocks:
    """The chat page; mount it with the same ``i18n`` (``chat_i18n``) so its words translate."""
    i18n = i18n or chat_i18n(manager.settings)
    directory = messages_dir(manager.settings)
    shoppers = {c.id: c for c in demo_shoppers(manager.settings, manager.orders.orders)}

    def word(key: str, session_id: str) -> str:
        language = manager.sessions.load_state(session_id).language if manager.sessions.exists(session_id) else "en"
        return ui_message(f"ui.{key}", language, directory)

    def reply(message: dict, history: list, conversation: str | None, request: gr.Request):
        files = message.get("files") or []
        try:
            images = [Path(f if isinstance(f, str) else f["path"]).read_bytes() for f in files]
            session_id = session_of(request, conversation)
            turn = manager.shopper_turn(session_id, message.get("text") or "", images)
            answer = Reply()
            for event in manager.respond(session_id, turn):
                if isinstance(answer.add(event), Token):
                    yield render_reply(answer.text, [], answer.notes)
            # a handoff: the bot stays silent, and done's answer says why
            language = (answer.state.state or {}).get("language") if answer.state else None
            yield render_reply(answer.text or answer.answer, answer.cited, answer.notes,
                               ui_message("ui.sources", language, directory))
        except AssistantError as exc:
            yield f"⚠️ {exc}"

    def sign_in(customer_id: str | None):
        """A new conversation as this demo customer ("" = a guest): one shopper never sees
        another's order talk, in the chat or in the stored dialogue state."""
        if customer_id and customer_id not in shoppers:
            raise gr.Error(f"{customer_id!r} is not one of the demo customers")
        return manager.new_session(customer_id=customer_id or None), [], [], None

    def agent_replies(history: list, last_seq: int | None, conversation: str | None, request: gr.Request):
        """Append agent messages sent since the last poll (the bot is silent while they own the chat)."""
        session_id = session_of(request, conversation)
        if not manager.sessions.exists(session_id):
            return gr.skip(), gr.skip(), last_seq
        events = manager.sessions.events(session_id, after=last_seq or 0)
        if last_seq is None:  # first poll of this tab: start from now
            return gr.skip(), gr.skip(), events[-1].seq if events else 0
        new = Reply.fold(events).agent_messages
        if not events:
            return gr.skip(), gr.skip(), last_seq
        if not new:
            return gr.skip(), gr.skip(), events[-1].seq
        agent_word = word("agent", session_id)
        history = list(history or []) + [{"role": "assistant", "content": agent_line(m, agent_word)} for m in new]
        return history, history, events[-1].seq

    tab_title = ui_message("ui.chat_title", "en", directory, store=manager.settings.store_name)
    guest = ui_message("ui.guest", "en", directory)
    with gr.Blocks(title=tab_title, analytics_enabled=False) as page:
        conversation = gr.State(None)
        signed_in = gr.Dropdown([(guest, "")] + [(f"{c.name} ({c.id})", c.id) for c in shoppers.values()],
                                value="", label=i18n("signed_in_as"), info=i18n("signed_in_hint"),
                                visible=bool(shoppers), elem_id="signed-in-as")
        chat = gr.ChatInterface(
            fn=reply,
            multimodal=True,
            title=i18n("chat_title"),
            description=i18n("chat_description"),
            textbox=gr.MultimodalTextbox(file_types=["image"], file_count="multiple",
                                         placeholder=i18n("placeholder")),
            examples=[[{"text": "How heavy is the Alpine 40 Pack?"}],
                      [{"text": "How long do I have to return running shoes?"}],
                      [{"text": "Do you have a rain jacket under $150?"}]],
            additional_inputs=[conversation],
            cache_examples=False,
            api_name="chat",
            analytics_enabled=False,
        )
        last_seq = gr.State(None)
        signed_in.change(sign_in, [signed_in], [conversation, chat.chatbot, chat.chatbot_state, last_seq],
                         api_name=False)
        gr.Timer(POLL_S).tick(agent_replies, [chat.chatbot, last_seq, conversation],
                              [chat.chatbot, chat.chatbot_state, last_seq],
                              show_progress="hidden", api_name=False)
    return page
