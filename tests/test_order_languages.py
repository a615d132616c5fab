"""The order desk in the shopper's language: every orders catalog says what English says, with
the same {fields}, and a Spanish or Chinese shopper asking for their order's status and
cancelling it hears the reply and the yes/no question in their language, with the order number
and item names as the store wrote them and the money written their way. Over the demo orders,
real SQLite, the real encoder and the real language detector."""
from __future__ import annotations

from string import Formatter

import pytest
import yaml

from assistant.answers.prices import money
from assistant.dialogue.language import detect_language
from assistant.messages import DEFAULT_DIR, message
from assistant.orders import wording as say
from assistant.orders.local import LocalOrders
from tests.orders_fixtures import Chat, desk, order_detector, order_store, catalog_products  # noqa: F401

LANGUAGES = ["es", "de", "fr", "zh", "ja"]


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def order(desk, order_id):
    return LocalOrders(desk.sessions).get_order(order_id)


def said_in(text: str, order) -> str:
    """The language the reply is written in, the store's item names left out, and English unless
    the detector is clearly surer of another."""
    return detect_language(text, previous="en", names=[i.name for i in order.items])


# -- the catalogs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_orders_catalog_has_englishs_keys_and_fields(lang):
    english = yaml.safe_load((DEFAULT_DIR / "en" / "orders.yaml").read_text(encoding="utf-8"))
    own = yaml.safe_load((DEFAULT_DIR / lang / "orders.yaml").read_text(encoding="utf-8"))
    assert set(own) == set(english), set(own) ^ set(english)
    for key, template in english.items():
        assert fields(own[key]) == fields(template), (lang, key, own[key])
    assert own["ask_yes"] != english["ask_yes"] and own["status_shipped"] != english["status_shipped"]


# -- a shopper in their language ------------------------------------------------------------------

# (language, "where is my order?", "cancel it", the short yes the lexicon reads)
SHOPPERS = [("es", "¿Dónde está mi pedido NW-483377?", "Quiero cancelar el pedido NW-483377", "sí"),
            ("zh", "我的订单 NW-483377 到哪里了？", "请帮我取消订单 NW-483377", "好的")]


@pytest.mark.parametrize("lang, where, cancel, yes", SHOPPERS)
def test_a_verified_shopper_hears_status_cancel_and_its_question_in_their_language(desk, lang, where, cancel, yes):
    chat = Chat(desk, "C-1001")                  # signed in: the order is theirs
    pending = order(desk, "NW-483377")
    status = chat.say(where, language=lang)
    assert status.handled and "NW-483377" in status.text
    assert all(item.name in status.text for item in pending.items), status.text
    assert said_in(status.text, pending) == lang, status.text
    assert "placed on" not in status.text

    asked = chat.say(cancel, language=lang)
    assert chat.state["pending"]["action"] == "cancel", asked.text
    assert asked.text.endswith(message("orders.ask_yes", lang)), asked.text
    assert "yes or no" not in asked.text
    assert money(pending.total, pending.currency, lang) in asked.text      # "291,00 US$" / "US$291.00"
    assert all(item.name in asked.text for item in pending.items) and "NW-483377" in asked.text
    assert said_in(asked.text, pending) == lang, asked.text
    assert order(desk, "NW-483377").status == "pending"                   # nothing before the yes

    done = chat.say(yes, language=lang)
    assert order(desk, "NW-483377").status == "cancelled", done.text
    assert "NW-483377" in done.text and "Done" not in done.text
    assert said_in(done.text, pending) == lang, done.text


def test_a_language_without_an_orders_catalog_gets_english_with_english_money(desk):
    chat = Chat(desk, "C-1001")
    pending = order(desk, "NW-483377")
    asked = chat.say("I want to cancel order NW-483377", language="it")
    assert asked.text.endswith("Shall I go ahead? Please answer yes or no.")
    assert f"${pending.total:,.2f}" in asked.text


def test_the_answer_to_a_question_asked_in_spanish_stays_spanish_whatever_the_yes_reads_as(desk):
    """A stated-back write remembers the language it was asked in: a bare "ok" the conversation
    reads as English still gets the Spanish "done"."""
    chat = Chat(desk, "C-1001")
    chat.say("Quiero cancelar el pedido NW-483377", language="es")
    done = chat.say("ok", language="en")
    assert order(desk, "NW-483377").status == "cancelled", done.text
    assert done.text == message("orders.done_cancel", "es", order_id="NW-483377")



def test_a_no_to_a_question_asked_in_chinese_keeps_the_order_and_says_so_in_chinese(desk):
    chat = Chat(desk, "C-1001")
    chat.say("请帮我取消订单 NW-483377", language="zh")
    reply = chat.say("不用了", language="zh")
    assert order(desk, "NW-483377").status == "pending" and chat.state["pending"] is None
    assert reply.text == message("orders.kept_as_is", "zh", order_id="NW-483377")


def test_the_stores_own_catalog_rewords_the_desk(desk, tmp_path):
    """A store that copies orders.yaml into its prompts folder and rewords a sentence is heard;
    the sentences it did not copy still come from the packaged catalog, in the shopper's language."""
    folder = tmp_path / "messages" / "es"
    folder.mkdir(parents=True)
    (folder / "orders.yaml").write_text('ask_yes: "¿Lo cancelo? Conteste sí o no, por favor."\n',
                                        encoding="utf-8")
    desk.messages_dir = tmp_path / "messages"
    asked = Chat(desk, "C-1001").say("Quiero cancelar el pedido NW-483377", language="es")
    assert asked.text.endswith("¿Lo cancelo? Conteste sí o no, por favor."), asked.text
    assert asked.text.startswith(say.confirm_cancel(order(desk, "NW-483377"), language="es")), asked.text


# -- through whole turns ----------------------------------------------------------------------------

def test_a_chinese_shopper_talks_to_the_desk_through_the_conversation(manager):
    """ConversationManager.respond: the conversation reads the shopper's Chinese and the desk
    answers in it, and the yes it asked for runs the cancel."""
    from assistant.conversation import Turn
    from assistant.reply import Reply

    def turn(text):
        return Reply.fold(manager.respond("conv-zh-orders", Turn(text=text, customer_id="C-1001")))

    status = turn("我的订单 NW-483377 到哪里了？")
    assert "NW-483377" in status.answer and said_in(status.answer, order(manager.orders, "NW-483377")) == "zh"
    asked = turn("请帮我取消订单 NW-483377")
    assert asked.answer.endswith(message("orders.ask_yes", "zh")), asked.answer
    done = turn("好的")
    assert order(manager.orders, "NW-483377").status == "cancelled", done.answer
    assert "NW-483377" in done.answer and said_in(done.answer, order(manager.orders, "NW-483377")) == "zh"
