"""Knowledge gaps: the questions the assistant could not answer, grouped by meaning.

"Do you ship to Iceland?", "shipping to iceland??" and "can I get it delivered in Reykjavik" are
one gap for the store to fill, so questions are grouped by their embeddings (the same model the
store's knowledge uses), greedily: each question joins the first group whose first question is
close enough, else starts its own. Groups come back largest first, each with a few examples.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

SAME_GAP = 0.72          # cosine between a question and a group's first question


def group_questions(questions: Sequence[str], embed: Callable[[list[str]], Sequence[Sequence[float]]] | None,
                    limit: int = 10, examples: int = 3) -> list[dict]:
    """[{question, count, examples}] for the ``limit`` largest groups."""
    texts = [" ".join(q.split()) for q in questions if q and q.strip()]
    if not texts:
        return []
    if embed is None:                     # no model at hand: identical questions only
        groups: dict[str, list[str]] = {}
        for t in texts:
            groups.setdefault(t.lower(), []).append(t)
        ranked = sorted(groups.values(), key=len, reverse=True)
    else:
        vectors = np.asarray(embed(texts), dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        heads: list[int] = []
        members: list[list[int]] = []
        for i, v in enumerate(vectors):
            scores = vectors[heads] @ v if heads else np.empty(0)
            best = int(np.argmax(scores)) if len(scores) else -1
            if best >= 0 and scores[best] >= SAME_GAP:
                members[best].append(i)
            else:
                heads.append(i)
                members.append([i])
        ranked = sorted(([texts[i] for i in group] for group in members), key=len, reverse=True)
    return [{"question": group[0], "count": len(group), "examples": list(dict.fromkeys(group))[:examples]}
            for group in ranked[:limit]]
