"""A card number typed into the chat is declined and stored nowhere: not in the transcript, the
dialogue state, any event, any table of the session database, nor the log."""
from __future__ import annotations

import logging
import re
import sqlite3

import pytest

from assistant.privacy import has_card_number, redact_card_numbers
from conftest import ask

CARD = "4111 1111 1111 1111"          # a Visa test number (passes the Luhn check)
CARD_DIGITS = CARD.replace(" ", "")


def _holds_card(value: object) -> bool:
    """The card's digits anywhere in ``value``, whatever separates them."""
    return CARD_DIGITS in re.sub(r"[\s\-.]", "", str(value))


def test_a_card_number_is_replaced_by_its_last_four_digits():
    redacted = redact_card_numbers(f"my card is {CARD}, expiry 04/29")
    assert CARD not in redacted and "ending 1111" in redacted and "expiry 04/29" in redacted
    assert "5500-0000-0000-0004" not in redact_card_numbers("card 5500-0000-0000-0004 please")


@pytest.mark.parametrize("text", [
    "Where is order NW-482913?", "call me on +1 555 123 4567", "it cost $1,249.99",
    "the tracking number is 1234 5678 9012 3456",      # 16 digits that fail the Luhn check
])
def test_numbers_that_are_not_cards_are_left_alone(text):
    assert redact_card_numbers(text) == text
    assert not has_card_number(text)


def test_the_decline_check_sees_a_card_number_and_its_redaction():
    assert has_card_number(f"charge {CARD}")
    assert has_card_number(redact_card_numbers(f"charge {CARD}"))


def test_a_typed_card_number_reaches_no_table_and_no_log(manager, caplog):
    caplog.set_level(logging.DEBUG)
    session = manager.new_session()
    ask(manager, session, "Is the Alpine 40 Pack waterproof?")
    first = ask(manager, session, f"my card is {CARD}, can you charge it for the Alpine 40 Pack?")
    ask(manager, session, "and what about the other one?")
    handed = ask(manager, session, "I want to talk to a person about my card")   # a ticket with the transcript
    assert "handoff" in handed
    assert "card" in first["answer"].lower() and not _holds_card(first["answer"])

    path = manager.settings.sessions_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert {"sessions", "events"} <= set(tables)
        rows = {table: db.execute(f'SELECT * FROM "{table}"').fetchall() for table in tables}
    assert rows["events"], "the turns were stored"
    assert any("ending 1111 removed" in str(row) for row in rows["events"])
    leaks = [(table, row) for table, found in rows.items() for row in found if any(map(_holds_card, row))]
    assert leaks == []
    assert not any(_holds_card(r.getMessage()) for r in caplog.records)
