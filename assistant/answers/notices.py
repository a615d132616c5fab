"""What the chat tells the shopper around a handoff, in the shopper's language.

The store words its English handoff messages in knowledge/handoff.yaml (the policy formats them);
a shopper writing another language gets the catalog's sentence for the same moment instead
(``replies.handoff_live`` / ``_queue`` / ``_ticket``), with the next opening time written the way
that language writes dates. English keeps the store's own words.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_datetime

from assistant.messages import catalog, language_code, message


def _field(decision: Any, name: str) -> Any:
    return decision.get(name) if isinstance(decision, dict) else getattr(decision, name, None)


def when(iso: str | None, lang: str | None) -> str:
    """The next opening ("2026年12月2日 09:00") in the language's short date format."""
    if not iso:
        return message("replies.handoff_soon", lang)
    try:
        return format_datetime(datetime.fromisoformat(iso), "short", locale=language_code(lang))
    except (ValueError, LookupError):
        return iso


def handoff_message(decision: Any, lang: str | None) -> str | None:
    """The shopper's notice for a new handoff: the store's (English) message, or the catalog's
    in the shopper's language; None where the policy says nothing."""
    store_words = _field(decision, "message") or None
    if language_code(lang) == "en" or not store_words:
        return store_words
    mode = _field(decision, "mode") or "live"
    return message(f"replies.handoff_{mode}", lang, wait="", next_open=when(_field(decision, "next_open"), lang))


def relay_message(lang: str | None) -> str:
    """A queued shopper's further message, added to the request."""
    return message("replies.queued_relay", lang)


def withdrawn_message(lang: str | None) -> str:
    """The shopper withdrew the request for a person."""
    return message("replies.handoff_withdrawn", lang)


def left_message_text(lang: str | None) -> str:
    """A queued request no one took in time: kept as a message (``{store}`` still to fill in)."""
    return catalog(lang, "replies").get("handoff_left_message", "")
