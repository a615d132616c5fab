"""Who may hear about an order: a shopper proves an order with its number and the email or zip
it was placed with; misses lock out across conversations and processes; another customer's
order is refused without a word about it; identities are masked in logs."""
from __future__ import annotations

import logging

from assistant.orders.local import LocalOrders
from assistant.orders.verification import mask, mask_text
from assistant.storage.sessions import SessionStore
from tests.orders_fixtures import Chat, desk, order_detector, order_store, catalog_products  # noqa: F401


def secrets_of(desk, order_id):
    """Words only the owner may hear: item names, tracking numbers, street and city."""
    o = LocalOrders(desk.sessions).get_order(order_id)
    return ([i.name for i in o.items] + [t.number for t in o.tracking]
            + [o.shipping_address["address1"], o.shipping_address["city"]])


def test_nothing_about_an_order_before_the_shopper_proves_it(desk):
    chat = Chat(desk)
    ask = chat.say("Where is my order NW-482913?")
    assert "email" in ask.text and "zip" in ask.text
    assert not any(s in ask.text for s in secrets_of(desk, "NW-482913"))
    wrong = chat.say("it was placed with someone@example.com")
    assert "don't match" in wrong.text
    assert not any(s in wrong.text for s in secrets_of(desk, "NW-482913"))
    right = chat.say("sorry, the zip is 43215")
    assert "Northstar Down Sleeping Bag" in right.text and "delivered" in right.text
    assert right.state["proven_orders"] == ["NW-482913"]


def test_the_email_proves_it_too_and_a_proven_order_opens_only_itself(desk):
    chat = Chat(desk)
    chat.say("order NW-483120, my email is Maya.Chen@example.com")
    assert "NW-483120" in chat.replies[-1].text and "shipped" in chat.replies[-1].text
    other = chat.say("and where is NW-483377?")        # the same customer's other order: not proven here
    assert "email" in other.text
    assert not any(s in other.text for s in secrets_of(desk, "NW-483377")[:2])


def test_an_unknown_order_and_a_wrong_email_read_the_same(desk):
    unknown, wrong = Chat(desk), Chat(desk)
    unknown.say("where is NW-999999?")
    wrong.say("where is NW-482913?")
    a = unknown.say("maya.chen@example.com").text.replace("NW-999999", "#")
    b = wrong.say("liam.murphy@example.com").text.replace("NW-482913", "#")
    assert a == b


def test_misses_lock_the_conversation_and_the_order_number_across_processes(desk, order_store):
    limit = desk.policy.config.verification.max_attempts
    chat = Chat(desk)
    chat.say("Where is order NW-482913?")
    for n in range(limit):
        reply = chat.say(f"zip {10000 + n}")
    assert "unsuccessful attempts" in reply.text
    # the right zip is refused while locked
    assert "Northstar" not in chat.say("where is NW-482913? zip 43215").text
    # a new conversation on the same order number, through another store instance (another process)
    again = SessionStore(order_store.url)
    from assistant.orders.flows import OrderDesk

    other = OrderDesk(LocalOrders(again), again, policy=desk.policy, detector=desk.detector, products=desk.products)
    fresh = Chat(other)
    blocked = fresh.say("where is NW-482913? my zip is 43215")
    assert "unsuccessful attempts" in blocked.text and "Northstar" not in blocked.text
    # other orders are not locked for a new conversation
    assert "Alpine 40 Pack" in Chat(other).say("where is NW-483290? zip 60614").text


def test_a_customer_never_learns_about_another_customers_order(desk):
    chat = Chat(desk, "C-1002")                       # Daniel asks about Maya's order
    for text in ("Where is order NW-482913?", "cancel NW-482913", "I want to return NW-482913"):
        reply = chat.say(text)
        assert "can't find order NW-482913 on your account" in reply.text
        assert not any(s in reply.text for s in secrets_of(desk, "NW-482913"))
    assert LocalOrders(desk.sessions).get_order("NW-482913").status == "delivered"
    assert chat.state["pending"] is None


def test_identities_and_addresses_are_masked_in_logs(desk, caplog):
    assert mask("maya.chen@example.com") == "m***@e***.com"
    assert mask("Maya Chen") == "M*** C***"
    assert mask({"address1": "418 Oak Street", "zip": "43215"}) == {"address1": "*18 O*** S***", "zip": "***15"}
    assert "maya.chen" not in mask_text("mail maya.chen@example.com, zip 43215") and "43215" not in mask_text("zip 43215")
    with caplog.at_level(logging.INFO, logger="assistant.orders"):
        chat = Chat(desk)
        chat.say("where is NW-482913? my email is maya.chen@example.com")
        chat.say("cancel NW-483377")
    assert caplog.records
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "maya.chen@example.com" not in logged and "43215" not in logged


def test_a_lockout_ends_after_its_time_and_misses_outside_the_window_do_not_add_up(desk):
    rule = desk.policy.config.verification
    verifier, t0 = desk.verifier, 1_000_000.0
    for n in range(rule.max_attempts - 1):                    # spread over more than the window
        proof = verifier.prove("s-1", "NW-482913", zip_code=f"1000{n}", now=t0 + n * (rule.window_minutes * 60 + 1))
        assert proof.reason == "mismatch" and proof.misses == 1
    for n in range(rule.max_attempts):                        # then all within the window
        proof = verifier.prove("s-2", "NW-483120", zip_code=f"2000{n}", now=t0 + n)
    assert proof.reason == "locked"
    still = t0 + rule.max_attempts + rule.lockout_minutes * 60 - 5
    assert verifier.prove("s-3", "NW-483120", zip_code="43215", now=still).reason == "locked"
    later = t0 + rule.max_attempts + rule.lockout_minutes * 60 + 5
    assert verifier.prove("s-3", "NW-483120", zip_code="43215", now=later).ok
