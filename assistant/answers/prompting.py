"""Render one answer turn into OpenAI-style chat messages from the text templates in ``prompts/``.

The wording lives in text files (``system.txt``, ``answer.txt``, ``photo_notes.txt``,
``no_evidence.txt``); this module only numbers the evidence, trims the history, names the
shopper's language (``{language_name}``, ``{language}``: "Chinese", "zh") and places the image
parts. Backends turn the ``{"type": "image"}`` placeholders into real images with
:func:`bind_images` (or drop them with :func:`text_only`).
"""
from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

# langchain-core is imported where the templates are built, not with this module: the
# extractive backend (``assistant ask`` by default) never renders a prompt

from assistant.knowledge.evidence import Evidence
from assistant.messages import language_code
from assistant.settings import PROJECT_ROOT

DEFAULT_PROMPTS_DIR = PROJECT_ROOT / "prompts"
MAX_HISTORY_TURNS = 3            # shopper + assistant pairs kept before the current question
MAX_EVIDENCE_CHARS = 1500        # per numbered source; long manuals are cut, not dropped
MAX_HISTORY_MESSAGE_CHARS = 1000
_ROLES = {"user": "user", "human": "user", "shopper": "user",
          "assistant": "assistant", "ai": "assistant", "bot": "assistant", "agent": "assistant"}


class PromptSet:
    """The templates of one prompts folder, loaded once."""

    def __init__(self, prompts_dir: Path):
        def read(name: str) -> str:
            path = prompts_dir / name
            if not path.is_file():
                raise FileNotFoundError(f"prompt template {path} is missing (ASSISTANT_PROMPTS_DIR={prompts_dir})")
            return path.read_text(encoding="utf-8").strip()

        from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder, PromptTemplate

        self.chat = ChatPromptTemplate(
            [("system", read("system.txt")), MessagesPlaceholder("history", optional=True),
             ("human", read("answer.txt"))]
        )
        self.photo_notes = PromptTemplate.from_template(read("photo_notes.txt"))
        self.no_evidence = read("no_evidence.txt")


@lru_cache(maxsize=8)
def load_prompts(prompts_dir: Path | str | None = None) -> PromptSet:
    return PromptSet(Path(prompts_dir) if prompts_dir else DEFAULT_PROMPTS_DIR)


def format_evidence(evidence: Sequence[Evidence], max_chars: int = MAX_EVIDENCE_CHARS) -> str:
    """``[1] Title (kind)`` then the text, one block per source, numbered from 1 in the given order."""
    blocks = []
    for number, item in enumerate(evidence, start=1):
        text = " ".join(item.text.split())
        if len(text) > max_chars:
            text = text[: max_chars - 1].rstrip() + "…"
        blocks.append(f"[{number}] {item.title} ({item.kind})\n{text}")
    return "\n\n".join(blocks)


def language_name(lang: str | None) -> str:
    """"zh" -> "Chinese", "pt-BR" -> "Portuguese": the language's English name (Babel's), the
    code itself for one Babel does not know."""
    from babel import Locale

    code = language_code(lang)
    return Locale("en").languages.get(code, code)


def _history_messages(history: Iterable[Any], max_turns: int) -> list[dict[str, str]]:
    """Last ``max_turns`` shopper/assistant pairs as plain-text messages (images are not re-sent)."""
    messages = []
    for turn in history or ():
        get = turn.get if isinstance(turn, dict) else lambda key, _turn=turn: getattr(_turn, key, None)
        role = get("role")
        content = get("content")
        if content is None:
            content = get("text")
        role = _ROLES.get(str(role).lower())
        text = _text_of(content).strip()
        if role is None or not text:
            continue
        if len(text) > MAX_HISTORY_MESSAGE_CHARS:
            text = text[: MAX_HISTORY_MESSAGE_CHARS - 1] + "…"
        messages.append({"role": role, "content": text})
    while messages and messages[-1]["role"] == "user":  # the current question (or an unanswered one)
        messages.pop()
    keep = messages[-2 * max_turns:] if max_turns > 0 else []
    while keep and keep[0]["role"] != "user":       # start on a shopper turn, as chat templates expect
        keep.pop(0)
    return keep


def build_messages(
    question: str,
    evidence: Sequence[Evidence],
    history: Iterable[Any],
    store_name: str,
    perception_lines: Sequence[str] = (),
    n_images: int = 0,
    *,
    prompts_dir: Path | str | None = None,
    max_history_turns: int = MAX_HISTORY_TURNS,
    language: str | None = "en",
) -> list[dict[str, Any]]:
    """OpenAI-style messages for one answer turn.

    1. system: the store's rules (answer only from the evidence and photo, cite [n], say when unsure);
    2. the last ``max_history_turns`` turns as plain text (``history`` may be
       ``SessionStore.transcript()`` as is: agent replies count as assistant turns, system notices
       and trailing shopper messages - the current question - are left out);
    3. user: ``n_images`` ``{"type": "image"}`` parts, then the numbered evidence, what the photo
       shows (``perception_lines``), the question and the language to answer in (``language``,
       the shopper's: the templates' ``{language_name}`` and ``{language}``).
    The evidence numbers are the positions in ``evidence`` (1-based): pass the same list to
    :func:`assistant.answers.citations.parse_citations`.
    """
    prompts = load_prompts(str(prompts_dir) if prompts_dir else None)
    lines = [" ".join(str(line).split()) for line in perception_lines if str(line).strip()]
    photo_notes = prompts.photo_notes.format(lines="\n".join(f"- {line}" for line in lines)) + "\n" if lines else ""
    rendered = prompts.chat.format_messages(
        store_name=store_name,
        history=_history_messages(history, max_history_turns),
        evidence=format_evidence(evidence) or prompts.no_evidence,
        photo_notes=photo_notes,
        question=question.strip(),
        language=language_code(language),
        language_name=language_name(language),
    )
    from langchain_core.messages import convert_to_openai_messages

    messages: list[dict[str, Any]] = convert_to_openai_messages(rendered)
    user = messages[-1]
    user["content"] = [{"type": "image"} for _ in range(n_images)] + [{"type": "text", "text": user["content"]}]
    return messages


def _text_of(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "\n".join(part.get("text", "") for part in content if isinstance(part, dict) and part.get("type") == "text")


def bind_images(messages: Sequence[dict[str, Any]], images: Sequence[Any]) -> list[dict[str, Any]]:
    """Copy ``messages`` with every content as a list of parts and ``images`` bound in order.

    Each ``{"type": "image"}`` placeholder gets the next image as ``part["image"]``; placeholders
    left without an image are dropped; images left without a placeholder go first in the last
    user message. Parts that already carry an image (``image``/``url``/``image_url``) are kept.
    """
    out = [dict(message) for message in messages]
    pending = list(images)
    for message in out:
        content = message.get("content")
        parts = [{"type": "text", "text": content}] if isinstance(content, str) else copy.copy(list(content or []))
        bound = []
        for part in parts:
            if isinstance(part, dict) and part.get("type") == "image" and not ({"image", "url", "path"} & part.keys()):
                if pending:
                    bound.append({"type": "image", "image": pending.pop(0)})
                continue
            bound.append(part)
        message["content"] = bound
    if pending:
        last_user = next((m for m in reversed(out) if m.get("role") == "user"), None)
        if last_user is None:
            last_user = {"role": "user", "content": []}
            out.append(last_user)
        last_user["content"] = [{"type": "image", "image": image} for image in pending] + last_user["content"]
    return out


def as_image(image: Any) -> Any:
    """A PIL image from a PIL image, raw bytes (an upload) or a file path."""
    from PIL import Image

    if isinstance(image, Image.Image):
        return image
    if isinstance(image, (bytes, bytearray)):
        import io

        return Image.open(io.BytesIO(bytes(image)))
    return Image.open(image)


def fit_pixels(image: Any, max_pixels: int) -> Any:
    """``image`` as RGB, shrunk (aspect kept) to at most ``max_pixels`` pixels; small photos untouched."""
    import math

    image = as_image(image)
    image = image.convert("RGB") if image.mode != "RGB" else image
    width, height = image.size
    if width * height <= max_pixels:
        return image
    scale = math.sqrt(max_pixels / (width * height))
    return image.resize((max(1, int(width * scale)), max(1, int(height * scale))))


def text_only(messages: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """Copy ``messages`` with image parts dropped and content flattened to a string (text-only models)."""
    return [{"role": m.get("role", "user"), "content": _text_of(m.get("content"))} for m in messages]


def request_messages(request: Any) -> list[dict[str, Any]]:
    """``request.messages``, or (when a caller sent none) the standard answer prompt for its evidence."""
    if request.messages:
        return list(request.messages)
    from assistant.settings import get_settings

    settings = get_settings()
    return build_messages(request.question, request.evidence, (), settings.store_name,
                          n_images=len(request.images), prompts_dir=settings.prompts_dir,
                          language=getattr(request, "language", "en"))
