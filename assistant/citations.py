"""Citations in an answer: "[2]" / "[1, 3]" / "[2-4]" mapped back to the evidence's source ids.

An answer that cites nothing, or cites a number that was never given, is flagged
low-confidence; the conversation manager counts that as a failed turn for handoff.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.events import Citation
from assistant.evidence import Evidence

_BRACKETS = re.compile(r"\[(\s*\d+(?:\s*[-–,]\s*\d+)*\s*)\]")


@dataclass
class CitationCheck:
    citations: list[Citation] = field(default_factory=list)
    invalid_numbers: list[int] = field(default_factory=list)
    low_confidence: bool = False
    reason: str | None = None


def cited_numbers(text: str) -> list[int]:
    numbers: list[int] = []
    for group in _BRACKETS.findall(text):
        for part in group.split(","):
            bounds = [int(x) for x in re.split(r"[-–]", part) if x.strip()]
            span = range(bounds[0], bounds[-1] + 1) if len(bounds) == 2 and bounds[1] - bounds[0] < 20 else bounds
            for n in span:
                if n not in numbers:
                    numbers.append(n)
    return numbers


def parse_citations(answer: str, evidence: list[Evidence]) -> CitationCheck:
    numbers = cited_numbers(answer)
    check = CitationCheck()
    for n in numbers:
        if 1 <= n <= len(evidence):
            e = evidence[n - 1]
            check.citations.append(Citation(source_id=e.source_id, title=e.title, number=n))
        else:
            check.invalid_numbers.append(n)
    if check.invalid_numbers:
        check.low_confidence, check.reason = True, f"cites sources that were not given: {check.invalid_numbers}"
    elif not check.citations:
        check.low_confidence, check.reason = True, "cites no source"
    return check
