"""Which language a shopper writes in, per message, kept when a message cannot tell.

A statistical detector (lingua, character n-gram models, offline) reads each message; the
conversation's language changes only when the detector is clearly sure of another one. Shop chat
is full of text that belongs to no language - order ids, emails, amounts, sizes, product names
("Alpine 40?") - so those are taken out first, and what is left must still hold a few letters.
Text in Chinese or Japanese script needs no statistics: kana is Japanese, Han characters without
kana are Chinese unless lingua's models read them as Japanese.

The detector knows the languages the assistant answers in (:data:`SUPPORTED`) plus a few close
neighbours (Italian, Portuguese, Dutch), so a message in one of those is not forced into Spanish
or German; the caller decides what to do with a language it has no catalog for.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from assistant.errors import InvalidInput

SUPPORTED = ("en", "zh", "es", "de", "fr", "ja")      # what the assistant answers in
NEIGHBOURS = ("it", "pt", "nl")                       # told apart, not answered in
DETECTED = SUPPORTED + NEIGHBOURS

# A message needs this many words and letters (after ids, numbers and names are gone) to say
# which language it is in: "okay", "super", "order" are words of many languages.
MIN_WORDS = 2
MIN_LETTERS = 4
# Switch language only when lingua gives the new one at least this confidence ...
MIN_CONFIDENCE = 0.35
# ... and this many times the confidence it gives the conversation's language so far.
SWITCH_RATIO = 2.0
# A message of this many words or fewer needs this confidence to switch: lingua's reading of three
# words is often a near tie ("und in rot?": de .21, en .20), one the conversation's language wins.
SHORT_WORDS = 3
SHORT_CONFIDENCE = 0.5
# A first message has no conversation language to keep: its likeliest one needs only this much
# confidence and a lead over the store's default ("is it machine washable": fr .34, en .30 stays en).
FIRST_CONFIDENCE = 0.2
FIRST_RATIO = 1.5
# A language we do not answer in needs a sure reading: the reply is in the store's language
# anyway, and a wrong one sends an English question down the other-language path ("Is the
# <name> windproof?" -> "Is the windproof?": nl .61, en .16; "Is het waterdicht?": nl .78).
NEIGHBOUR_CONFIDENCE = 0.7

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"https?://\S+|www\.\S+", re.I)
# NW-482913, $39, 40, 9.5, #W1234567 (Latin runs only: Chinese and Japanese have no spaces)
_WITH_DIGITS = re.compile(r"[\w#$€£¥%.,:/+-]*\d[\w#$€£¥%.,:/+-]*", re.ASCII)
_LETTERS = re.compile(r"[^\W\d_]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# a word of a product name that is taken out of a message on its own: Latin letters, three or more
# (shorter ones - "de", "la", "XL" - are the shopper's own words as often as the name's)
_NAME_WORD = re.compile(r"(?<![^\W\d_])[A-Za-z\u00c0-\u024f]{3,}(?![^\W\d_])")


@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    """Built once per process, its models loaded up front (about two seconds): loaded lazily they
    made the first shopper's message wait for them."""
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in DETECTED]
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


def normalise_locale(value: object, field: str = "locale") -> str | None:
    """An integrator's locale ("es", "zh-CN", "de_AT") as one of :data:`SUPPORTED`; None for none.
    Anything else is an InvalidInput naming ``field``."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"'{field}' must be a language code such as 'en' or 'es', not "
                           f"{type(value).__name__}", limit=field)
    code = value.strip().lower().replace("_", "-").split("-")[0]
    if code not in SUPPORTED:
        raise InvalidInput(f"'{field}' must be one of {', '.join(SUPPORTED)} (or a regional form "
                           f"such as 'zh-CN'), not {value!r}", limit=field)
    return code


def language_text(text: str, names: Iterable[str] = ()) -> str:
    """The words of ``text`` that can show a language: emails, links, anything with a digit and
    the given product ``names`` taken out - whole, then each of their words, since shoppers name
    a product by part of its name ("la chemise Dockside Oxford", "¿y los Pulsewave?") and the
    store's English name words would otherwise outvote the shopper's few own ones."""
    rest = _URL.sub(" ", _EMAIL.sub(" ", text or ""))
    names = {n for n in names if n}
    for name in sorted(names, key=len, reverse=True):
        rest = re.sub(re.escape(name), " ", rest, flags=re.I)
    name_words = {w.casefold() for n in names for w in _NAME_WORD.findall(n)}
    if name_words:
        rest = _NAME_WORD.sub(lambda m: " " if m.group().casefold() in name_words else m.group(), rest)
    return " ".join(_WITH_DIGITS.sub(" ", rest).split())


def _code(language: Language) -> str:
    return language.iso_code_639_1.name.lower()


def _cjk(text: str, previous: str) -> str | None:
    """Chinese or Japanese when the script says so; None for text in another script."""
    han = len(_HAN.findall(text))
    kana = len(_KANA.findall(text))
    if not han and not kana:
        return None
    if kana:
        return "ja"
    if han < 2 and len(_LETTERS.findall(text)) > 3 * han:
        return None                      # one character among Latin words says little
    values = {_code(v.language): v.value for v in detector().compute_language_confidence_values(text)}
    if values.get("ja", 0.0) > values.get("zh", 0.0):
        return "ja"
    if previous == "ja" and han <= 3 and values.get("ja", 0.0) * SWITCH_RATIO >= values.get("zh", 0.0):
        return "ja"                      # a couple of kanji in a Japanese conversation
    return "zh"


def detect_language(text: str, previous: str = "en", names: Iterable[str] = (), settled: bool = True) -> str:
    """The ISO 639-1 code of the language ``text`` is written in, or ``previous`` when the text
    cannot tell ("ok", "NW-482913", "maya@example.com", "Alpine 40?") or the detector is not
    clearly surer of another language. ``names`` are product names to ignore. ``settled=False``:
    the conversation has no language yet (its first message) and ``previous`` is only the store's
    default, so the likeliest language wins on a lead of ``FIRST_RATIO`` over it ("el protector
    solar Dayglow cuanto factor tiene...?": es .47, en .29), not ``SWITCH_RATIO``."""
    previous = previous or "en"
    rest = language_text(text, names)
    cjk = _cjk(rest, previous)
    if cjk:
        return cjk
    if len(rest.split()) < MIN_WORDS or len(_LETTERS.findall(rest)) < MIN_LETTERS:
        return previous
    values = detector().compute_language_confidence_values(rest)
    best = values[0]
    code = _code(best.language)
    supported = next(v for v in values if _code(v.language) in SUPPORTED)
    if code not in SUPPORTED and supported.value * SWITCH_RATIO >= best.value:
        # a neighbour barely ahead of a language we answer in ("wie schwer sind die ... im
        # Paar?": nl .49, de .48) is no reason to leave the shopper without an answer in theirs
        best, code = supported, _code(supported.language)
    if code not in SUPPORTED and best.value < NEIGHBOUR_CONFIDENCE:
        return previous
    if code == previous:
        return previous
    kept = next((v.value for v in values if _code(v.language) == previous), 0.0)
    if not settled:
        return code if best.value >= FIRST_CONFIDENCE and best.value >= FIRST_RATIO * kept else previous
    # a few words say less: a short follow-up ("y en rojo?") switches only on a surer reading
    needed = MIN_CONFIDENCE if len(rest.split()) > SHORT_WORDS else SHORT_CONFIDENCE
    if best.value >= needed and best.value >= SWITCH_RATIO * kept:
        return code
    return previous
