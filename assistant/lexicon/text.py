"""Text machinery every language's lexicon shares: word tokens, a light stemmer, phrase tests.

Nothing here names a shop word; the word lists live in one module per language (``en.py``).
The stemmer is tuned for English endings ("presses" ~ "press", "knives" ~ "knife") and is mild
enough to leave most other Latin-script words as they are.
"""
from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_KEEP_S = ("ss", "us", "is", "os", "ics")


@lru_cache(maxsize=65536)       # a pure function of a word, asked hundreds of times a turn
def stem(word: str, plural_only: bool = False) -> str:
    """A plural/inflection trim good enough for matching shop words, not a linguist's stemmer.
    ``plural_only`` keeps "backpacking" apart from "backpack" (for naming kinds of product)."""
    w = word.lower()
    if len(w) <= 3 or w.isdigit():
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"                          # batteries -> battery
    elif w.endswith("ives") and len(w) > 5:
        w = w[:-3] + "fe"                         # knives -> knife
    elif w.endswith(("sses", "shes", "ches", "xes", "zes")):
        w = w[:-2]                                # presses -> press, boxes -> box
    elif w.endswith("s") and not w.endswith(_KEEP_S):
        w = w[:-1]                                # boots -> boot, shoes -> shoe
    if plural_only:
        return w
    if len(w) >= 6 and w.endswith("ing"):
        w = w[:-3]                                # shipping -> shipp
    elif len(w) >= 6 and w.endswith("ed"):
        w = w[:-2]                                # returned -> return, opened -> open
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]                                # shipp -> ship
    if len(w) >= 4 and w.endswith("e") and not w.endswith("ee"):
        w = w[:-1]                                # charge ~ charging -> charg
    return w


def words(text: str) -> list[str]:
    """Lower-case word tokens, hyphenated words split too ("anti-fog" -> anti-fog, anti, fog)."""
    out: list[str] = []
    for token in _WORD.findall((text or "").lower().replace("’", "'")):
        token = token.removesuffix("'s")
        out.append(token)
        if "-" in token:
            out.extend(p for p in token.split("-") if p)
    return out


def similar(a: str, b: str) -> bool:
    """Same word up to an ending: bright ~ brightness, resistant ~ resistance, weigh ~ weight."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) < 4:
        return False
    common = 0
    for x, y in zip(short, long_):
        if x != y:
            break
        common += 1
    return common >= 4 and common >= 0.85 * len(short)


def has_phrase(text: str, phrase: str) -> bool:
    """``phrase`` as whole words in ``text`` ("iron" is in "can I iron it", not in "ironing")."""
    return _phrase_pattern(phrase).search(text) is not None


@lru_cache(maxsize=8192)        # the lexicons' phrases, compiled once instead of on every test
def _phrase_pattern(phrase: str) -> re.Pattern:
    return re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])")
