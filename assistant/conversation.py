"""The conversation manager: the one orchestrator every front door calls.

``respond(session_id, turn)`` walks one turn through the pipeline and yields ReplyEvents; each
event is persisted before it is yielded, so what a client was shown is never lost.

  1. validate the turn against the named limits; store it (images saved to the data dir)
  2. load the dialogue state
  3. update the state: product in focus, follow-ups resolved against it
  4. retrieve evidence (product-aware)
  5. the backend streams the answer; the extractive backend is the fallback if it fails
  6. citations are checked against the evidence; state saved; done
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from threading import Event
from typing import Any

from assistant.backends import AnswerRequest, ModelBackend, get_backend
from assistant.backends.extractive import ExtractiveBackend
from assistant.citations import parse_citations
from assistant.errors import AssistantError, InvalidInput
from assistant.events import ReplyEvent
from assistant.knowledge import Knowledge
from assistant.sessions import SessionStore
from assistant.settings import Settings
from assistant.state import DialogueState

log = logging.getLogger(__name__)


@dataclass
class Turn:
    text: str
    images: list[bytes] = field(default_factory=list)   # raw uploaded bytes
    customer_id: str | None = None


class ConversationManager:
    def __init__(self, settings: Settings, knowledge: Knowledge | None = None,
                 sessions: SessionStore | None = None, backend: ModelBackend | None = None):
        self.settings = settings
        self.knowledge = knowledge or Knowledge(settings)
        self.sessions = sessions or SessionStore(settings.sessions_url)
        self.fallback = ExtractiveBackend()
        self.notice: str | None = None
        self.backend = backend or self._load_backend()

    def _load_backend(self) -> ModelBackend:
        if self.settings.backend == "extractive":
            return self.fallback
        try:
            options = dict(self.settings.backend_options)
            if self.settings.model and "model" not in options:
                options["model"] = self.settings.model
            return get_backend(self.settings.backend, options)
        except AssistantError as exc:
            self.notice = f"The {self.settings.backend} model is unavailable ({exc}); answering from store information only."
            log.warning(self.notice)
            return self.fallback

    # -- one turn -----------------------------------------------------------------------
    def new_session(self, customer_id: str | None = None) -> str:
        return self.sessions.create(customer_id=customer_id)

    def validate(self, turn: Turn) -> None:
        limits = self.settings.limits
        if not turn.text.strip() and not turn.images:
            raise InvalidInput("the message is empty: send text or a photo", limit="empty_message")
        if len(turn.text) > limits.max_message_chars:
            raise InvalidInput(f"the message is {len(turn.text)} characters; the limit is "
                               f"{limits.max_message_chars} (max_message_chars)", limit="max_message_chars")
        if len(turn.images) > limits.max_images_per_turn:
            raise InvalidInput(f"{len(turn.images)} images sent; the limit is {limits.max_images_per_turn} "
                               f"per message (max_images_per_turn)", limit="max_images_per_turn")
        for data in turn.images:
            if len(data) > limits.max_image_bytes:
                raise InvalidInput(f"an image is {len(data)} bytes; the limit is {limits.max_image_bytes} "
                                   f"(max_image_bytes)", limit="max_image_bytes")

    def _save_images(self, images: list[bytes]) -> list[str]:
        folder = self.settings.uploads_dir
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for data in images:
            path = folder / hashlib.sha256(data).hexdigest()[:32]
            if not path.exists():
                path.write_bytes(data)
            paths.append(str(path))
        return paths

    def respond(self, session_id: str, turn: Turn, cancel: Event | None = None) -> Iterator[ReplyEvent]:
        cancel = cancel or Event()
        self.validate(turn)
        self.sessions.ensure(session_id)
        number = self.sessions.last_turn(session_id) + 1
        image_paths = self._save_images(turn.images)
        self.sessions.append(session_id, number, "user", {"content": turn.text, "images": image_paths})

        def emit(type_: str, **data: Any) -> ReplyEvent:
            seq = self.sessions.append(session_id, number, type_, data)
            return ReplyEvent(type_, {**data, "seq": seq, "turn": number})

        if self.notice:
            yield emit("notice", text=self.notice)
        state = self.sessions.load_state(session_id)
        question = self._track(state, turn.text)
        directory = self.knowledge.directory
        focus = directory.get(state.product_in_focus)
        evidence = self.knowledge.retriever.search(
            question, k=self.settings.retrieval_k,
            product_ids=[state.product_in_focus] if state.product_in_focus else None)
        request = AnswerRequest(question=question, evidence=evidence, product_in_focus=focus,
                                attributes=dict(state.attributes), intent=state.intent, cancel=cancel)
        answer = ""
        try:
            for piece in self.backend.stream(request):
                answer += piece
                yield emit("token", text=piece)
        except AssistantError as exc:
            log.warning("backend failed, falling back to extractive: %s", exc)
            if not answer:
                for piece in self.fallback.stream(request):
                    answer += piece
                    yield emit("token", text=piece)
        check = parse_citations(answer, evidence)
        yield emit("citations", citations=[c.to_dict() for c in check.citations],
                   low_confidence=check.low_confidence)
        state.turns += 1
        self.sessions.save_state(session_id, state)
        yield emit("state", state=state.to_dict())
        yield emit("done", answer=answer.strip())

    def _track(self, state: DialogueState, text: str) -> str:
        """Keep the product in focus; rewrite a follow-up so it names that product."""
        mentions = self.knowledge.directory.find_ids(text)
        if mentions:
            if state.product_in_focus and state.product_in_focus not in mentions:
                state.product_candidates = [state.product_in_focus, *state.product_candidates][:5]
            state.product_in_focus = mentions[0]
            return text
        if state.product_in_focus:
            return f"{text} ({self.knowledge.directory.name_of(state.product_in_focus)})"
        return text
