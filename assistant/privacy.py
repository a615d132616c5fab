"""Payment card numbers in the chat: found, declined and never stored.

A shopper may type a card number into the chat ("my card is 4111 1111 1111 1111"). The
conversation manager redacts it where the text enters (before anything stores, tracks or logs
it); the extractive backend declines to take it, whether it sees the number itself or the
redaction left in its place.
"""
from __future__ import annotations

import re

CARD_NUMBER = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
REDACTED = "[card number ending {last4} removed]"
_REDACTED_RE = re.compile(r"\[card number ending \d{4} removed\]")


def luhn(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def is_card_number(candidate: str) -> bool:
    """A run of 13-19 digits (spaces or dashes allowed) that passes the Luhn check."""
    digits = re.sub(r"\D", "", candidate)
    return 13 <= len(digits) <= 19 and luhn(digits)


def has_card_number(text: str) -> bool:
    """Does the shopper's text hold a card number, or the redaction that replaced one?"""
    return bool(_REDACTED_RE.search(text)) or any(is_card_number(m.group(0))
                                                   for m in CARD_NUMBER.finditer(text))


def redact_card_numbers(text: str) -> str:
    """Replace payment card numbers, keeping the last four digits so the shopper can be told which."""
    def hide(match: re.Match) -> str:
        found = match.group(0)
        last4 = re.sub(r"\D", "", found)[-4:]
        return REDACTED.format(last4=last4) if is_card_number(found) else found
    return CARD_NUMBER.sub(hide, text or "")
