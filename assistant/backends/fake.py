"""A scripted backend for tests: ``FakeBackend().enqueue("answer [1]")``; records what it was asked.

Options (also through Settings.backend_options, so a subprocess can use it): ``answers`` seeds the
queue, and ``slow`` sleeps that many seconds before each word, so a test can kill a process in
the middle of a reply.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from pydantic import Field

from assistant.backends.base import AnswerRequest, BackendOptions, ModelBackend


class FakeOptions(BackendOptions):
    answers: list[str] = Field(default_factory=list)
    slow: float = Field(default=0.0, ge=0, description="seconds to wait before each word")


class FakeBackend(ModelBackend):
    name = "fake"
    accepts_images = True
    max_images = 8
    Options = FakeOptions

    def __init__(self, options=None):
        super().__init__(options)
        self._queue: deque[str] = deque(self.options.answers)
        self.history: list[AnswerRequest] = []

    def enqueue(self, *answers: str) -> "FakeBackend":
        self._queue.extend(answers)
        return self

    def stream(self, request: AnswerRequest) -> Iterator[str]:
        self.history.append(request)
        answer = self._queue.popleft() if self._queue else "I don't know."
        for word in answer.split(" "):
            if self.options.slow:
                request.cancel.wait(self.options.slow)
            if request.cancel.is_set():
                return
            yield word + " "
