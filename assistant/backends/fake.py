"""A scripted backend for tests: ``FakeBackend().enqueue("answer [1]")``; records what it was asked."""
from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from assistant.backends.base import AnswerRequest, ModelBackend


class FakeBackend(ModelBackend):
    name = "fake"
    accepts_images = True
    max_images = 8

    def __init__(self, options=None):
        super().__init__(options)
        self._queue: deque[str] = deque()
        self.history: list[AnswerRequest] = []

    def enqueue(self, *answers: str) -> "FakeBackend":
        self._queue.extend(answers)
        return self

    def stream(self, request: AnswerRequest) -> Iterator[str]:
        self.history.append(request)
        answer = self._queue.popleft() if self._queue else "I don't know."
        for word in answer.split(" "):
            if request.cancel.is_set():
                return
            yield word + " "
