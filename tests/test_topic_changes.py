"""Changing the subject: a new kind of product or a policy question is not answered about the
product in focus; "it", "and in red?" still are (demo store and the eShop catalog)."""
from __future__ import annotations

import pytest

from tests.conftest import ask


def test_asking_for_another_kind_of_product_drops_the_jacket(manager):
    ask(manager, "t1", "Tell me about the Summit Rain Jacket.")
    kayaks = ask(manager, "t1", "do you sell kayaks?")
    assert "kayak" in kayaks["answer"].lower() and "Summit" not in kayaks["answer"]
    assert kayaks["state"]["state"]["product_in_focus"] is None
    tents = ask(manager, "t1", "do you have tents?")
    assert "Tent" in tents["answer"] and "Summit" not in tents["answer"]


def test_a_policy_question_is_answered_as_policy_and_the_product_stays_for_later(manager):
    ask(manager, "t2", "I'm interested in the Summit Rain Jacket.")
    shipping = ask(manager, "t2", "How long does shipping take?")
    assert "business days" in shipping["answer"] and "Summit" not in shipping["answer"]
    weight = ask(manager, "t2", "what's its weight?")
    assert "380 g" in weight["answer"]


@pytest.mark.parametrize("opener", ["Tell me about the Alpine 40 Pack.", "I'm interested in the Alpine 40 Pack.",
                                    "Do you have the Alpine 40 Pack?"])
def test_follow_ups_after_an_opener_resolve_to_the_product(manager, opener):
    session = f"t3-{opener[:12]}"
    ask(manager, session, opener)
    assert "1.4 kg" in ask(manager, session, "what's its weight?")["answer"]
    assert "$149.00" in ask(manager, session, "how much is it?")["answer"]


def test_a_single_product_listed_takes_the_focus(manager):
    ask(manager, "t4", "Tell me about the Summit Rain Jacket.")
    listed = ask(manager, "t4", "do you have tents?")
    if listed["state"]["state"]["product_in_focus"] is None:
        pytest.skip("several tents listed: the shopper must say which")
    price = ask(manager, "t4", "how much is it?")
    assert listed["state"]["state"]["product_in_focus"] == price["state"]["state"]["product_in_focus"]
    assert "$" in price["answer"] and "shipping" not in price["answer"].lower()
