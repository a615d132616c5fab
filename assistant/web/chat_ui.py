"""The shopper chat (Gradio): a thin view over ConversationManager.respond.

The browser tab's Gradio session hash is the conversation id, so follow-ups in one tab share
dialogue state. Answers stream; citations are listed under each answer.
"""
from __future__ import annotations

from pathlib import Path

import gradio as gr

from assistant.conversation import ConversationManager, Turn
from assistant.errors import AssistantError


def render_reply(answer: str, citations: list[dict], notices: list[str]) -> str:
    text = "\n\n".join([*(f"_{n}_" for n in notices), answer]) if notices else answer
    if citations:
        sources = "\n".join(f"- [{c.get('number') or '•'}] {c['title']} `{c['source_id']}`" for c in citations)
        text += f"\n\n**Sources**\n{sources}"
    return text


def build_chat(manager: ConversationManager) -> gr.Blocks:
    def reply(message: dict, history: list, request: gr.Request):
        session_id = f"web-{request.session_hash}" if request and request.session_hash else "web-anonymous"
        files = message.get("files") or []
        try:
            images = [Path(f if isinstance(f, str) else f["path"]).read_bytes() for f in files]
            turn = Turn(text=message.get("text") or "", images=images)
            answer, citations, notices = "", [], []
            for event in manager.respond(session_id, turn):
                if event.type == "token":
                    answer += event.data["text"]
                    yield render_reply(answer, [], notices)
                elif event.type in ("notice", "perception") and event.data.get("text"):
                    notices.append(event.data["text"])
                elif event.type == "agent_message":
                    answer += f"\n\n**{event.data.get('agent', 'Agent')}:** {event.data.get('content', '')}"
                elif event.type == "citations":
                    citations = event.data["citations"]
                elif event.type == "handoff" and event.data.get("message"):
                    notices.append(event.data["message"])
            yield render_reply(answer, citations, notices)
        except AssistantError as exc:
            yield f"⚠️ {exc}"

    return gr.ChatInterface(
        fn=reply,
        multimodal=True,
        title=f"{manager.settings.store_name} - shop assistant",
        description="Ask about products, sizes, stock, shipping, returns or an order. You can attach photos.",
        textbox=gr.MultimodalTextbox(file_types=["image"], file_count="multiple",
                                     placeholder="Ask a question or attach a photo…"),
        examples=[{"text": "How heavy is the Alpine 40 Pack?"},
                  {"text": "How long do I have to return running shoes?"},
                  {"text": "Do you have a rain jacket under $150?"}],
        cache_examples=False,
        api_name="chat",
        analytics_enabled=False,
    )
