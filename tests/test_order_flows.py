"""The order desk's flows over the demo orders, real SQLite and the real encoder: status and
tracking, items named by the shopper, cancel / change address / return / exchange as the policy
allows, confirmation before every write, and each write running once."""
from __future__ import annotations

import pytest

from assistant.orders.local import LocalOrders
from tests.orders_fixtures import Chat, desk, order_detector, order_store, catalog_products  # noqa: F401


def order(desk, order_id):
    return LocalOrders(desk.sessions).get_order(order_id)


def order_events(desk, session_id):
    return [e for e in desk.sessions.events(session_id) if e.type == "order_action"]


def test_where_is_my_order_picks_the_latest_and_says_there_are_others(desk):
    reply = Chat(desk, "C-1001").say("Where is my order?")
    assert reply.handled and "NW-483377" in reply.text
    assert "pending" in order(desk, "NW-483377").status
    assert "2 other orders" in reply.text


def test_the_tent_i_bought_resolves_to_that_order_with_tracking(desk):
    reply = Chat(desk, "C-1001").say("Where is the tent I bought?")
    tent = order(desk, "NW-483120")
    assert "NW-483120" in reply.text and "shipped" in reply.text
    assert tent.tracking[0].number in reply.text
    assert reply.state_changes["product_in_focus"] == "basecamp-2-tent"
    assert reply.citations == ["faq/order-tracking"]


def test_a_product_question_about_my_sleeping_bag_is_left_to_the_manager_with_the_product_in_focus(desk):
    reply = Chat(desk, "C-1001").say("How warm is my sleeping bag?", intent="product_question")
    assert not reply.handled
    assert reply.state_changes["product_in_focus"] == "northstar-down-sleeping-bag"


def test_cancel_is_stated_back_and_runs_only_after_yes(desk):
    chat = Chat(desk, "C-1001")
    first = chat.say("Please cancel my order")
    assert "NW-483377" in first.text and "yes or no" in first.text     # the only order not yet dispatched
    assert order(desk, "NW-483377").status == "pending"
    assert order_events(desk, chat.session_id) == []
    done = chat.say("yes please")
    assert order(desk, "NW-483377").status == "cancelled"
    assert "cancelled" in done.text
    [event] = order_events(desk, chat.session_id)
    assert event.data["action"] == "cancel" and event.data["status_before"] == "pending"
    assert done.events[0]["idempotency_key"] == event.data["idempotency_key"]


def test_no_leaves_the_order_as_it_was(desk):
    chat = Chat(desk, "C-1001")
    chat.say("I want to cancel order NW-483377")
    reply = chat.say("no, keep it")
    assert order(desk, "NW-483377").status == "pending"
    assert "haven't changed anything" in reply.text
    assert not chat.say("yes").handled          # nothing is pending any more
    assert order(desk, "NW-483377").status == "pending"
    assert order_events(desk, chat.session_id) == []


def test_a_repeated_yes_runs_the_action_once(desk):
    chat = Chat(desk, "C-1001")
    chat.say("cancel order NW-483377")
    confirm_state = dict(chat.state)            # a retried request carries the same pending action
    chat.say("yes")
    chat.state = confirm_state
    again = chat.say("yes")
    assert "already" in again.text
    assert len(order_events(desk, chat.session_id)) == 1
    assert len(desk.tables.actions(chat.session_id)) == 1


def test_a_shipped_order_cannot_be_cancelled(desk):
    chat = Chat(desk, "C-1001")
    reply = chat.say("cancel order NW-483120")
    assert "already shipped" in reply.text and "return" in reply.text
    assert chat.state["pending"] is None
    assert order(desk, "NW-483120").status == "shipped"


def test_change_address_before_dispatch_asks_for_the_address_then_confirms(desk):
    chat = Chat(desk, "C-1003")
    ask = chat.say("I need to change the shipping address on NW-483200")
    assert "new shipping address" in ask.text
    confirm = chat.say("12 Elm Road, Apt 3, Boston, MA 02118")
    assert "12 Elm Road" in confirm.text and "yes or no" in confirm.text
    chat.say("yes, go ahead")
    address = order(desk, "NW-483200").shipping_address
    assert address["zip"] == "02118" and address["city"] == "Boston" and address["address2"] == "Apt 3"


def test_change_address_after_dispatch_is_refused(desk):
    reply = Chat(desk, "C-1002").say("Please send order NW-483099 to a different address")
    assert "can no longer be re-addressed" in reply.text


def test_an_order_being_packed_can_no_longer_be_cancelled_by_the_demo_policy(desk):
    reply = Chat(desk, "C-1002").say("please cancel order NW-483051")      # processed: in fulfilment
    assert "being packed" in reply.text and reply.citations == ["faq/order-change-cancel"]
    assert order(desk, "NW-483051").status == "processed"


def test_return_of_an_unused_item_within_the_window(desk):
    chat = Chat(desk, "C-1006")
    ask = chat.say("I want to return the down vest")
    assert "unused" in ask.text and "Featherlite Down Vest" in ask.text
    confirm = chat.say("It's unused, tags still on")
    assert "NW-482888" in confirm.text and "yes or no" in confirm.text
    chat.say("yes")
    returned = order(desk, "NW-482888")
    assert returned.status == "return requested"
    assert returned.requests[-1]["items"] == ["GP3340-OLV-M"] and returned.requests[-1]["condition"] == "unused"


def test_a_damage_claim_needs_a_photo_and_keeps_it_with_the_request(desk, tmp_path):
    chat = Chat(desk, "C-1006")
    chat.say("The dry bag I bought arrived damaged, I want to return it")
    photo_ask = chat.replies[-1]
    assert "photo" in photo_ask.text
    photo = tmp_path / "torn-dry-bag.jpg"
    photo.write_bytes(b"\xff\xd8 not really a jpeg")
    confirm = chat.say("here it is", images=[str(photo)])
    assert "1 photo" in confirm.text
    chat.say("yes")
    request = order(desk, "NW-482888").requests[-1]
    assert request["condition"] == "damaged" and request["photos"] == [str(photo)]
    [event] = order_events(desk, chat.session_id)
    assert event.data["details"]["photos"] == [str(photo)]


def test_a_return_after_the_window_is_refused(desk):
    reply = Chat(desk, "C-1002").say("I'd like to return my running shoes, they're unused")
    assert "window has closed" in reply.text
    assert order(desk, "NW-481002").status == "delivered"


def test_a_used_item_cannot_be_returned(desk):
    chat = Chat(desk, "C-1006")
    chat.say("I want to return the vest")
    reply = chat.say("I've worn it on a few hikes")
    assert "can't be returned" in reply.text
    assert order(desk, "NW-482888").status == "delivered"


def test_a_return_over_the_policy_amount_goes_to_a_person(desk):
    chat = Chat(desk, "C-1001")
    chat.say("I want to return my sleeping bag")
    reply = chat.say("it's unused, still in the box")
    assert reply.handoff_reason and "over" in reply.handoff_reason
    assert order(desk, "NW-482913").status == "delivered"
    assert chat.state["pending"] is None


def test_exchange_for_another_size_in_stock(desk, catalog_products):
    chat = Chat(desk, "C-1004")
    confirm = chat.say("Can I exchange the merino crew for a large?")
    assert "L / Charcoal" in confirm.text and "yes or no" in confirm.text
    chat.say("yes")
    exchanged = order(desk, "NW-482205")
    assert exchanged.status == "exchange requested"
    wanted = exchanged.requests[-1]["wanted_sku"]
    variant = next(v for v in catalog_products["ridgeway-merino-crew"].variants if v.sku == wanted)
    assert variant.options == {"size": "L", "color": "Charcoal"} and variant.in_stock


def test_exchange_for_an_option_out_of_stock_offers_what_is_in_stock(desk, catalog_products):
    sold_out = next(v for v in catalog_products["ridgeway-merino-crew"].variants if not v.in_stock)
    chat = Chat(desk, "C-1004")
    reply = chat.say(f"I'd like to swap my merino crew for {sold_out.options['color']} "
                     f"size {sold_out.options['size']}")
    assert "out of stock" in reply.text and chat.state["pending"] is None
    in_stock = [v.label() for v in catalog_products["ridgeway-merino-crew"].variants if v.in_stock][:1]
    assert in_stock[0] in reply.text


def test_two_processes_confirming_the_same_action_at_once_run_it_once(desk, order_store):
    import threading

    from assistant.orders.flows import OrderDesk
    from assistant.storage.sessions import SessionStore

    chat = Chat(desk, "C-1001")
    chat.say("cancel order NW-483377")
    pending_state = dict(chat.state)
    other_store = SessionStore(order_store.url)          # a second app process on the same database
    other = OrderDesk(LocalOrders(other_store), other_store, policy=desk.policy, detector=desk.detector,
                      products=desk.products)
    replies, start = [], threading.Barrier(2)

    def confirm(d):
        start.wait()
        replies.append(d.handle(chat.session_id, pending_state, "yes", customer_id="C-1001"))

    threads = [threading.Thread(target=confirm, args=(d,)) for d in (desk, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(bool(r.events) for r in replies) == [False, True]
    assert len(order_events(desk, chat.session_id)) == 1
    assert order(desk, "NW-483377").status == "cancelled"


def test_an_item_named_after_another_order_moves_the_focus_to_its_order(desk):
    chat = Chat(desk, "C-1001")
    chat.say("Please cancel NW-483377")
    chat.say("yes")
    reply = chat.say("I want to return my sleeping bag")
    assert "NW-483377" not in reply.text and "Northstar Down Sleeping Bag" in reply.text
    assert chat.state["order_id"] == "NW-482913"


def test_a_stored_order_action_reads_back_in_the_transcript_and_the_reply_fold(desk):
    from assistant.reply import Reply

    chat = Chat(desk, "C-1001")
    desk.sessions.append(chat.session_id, 1, "user", {"content": "cancel NW-483377", "images": []})
    chat.say("cancel NW-483377")
    chat.say("yes")
    folded = Reply.fold(desk.sessions.events(chat.session_id))
    [ran] = folded.order_actions
    assert ran.action == "cancel" and ran.order_id == "NW-483377" and ran.status_after == "cancelled"
    assert [m["role"] for m in desk.sessions.transcript(chat.session_id)] == ["user"]
    assert desk.sessions.transcript_record(chat.session_id)["turns"][0]["user"]["text"] == "cancel NW-483377"


def test_the_status_the_shopper_names_picks_the_order_over_the_one_in_focus(desk):
    chat = Chat(desk, "C-1001")
    chat.say("Where is the tent I bought?")                     # NW-483120, shipped, now in focus
    reply = chat.say("please cancel my pending order")
    assert "NW-483377" in reply.text and "yes or no" in reply.text, reply.text
    assert chat.state["order_id"] == "NW-483377"
    refused = Chat(desk, "C-1001")
    refused.say("Where is the tent I bought?")
    kept = refused.say("cancel it")                              # "it" is the shipped one: refused, not swapped
    assert "already shipped" in kept.text and refused.state["order_id"] == "NW-483120"


@pytest.mark.parametrize("lang, yes", [("es", "sí, adelante"), ("de", "Ja, bitte"), ("fr", "oui vas-y"),
                                       ("zh", "好的"), ("ja", "はい、お願いします")])
def test_a_yes_typed_in_the_shoppers_language_confirms_the_stated_back_cancel(desk, lang, yes):
    chat = Chat(desk, "C-1001")
    chat.say("I want to cancel order NW-483377")
    done = chat.say(yes, language=lang)
    assert order(desk, "NW-483377").status == "cancelled", done.text
    assert [e.data["action"] for e in order_events(desk, chat.session_id)] == ["cancel"]


@pytest.mark.parametrize("lang, no", [("es", "no, gracias"), ("de", "nein danke"), ("fr", "non merci"),
                                      ("zh", "不用了"), ("ja", "いいえ")])
def test_a_no_typed_in_the_shoppers_language_leaves_the_order_as_it_was(desk, lang, no):
    chat = Chat(desk, "C-1001")
    chat.say("I want to cancel order NW-483377")
    reply = chat.say(no, language=lang)
    assert "haven't changed anything" in reply.text
    assert order(desk, "NW-483377").status == "pending" and order_events(desk, chat.session_id) == []


def test_the_order_examples_are_embedded_once_per_data_dir(order_detector, tmp_path):
    """A second start reads the order-action examples from the data dir instead of embedding
    them again, and reads the same actions."""
    from assistant.orders.actions import OrderActionDetector
    from assistant.settings import Settings

    settings = Settings(data_dir=tmp_path)
    first = OrderActionDetector(encoder=order_detector.encoder, settings=settings)
    cached = sorted((tmp_path / "cache" / "embeddings").glob("*.npy"))
    assert len(cached) == len(first.examples)                    # one file per example set
    stamps = [p.stat().st_mtime_ns for p in cached]
    second = OrderActionDetector(encoder=order_detector.encoder, settings=settings)
    assert [p.stat().st_mtime_ns for p in cached] == stamps      # read, not written again
    for text in ("cancel order 1042 please", "yes do it", "only if it has not shipped"):
        assert second.scores("actions", text) == pytest.approx(first.scores("actions", text), abs=1e-5)
