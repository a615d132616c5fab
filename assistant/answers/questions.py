"""Split a shopper's message into the questions it asks, so each one gets its own answer.

"What's included with the tent and how much does it weigh?" asks two things; answering the one
whose words retrieval weighted most drops the other. The split is structural: sentences ending in
"?" (or "？") are questions, and inside one a coordinating "and"/"also"/"plus" or ";" followed by
a question word ("and how much...", "and is it...") starts another. Statements ("It's been 3
weeks") are context: they stay with the question before them (or the first one).

The words are the shopper's language's (``Lexicon.question_words``, ``question_openers`` and
``question_joiners``: "und wie schwer...", "y cuánto dura..."). Where a language puts its
question word inside the clause ("el protector cuánto factor tiene y cuánto dura"), the clause
before such a split is a question too when a question word (not an opener: "ist", "tiene") stands
anywhere in it; in a language written without spaces (Chinese, Japanese) a clause with a question
word or particle anywhere ("多重", "吗", "ですか") is one. A language without these words splits by
its question marks only.
"""
from __future__ import annotations

import re
from functools import lru_cache

from assistant.lexicon import lexicon

_SENTENCE = re.compile(r"(?<=[?!.])\s+|(?<=[？！。])\s*")


@lru_cache(maxsize=16)
def _rules(language: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]] | None:
    """(coordinated split, is a question, asks anywhere) for ``language``; None without words."""
    lex = lexicon(language)
    words, joiners = lex.question_words, lex.question_joiners
    if not words:
        return None
    start = rf"(?:{words}|{lex.question_openers})" if lex.question_openers else rf"(?:{words})"
    if lex.cjk_cut is not None:          # written without spaces: no word boundaries to look for,
        anywhere = re.compile(start)     # and a question word or particle ("多少", "吗") anywhere asks
        coordinated = re.compile(rf"[，,、；;]?\s*(?:{joiners})\s*(?={start})")
        return coordinated, anywhere, anywhere
    coordinated = re.compile(rf"\s*(?:,?\s+(?:{joiners})|;)\s+(?={start}(?![^\W\d_]))", re.I)
    is_question = re.compile(rf"^\s*[¿¡]?\s*(?:(?:{joiners}|so)\s+)?{start}(?![^\W\d_])|[?？]\s*$", re.I)
    anywhere = re.compile(rf"(?<![^\W\d_])(?:{words})(?![^\W\d_])", re.I)
    return coordinated, is_question, anywhere


def question_parts(text: str, language: str | None = "en") -> list[str]:
    """The questions in ``text``, each with the statements that go with it; ``[text]`` when it
    asks one thing (or none)."""
    rules = _rules(lexicon(language or "en").language)
    pieces: list[tuple[str, bool]] = []     # (piece, a question word opened the piece after it)
    for sentence in _SENTENCE.split(text.strip()):
        split = rules[0].split(sentence) if rules else [sentence]
        kept = [p.strip() for p in split if p and p.strip()]
        pieces.extend((p, i < len(kept) - 1) for i, p in enumerate(kept))
    questions: list[str] = []
    pending: list[str] = []        # statements before the first question
    for piece, before_split in pieces:
        asks = re.search(r"[?？]\s*$", piece) or (rules and (
            rules[1].search(piece) or (before_split and rules[2].search(piece))))
        if asks and _long_enough(piece):
            questions.append(" ".join([*pending, piece]))
            pending = []
        elif questions:
            questions[-1] = f"{questions[-1]} {piece}"
        else:
            pending.append(piece)
    if len(questions) < 2:
        return [text]
    return questions


def _long_enough(piece: str) -> bool:
    """Two words, or two characters of a script written without spaces ("多重？")."""
    return len(piece.split()) >= 2 or (not piece.isascii() and len(re.sub(r"[\s?？!！。]", "", piece)) >= 2)
