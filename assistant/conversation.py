"""The conversation manager: the one orchestrator every front door calls.

``respond(session_id, turn)`` walks one turn through the pipeline and yields ReplyEvents; each
event is persisted before it is yielded, so what a client was shown is never lost.

  1. validate the turn against the named limits; store it (photos saved to the data dir)
  2. perceive the photos: OCR, catalog photo match (when the vision stack is available)
  3. track: intent, slots, product in focus, sentiment; follow-ups rewritten to name their object
  4. decide handoff by the store's rules; a person-owned chat goes to the person (bot silent)
  5. retrieve evidence (product-aware); weak evidence may hand off (low_confidence rule)
  6. the backend streams the answer; the extractive backend takes over if it fails
  7. citations checked against the evidence; the outcome counts towards repeated failure
  8. state saved; done
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from threading import Event
from typing import Any

from assistant.backends import AnswerRequest, ModelBackend, get_backend
from assistant.backends.extractive import ExtractiveBackend
from assistant.answers.citations import parse_citations
from assistant.errors import AssistantError, InvalidInput
from assistant.events import ReplyEvent
from assistant.handoff.helpdesk import Helpdesk
from assistant.dialogue.intents import IntentClassifier, is_pure_greeting
from assistant.knowledge.service import Knowledge
from assistant.handoff.policy import HandoffContext, HandoffPolicy
from assistant.answers.prompting import build_messages
from assistant.storage.sessions import SessionStore
from assistant.settings import Settings
from assistant.answers.small_talk import SmallTalk
from assistant.handoff.takeover import Takeover, takeover_turn
from assistant.dialogue.tracker import DialogueTracker
from assistant.privacy import redact_card_numbers
from assistant.vision.perception import products_for_model_numbers
from assistant.vision.service import PhotoPerception

log = logging.getLogger(__name__)


def _tap(events: Iterator[ReplyEvent], seen: list[ReplyEvent]):
    """Pass events through, keeping a copy; returns what the generator returns."""
    while True:
        try:
            event = next(events)
        except StopIteration as stop:
            return stop.value
        seen.append(event)
        yield event


def _handoff_message(events: list[ReplyEvent]) -> str:
    """What the shopper is told when the bot stays silent (the handoff's own message)."""
    return next((e.data.get("message") or "" for e in events if e.type == "handoff"), "")


def configured_backend(settings: Settings) -> ModelBackend:
    """The backend the settings name, with ASSISTANT_MODEL as its model; raises if it cannot load."""
    options = dict(settings.backend_options)
    if settings.model and "model" not in options:
        options["model"] = settings.model
    return get_backend(settings.backend, options)


@dataclass
class Turn:
    text: str
    images: list[bytes] = field(default_factory=list)   # raw uploaded bytes
    customer_id: str | None = None
    customer_is_vip: bool = False


class ConversationManager:
    def __init__(self, settings: Settings, knowledge: Knowledge | None = None,
                 sessions: SessionStore | None = None, backend: ModelBackend | None = None):
        self.settings = settings
        self.knowledge = knowledge or Knowledge(settings)
        self.sessions = sessions or SessionStore(settings.sessions_url)
        self.fallback = ExtractiveBackend()
        self.notice: str | None = None
        self.backend = backend or self._load_backend()
        self.tracker = DialogueTracker(IntentClassifier(encoder=self.knowledge.encoder),
                                       find_products=lambda text: self.knowledge.directory.find_ids(text),
                                       product_name=lambda pid: self.knowledge.directory.name_of(pid))
        policy_file = settings.knowledge_dir / "handoff.yaml"
        self.policy = HandoffPolicy.load(policy_file) if policy_file.exists() else HandoffPolicy()
        self.takeover = Takeover(self.sessions, Helpdesk(settings.helpdesk, self.sessions),
                                 product_name=lambda pid: self.knowledge.directory.name_of(pid),
                                 store_name=settings.store_name)
        self.small_talk = SmallTalk.load(settings.prompts_dir, settings.store_name)
        self.perception = self._load_perception()

    def _load_backend(self) -> ModelBackend:
        if self.settings.backend == "extractive":
            return self.fallback
        try:
            return configured_backend(self.settings)
        except AssistantError as exc:
            self.notice = (f"The {self.settings.backend} model is unavailable ({exc}); "
                           "answering from store information only.")
            log.warning(self.notice)
            return self.fallback

    def _load_perception(self) -> PhotoPerception:
        describe = self.backend.describe_image if self.backend.accepts_images else None
        return PhotoPerception(self.settings, self.knowledge, describe=describe)

    def close(self) -> None:
        self.takeover.helpdesk.close()
        self.backend.close()

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
        # 1. validate (photos too) before anything is stored: a rejected turn leaves no trace
        self.validate(turn)
        # card numbers typed into the chat go here, before anything stores, tracks or logs the
        # text (the reply warns the shopper)
        turn = replace(turn, text=redact_card_numbers(turn.text))
        photos = self.perception.validate(turn.images) if turn.images else []
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

        # 2. photos
        seen = self.perception.perceive(photos) if photos else None
        photo_lines: list[str] = []
        matched: list[str] = []
        if seen:
            photo_lines = seen.summary_lines(self.perception.product_names())
            matched = [m.product_id for m in seen.matches()] or products_for_model_numbers(
                seen.model_numbers(), list(self.knowledge.directory.products.values()))
            yield emit("perception", perception=seen.to_dict(), text="\n".join(photo_lines))

        # 3. dialogue state (a photo's order id and recognised product count like typed ones)
        state, signals = self.tracker.update(
            state, turn.text or (seen.query_text() if seen else ""),
            ocr_order_ids=seen.order_ids() if seen else (), matched_product_ids=matched)
        question = signals.resolved_question or turn.text
        if seen:
            names = [self.knowledge.directory.name_of(pid) for pid in matched[:1]]
            question = "\n".join([question, *names, seen.query_text()]).strip()

        # 4. handoff rules, and the human who may already own the chat
        context = HandoffContext(now=datetime.now(timezone.utc), customer_id=turn.customer_id,
                                 customer_is_vip=turn.customer_is_vip,
                                 agents_online=self.takeover.agents_online())
        decision = self.policy.decide(state, signals, context)
        if (yield from self._hand_over(session_id, number, decision, state, emit, turn.text, image_paths)):
            return

        # small talk needs no evidence
        canned = self.small_talk.reply(signals.intent, turn.text) if not photos else None
        if canned and (signals.intent == "greeting" and is_pure_greeting(turn.text)):
            yield from self._reply_without_evidence(session_id, state, emit, canned)
            return

        # 5. evidence; nothing to stand on may hand off
        focus = self.knowledge.directory.get(state.product_in_focus)
        in_play = list(dict.fromkeys([*([state.product_in_focus] if state.product_in_focus else []),
                                      *signals.product_ids]))
        evidence = self.knowledge.retriever.search(question, k=self.settings.retrieval_k, product_ids=in_play or None,
                                                   intent=signals.intent)
        best = max((e.score for e in evidence), default=0.0)
        if signals.intent == "out_of_scope" and best < self.small_talk.out_of_scope_below:
            refusal = self.small_talk.reply("out_of_scope", turn.text)
            yield from self._reply_without_evidence(session_id, state, emit, refusal)
            return
        context.retrieval_score = best
        decision = self.policy.decide(state, signals, context)
        if (yield from self._hand_over(session_id, number, decision, state, emit, turn.text, image_paths)):
            return

        # 6. the answer
        request = AnswerRequest(question=question, evidence=evidence, product_in_focus=focus,
                                attributes=dict(state.attributes), intent=signals.intent, cancel=cancel,
                                images=[p.image for p in photos])
        if self.backend.generative:
            request.messages = build_messages(
                question, evidence, self.sessions.transcript(session_id)[:-1], self.settings.store_name,
                perception_lines=photo_lines, n_images=len(photos),
                prompts_dir=self.settings.prompts_dir)
        answer = ""
        try:
            for piece in self.backend.stream(request):
                answer += piece
                yield emit("token", text=piece)
        except AssistantError as exc:
            log.warning("backend failed, falling back to extractive: %s", exc)
            if not answer:
                yield emit("notice", text="The model is unavailable right now; answering from store information.")
                for piece in self.fallback.stream(request):
                    answer += piece
                    yield emit("token", text=piece)

        # 7. grounding: what the answer cites, and whether it counts as a failure
        check = parse_citations(answer, evidence)
        yield emit("citations", citations=[c.to_dict() for c in check.citations],
                   low_confidence=check.low_confidence, reason=check.reason,
                   evidence=[{"source_id": e.source_id, "title": e.title, "text": e.text, "score": e.score}
                             for e in evidence])
        state = self.tracker.record_outcome(state, answered=bool(check.citations),
                                            low_confidence=check.low_confidence)
        if check.low_confidence and self.backend.generative and not cancel.is_set():
            context.answer_low_confidence = True
            late = self.policy.decide(state, signals, context)
            if late.handoff:
                yield from takeover_turn(self.takeover, session_id, number, late, state, emit,
                                         turn.text, image_paths)
        yield from self._finish(session_id, state, emit, answer=answer)

    def _hand_over(self, session_id, number, decision, state, emit, text, image_paths):
        """Apply a handoff decision. True (turn finished) when the bot must stay silent: the
        shopper is told why by the handoff's own message."""
        routed: list[ReplyEvent] = []
        silent = yield from _tap(takeover_turn(self.takeover, session_id, number, decision, state, emit,
                                               text, image_paths), routed)
        if silent:
            yield from self._finish(session_id, state, emit, answer=_handoff_message(routed))
        return silent

    def _reply_without_evidence(self, session_id, state, emit, text: str) -> Iterator[ReplyEvent]:
        yield emit("token", text=text)
        yield emit("citations", citations=[], low_confidence=False)
        yield from self._finish(session_id, state, emit, answer=text)

    def _finish(self, session_id, state, emit, answer: str) -> Iterator[ReplyEvent]:
        self.sessions.save_state(session_id, state)
        yield emit("state", state=state.to_dict())
        yield emit("done", answer=answer.strip())
