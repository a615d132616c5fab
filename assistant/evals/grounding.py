"""Groundedness: do the numbers, prices, sizes and ids in an answer appear in what it cited?

A shopper acts on "$139.00", "30 days" or "size XL"; an invented figure is the costliest
mistake an assistant makes. The check is deliberately literal: every quantity in the answer
must occur in the cited evidence texts (or in the shopper's own message - repeating their
order number back is not a claim). Citation markers like ``[2]`` are not quantities.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

CITATION_MARK = re.compile(r"\[\s*\d{1,4}(?:\s*(?:[,;]|[-\u2013\u2014])\s*\d{1,4})*\s*\]")
IDENTIFIER = re.compile(r"\b[A-Z]{2,4}-\d{3,}\b")                       # GP-3108, NW-482913
PRICE = re.compile(r"\$\s?(\d[\d,]*(?:\.\d+)?)")
NUMBER = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)")
LETTER_SIZE = re.compile(r"\b(XXS|XS|XL|XXL|XXXL|[2-5]XL)\b")
SIZE_WORD = re.compile(r"\bsizes?\s+(S|M|L)\b")


def _canonical(number: str) -> str:
    """'1,200' -> '1200', '139.00' -> '139', '1.40' -> '1.4' (how a figure is written does not matter);
    a decimal comma as replies in Spanish, French or German write it: '149,00' -> '149', '1,4' -> '1.4'."""
    whole, comma, decimals = number.rpartition(",")
    if number.count(",") == 1 and len(decimals) in (1, 2):
        number = whole.replace(".", "") + "." + decimals
    text = number.replace(",", "")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.lstrip("0") or "0"


@dataclass(frozen=True)
class Quantity:
    kind: str        # price | number | size | id
    text: str        # as written in the answer
    value: str       # canonical form compared with the evidence

    def __str__(self) -> str:
        return self.text


def quantities(text: str) -> list[Quantity]:
    """The checkable facts in ``text``: prices, numbers (with their unit words), sizes, ids."""
    text = CITATION_MARK.sub(" ", text)
    found: list[Quantity] = []
    ids = list(IDENTIFIER.finditer(text))
    for m in ids:
        found.append(Quantity("id", m.group(0), m.group(0).upper()))
    masked = IDENTIFIER.sub(" ", text)
    prices = {m.start(1): m.group(0) for m in PRICE.finditer(masked)}
    for m in NUMBER.finditer(masked):
        kind = "price" if m.start(1) in prices else "number"
        found.append(Quantity(kind, prices.get(m.start(1), m.group(1)), _canonical(m.group(1))))
    for m in LETTER_SIZE.finditer(masked):
        found.append(Quantity("size", m.group(1), m.group(1)))
    for m in SIZE_WORD.finditer(masked):
        found.append(Quantity("size", m.group(0), m.group(1)))
    unique: dict[tuple[str, str], Quantity] = {}
    for q in found:
        unique.setdefault((q.kind, q.value), q)
    return list(unique.values())


def known_values(texts: list[str]) -> set[str]:
    """Every canonical quantity that occurs in ``texts`` (evidence, the shopper's message)."""
    values: set[str] = set()
    for text in texts:
        for q in quantities(text):
            values.add(q.value)
        # sizes written in option lists ("size: S, M, L", "S / Black") count as evidence too
        values.update(re.findall(r"\b(XXS|XS|S|M|L|XL|XXL|XXXL|[2-5]XL)\b", text))
    return values


@dataclass
class Grounding:
    checked: list[str] = field(default_factory=list)       # quantities found in the answer
    unsupported: list[str] = field(default_factory=list)   # of those, not found in the evidence

    @property
    def grounded(self) -> bool | None:
        """True/False when the answer states quantities; None when it states none."""
        return None if not self.checked else not self.unsupported

    def to_dict(self) -> dict:
        return {**asdict(self), "grounded": self.grounded}


def check_grounding(answer: str, evidence_texts: list[str], question: str = "") -> Grounding:
    known = known_values([*evidence_texts, question])
    result = Grounding()
    for q in quantities(answer):
        result.checked.append(q.text)
        if q.value not in known:
            result.unsupported.append(q.text)
    return result


def supports(evidence_text: str, facts: list[str]) -> bool:
    """Does one cited text contain at least one asserted fact (a phrase or a quantity)?"""
    low = " ".join(evidence_text.lower().split())
    values = known_values([evidence_text])
    for fact in facts:
        phrase = " ".join(fact.lower().split())
        if phrase and phrase in low:
            return True
        fact_values = {q.value for q in quantities(fact)}
        if fact_values and fact_values <= values:
            return True
    return False
