"""Text machinery every language's lexicon shares: word tokens, a light stemmer, phrase tests.

Nothing here names a shop word; the word lists live in one module per language (``en.py``).
The stemmer is tuned for English endings ("presses" ~ "press", "knives" ~ "knife") and is mild
enough to leave most other Latin-script words as they are. Chinese and Japanese write without
spaces: a run of their script is cut where the script changes (kanji, hiragana, katakana) and a
long run of Han characters becomes overlapping pairs ("防水背包" -> 防水, 水背, 背包), the usual
way to search such text without a dictionary.
"""
from __future__ import annotations

import re
from functools import lru_cache

# Han (CJK ideographs), hiragana, katakana (with the long-vowel mark and half-width forms)
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HIRAGANA = "\u3041-\u309f"
_KATAKANA = "\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_CJK = _HAN + _HIRAGANA + _KATAKANA
# letters and digits of any alphabet but the CJK scripts (English tokens stay as they were)
_WORD = re.compile(rf"[^\W_{_CJK}]+(?:[-'][^\W_{_CJK}]+)*")
_CJK_PART = re.compile(rf"[{_HAN}]+|[{_HIRAGANA}]+|[{_KATAKANA}]+")
# asked of nearly every word a turn compares: compiled once, not looked up in re's cache each time
_ANY_CJK = re.compile(rf"[{_CJK}]")
_CJK_RUN = re.compile(rf"([{_CJK}]+)")
_KANA_ONLY = re.compile(rf"[{_HIRAGANA}]+")
_HAN_START = re.compile(rf"[{_HAN}]")
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


def words(text: str, cut: re.Pattern[str] | None = None) -> list[str]:
    """Lower-case word tokens, hyphenated words split too ("anti-fog" -> anti-fog, anti, fog);
    Chinese and Japanese runs as :func:`cjk_tokens` cuts them, in the order they appear."""
    text = (text or "").lower().replace("’", "'")
    if not is_cjk(text):
        return _latin_words(text)
    out: list[str] = []
    for part in _CJK_RUN.split(text):
        out.extend(cjk_tokens(part, cut) if is_cjk(part) else _latin_words(part))
    return out


@lru_cache(maxsize=16384)
def stems(text: str) -> frozenset[str]:
    """The stems of a text's words, cached: an answer compares the same product names, spec keys
    and description sentences with every question, so they are cut once, not on every turn."""
    return frozenset(stem(w) for w in words(text))


def _latin_words(text: str) -> list[str]:
    out: list[str] = []
    for token in _WORD.findall(text):
        token = token.removesuffix("'s")
        out.append(token)
        if "-" in token:
            out.extend(p for p in token.split("-") if p)
    return out


def is_cjk(text: str) -> bool:
    """Does ``text`` hold any Chinese or Japanese script?"""
    return bool(text) and _ANY_CJK.search(text) is not None


def is_kana(token: str) -> bool:
    """Only hiragana: Japanese grammar (particles, endings), not a subject."""
    return _KANA_ONLY.fullmatch(token) is not None


def cjk_tokens(run: str, cut: re.Pattern[str] | None = None) -> list[str]:
    """A run of CJK text as search tokens: cut where the script changes and at ``cut`` (a
    language's function words, "的", "吗": dropped); a katakana word ("ジャケット") or a Han word
    of one or two characters stays whole, a longer Han run becomes overlapping pairs
    ("防水背包" -> 防水, 水背, 背包), hiragana stays as it is."""
    out: list[str] = []
    pieces = cut.split(run) if cut is not None else [run]
    for part in (p for piece in pieces for p in _CJK_PART.findall(piece)):
        if _HAN_START.match(part) and len(part) > 2:
            out.extend(part[i:i + 2] for i in range(len(part) - 1))
        else:
            out.append(part)
    return out


def similar(a: str, b: str) -> bool:
    """Same word up to an ending: bright ~ brightness, resistant ~ resistance, weigh ~ weight."""
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < 4 or short[:4] != long_[:4]:
        return False
    common = 4
    for x, y in zip(short[4:], long_[4:]):
        if x != y:
            break
        common += 1
    return common >= 0.85 * len(short)


def like_any(word: str, among: frozenset[str]) -> bool:
    """``similar(word, w)`` for some ``w`` of ``among``, asked only of the words that share its first
    four letters (every similar pair does): an answer asks it of each question word against each
    word of a product's sentences, hundreds of times a turn. ``among`` is a frozenset (what
    :func:`stems` returns): its buckets are cached by it."""
    if word in among:
        return True
    if len(word) < 4:
        return False
    return any(similar(word, w) for w in _by_prefix(among).get(word[:4], ()))


@lru_cache(maxsize=4096)       # a turn meets a few dozen texts; each entry holds a text's words twice
def _by_prefix(among: frozenset[str]) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for w in among:
        if len(w) >= 4:
            out.setdefault(w[:4], []).append(w)
    return {k: tuple(v) for k, v in out.items()}


def has_phrase(text: str, phrase: str) -> bool:
    """``phrase`` as whole words in ``text`` ("iron" is in "can I iron it", not in "ironing");
    a Chinese or Japanese phrase anywhere in it (those scripts mark no word boundary)."""
    if phrase not in text:          # the cheap test first: a lexicon asks hundreds of phrases a turn
        return False
    return is_cjk(phrase) or _phrase_pattern(phrase).search(text) is not None


@lru_cache(maxsize=8192)        # the lexicons' phrases, compiled once instead of on every test
def _phrase_pattern(phrase: str) -> re.Pattern:
    return re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])")


def word_pattern(phrase: str) -> str:
    """A regex for ``phrase`` as a whole word; a CJK phrase matches anywhere (no boundaries)."""
    return re.escape(phrase) if is_cjk(phrase) else rf"\b{phrase}\b"


def scan(text: str, vocabulary: frozenset[str] | set[str], longest: int) -> list[str]:
    """Tokens of ``text`` for matching against ``vocabulary``: Latin words as they are, a CJK run
    cut greedily into the longest vocabulary entries it holds, other characters one by one
    ("非常不满意" -> 非常, 不, 满意 when those are known): a dictionary segmentation."""
    out: list[str] = []
    for part in _CJK_RUN.split(text):
        if not is_cjk(part):
            out.extend(re.findall(r"(?:[^\W\d_]|')+", part))
            continue
        i = 0
        while i < len(part):
            for size in range(min(longest, len(part) - i), 0, -1):
                if size == 1 or part[i:i + size] in vocabulary:
                    out.append(part[i:i + size])
                    i += size
                    break
    return out


_MULTIPLIERS = {"万": 10_000, "萬": 10_000, "千": 1_000, "k": 1_000}


def parse_amount(raw: str) -> float:
    """A written amount of money as a number, whichever separators it uses: "1,000.50" and
    "1.000,50" are a thousand and a half, "49,99" is 49.99, "1万" is 10000 (the last separator
    followed by one or two digits is the decimal one; groups of three are thousands)."""
    text = raw.strip().replace(" ", "").replace("\u00a0", "").replace("'", "")
    for big in ("万", "萬"):                       # "1万5千" is 10000 + 5000
        if big in text[:-1]:
            high, _, low = text.partition(big)
            return parse_amount(high + big) + parse_amount(low)
    factor = 1
    if text and text[-1].lower() in _MULTIPLIERS:
        factor, text = _MULTIPLIERS[text[-1].lower()], text[:-1]
    last = max(text.rfind(","), text.rfind("."))
    if last >= 0 and len(text) - last - 1 in (1, 2):
        whole, decimals = text[:last], text[last + 1:]
    else:
        whole, decimals = text, ""
    whole = whole.replace(",", "").replace(".", "")
    return float(f"{whole}.{decimals}" if decimals else whole) * factor
