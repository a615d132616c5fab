"""The eval runner: every conversation in a fresh session through the real ConversationManager.

Nothing is simulated: the manager retrieves from the real Chroma store, tracks state, applies
the handoff policy and streams through the configured backend, exactly as the HTTP and Gradio
doors see it. The runner folds the reply events into a ``Reply`` (as every door does), times
each turn and scores it.

  1. load the conversations (transcripts.load_suite) and open each store once (stores.EvalStores)
  2. one ConversationManager per store, all sharing one session database (a temp dir) and one
     backend; conversations run in ``jobs`` threads, each in its own session. A conversation
     about orders (``customer:``, ``orders:``, an order expectation) gets a session database of
     its own holding its orders fixture (the ``local`` connector), on that store's manager's
     models (``with_sessions``), so no conversation sees another's cancellations
  3. per turn: send the user's words and photos, collect the events, fetch the cited evidence
     texts, score the expectations (scorers.SCORERS)
  4. metrics.compute over the results; reports are written by report_json / report_html
"""
from __future__ import annotations

import logging
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant.errors import AssistantError
from assistant.evals.orders import WEBHOOK_RECEIVER, ConversationOrders
from assistant.evals.scorers import Check, TurnObservation, score_turn
from assistant.evals.stores import EvalStores, StoreUnavailable
from assistant.evals.transcripts import Conversation, Suite
from assistant.events import AgentMessage, Notice
from assistant.reply import Reply
from assistant.settings import Settings

# Every conversation runs on one store clock, so its handoffs (open: queued or live; closed: a
# ticket) and order windows do not depend on when the suite runs: a Tuesday, 10:00 in New York
# (the demo store open, no agent online). A transcript's ``now:`` sets its own.
STORE_CLOCK = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)

log = logging.getLogger(__name__)


@dataclass
class TurnResult:
    index: int
    user: str
    images: list[str]
    expect: dict[str, Any]
    observation: TurnObservation
    checks: list[Check] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)              # the turn's own (its kind: price, photo...)

    @property
    def scored(self) -> bool:
        return bool(self.checks)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "user": self.user, "images": self.images, "expect": self.expect, "tags": self.tags,
                "passed": self.passed, "checks": [c.to_dict() for c in self.checks],
                "grounding": self.observation.grounding().to_dict(), **self.observation.to_dict()}


@dataclass
class ConversationResult:
    id: str
    uid: str
    source: str
    tags: list[str]
    knowledge: str
    turns: list[TurnResult] = field(default_factory=list)
    skipped: str | None = None
    session_id: str = ""

    @property
    def passed(self) -> bool:
        return self.skipped is None and all(t.passed for t in self.turns)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "uid": self.uid, "source": self.source, "tags": self.tags,
                "knowledge": self.knowledge, "session_id": self.session_id, "skipped": self.skipped,
                "passed": self.passed, "turns": [t.to_dict() for t in self.turns]}


@dataclass
class RunResult:
    conversations: list[ConversationResult]
    meta: dict[str, Any]
    metrics: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"meta": self.meta, "metrics": self.metrics,
                "conversations": [c.to_dict() for c in self.conversations]}


class EvalRunner:
    """Runs a suite against the real pipeline. ``backend`` (an instance) overrides the setting."""

    def __init__(self, settings: Settings, *, jobs: int = 1, backend=None, stores: EvalStores | None = None,
                 progress: bool = True, judge=None):
        self.settings = settings
        self.jobs = max(1, int(jobs))
        self.stores = stores or EvalStores(settings)
        self.backend = backend
        self.progress = progress
        self.judge = judge
        self._managers: dict[Any, Any] = {}
        self._lock = threading.Lock()
        self._workdir = Path(tempfile.mkdtemp(prefix="assistant-eval-"))
        self._sessions = None
        self.notices: list[str] = []

    # -- managers -------------------------------------------------------------------------------
    def manager_for(self, conv: Conversation):
        from assistant.conversation import ConversationManager
        from assistant.storage.sessions import SessionStore

        knowledge = self.stores.get(conv.knowledge)
        with self._lock:
            if conv.knowledge not in self._managers:
                if self._sessions is None:
                    self._sessions = SessionStore(f"sqlite:///{self._workdir / 'sessions.sqlite3'}")
                # a scripted handoff must never reach the store's real helpdesk: no webhooks
                helpdesk = knowledge.settings.helpdesk.model_copy(update={"webhook_urls": []})
                settings = knowledge.settings.model_copy(update={"data_dir": self._workdir, "helpdesk": helpdesk})
                if conv.knowledge is not None and not conv.knowledge.is_dir:
                    # a bare catalog file has no store rules of its own: keep the default store's
                    settings = settings.model_copy(update={"knowledge_dir": self.settings.knowledge_dir})
                manager = ConversationManager(settings, knowledge=knowledge, sessions=self._sessions,
                                              backend=self.backend)
                manager.clock = lambda: STORE_CLOCK
                if self.backend is None:
                    self.backend = manager.backend
                if manager.notice and manager.notice not in self.notices:
                    self.notices.append(manager.notice)
                self._managers[conv.knowledge] = manager
            return self._managers[conv.knowledge]

    # -- one turn / one conversation ------------------------------------------------------------
    def with_own_orders(self, manager, conv: Conversation) -> tuple[Any, ConversationOrders]:
        """The store's manager over a session database of the conversation's own, holding its
        orders fixture; order webhooks are queued in its outbox (and read back), never sent."""
        from pydantic import SecretStr

        from assistant.handoff.helpdesk import Helpdesk
        from assistant.storage.sessions import SessionStore

        folder = self._workdir / "orders" / uuid.uuid4().hex[:12]
        folder.mkdir(parents=True)
        sessions = SessionStore(f"sqlite:///{folder / 'sessions.sqlite3'}")
        orders = ConversationOrders(conv.orders, sessions)
        base = manager.settings
        helpdesk = base.helpdesk.model_copy(update={"webhook_urls": [WEBHOOK_RECEIVER],
                                                    "webhook_secret": SecretStr("eval")})
        settings = base.model_copy(update={
            "data_dir": folder, "helpdesk": helpdesk,
            "orders": base.orders.model_copy(update={"connector": "local", "demo_file": ""})})
        own = manager.with_sessions(sessions, settings, helpdesk=Helpdesk(helpdesk, sessions, autostart=False))
        orders.watch(own.orders)
        moment = conv.orders.now or STORE_CLOCK
        own.clock = own.orders.clock = lambda: moment
        return own, orders

    def run_turn(self, manager, session_id: str, turn, locale: str | None = None, customer: str | None = None,
                 orders: ConversationOrders | None = None) -> TurnResult:
        from assistant.conversation import Turn

        obs = TurnObservation(user=turn.text)
        reply = Reply()
        started = time.perf_counter()
        try:
            try:
                images = [Path(p).read_bytes() for p in turn.images]
                for event in manager.respond(session_id, Turn(text=turn.text, images=images, locale=locale,
                                                              customer_id=customer)):
                    if reply.add(event).type == "token" and obs.first_token_ms is None:
                        obs.first_token_ms = round((time.perf_counter() - started) * 1000, 1)
            finally:                 # what streamed before a failure still counts
                self._observe(obs, reply, manager)
        except (AssistantError, OSError) as exc:
            obs.error = f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # a crash in the pipeline is a failed turn, not a failed run
            log.exception("turn crashed")
            obs.error = f"crash: {type(exc).__name__}: {exc}"
        obs.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        if orders is not None:
            orders.observe(obs)
        result = TurnResult(0, turn.text, turn.images, turn.expect, obs, tags=list(turn.tags))
        result.checks = score_turn(turn.expect, obs)
        return result

    def _observe(self, obs: TurnObservation, reply: Reply, manager) -> None:
        """The folded reply as the scorers read it."""
        if reply.citations:
            obs.citations = list(reply.citations.citations or [])
            obs.low_confidence = reply.citations.low_confidence
            obs.evidence = self._evidence(manager, obs.citations, reply.citations.evidence)
        if reply.state:
            obs.state = dict(reply.state.state or reply.state.fields)
        obs.handoffs.extend(dict(h.fields) for h in reply.handoffs)
        obs.perception.extend(p.perception for p in reply.perceptions)
        obs.order_actions.extend(dict(a.fields) for a in reply.order_actions)
        obs.notices.extend(str(item.text) if isinstance(item, Notice) else f"agent: {item.content}"
                           for item in reply.items if isinstance(item, (Notice, AgentMessage)))
        if reply.error:
            obs.error = str(reply.error.message or reply.error.fields)
        if reply.done:
            obs.done = dict(reply.done.fields)
            obs.answer = str(reply.answer)

    @staticmethod
    def _evidence(manager, citations: list[dict], retrieved: list[dict] | None) -> list[dict]:
        """Evidence texts: from the event when the manager sends them, else the cited chunks' texts."""
        if retrieved:
            return [{"source_id": e.get("source_id"), "title": e.get("title", ""), "text": e.get("text", ""),
                     "cited": any(c.get("source_id") == e.get("source_id") for c in citations)} for e in retrieved]
        if citations and all(c.get("text") for c in citations):
            return [{"source_id": c["source_id"], "title": c.get("title", ""), "text": c["text"], "cited": True}
                    for c in citations]
        ids = list(dict.fromkeys(c["source_id"] for c in citations if c.get("source_id")))
        if not ids:
            return []
        rows = {i: (text, meta) for i, text, meta in manager.knowledge.store.get(ids=ids)}
        return [{"source_id": i, "title": rows.get(i, ("", {}))[1].get("title", i),
                 "text": rows.get(i, ("", {}))[0] or "", "cited": True} for i in ids]

    def run_conversation(self, conv: Conversation) -> ConversationResult:
        label = conv.knowledge.label() if conv.knowledge else "default"
        result = ConversationResult(conv.id, conv.uid, conv.source, conv.tags, label)
        if conv.skip:
            result.skipped = conv.skip
            return result
        try:
            manager = self.manager_for(conv)
        except StoreUnavailable as exc:
            result.skipped = str(exc)
            return result
        orders = None
        if conv.orders is not None:
            manager, orders = self.with_own_orders(manager, conv)
        try:
            result.session_id = manager.new_session(customer_id=conv.customer, locale=conv.locale) if orders \
                else f"eval-{uuid.uuid4().hex[:12]}"
            for index, turn in enumerate(conv.turns, 1):
                turn_result = self.run_turn(manager, result.session_id, turn, conv.locale, conv.customer, orders)
                turn_result.index = index
                if self.judge is not None and turn_result.observation.answer:
                    turn_result.observation.judge = self.judge.rate(turn_result.observation)
                result.turns.append(turn_result)
        finally:
            if orders is not None:
                manager.takeover.helpdesk.close()
                manager.sessions.engine.dispose()
        return result

    # -- the whole suite ------------------------------------------------------------------------
    def run(self, suite: Suite) -> RunResult:
        from assistant.evals.metrics import compute

        started = time.perf_counter()
        began = datetime.now(timezone.utc).isoformat(timespec="seconds")
        convs = suite.conversations
        results: list[ConversationResult | None] = [None] * len(convs)
        # a terminal gets a live bar; a CI log gets a line every few seconds, not hundreds
        bar = tqdm(total=len(convs), desc="eval", unit="conv", disable=not self.progress, dynamic_ncols=True,
                   mininterval=0.2 if sys.stderr.isatty() else 10.0)
        failed = 0
        with ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="eval") as pool:
            futures = {pool.submit(self.run_conversation, c): i for i, c in enumerate(convs)}
            for future in as_completed(futures):
                res = future.result()
                results[futures[future]] = res
                failed += int(not res.passed and not res.skipped)
                bar.set_postfix(failing=failed, refresh=False)
                bar.update(1)
        bar.close()
        done = [r for r in results if r is not None]
        backend = self.backend
        meta = {
            "started": began, "seconds": round(time.perf_counter() - started, 2), "jobs": self.jobs,
            "backend": getattr(backend, "name", self.settings.backend),
            "requested_backend": self.settings.backend,
            "generative": bool(getattr(backend, "generative", False)),
            "embedding_model": str(self.settings.embedding_model),
            "files": suite.files, "ignored_files": suite.ignored,
            "stores": dict(self.stores.ingested), "notices": list(self.notices),
            "judge": getattr(self.judge, "name", None),
        }
        run = RunResult(done, meta)
        run.metrics = compute(run)
        return run

    def close(self) -> None:
        import shutil

        for manager in self._managers.values():
            manager.takeover.helpdesk.close()
        shutil.rmtree(self._workdir, ignore_errors=True)
