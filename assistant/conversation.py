"""The conversation manager: the one orchestrator every front door calls.

``respond(session_id, turn)`` walks one turn through named steps and yields ReplyEvents; each
event is persisted before it is yielded, so what a client was shown is never lost (a turn's
events are stored in a few transactions by its TurnJournal, assistant.storage.journal).

  prepare   validate the turn against the named limits and store it (photos saved to the data
            dir); perceive the photos (OCR, catalog photo match); track the dialogue (intent,
            slots, product in focus, sentiment; follow-ups rewritten to name their object)
  route     the store's handoff rules; a person-owned chat goes to the person (bot silent);
            a pure greeting gets small talk
  retrieve  evidence (product-aware); nothing to stand on refuses out-of-scope asks or hands off
            (low_confidence rule)
  answer    the backend streams the answer; the extractive backend takes over if it fails
  grade     citations checked against the evidence; the outcome counts towards repeated
            failure; state saved; done
"""
from __future__ import annotations

import copy
import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from threading import Event
from typing import Any

from assistant.backends import AnswerRequest, ModelBackend, get_backend
from assistant.backends.extractive import ExtractiveBackend
from assistant.answers.asking import english_question
from assistant.answers.cards import cards_for, source_page
from assistant.answers.citations import parse_citations
from assistant.errors import AssistantError, InvalidInput
from assistant.events import ReplyEvent
from assistant.handoff.helpdesk import Helpdesk
from assistant.dialogue.intents import IntentClassifier, is_pure_greeting
from assistant.knowledge.evidence import Evidence
from assistant.knowledge.service import Knowledge
from assistant.lexicon import lexicon
from assistant.handoff.policy import HandoffContext, HandoffPolicy
from assistant.answers.prompting import build_messages
from assistant.storage.journal import FLUSH, TurnJournal
from assistant.storage.sessions import SessionStore
from assistant.settings import Settings
from assistant.orders.flows import ORDER_INTENTS
from assistant.orders.service import build_order_desk
from assistant.answers.photo_replies import unmatched_reply, unsure_reply
from assistant.answers.small_talk import SmallTalk
from assistant.answers.suggestions import suggest
from assistant.answers.recommendations import recommendation_answer, recommendation_evidence
from assistant.knowledge.recommend import asks_for, by_colour, colour_in
from assistant.messages import message
from assistant.handoff.takeover import HandoffTurn, Takeover, takeover_turn
from assistant.dialogue.language import normalise_locale
from assistant.dialogue.state import POLICY_INTENTS, SHOPPING_INTENTS, DialogueState
from assistant.dialogue.tracker import DialogueTracker, TurnSignals
from assistant.privacy import redact_card_numbers
from assistant.vision.images import ShopperImage
from assistant.vision.perception import Perception, products_for_model_numbers
from assistant.vision.service import PhotoPerception

log = logging.getLogger(__name__)
SLOW_TOKEN_S = 0.01      # a token that took longer than this to make is stored and shown at once
# a photo sent with one of these is a question about the product in it
PHOTO_QUESTION_INTENTS = frozenset({"product_question", "availability", "recommendation", "out_of_scope",
                                    "greeting"})


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
    # the integrator's language for the conversation ("es", "zh-CN"), kept from this turn on and
    # preferred to what is detected in the shopper's messages; None leaves the session's as it is
    locale: str | None = None


@dataclass
class TurnWork:
    """One turn's working set, filled in by the steps of ``respond`` in order."""
    session_id: str
    number: int
    turn: Turn
    cancel: Event
    emit: Callable[..., ReplyEvent]
    photos: list[ShopperImage] = field(default_factory=list)
    image_paths: list[str] = field(default_factory=list)
    seen: Perception | None = None                       # _perceive
    photo_lines: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)
    state: DialogueState = field(default_factory=DialogueState)   # _prepare, then _track
    signals: TurnSignals | None = None                   # _track
    question: str = ""
    context: HandoffContext | None = None                # _route
    evidence: list[Evidence] = field(default_factory=list)   # _retrieve
    not_sold: bool = False                               # _retrieve: the catalog has none of what is asked for
    answer: str = ""                                     # _answer
    addendum: str = ""                                   # _orders: said after the answer
    journal: TurnJournal | None = None                   # stores emit's events (and the state at the end)


class ConversationManager:
    def __init__(self, settings: Settings, knowledge: Knowledge | None = None,
                 sessions: SessionStore | None = None, backend: ModelBackend | None = None):
        self.settings = settings
        self.knowledge = knowledge or Knowledge(settings)
        self.sessions = sessions or SessionStore(settings.sessions_url)
        self.fallback = ExtractiveBackend()
        self.notice: str | None = None
        self.backend = backend or self._load_backend()
        self.tracker = DialogueTracker(IntentClassifier(encoder=self.knowledge.encoder, settings=settings,
                                                        multilingual=self.knowledge.multilingual_classifier_encoder,
                                                        cache_dir=self.knowledge.settings.data_dir / "cache"),
                                       find_products=lambda text: self.knowledge.directory.find_ids(text),
                                       product_name=lambda pid: self.knowledge.directory.name_of(pid),
                                       order_id_pattern=settings.order_id_pattern,
                                       fits_product=lambda pid, text: self.knowledge.directory.fits(pid, text))
        policy_file = settings.knowledge_dir / "handoff.yaml"
        self.policy = HandoffPolicy.load(policy_file) if policy_file.exists() else HandoffPolicy()
        # the store's clock: opening hours are read on it (an eval pins it, so a run's handoffs do
        # not depend on the hour it ran at)
        self.clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
        self.takeover = Takeover(self.sessions, Helpdesk(settings.helpdesk, self.sessions),
                                 product_name=lambda pid: self.knowledge.directory.name_of(pid),
                                 store_name=settings.store_name,
                                 messages_dir=settings.prompts_dir / "messages")
        self.small_talk = SmallTalk.load(settings.prompts_dir, settings.store_name)
        self.perception = self._load_perception()
        self.orders = build_order_desk(settings, self.sessions, products=self.knowledge.directory.products,
                                       helpdesk=self.takeover.helpdesk, encoder=self.knowledge.encoder)

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

    def write_copy(self, product_id: str, image: bytes | None = None):
        """Product copy for staff, by this manager's backend (assistant.answers.product_copy)."""
        from assistant.answers.product_copy import write_copy

        return write_copy(self.knowledge.directory.get(product_id), self.backend, self.settings.store_name, image,
                          self.settings.prompts_dir, product_id=product_id)

    def close(self) -> None:
        self.takeover.helpdesk.close()
        self.backend.close()

    def with_sessions(self, sessions: SessionStore, settings: Settings | None = None,
                      helpdesk: Helpdesk | None = None) -> "ConversationManager":
        """This manager's models (intents, backend, photos, the order-action detector) over another
        session database, and so its own conversations, handoffs and orders: what an eval
        conversation with an order store of its own runs on, without embedding every example
        again. ``settings`` may differ in data dir and order settings. Close only its helpdesk."""
        other = copy.copy(self)
        other.settings, other.sessions = settings or self.settings, sessions
        other.takeover = Takeover(sessions, helpdesk or Helpdesk(other.settings.helpdesk, sessions),
                                  product_name=lambda pid: self.knowledge.directory.name_of(pid),
                                  store_name=other.settings.store_name)
        other.orders = build_order_desk(other.settings, sessions, products=self.knowledge.directory.products,
                                        helpdesk=other.takeover.helpdesk, detector=self.orders.detector)
        return other

    # -- one turn -----------------------------------------------------------------------
    def new_session(self, customer_id: str | None = None, locale: str | None = None) -> str:
        """A new conversation; ``locale`` fixes its language (else each message's is detected)."""
        code = normalise_locale(locale)
        session_id = self.sessions.create(customer_id=customer_id)
        if code:
            self.sessions.save_state(session_id, DialogueState(language=code, locale=code))
        return session_id

    def shopper_turn(self, session_id: str, text: str, images: list[bytes] | None = None) -> Turn:
        """A message as the shopper of this conversation: the customer id the conversation was
        started with (the signed identity a front door checked, see ``new_session``) rides on
        every turn; a conversation not started yet, or started without one, is a guest's."""
        return Turn(text=text, images=list(images or []), customer_id=self.sessions.customer_of(session_id))

    def validate(self, turn: Turn) -> None:
        limits = self.settings.limits
        normalise_locale(turn.locale)
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
        """One turn; its events are yielded once stored (in batches, see TurnJournal)."""
        journal = TurnJournal(self.sessions, session_id)
        yield from journal.run(self._steps(journal, turn, cancel or Event()))

    def _steps(self, journal: TurnJournal, turn: Turn, cancel: Event) -> Iterator[Any]:
        """One turn as named steps; each step that ends the turn early returns True."""
        work = yield from self._prepare(journal, turn, cancel)
        if (yield from self._route(work)):
            return
        if (yield from self._recommend(work)):
            return
        if (yield from self._retrieve(work)):
            return
        yield from self._answer(work)
        yield from self._grade(work)

    # -- the steps ----------------------------------------------------------------------
    def _prepare(self, journal: TurnJournal, turn: Turn, cancel: Event) -> Iterator[ReplyEvent]:
        """Validate and store the shopper's message, perceive its photos, track the dialogue."""
        # validated (photos too) before anything is stored: a rejected turn leaves no trace
        self.validate(turn)
        # card numbers typed into the chat go here, before anything stores, tracks or logs the
        # text (the reply warns the shopper)
        turn = replace(turn, text=redact_card_numbers(turn.text))
        photos = self.perception.validate(turn.images) if turn.images else []
        session_id = journal.session_id
        image_paths = self._save_images(turn.images)
        # stored (and the state read) in one transaction, before anything is shown
        number, state = self.sessions.begin_turn(session_id, {"content": turn.text, "images": image_paths})
        journal.number = number
        work = TurnWork(session_id, number, turn, cancel, journal.emit, photos, image_paths, journal=journal)
        if self.notice:
            yield work.emit("notice", text=self.notice)
        work.state = state
        if turn.locale:
            work.state.locale = work.state.language = normalise_locale(turn.locale)
        yield from self._perceive(work)
        self._track(work)
        return work

    def _perceive(self, work: TurnWork) -> Iterator[ReplyEvent]:
        """OCR and catalog matching of the turn's photos; what was seen is shown and stored."""
        if not work.photos:
            return
        seen = work.seen = self.perception.perceive(work.photos)
        work.photo_lines = seen.summary_lines(self.perception.product_names())
        work.matched = [m.product_id for m in seen.matches()] or products_for_model_numbers(
            seen.model_numbers(), list(self.knowledge.directory.products.values()))
        yield work.emit("perception", perception=seen.to_dict(), text="\n".join(work.photo_lines))
        yield FLUSH                      # shown while the answer is worked out

    def _track(self, work: TurnWork) -> None:
        """Dialogue state; a photo's order id and recognised product count like typed ones."""
        seen, text = work.seen, work.turn.text
        self.tracker.classifier.expect(text)     # embedded with the message: retrieval's query too
        work.state, work.signals = self.tracker.update(
            work.state, text or (seen.query_text() if seen else ""),
            ocr_order_ids=seen.order_ids() if seen else (), matched_product_ids=work.matched)
        work.question = work.signals.resolved_question or text
        if seen:
            shown = seen.shown_products() or work.matched[:1]    # one product per photo
            names = [self.knowledge.directory.name_of(pid) for pid in shown]
            work.question = "\n".join([work.question, *names, seen.query_text()]).strip()

    def _route(self, work: TurnWork) -> Iterator[ReplyEvent]:
        """Handoff rules and the person who may own the chat; small talk needs no evidence."""
        turn = work.turn
        work.context = HandoffContext(now=self.clock(), customer_id=turn.customer_id,
                                      customer_is_vip=turn.customer_is_vip,
                                      count_agents=self.takeover.agents_online)
        if (yield from self._decide_handoff(work)):
            return True
        if (yield from self._orders(work)):
            return True
        if (yield from self._photo_not_recognised(work)):
            return True
        canned = self.small_talk.reply(work.signals.intent, turn.text, work.state.language) if not work.photos else None
        if canned and (work.signals.intent == "greeting" and is_pure_greeting(turn.text)):
            yield from self._reply_without_evidence(work, canned)
            return True
        return False

    def _orders(self, work: TurnWork) -> Iterator[ReplyEvent]:
        """Orders: status, tracking, cancel, address, returns and exchanges for a verified shopper.
        The desk's flow (not a model) decides and acts; a write waits for the shopper's yes."""
        if not self._about_an_order(work):
            return False
        in_progress = self._desk_busy(work)
        reply = self.orders.handle(work.session_id, work.state.orders, work.turn.text, intent=work.signals.intent,
                                   customer_id=work.turn.customer_id, images=work.image_paths, turn=work.number,
                                   language=work.state.language)
        work.state.orders = reply.state
        for name, value in reply.state_changes.items():        # order_id, product_in_focus
            setattr(work.state, name, value)
        if not reply.handled:                                   # not an order matter: retrieval answers
            return False
        if not in_progress and not work.turn.customer_id and (reply.state or {}).get("awaiting") == "verification":
            # a guest names an order: the store's pages answer the question, and the desk asks
            # for the proof it needs to look that order up (said after the answer)
            work.addendum = reply.text
            return False
        for event in reply.events:                              # order_action, stored by the desk
            work.journal.relay(ReplyEvent("order_action", {**event, "turn": work.number}))
        yield FLUSH
        if reply.handoff_reason:                                # the order policy says a person decides
            decision = self.policy.hand_over("order_policy", reply.handoff_reason, work.context)
            yield from takeover_turn(self.takeover, HandoffTurn(work.session_id, work.number, decision, work.state,
                                                                work.emit, work.turn.text, work.image_paths))
        yield work.emit("token", text=reply.text)
        titles = {i: meta.get("title") or i for i, _, meta in self.knowledge.store.get(ids=reply.citations)} \
            if reply.citations else {}
        yield work.emit("citations", citations=[{"source_id": s, "title": titles.get(s, s), "number": None,
                                                 "url": self._page_of(s)}
                                                for s in reply.citations], low_confidence=False)
        pending = (reply.state or {}).get("pending")
        confirm = {"action": pending["action"], "order_id": pending["order_id"]} if pending else None
        yield from self._finish(work, answer=reply.text, confirm=confirm)
        return True

    def _about_an_order(self, work: TurnWork) -> bool:
        """The order desk takes the turn when it is already working on something with the shopper,
        or the message is about one of their orders: it names an order, or speaks of "my order"
        (package, delivery...) or of an item they bought with an order-shaped intent or action.
        Questions about the store's policies in general ("how long do I have to return shoes?")
        are answered from its pages."""
        if self._desk_busy(work):
            return True
        text = work.turn.text
        if lexicon(work.state.language).others_data.search(text):
            return False                  # "the name of the customer who placed NW-..." is declined
        if work.signals.order_ids:
            return True
        customer = work.turn.customer_id
        if not customer or not (lexicon(work.state.language).order_words.search(text)
                                or self.orders.names_their_item(customer, text)):
            return False
        return work.signals.intent in ORDER_INTENTS or self.orders.detector.action(text).label is not None

    @staticmethod
    def _desk_busy(work: TurnWork) -> bool:
        desk = work.state.orders or {}
        return bool(desk.get("goal") or desk.get("awaiting") or desk.get("pending"))

    def _photo_not_recognised(self, work: TurnWork) -> Iterator[ReplyEvent]:
        """A photo shown to ask about the product in it ("is this yours?") that the catalog match
        is not sure of: say so and ask, with the closest candidates; never answer about another
        product (the one in focus) or with an unrelated FAQ. A photo with an order id or model
        number, a product the shopper names, or a complaint about an item goes on as usual."""
        seen, signals = work.seen, work.signals
        if not seen or work.matched or seen.order_ids() or seen.model_numbers() or signals.product_ids \
                or signals.intent not in PHOTO_QUESTION_INTENTS \
                or asks_for(work.turn.text, work.state.language) == "similar":
            return False
        status = seen.match_status()
        if status == "unsure":
            candidates = [p for p in (self.knowledge.directory.get(m.product_id) for m in seen.candidates()) if p]
            work.state.product_in_focus = None
            work.state.product_candidates = [p.id for p in candidates] + [
                c for c in work.state.product_candidates if c not in {p.id for p in candidates}]
            yield from self._reply_without_evidence(work, unsure_reply(candidates, work.state.language))
            return True
        if status == "none":
            work.state.product_in_focus = None
            yield from self._reply_without_evidence(work, unmatched_reply(work.state.language))
            return True
        return False

    def _recommend(self, work: TurnWork) -> Iterator[ReplyEvent]:
        """"Something like this?" (the product named, recognised in a photo or in focus, or the
        photo itself) and "what goes with it?": the recommender's ranked items, each with its
        reason, cited so they show as product cards (assistant.knowledge.recommend)."""
        language = work.state.language or "en"
        ask = asks_for(work.turn.text, language)
        # "my French press arrived like this" (a damage photo) is a complaint, not a wish for look-alikes;
        # a policy intent alone is not enough: "有类似的吗？" after a product reads as an exchange to the
        # examples, so the photo or the message's own policy words ("arrived", "exchange") must say so
        policy = work.signals.intent in POLICY_INTENTS and (
            work.photos or lexicon(language).policy_words.search((work.turn.text or "").lower()))
        if not ask or policy:
            return False
        # a photo that matched nothing is the thing to look like, not the product talked of before
        # "something similar?" asks for another kind of thing in the tracker's eyes, which drops
        # the focus: the product it is like is the one in focus before this turn
        before = None if work.photos else (work.state.product_in_focus
                                           or self.sessions.load_state(work.session_id).product_in_focus)
        anchor = next(iter([*work.matched, *work.signals.product_ids, before]), None)
        if not (anchor or (ask == "similar" and work.photos)):
            return False
        work.state.product_in_focus = anchor or work.state.product_in_focus
        recommender, k = self.knowledge.recommender, self.settings.retrieval_k
        items = (recommender.similar(anchor or work.turn.images[0], k, language) if ask == "similar"
                 else recommender.complementary(anchor, k, language))
        work.evidence = recommendation_evidence(self.knowledge.store, items)
        work.answer = recommendation_answer(ask, self.knowledge.directory.get(anchor), work.evidence,
                                            self.knowledge.directory.get, language)
        yield work.emit("token", text=work.answer)
        yield from self._grade(work)
        return True

    def _retrieve(self, work: TurnWork) -> Iterator[ReplyEvent]:
        """Evidence for the question (product-aware); nothing to stand on may refuse or hand off.
        A browse that names a colour ("red backpacks") ranks its products by their photos too."""
        signals = work.signals
        in_play = list(dict.fromkeys([*([self._focus(work)] if self._focus(work) else []), *signals.product_ids]))
        retriever = self.knowledge.retriever_for(work.state.language)   # not English: the multilingual index
        classifier = self.tracker.classifier.for_language(work.state.language)
        work.evidence = retriever.search(work.question, k=self.settings.retrieval_k, product_ids=in_play or None,
                                         intent=signals.intent,
                                         known=classifier.known() if classifier.encoder is retriever.encoder else {},
                                         language=work.state.language)
        if not in_play and (colour := colour_in(work.turn.text, work.state.language or "en")):
            work.evidence = by_colour(work.evidence, self.knowledge.recommender, colour)
        best = max((e.score for e in work.evidence), default=0.0)
        if signals.intent == "out_of_scope" and best < self.small_talk.out_of_scope_below:
            yield from self._reply_without_evidence(work, self.small_talk.reply("out_of_scope", work.turn.text,
                                                                               work.state.language))
            return True
        # "do you sell kayaks?" in a shop with none: the catalog's answer is no, not a weak match
        absent = (signals.intent in SHOPPING_INTENTS and not in_play
                  and self.knowledge.directory.carries(work.turn.text) is False)
        work.not_sold = absent
        weak = best < self.policy.config.low_confidence.retrieval_score_below
        work.context.retrieval_score = None if absent or (weak and self._asks_about_focus(work, retriever)) else best
        return (yield from self._decide_handoff(work))

    def _asks_about_focus(self, work: TurnWork, retriever) -> bool:
        """Is a message in another language a sure ask about the product in focus ("续航怎么样"
        after the earbuds)? Its answer is that product's own facts, already the evidence, so the
        retrieval score is no measure of it: a short follow-up scores low against every chunk
        across languages (0.17-0.30 in the language suites' misses), which read as "nothing to
        stand on" and handed the shopper to a person. The ask is matched by meaning
        (assistant/answers/asking.py), as the extractive backend restates it."""
        product = self.knowledge.directory.get(self._focus(work))
        if product is None or retriever is self.knowledge.retriever or not work.turn.text.strip():
            return False
        return english_question(work.turn.text, product, work.state.language) is not None

    def _answer(self, work: TurnWork) -> Iterator[ReplyEvent]:
        """The backend streams the answer; the extractive backend answers if it fails first."""
        state = work.state
        request = AnswerRequest(question=work.question, evidence=work.evidence,
                                product_in_focus=self.knowledge.directory.get(self._focus(work)),
                                attributes=dict(state.attributes), intent=work.signals.intent,
                                cancel=work.cancel, images=[p.image for p in work.photos],
                                recognised=self.knowledge.directory.get(work.matched[0]) if work.matched else None,
                                language=state.language or "en", not_sold=work.not_sold)
        if self.backend.generative:
            request.messages = build_messages(
                work.question, work.evidence, self.sessions.transcript(work.session_id)[:-1],
                self.settings.store_name, perception_lines=work.photo_lines, n_images=len(work.photos),
                prompts_dir=self.settings.prompts_dir, language=request.language)
        try:
            yield from self._stream(work, self.backend, request)
        except AssistantError as exc:
            log.warning("backend failed, falling back to extractive: %s", exc)
            if not work.answer:
                yield work.emit("notice", text=message("replies.model_unavailable", state.language))
                yield from self._stream(work, self.fallback, request)
        if work.addendum:
            work.answer += f"\n\n{work.addendum}"
            yield work.emit("token", text=f"\n\n{work.addendum}")

    def _grade(self, work: TurnWork) -> Iterator[ReplyEvent]:
        """Citations checked against the evidence; the outcome counts towards repeated failure,
        and a generative answer that cites nothing may still hand off."""
        check = parse_citations(work.answer, work.evidence)
        if work.not_sold and not check.citations and not check.invalid_numbers:
            check = replace(check, low_confidence=False, reason=None)   # "we don't carry kayaks": nothing to cite
        yield work.emit("citations", citations=[{**c.to_dict(), "url": self._page_of(c.source_id)}
                                                for c in check.citations],
                        low_confidence=check.low_confidence, reason=check.reason,
                        evidence=[{"source_id": e.source_id, "title": e.title, "text": e.text, "score": e.score}
                                  for e in work.evidence])
        work.state = self.tracker.record_outcome(work.state, answered=bool(check.citations) or work.not_sold,
                                                 low_confidence=check.low_confidence)
        shown = [work.evidence[n - 1].product_id for n in check.numbers]
        work.state = self.tracker.record_shown(work.state, shown)
        if cards := cards_for(shown, self.knowledge.directory.get, self.settings.product_url_pattern):
            yield work.emit("products", products=cards)
        if check.citations and not check.low_confidence:
            about = {pid for pid in shown if pid}       # one product, else a listing: no product's specs
            focus = self.knowledge.directory.get(about.pop() if len(about) == 1 else None if about
                                                 else self._focus(work))
            if offered := suggest(focus, work.turn.text, work.answer, work.signals.intent,
                                  [c.source_id for c in check.citations], work.state.language or "en"):
                yield work.emit("suggestions", suggestions=offered)
        if check.low_confidence and self.backend.generative and not work.cancel.is_set():
            work.context.answer_low_confidence = True
            late = self.policy.decide(work.state, work.signals, work.context)
            if late.handoff:
                yield FLUSH              # the takeover reads and writes the conversation
                yield from takeover_turn(self.takeover, HandoffTurn(work.session_id, work.number, late, work.state,
                                                                    work.emit, work.turn.text, work.image_paths))
        yield from self._finish(work, answer=work.answer)

    # -- shared pieces ------------------------------------------------------------------
    def _page_of(self, source_id: str) -> str | None:
        return source_page(source_id, self.knowledge.directory.get, self.settings.product_url_pattern,
                           self.settings.policy_url_pattern)

    @staticmethod
    def _focus(work: TurnWork) -> str | None:
        """The product this turn is about: the one in focus, unless the shopper changed the topic."""
        return None if work.signals.topic_change else work.state.product_in_focus

    def _stream(self, work: TurnWork, backend: ModelBackend, request: AnswerRequest) -> Iterator[ReplyEvent]:
        made = time.perf_counter()
        for piece in backend.stream(request):
            work.answer += piece
            yield work.emit("token", text=piece)
            # a model's tokens (or any that took longer to make than a commit takes) are shown at
            # once; the extractive backend's, made all at once, go in one transaction
            if backend.generative or time.perf_counter() - made > SLOW_TOKEN_S:
                yield FLUSH
            made = time.perf_counter()

    def _decide_handoff(self, work: TurnWork) -> Iterator[ReplyEvent]:
        """Apply the policy's decision. True (turn finished) when the bot must stay silent: the
        shopper is told why by the handoff's own message."""
        decision = self.policy.decide(work.state, work.signals, work.context)
        yield FLUSH                      # the takeover reads and writes the conversation
        routed: list[ReplyEvent] = []
        silent = yield from _tap(takeover_turn(self.takeover, HandoffTurn(work.session_id, work.number, decision,
                                                                          work.state, work.emit, work.turn.text,
                                                                          work.image_paths)),
                                 routed)
        if silent:
            yield from self._finish(work, answer=_handoff_message(routed))
        return silent

    def _reply_without_evidence(self, work: TurnWork, text: str) -> Iterator[ReplyEvent]:
        yield work.emit("token", text=text)
        yield work.emit("citations", citations=[], low_confidence=False)
        yield from self._finish(work, answer=text)

    def _finish(self, work: TurnWork, answer: str, confirm: dict[str, str] | None = None) -> Iterator[ReplyEvent]:
        """State saved, then done; ``confirm`` names the order change the answer asks a yes or no for."""
        if work.journal is not None:               # saved in the transaction that stores done
            work.journal.state = work.state
        else:
            self.sessions.save_state(work.session_id, work.state)
        yield work.emit("state", state=work.state.to_dict())
        yield work.emit("done", answer=answer.strip(), language=work.state.language,
                        **({"confirm": confirm} if confirm else {}))
