"""Split a shopper's message into the questions it asks, so each one gets its own answer.

"What's included with the tent and how much does it weigh?" asks two things; answering the one
whose words retrieval weighted most drops the other. The split is structural: sentences ending in
"?" are questions, and inside one a coordinating "and"/"also"/"plus" or ";" followed by a question
word or auxiliary ("and how much...", "and is it...") starts another. Statements ("It's been 3
weeks") are context: they stay with the question before them (or the first one).
"""
from __future__ import annotations

import re

_QUESTION_START = (r"(?:how|what|what's|whats|where|when|which|who|why|is|are|does|do|did|can|could|"
                   r"will|would|should|has|have|was|were)")
_SENTENCE = re.compile(r"(?<=[?!.])\s+")
_COORDINATED = re.compile(rf"\s*(?:,?\s+(?:and|also|plus)|;)\s+(?={_QUESTION_START}\b)", re.I)
_IS_QUESTION = re.compile(rf"^\s*(?:and\s+|also\s+|so\s+)?{_QUESTION_START}\b|\?\s*$", re.I)


def question_parts(text: str) -> list[str]:
    """The questions in ``text``, each with the statements that go with it; ``[text]`` when it
    asks one thing (or none)."""
    pieces: list[str] = []
    for sentence in _SENTENCE.split(text.strip()):
        pieces.extend(p.strip() for p in _COORDINATED.split(sentence) if p and p.strip())
    questions: list[str] = []
    pending: list[str] = []        # statements before the first question
    for piece in pieces:
        if _IS_QUESTION.search(piece) and len(piece.split()) >= 2:
            questions.append(" ".join([*pending, piece]))
            pending = []
        elif questions:
            questions[-1] = f"{questions[-1]} {piece}"
        else:
            pending.append(piece)
    if len(questions) < 2:
        return [text]
    return questions
