"""An optional rubric judge: a generative backend grades each answer for helpfulness and
groundedness (1-5), reported as mean scores next to the literal metrics. Never required - the
deterministic scorers and the gate work without it, and the extractive backend cannot judge.

The judge sees what a careful reviewer would: the shopper's message, the evidence texts the
answer cited, and the answer. It must reply in a fixed two-line format; anything else is
recorded as unparseable rather than guessed at.
"""
from __future__ import annotations

import re
import threading
from typing import Any

from assistant.backends.base import AnswerRequest, ModelBackend
from assistant.errors import AssistantError, InvalidInput

RUBRIC = """You review answers given by an online store's shopping assistant.
Score the ANSWER from 1 (bad) to 5 (excellent) on two criteria:
- helpfulness: does it directly answer what the shopper asked, clearly and politely?
- groundedness: is every fact (price, size, stock, number, policy) supported by the EVIDENCE?
Reply with exactly two lines and nothing else:
helpfulness: <1-5>
groundedness: <1-5>"""
SCORE = re.compile(r"(helpfulness|groundedness)\s*[:=]\s*([1-5])", re.I)


class RubricJudge:
    name = "rubric"

    def __init__(self, backend: ModelBackend):
        if not getattr(backend, "generative", False):
            raise InvalidInput(f"the {backend.name} backend cannot judge answers; choose a generative backend "
                               "(e.g. --judge-backend openai)", limit="judge")
        self.backend = backend
        self._lock = threading.Lock()      # one generation at a time: local models are not re-entrant

    def prompt(self, question: str, evidence: list[dict[str, Any]], answer: str) -> list[dict[str, Any]]:
        sources = "\n".join(f"[{i}] {e.get('text', '')}" for i, e in enumerate(evidence, 1)) or "(none cited)"
        user = f"SHOPPER: {question}\n\nEVIDENCE:\n{sources}\n\nANSWER: {answer}"
        return [{"role": "system", "content": RUBRIC}, {"role": "user", "content": user}]

    def rate(self, obs) -> dict[str, Any]:
        messages = self.prompt(obs.user, obs.evidence, obs.answer)
        try:
            with self._lock:
                text = "".join(self.backend.stream(AnswerRequest(question=obs.user, messages=messages)))
        except AssistantError as exc:
            return {"error": str(exc)}
        scores: dict[str, Any] = {k.lower(): int(v) for k, v in SCORE.findall(text)}
        if set(scores) != {"helpfulness", "groundedness"}:
            return {"error": "unparseable", "raw": text[:200]}
        return scores
