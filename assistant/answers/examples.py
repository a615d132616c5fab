"""Keep a document's example data out of what is said to the shopper.

FAQ and policy pages show what an order number looks like ("it looks like NW-482913", "for example
NW-482913"); quoted to a shopper asking about their own order, that reads as their order. A quoted
passage loses its example clauses; a sentence that still names an order-like id other than the
shopper's is left out (the procedure around it stays).
"""
from __future__ import annotations

import re
from functools import lru_cache

# Order, ticket and reference numbers: letters then five or more digits, or "#12345".
ORDER_LIKE = re.compile(r"#\d{4,}\b|\b[A-Za-z]{1,4}[-\s]?\d{5,}\b")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_SAMPLE = rf"(?:{ORDER_LIKE.pattern}|{EMAIL.pattern})"
# "(it looks like NW-482913)", "(for example NW-482913)", ", for example NW-482913", "e.g. jo@example.com"
_EXAMPLE_CLAUSE = re.compile(
    rf"\s*\((?:[^()]*?\b(?:looks like|for example|for instance|e\.g\.|such as|like)\b)[^()]*?{_SAMPLE}[^()]*\)"
    rf"|,?\s*(?:for example|for instance|e\.g\.|such as|like)[:,]?\s+{_SAMPLE}", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def shoppers_ids(text: str) -> set[str]:
    """The order-like ids and emails the shopper wrote, normalised for comparing."""
    return {_norm(m.group(0)) for m in ORDER_LIKE.finditer(text or "")} | \
           {m.group(0).lower() for m in EMAIL.finditer(text or "")}


def _norm(value: str) -> str:
    return re.sub(r"[-\s#]", "", value).upper()


def without_examples(text: str, shopper: set[str] = frozenset()) -> str:
    """``text`` with its example ids and emails taken out: example clauses dropped, then any
    sentence still naming an order-like id that is not the shopper's (kept when it is the only one)."""
    return _without_examples(text, frozenset(shopper))


@lru_cache(maxsize=2048)
def _without_examples(text: str, shopper: frozenset[str]) -> str:
    """Cached: the same FAQ and policy passages come back turn after turn, and the clause pattern
    is costly on a long one."""
    text = _EXAMPLE_CLAUSE.sub("", text)
    sentences = [s for s in _SENTENCE.split(text.strip()) if s]
    kept = [s for s in sentences if all(_norm(m.group(0)) in shopper for m in ORDER_LIKE.finditer(s))]
    return " ".join(kept) if kept else text
