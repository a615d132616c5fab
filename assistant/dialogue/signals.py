"""What one shopper message says, read off its words: order ids, slots, sentiment, flags.

The tracker calls these per turn; the handoff policy decides on what they find. Each takes the
language's :class:`~assistant.lexicon.Lexicon` (English by default), so the rules stay the same
whatever the language and only the words change. Order ids follow the store's own format (the
``order_id_pattern`` setting), for typed text and for what OCR reads off a photo alike.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache

from assistant.lexicon import Lexicon, lexicon
from assistant.lexicon.text import parse_amount, word_pattern
from assistant.settings import DEFAULT_ORDER_ID_PATTERN

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SEPARATORS = re.compile(r"[-\s_.:]+")
_LETTERS_THEN_DIGITS = re.compile(r"^([A-Z]{2,})(\d.*)$")
_SHOUTING_OK = {"USD", "XXL", "XL"}


# -- order ids -----------------------------------------------------------------------------------
@lru_cache(maxsize=16)
def order_id_regex(pattern: str = DEFAULT_ORDER_ID_PATTERN) -> re.Pattern[str]:
    """The store's order-id pattern, compiled once (case-insensitive)."""
    return re.compile(pattern, re.IGNORECASE)


def canonical_order_id(raw: str) -> str:
    """One spelling per id, however it was typed or read: upper case, separators dropped, and a
    hyphen after a letter prefix ("nw 482913" -> "NW-482913", "# w1234567" -> "#W1234567")."""
    compact = _SEPARATORS.sub("", raw.upper())
    prefixed = _LETTERS_THEN_DIGITS.match(compact)
    return f"{prefixed.group(1)}-{prefixed.group(2)}" if prefixed else compact


def find_order_ids(text: str, pattern: str = DEFAULT_ORDER_ID_PATTERN) -> list[str]:
    """Order ids in ``text`` in the store's format, canonical, in order, without repeats."""
    found: list[str] = []
    for match in order_id_regex(pattern).finditer(text or ""):
        order_id = canonical_order_id(match.group(0))
        if order_id not in found:
            found.append(order_id)
    return found


# -- slots ----------------------------------------------------------------------------------------
def find_email(text: str) -> str | None:
    match = EMAIL_RE.search(text or "")
    return match.group(0) if match else None


def parse_money(text: str, words: Lexicon | None = None) -> list[tuple[float, int, int]]:
    """Amounts of money with where they are: "$39", "39 dollars"."""
    words = words or lexicon()
    found = []
    for m in words.money.finditer(text):
        raw = next(g for g in m.groups() if g)
        found.append((parse_amount(raw), m.start(), m.end()))
    return found


def find_refund_amount(text: str, intent: str, budget_span: tuple[int, int] | None,
                       words: Lexicon | None = None) -> float | None:
    """The refund a shopper names ("I want my $39 back"); a budget is not a refund."""
    words = words or lexicon()
    if not (words.refund_context.search(text) or intent == "return_or_refund"):
        return None
    amounts = [v for v, s, e in parse_money(text, words)
               if not (budget_span and budget_span[0] <= s < budget_span[1])]
    amounts += [parse_amount(m.group(1)) for m in words.refund_bare.finditer(text)]
    return max(amounts) if amounts else None


def find_attributes(text: str, words: Lexicon | None = None) -> dict[str, str]:
    """The size and colour a message asks for ("in a medium", "in navy blue")."""
    words = words or lexicon()
    found: dict[str, str] = {}
    for pattern in words.size_patterns:
        match = pattern.search(text)
        if match:
            value = match.group(1).lower()
            found["size"] = words.size_words.get(value.replace("  ", " "), value.upper())
            break
    lowered = text.lower()
    spans = [(m.start(), m.end(), colour) for colour in words.color_phrases
             for m in re.finditer(word_pattern(colour), lowered)]
    # "navy blue" is navy, not blue: drop matches inside a longer one, keep the last mentioned.
    spans = [a for a in spans if not any(b != a and b[0] <= a[0] and a[1] <= b[1] for b in spans)]
    if spans:
        colour = max(spans)[2]
        found["color"] = words.color_aliases.get(colour, colour)
    return found


# -- sentiment and flags --------------------------------------------------------------------------
def score_sentiment(text: str, words: Lexicon | None = None) -> float:
    """Lexicon sentiment in [-1, 1]: negation flips, intensifiers and shouting amplify."""
    words = words or lexicon()
    lowered = words.cancel.sub(" ", text.lower())
    total = 0.0
    for phrase, weight in words.negative_phrases.items():
        if phrase in lowered:
            total += weight
            lowered = lowered.replace(phrase, " ")
    tokens = words.sentiment_tokens(lowered)
    for i, token in enumerate(tokens):
        weight = words.negative_words.get(token) or words.positive_words.get(token)
        if not weight:
            continue
        window = tokens[max(0, i - 3):i]
        if any(t in words.negators for t in window):
            weight = -weight * (0.8 if weight > 0 else 0.5)
        if i and tokens[i - 1] in words.intensifiers:
            weight *= 1.5
        before = " ".join(tokens[max(0, i - 2):i])
        if any(before.endswith(d) for d in words.downtoners):
            weight *= 0.5
        total += weight
    if total < 0:
        shouted = sum(1 for w in re.findall(r"\b[A-Z]{3,}\b", text) if w not in _SHOUTING_OK)
        total -= min(2.0, 0.5 * shouted)
        if text.count("!") >= 2 or "?!" in text:
            total *= 1.3
    if words.abuse.search(text):
        total = min(total, 0.0) - 4.0
    return round(total / math.sqrt(total * total + 15.0), 3)


def is_abusive(text: str, words: Lexicon | None = None) -> bool:
    return bool((words or lexicon()).abuse.search(text))


def is_dissatisfied(text: str, words: Lexicon | None = None) -> bool:
    """"That's not what I asked", "useless": the last answer missed."""
    return bool((words or lexicon()).dissatisfied.search(text))


def is_cancel_request(text: str, words: Lexicon | None = None) -> bool:
    """"Never mind", "cancel that", "it's fine now"."""
    return bool((words or lexicon()).cancel.search(text))


def detect_sensitive_topics(text: str, words: Lexicon | None = None) -> tuple[str, ...]:
    return tuple(name for name, pattern in (words or lexicon()).sensitive.items() if pattern.search(text))
