"""Which language a reply is written in, with the store's own text left out.

A reply to a Spanish shopper may rightly quote the store's English: product names ("Summit Rain
Jacket"), its description, a spec value in quotes, a FAQ sentence kept verbatim, citation marks
``[1]``, links, prices and figures. None of that shows which language the assistant chose to
speak, so it is removed before the language is detected:

- citation marks, links, emails, anything in quotation marks, and figures with their units;
- every run of two or more words that also occurs in the store's text the turn saw (the evidence
  texts and titles): a quoted name or sentence, however it is punctuated;
- a capitalised store word inside a sentence: a brand ("de Fernhill coûte").

What is left - the assistant's own words - is read by the dialogue's detector, sentence by
sentence. The reply is in the language when its own words as a whole are, and no sentence long
enough to judge (``LONG_SENTENCE`` letters) is in another one: a Spanish answer with one English
fallback sentence left in is not a Spanish answer. When there are no own words to judge (the
reply is nothing but store text), the whole reply is read instead: a reply made only of English
quotes is an English reply. A few words the detector cannot tell apart (confidence under
``UNSURE``) do not fail a reply unless another language is clearly likelier.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.dialogue.language import SUPPORTED, detector
from assistant.evals.grounding import CITATION_MARK

# The languages a reply may be in: the ones the assistant answers in (ISO 639-1, as the dialogue
# state keeps them). The question is "did it answer in the shopper's language or in another one
# it speaks?", so a reply is read as the likeliest of these.
LANGUAGES = SUPPORTED

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A CJK character is a word of its own (no spaces between them); any other letters run to a word,
# an elided article or pronoun ("l'", "d'", "j'") apart, so "l'Alpine 40 Pack" still quotes the name.
LETTERS = rf"[^\W\d_{CJK}]"
WORD = re.compile(rf"[{CJK}]|{LETTERS}{{1,2}}['\u2019](?={LETTERS})|{LETTERS}+(?:['\u2019]{LETTERS}+)*")
LINK = re.compile(r"https?://\S+|www\.\S+|\b[\w.+-]+@[\w-]+\.[\w.-]+")
QUOTED = re.compile(r"\"[^\"\n]*\"|\u201c[^\u201d\n]*\u201d|\u201e[^\u201c\u201d\n]*[\u201c\u201d]|"
                    r"\u00ab[^\u00bb\n]*\u00bb|\u300c[^\u300d\n]*\u300d|\u300e[^\u300f\n]*\u300f")
# a figure with the unit or currency written after it ("1.4 kg", "20,000 mm", "129,00 $US", "IPX4")
FIGURE = re.compile(rf"[^\s{CJK}]*\d[^\s{CJK}]*(?:\s[$\u20ac\u00a3]?[^\W\d_{CJK}]{{1,3}}\b(?!['\u2019])[$]?)?")
SENTENCE_END = re.compile(r"(?<=[.!?;:\u3002\uff01\uff1f\uff1b])\s+|(?<=[\u3002\uff01\uff1f\uff1b])|\n+")
MIN_OWN = 4          # letters of own words below which the whole reply is read instead
LONG_SENTENCE = 30   # letters from which one sentence alone is judged (short ones mislead the detector)
UNSURE = 0.3         # below this confidence the detector cannot tell ("Drop de": nl .22, en .21, fr .13)


def _letters(text: str) -> int:
    """Letters, a CJK character counting as three (one character carries about a short word)."""
    return sum(3 if re.match(rf"[{CJK}]", ch) else 1 for ch in text if ch.isalpha())


def _words(text: str) -> list[re.Match]:
    return list(WORD.finditer(text))


@dataclass
class StoreText:
    """The store's text a turn saw, as a reply is read (figures and marks left out, so "65W GaN
    Charger" in the store pairs with "GaN Charger" in a reply), case-folded."""

    pairs: set[tuple[str, str]]          # every two adjacent words
    words: set[str]                      # every word: a capitalised one in a reply is a name ("Fernhill")


def store_text(store_texts: list[str]) -> StoreText:
    pairs: set[tuple[str, str]] = set()
    words: set[str] = set()
    for text in store_texts:
        folded = [m.group().casefold() for m in _words(clean(text or ""))]
        pairs.update(zip(folded, folded[1:]))
        words.update(folded)
    return StoreText(pairs, words)


def clean(text: str) -> str:
    """The reply without citation marks, links, quoted text and figures."""
    for pattern in (CITATION_MARK, LINK, QUOTED, FIGURE):
        text = pattern.sub(" ", text)
    return text


def own_words(sentence: str, store: StoreText) -> str:
    """The words of a (cleaned) sentence that are not the store's: not part of a run of store
    text, and not a capitalised store word inside the sentence (a brand: "de Fernhill coûte")."""
    words = _words(sentence)
    folded = [m.group().casefold() for m in words]
    quoted = [i > 0 and m.group()[:1].isupper() and folded[i] in store.words for i, m in enumerate(words)]
    for i in range(len(words) - 1):
        if (folded[i], folded[i + 1]) in store.pairs:
            quoted[i] = quoted[i + 1] = True
    return " ".join(m.group() for m, q in zip(words, quoted) if not q)


def scores(text: str) -> dict[str, float]:
    """The detector's confidence in each of :data:`LANGUAGES` for ``text``, likeliest first - the
    dialogue's own detector (``assistant.dialogue.language``), so the eval and the assistant
    agree on what a language looks like."""
    values = detector().compute_language_confidence_values(text) if _letters(text) else []
    found = {v.language.iso_code_639_1.name.lower(): round(v.value, 3) for v in values}
    return {code: value for code, value in found.items() if code in LANGUAGES and value > 0}


def detect(text: str) -> tuple[str | None, float]:
    """The likeliest of :data:`LANGUAGES` for ``text`` and the confidence in it."""
    return next(iter(scores(text).items()), (None, 0.0))


@dataclass
class Reading:
    """What the reply was read as, and from which words."""

    language: str | None                 # of the judged words as a whole
    confidence: float
    judged: str                          # the words the verdict rests on
    whole_reply: bool                    # True: no own words to judge, the whole reply was read
    stray: list[tuple[str, str]] = field(default_factory=list)    # (language, sentence) in another one
    scores: dict[str, float] = field(default_factory=dict)        # the judged words, every language

    @property
    def unsure(self) -> bool:
        return self.confidence < UNSURE

    def holds(self, expected: str) -> bool:
        """In ``expected``: read as it - or, where the detector cannot tell (a few short words
        such as "Drop de"), not read as another language clearly surer than it - with no long
        sentence in another language."""
        close = self.unsure and self.scores.get(expected, 0.0) * 2 >= self.confidence
        return (self.language == expected or close) and not [s for s in self.stray if s[0] != expected]

    def describe(self, expected: str) -> str:
        basis = "the whole reply (nothing but store text)" if self.whole_reply else "its own words"
        head = (f"read as {self.language or 'nothing'} ({self.confidence:.2f}{', unsure' if self.unsure else ''}) "
                f"from {basis}: {self.judged[:120]!r}")
        strays = [f"{lang}: {text[:80]!r}" for lang, text in self.stray if lang != expected]
        return head + (f"; sentences in another language: {strays}" if strays else "")


def read_reply(answer: str, store_texts: list[str]) -> Reading:
    """The language ``answer`` is written in, the store's quoted text left out."""
    store = store_text(store_texts)
    cleaned = clean(answer)
    sentences = [s for s in SENTENCE_END.split(cleaned) if s and s.strip()]
    own = [own_words(s, store) for s in sentences]
    judged = " ".join(o for o in own if o)
    whole = _letters(judged) < MIN_OWN
    if whole:
        judged = " ".join(m.group() for m in _words(cleaned))
    read = scores(judged)
    language, confidence = next(iter(read.items()), (None, 0.0))
    stray = []
    if not whole and len([o for o in own if _letters(o) >= LONG_SENTENCE]) > 1:
        for sentence in own:
            if _letters(sentence) >= LONG_SENTENCE:
                lang, _ = detect(sentence)
                if lang and lang != language:
                    stray.append((lang, sentence))
    return Reading(language, confidence, judged, whole, stray, read)
