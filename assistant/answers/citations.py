"""Read the ``[n]`` citations out of a generated answer and map them to the evidence it was given.

``[2]``, ``[1, 3]``, ``[1][3]``, ``[2-4]`` (also ``[2–4]``) all count. An answer that cites
nothing, or cites a number that was not in the prompt, is flagged low-confidence: the conversation
manager treats that like any other low-confidence answer (a handoff rule may fire).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.events import Citation
from assistant.knowledge.evidence import Evidence

# "[3]", "[1, 2]", "[1,2 and 4]" is not matched on purpose: only digits, commas, semicolons, dashes.
_BRACKET = re.compile(r"\[\s*(\d{1,4}(?:\s*(?:[,;]|[-–—])\s*\d{1,4})*)\s*\]")
_RANGE = re.compile(r"(\d+)\s*[-–—]\s*(\d+)")
MAX_RANGE = 20          # "[1-3]" expands; "[1-2024]" is a year range or noise, not 2024 citations


@dataclass
class CitationCheck:
    citations: list[Citation] = field(default_factory=list)   # valid ones, in order of first mention
    invalid_numbers: list[int] = field(default_factory=list)  # cited but not given, sorted
    low_confidence: bool = False
    reason: str | None = None

    @property
    def numbers(self) -> list[int]:
        return [c.number for c in self.citations if c.number is not None]


def cited_numbers(answer_text: str) -> list[int]:
    """Every number cited in brackets, in order of appearance, duplicates kept."""
    numbers: list[int] = []
    for match in _BRACKET.finditer(answer_text or ""):
        for chunk in re.split(r"\s*[,;]\s*", match.group(1)):
            span = _RANGE.fullmatch(chunk.strip())
            if span:
                low, high = int(span.group(1)), int(span.group(2))
                if low <= high and high - low < MAX_RANGE:
                    numbers.extend(range(low, high + 1))
                else:
                    numbers.extend([low, high])
            else:
                numbers.append(int(chunk))
    return numbers


def parse_citations(answer_text: str, evidence: Sequence[Evidence]) -> CitationCheck:
    """Map the answer's ``[n]`` marks to ``evidence[n-1]`` (numbering as in the prompt, from 1)."""
    seen: set[int] = set()
    citations: list[Citation] = []
    invalid: set[int] = set()
    for number in cited_numbers(answer_text):
        if not 1 <= number <= len(evidence):
            invalid.add(number)
        elif number not in seen:
            seen.add(number)
            item = evidence[number - 1]
            citations.append(Citation(source_id=item.source_id, title=item.title, number=number))
    reason = None
    if invalid:
        given = f"only [1]-[{len(evidence)}] were given" if evidence else "no sources were given"
        shown = ", ".join(f"[{n}]" for n in sorted(invalid))
        reason = f"the answer cites {shown}, but {given}"
    elif not citations:
        reason = ("no store information was found for this question" if not evidence
                  else "the answer cites none of the store information")
    return CitationCheck(citations=citations, invalid_numbers=sorted(invalid),
                         low_confidence=reason is not None, reason=reason)
