"""Evidence recall: was the expected value in what the answering model was handed?

Any backend, however clever, can only state what retrieval put in front of it. For every turn
that expects a value in the answer (``contains`` / ``contains_any``), this checks the evidence of
the turn's ``citations`` event (the ranked list handed to the backend):

- recall: the value is somewhere in the evidence (every ``contains`` phrase, and at least one
  ``contains_any`` phrase; a price matches its figure however the evidence writes it);
- first: the value is in the top-ranked evidence item alone.

Recall is the ceiling of the turn: a miss is a retrieval (or import) problem, not a wording one.
A turn is not counted when it expects no answer from the store's information - a refusal
(``must_refuse: true``), no citations (``cites: []``), a handoff - or when its phrases only say
what the store lacks ("don't", "not sell"): absence is never written in evidence.
"""
from __future__ import annotations

import re
from typing import Any

from assistant.evals.grounding import PRICE, _canonical, known_values

# a phrase stating an absence ("don't", "do not", "not carry", "couldn't find", "no longer")
ABSENCE = re.compile(r"n't\b|\b(?:not|no|never|none|cannot)\b", re.I)


def _fold(text: Any) -> str:
    return " ".join(str(text).casefold().replace("\u2019", "'").split())


def expected_values(expect: dict[str, Any]) -> tuple[list[str], list[str]] | None:
    """(every-of, any-of) phrases the evidence should hold; None when the turn is not counted."""
    if expect.get("must_refuse") is True or expect.get("cites") == [] or expect.get("handoff") is True:
        return None
    every = [p for p in expect.get("contains") or [] if not ABSENCE.search(p)]
    any_of = [p for p in expect.get("contains_any") or [] if not ABSENCE.search(p)]
    if not every and not any_of:
        return None
    return every, any_of


def holds(text: str, values: tuple[list[str], list[str]]) -> bool:
    """The phrases are in ``text``; a price phrase ("$159") also matches the figure however the
    evidence writes it ("compare at price: 159", "$159.00")."""
    every, any_of = values
    folded = _fold(text)
    known: set[str] | None = None

    def has(phrase: str) -> bool:
        nonlocal known
        if _fold(phrase) in folded:
            return True
        price = PRICE.fullmatch(phrase.strip())
        if price is None:
            return False
        known = known_values([text]) if known is None else known
        return _canonical(price.group(1)) in known

    return all(has(p) for p in every) and (not any_of or any(has(p) for p in any_of))


def turn_recall(expect: dict[str, Any], evidence: list[dict[str, Any]]) -> dict[str, Any] | None:
    """``{values, in_evidence, in_first, found_in}`` for one turn, or None when it is not counted.

    A turn that crashed handed nothing to the backend: it counts, as a miss."""
    values = expected_values(expect)
    if values is None:
        return None
    texts = [str(e.get("text", "")) for e in evidence]
    found_in = [e.get("source_id") for e, text in zip(evidence, texts) if holds(text, values)]
    return {"values": [*values[0], *values[1]], "in_evidence": holds("\n".join(texts), values),
            "in_first": bool(texts) and holds(texts[0], values), "found_in": found_in,
            "evidence_items": len(texts)}


def recall(turns: list) -> dict[str, Any]:
    """Evidence recall and evidence-first rate over run turns (TurnResult objects)."""
    rows = [r for t in turns if t.scored and (r := turn_recall(t.expect, t.observation.evidence)) is not None]
    n = len(rows)
    hit = sum(r["in_evidence"] for r in rows)
    first = sum(r["in_first"] for r in rows)
    return {"turns": n, "in_evidence": hit, "in_first": first,
            "recall": round(hit / n, 4) if n else None, "first_rate": round(first / n, 4) if n else None}
