"""Replies over HTTP: run the conversation in worker threads, stream what the session store records.

The POST that sends a message and the GET that resumes after a page reload read the same thing:
the conversation's stored events after a sequence number. So a client that reloads mid-answer
gets the rest of the answer, not a second copy or a truncated one.

1. ``start`` runs ``ConversationManager.respond`` on a worker thread. The manager persists every
   event before yielding it; the thread only wakes the streams of that conversation.
2. ``follow`` yields stored events after a cursor. Besides being woken it polls the store, so
   events written by other components (an agent's reply) reach the shopper on the same stream;
   while a person owns the conversation the stream stays open (keep-alives) up to agent_wait_s.
3. A reply whose last client left keeps going for resume_grace_s, waiting for a reload to resume
   it; if nobody is watching by then, the cancel Event passed to ``respond`` is set.
4. Several app processes may serve one conversation (behind a load balancer): the one reply per
   conversation is a lease in the session database (``Leases.claim_reply``), and a stream marks
   the conversation followed there, so a client that resumes on another process keeps the
   reply going. Resume itself needs nothing more: every stream reads the shared store.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio
from fastapi.sse import format_sse_event

from assistant.conversation import ConversationManager, Turn
from assistant.errors import AssistantError
from assistant.events import TERMINAL, Error
from assistant.storage.leases import holder_name
from assistant.storage.sessions import StoredEvent
from assistant.settings import HttpSettings
from assistant.web.http_errors import ReplyInProgress
from assistant.web.metrics import Metrics

log = logging.getLogger(__name__)

PERSON_OWNS = {"queued", "agent"}
KEEPALIVE = b": keep-alive\n\n"
REPLY_LEASE_S = 120.0          # a process that died mid-reply frees the conversation after this
FOLLOWED_EVERY_S = 1.0         # how often an open stream marks its conversation followed
IMAGE_ID = re.compile(r"^[0-9a-f]{16,64}$")


def public_images(session_id: str, images: Any) -> list[dict[str, str]]:
    """Stored uploads as the client may see them: an id and an API URL, never a server path."""
    out = []
    for item in images if isinstance(images, list) else []:
        path = item.get("path") if isinstance(item, dict) else item
        name = Path(str(path)).name if path else ""
        if IMAGE_ID.match(name):
            out.append({"id": name, "url": f"/api/v1/sessions/{session_id}/images/{name}"})
    return out


def public_event(session_id: str, event: StoredEvent) -> dict[str, Any]:
    data = event.to_dict()
    if "images" in data:
        data["images"] = public_images(session_id, data["images"])
    return data


def sse_bytes(session_id: str, event: StoredEvent) -> bytes:
    return format_sse_event(data_str=json.dumps(public_event(session_id, event), default=str),
                            event=event.type, id=str(event.seq))


class ReplyRunner:
    """One per app: the worker pool, which conversations are answering, and who is watching."""

    def __init__(self, manager: ConversationManager, http: HttpSettings, metrics: Metrics):
        self.manager = manager
        self.store = manager.sessions
        self.http = http
        self.metrics = metrics
        self.pool = ThreadPoolExecutor(max_workers=http.reply_workers, thread_name_prefix="reply")
        self._running: dict[str, threading.Event] = {}     # session id -> its reply's cancel Event
        self._lock = threading.Lock()
        self._watchers: dict[str, int] = defaultdict(int)  # touched on the event loop only
        self._wakeups: dict[str, set[asyncio.Event]] = defaultdict(set)
        self._waking: set[str] = set()                      # sessions with a wake-up on its way
        self.leases = self.store.leases
        self.holder = holder_name()
        self._checks: set[asyncio.Task] = set()

    # -- store reads (blocking; called through a thread) --------------------------------
    def is_running(self, session_id: str) -> bool:
        with self._lock:
            return session_id in self._running

    # -- running a reply ----------------------------------------------------------------
    async def start(self, session_id: str, turn: Turn) -> int:
        """Begin answering; returns the seq after which this reply's events will appear.

        Returns once the core accepted the turn (its first event exists), so a turn the core
        refuses before storing anything - a photo that is not an image, too many pixels - is
        raised here and becomes a 4xx instead of an error inside a 200 stream.
        """
        if self.is_running(session_id) and not (await anyio.to_thread.run_sync(self.store.progress, session_id))[1]:
            # The previous reply's done is stored (a client may have read it already): its worker
            # is only finishing up, so wait for it rather than refuse.
            for _ in range(250):
                await asyncio.sleep(0.02)
                if not self.is_running(session_id):
                    break
        with self._lock:
            if session_id in self._running:
                raise ReplyInProgress("this conversation is still answering the previous message; "
                                      "wait for it to finish (or resume its stream) and send again")
            cancel = self._running[session_id] = threading.Event()
        try:
            await self._claim(session_id)
            after, _ = await anyio.to_thread.run_sync(self.store.progress, session_id)
            loop = asyncio.get_running_loop()
            accepted = loop.create_future()
            self.pool.submit(self._run, loop, session_id, turn, cancel, accepted)
        except BaseException:
            self._release(session_id, cancel)
            raise
        await asyncio.shield(accepted)
        return after

    async def _claim(self, session_id: str) -> None:
        """Take the conversation's reply lease; another process's reply is a 409, unless its done
        is stored (that process is only finishing up: wait for it, as for a local worker)."""
        claim = lambda: self.leases.claim_reply(session_id, self.holder, REPLY_LEASE_S)  # noqa: E731
        if await anyio.to_thread.run_sync(claim):
            return
        if not (await anyio.to_thread.run_sync(self.store.progress, session_id))[1]:
            for _ in range(250):
                await asyncio.sleep(0.02)
                if await anyio.to_thread.run_sync(claim):
                    return
        raise ReplyInProgress("this conversation is still answering the previous message (in another "
                              "process); wait for it to finish (or resume its stream) and send again")

    def _run(self, loop: asyncio.AbstractEventLoop, session_id: str, turn: Turn, cancel: threading.Event,
             accepted: asyncio.Future) -> None:
        started = time.perf_counter()
        first_token = None
        outcome = "done"
        produced = False
        refusal: BaseException | None = None

        def settle(exc: BaseException | None = None) -> None:
            def now() -> None:
                if not accepted.done():
                    accepted.set_exception(exc) if exc else accepted.set_result(None)
            try:
                loop.call_soon_threadsafe(now)
            except RuntimeError:        # the loop is gone (shutdown)
                pass

        self.metrics.replies_running.inc()
        renewed = time.monotonic()
        try:
            for event in self.manager.respond(session_id, turn, cancel):
                if time.monotonic() - renewed > REPLY_LEASE_S / 4 and event.type not in TERMINAL:
                    renewed = time.monotonic()
                    self.leases.claim_reply(session_id, self.holder, REPLY_LEASE_S)
                if not produced:
                    produced = True
                    settle()
                if event.type == "token" and first_token is None:
                    first_token = time.perf_counter() - started
                    self.metrics.first_token_seconds.observe(first_token)
                elif event.type == Error.type:
                    outcome = "error"
                if event.type in TERMINAL:      # the turn is over (done is the core's last event):
                    self._release(session_id, cancel)   # the next message may start at once
                self._wake(loop, session_id)
            if cancel.is_set():
                outcome = "cancelled"
        except Exception as exc:
            known = isinstance(exc, AssistantError)
            if not known:
                log.exception("reply for %s failed", session_id)
            outcome = "refused" if known and not produced and exc.status_code < 500 else "error"
            if produced or self.store.progress(session_id)[1]:      # a stored turn must still end
                self._record_error(session_id, str(exc) if known else "something went wrong while answering; "
                                   "please try again", type(exc).__name__ if known else "internal")
            if not produced:
                refusal = exc if known else AssistantError("something went wrong while answering; please try again")
        finally:
            self._release(session_id, cancel)
            settle(refusal)                          # after the conversation is free for the next message
            self.metrics.replies_running.dec()
            self.metrics.replies.labels(outcome).inc()
            self.metrics.reply_seconds.observe(time.perf_counter() - started)
            self._wake(loop, session_id)

    def _release(self, session_id: str, cancel: threading.Event) -> None:
        with self._lock:
            mine = self._running.get(session_id) is cancel
            if mine:
                del self._running[session_id]
        if mine:
            try:
                self.leases.release_reply(session_id, self.holder)
            except Exception:       # it expires on its own
                log.exception("could not release the reply lease of %s", session_id)

    def _record_error(self, session_id: str, message: str, kind: str) -> None:
        """End the turn in the store too, so every stream following it stops instead of waiting."""
        try:
            self.store.append(session_id, self.store.last_turn(session_id), Error.type,
                              {"message": message, "kind": kind})
        except Exception:
            log.exception("could not record the error for %s", session_id)

    def _wake(self, loop: asyncio.AbstractEventLoop, session_id: str) -> None:
        """Followers read what is stored once per wake-up: a burst of events (one stored batch)
        asks for one wake-up, not one per event (each costs the loop a store read)."""
        with self._lock:
            if session_id in self._waking:
                return
            self._waking.add(session_id)
        try:
            loop.call_soon_threadsafe(self._wake_now, session_id)
        except RuntimeError:        # the loop is gone (shutdown)
            with self._lock:
                self._waking.discard(session_id)

    def _wake_now(self, session_id: str) -> None:
        with self._lock:            # cleared before the followers read: a later event wakes them again
            self._waking.discard(session_id)
        for waiter in self._wakeups.get(session_id, ()):
            waiter.set()

    # -- following a conversation -------------------------------------------------------
    async def follow(self, session_id: str, after: int, *, this_reply: bool) -> AsyncIterator[StoredEvent | None]:
        """Stored events after ``after``; ``None`` asks the caller for a keep-alive.

        ``this_reply`` (the POST stream): stop at this reply's done/error. Otherwise (resume):
        stop when no reply is pending and the bot owns the conversation; while a person owns
        it, wait for their messages.
        """
        async for batch in self.follow_batches(session_id, after, this_reply=this_reply):
            for event in batch or (None,):
                yield event

    async def follow_batches(self, session_id: str, after: int, *, this_reply: bool
                             ) -> AsyncIterator[list[StoredEvent]]:
        """``follow`` in the batches the store returns them (an empty one: a keep-alive), so a
        stream writes a batch of token events as one chunk rather than one per event."""
        wake = asyncio.Event()
        self._wakeups[session_id].add(wake)
        self._watchers[session_id] += 1
        cursor, finished = after, False
        now = time.monotonic()
        last_activity = last_sent = now
        marked = 0.0
        try:
            if this_reply:          # this stream's reply was just started: it is pending
                pending = True
            else:
                _, pending = await anyio.to_thread.run_sync(self.store.progress, session_id)
            while True:
                wake.clear()
                if pending and not this_reply and time.monotonic() - marked >= FOLLOWED_EVERY_S:
                    marked = time.monotonic()      # a resumed stream: its reply may run elsewhere
                    await anyio.to_thread.run_sync(self.leases.followed, session_id)
                batch = await anyio.to_thread.run_sync(self.store.events, session_id, cursor)
                for i, event in enumerate(batch):
                    cursor = event.seq
                    pending = event.type == "user" or (pending and event.type not in TERMINAL)
                    if this_reply and event.type in TERMINAL:
                        finished = True
                        yield batch[:i + 1]
                        return
                if batch:
                    yield batch
                now = time.monotonic()
                if batch:
                    last_activity = last_sent = now
                if not this_reply and not pending and not self.is_running(session_id):
                    owner = await anyio.to_thread.run_sync(self.store.owner, session_id)
                    if owner not in PERSON_OWNS:
                        finished = True
                        return
                    limit = self.http.agent_wait_s
                else:
                    limit = self.http.stream_idle_timeout_s
                if now - last_activity >= limit:
                    finished = not pending
                    return
                if now - last_sent >= self.http.keepalive_s:
                    last_sent = now
                    yield []
                try:
                    await asyncio.wait_for(wake.wait(), timeout=self.http.poll_interval_s)
                except TimeoutError:
                    pass
        finally:
            self._wakeups[session_id].discard(wake)
            self._watchers[session_id] -= 1
            if self._watchers[session_id] <= 0:
                self._watchers.pop(session_id, None)
                self._wakeups.pop(session_id, None)
                if not finished:
                    self._leave_later(session_id)

    async def sse(self, session_id: str, after: int, *, this_reply: bool) -> AsyncIterator[bytes]:
        self.metrics.streams_open.inc()
        try:
            async for batch in self.follow_batches(session_id, after, this_reply=this_reply):
                yield b"".join(sse_bytes(session_id, e) for e in batch) if batch else KEEPALIVE
        finally:
            self.metrics.streams_open.dec()

    def _leave_later(self, session_id: str) -> None:
        """The last client left mid-reply: cancel it unless a client resumes within the grace period."""
        with self._lock:
            cancel = self._running.get(session_id)
        if cancel is None:
            return

        left = time.time()

        async def maybe_cancel() -> None:
            with self._lock:
                still = self._running.get(session_id) is cancel
            if not still or self._watchers.get(session_id):
                return
            if await anyio.to_thread.run_sync(self.leases.followed_since, session_id, left):
                return                              # the client resumed on another process
            log.info("nobody is following the reply for %s any more: cancelling it", session_id)
            cancel.set()

        def later() -> None:
            task = loop.create_task(maybe_cancel())
            self._checks.add(task)                  # the loop keeps only a weak reference
            task.add_done_callback(self._checks.discard)

        loop = asyncio.get_running_loop()
        loop.call_later(self.http.resume_grace_s, later)

    def close(self) -> None:
        with self._lock:
            for cancel in self._running.values():
                cancel.set()
        self.pool.shutdown(wait=False, cancel_futures=True)
