"""Dialogue state tracking over real turns: slots, product focus, follow-ups, feelings, failures."""
from __future__ import annotations

import pytest

from assistant.dialogue.intents import IntentClassifier
from assistant.dialogue.state import DialogueState
from assistant.dialogue.tracker import DialogueTracker
from assistant.dialogue.language import detect_language
from assistant.dialogue.signals import detect_sensitive_topics, score_sentiment
from conftest_intents import classifier, tracker  # noqa: F401  (fixtures)


def talk(tracker, messages, state=None):
    """Run messages through the tracker; return the final state and every turn's signals."""
    state = state or DialogueState()
    signals = []
    for message in messages:
        state, turn = tracker.update(state, message)
        signals.append(turn)
        state = tracker.record_outcome(state, answered=True, low_confidence=False)
    return state, signals


def test_followups_resolve_against_the_product_in_focus_over_several_turns(tracker):
    state, turns = talk(tracker, [
        "Does the Summit Rain Jacket come in blue?",
        "and in black?",
        "what about the Trail Runner 2?",
        "is it true to size?",
        "what about the other one?",
        "how much is shipping for that?",
    ])
    assert [t.is_followup for t in turns] == [False, True, True, True, True, True]
    assert turns[1].resolved_question == "Does the Summit Rain Jacket come in black?"
    assert turns[1].intent == "availability"
    assert turns[2].resolved_question == "Does the Trail Runner 2 come in black?"
    assert turns[3].resolved_question == "is Trail Runner 2 true to size?"
    assert turns[4].resolved_question == "is Summit Rain Jacket true to size?"
    assert turns[5].resolved_question == "how much is shipping for Summit Rain Jacket?"
    assert turns[5].intent == "shipping"
    assert state.product_in_focus == "summit-rain-jacket"
    assert state.attributes == {"color": "black"}
    assert state.turns == 6


def test_a_pronoun_keeps_focus_and_is_replaced_by_the_product_name(tracker):
    state, turns = talk(tracker, ["Tell me about the Basecamp 4 Tent", "does it come in green?",
                                  "is that one easy to pitch?"])
    assert state.product_in_focus == "basecamp-4-tent"
    assert turns[1].resolved_question == "does Basecamp 4 Tent come in green?"
    assert turns[2].resolved_question == "is Basecamp 4 Tent easy to pitch?"


def test_a_newly_named_product_takes_focus_and_the_other_one_switches_back(tracker):
    state, _ = talk(tracker, ["How heavy are the Canyon Hiking Boots?", "and the Trail Runner 2?"])
    assert state.product_in_focus == "trail-runner-2"
    assert state.product_candidates == ["trail-runner-2", "canyon-boots"]
    state, turns = talk(tracker, ["ok, and the other one in size 11?"], state)
    assert state.product_in_focus == "canyon-boots"
    assert state.attributes["size"] == "11"
    assert "Canyon Hiking Boots" in turns[0].resolved_question
    state, _ = talk(tracker, ["what about the other one?"], state)
    assert state.product_in_focus == "trail-runner-2"


def test_the_other_one_with_a_single_candidate_keeps_focus(tracker):
    state, _ = talk(tracker, ["Is the Summit Rain Jacket warm?", "what about the other one?"])
    assert state.product_in_focus == "summit-rain-jacket"


def test_a_photo_match_takes_focus(tracker):
    state, _ = talk(tracker, ["Is the Summit Rain Jacket warm?"])
    state, signals = tracker.update(state, "do you have this one?", matched_product_ids=["basecamp-4-tent"])
    assert state.product_in_focus == "basecamp-4-tent"
    assert signals.product_ids == ("basecamp-4-tent",)
    assert state.product_candidates[:2] == ["basecamp-4-tent", "summit-rain-jacket"]


def test_order_id_comes_from_ocr_and_typed_text_wins(tracker):
    state, signals = tracker.update(DialogueState(), "here is my confirmation screenshot",
                                    ocr_order_ids=["Order #NW 482913  Total $212.00"])
    assert state.order_id == "NW-482913"
    assert signals.order_ids == ("NW-482913",)
    state, signals = tracker.update(state, "when will it arrive?")
    assert signals.is_followup and signals.intent == "order_status"
    assert signals.resolved_question == "when will order NW-482913 arrive?"
    state, _ = tracker.update(state, "sorry, it's NW-111222", ocr_order_ids=["NW-482913"])
    assert state.order_id == "NW-111222"


def test_slots_email_sizes_colours_and_budget(tracker):
    state, signals = tracker.update(
        DialogueState(), "I need hiking boots under $150 in size 10.5, navy blue if possible - jo@example.com")
    assert state.email == "jo@example.com"
    assert state.attributes == {"size": "10.5", "color": "navy"}
    assert state.budget == 150.0
    assert signals.refund_amount is None
    state, _ = tracker.update(state, "actually do you have an XL in olive?")
    assert state.attributes == {"size": "XL", "color": "olive"}
    state, _ = tracker.update(state, "a large order of socks weighing under 2kg")
    assert state.attributes["size"] == "XL" and state.budget == 150.0


def test_refund_amount_is_read_from_refund_requests(tracker):
    _, signals = tracker.update(DialogueState(), "I want a refund of $1,250 for the tent")
    assert signals.refund_amount == 1250.0
    _, signals = tracker.update(DialogueState(), "I paid 300 dollars and want my money back")
    assert signals.refund_amount == 300.0
    _, signals = tracker.update(DialogueState(), "Is the $300 jacket waterproof?")
    assert signals.refund_amount is None


@pytest.mark.parametrize("text", ["never mind", "Nevermind, found it", "cancel that please",
                                  "it's fine now, thanks", "forget it", "scratch that"])
def test_cancel_requests_are_detected(tracker, text):
    _, signals = tracker.update(DialogueState(), text)
    assert signals.cancel_request


@pytest.mark.parametrize("text", ["cancel my order NW-123456", "Can I cancel my subscription?",
                                  "I don't mind waiting", "is the fine mesh washable?"])
def test_cancelling_an_order_is_not_a_cancel_request(tracker, text):
    _, signals = tracker.update(DialogueState(), text)
    assert not signals.cancel_request


def test_sentiment_and_abuse():
    assert score_sentiment("Thanks, that was really helpful!") > 0.5
    assert -0.5 < score_sentiment("my order is a bit late") < 0
    assert score_sentiment("This is the worst service ever, absolutely useless!!") < -0.8
    assert score_sentiment("not bad at all") > 0


def test_anger_abuse_and_dissatisfaction_flags(tracker):
    _, signals = tracker.update(DialogueState(), "you idiots lost my parcel")
    assert signals.abusive and signals.angry and signals.sentiment < -0.6
    state, _ = talk(tracker, ["How long is the warranty on the Canyon Hiking Boots?"])
    state, signals = tracker.update(state, "That's not what I asked")
    assert signals.dissatisfied and not signals.abusive
    # A dispute re-asks the previous question and keeps its intent.
    assert signals.intent == "warranty_claim"
    assert signals.resolved_question.startswith("How long is the warranty on the Canyon Hiking Boots?")
    _, signals = tracker.update(DialogueState(), "Thanks, that answers it")
    assert not (signals.dissatisfied or signals.angry)


def test_frustration_accumulates_over_turns_and_decays(tracker):
    state, _ = talk(tracker, ["My order NW-310552 is late", "still nothing, this is annoying",
                              "that's not what I asked", "seriously, this is frustrating"])
    assert state.frustration >= 4
    peak = state.frustration
    state, _ = talk(tracker, ["ok", "thanks, that's great"], state)
    assert state.frustration < peak - 2


def test_consecutive_failures_from_outcomes_and_disputes(tracker):
    state, _ = tracker.update(DialogueState(), "Does the Ridge 30 have a hip belt?")
    state = tracker.record_outcome(state, answered=False, low_confidence=False)
    assert state.consecutive_failures == 1
    state, _ = tracker.update(state, "and a rain cover?")
    state = tracker.record_outcome(state, answered=True, low_confidence=True)
    assert state.consecutive_failures == 2
    state, _ = tracker.update(state, "ok what about the Summit Rain Jacket?")
    state = tracker.record_outcome(state, answered=True, low_confidence=False)
    state, _ = tracker.update(state, "is it breathable?")
    assert state.consecutive_failures == 0      # a good answer the shopper accepted resets it
    state = tracker.record_outcome(state, answered=True, low_confidence=False)
    state, _ = tracker.update(state, "that's not what I asked, I asked about breathability")
    assert state.consecutive_failures == 1      # the shopper turned the last answer into a failure


@pytest.mark.parametrize("text, topic", [
    ("I'm going to sue you", "legal_threat"),
    ("my lawyer will contact you", "lawyer"),
    ("I'll file a chargeback", "chargeback"),
    ("the headlamp battery caught fire", "safety_issue"),
    ("my son was hurt when the pole snapped", "injury"),
    ("there's an unauthorized charge on my card", "fraud"),
])
def test_sensitive_topics(text, topic):
    assert topic in detect_sensitive_topics(text)


@pytest.mark.parametrize("text", ["Do you sell fire starters?", "I don't recall ordering this",
                                  "These boots hurt my feet a bit", "do you have court shoes?"])
def test_everyday_words_are_not_sensitive_topics(text):
    assert detect_sensitive_topics(text) == ()


def test_language_is_detected_roughly_and_kept_for_short_messages(tracker):
    assert detect_language("Hola, quiero devolver mi pedido") == "es"
    assert detect_language("Bonjour, où est ma commande ?") == "fr"
    assert detect_language("Hallo, wo ist meine Bestellung?") == "de"
    assert detect_language("Where is my order?") == "en"
    state, _ = tracker.update(DialogueState(), "¿Dónde está mi pedido NW-123456?")
    assert state.language == "es"
    state, _ = tracker.update(state, "ok")
    assert state.language == "es"


def test_update_leaves_the_input_state_alone_and_round_trips(tracker):
    before = DialogueState()
    after, _ = tracker.update(before, "Is the Summit Rain Jacket in stock in M?")
    assert before == DialogueState()
    assert DialogueState.from_dict(after.to_dict()) == after
    assert DialogueState.from_dict({**after.to_dict(), "field_from_the_future": 1}) == after


def test_a_new_numeric_size_replaces_the_old_one_in_the_follow_up(tracker):
    state, turns = talk(tracker, ["Does the Summit Rain Jacket come in size 8?", "What about brown in a 9?"])
    assert state.attributes == {"size": "9", "color": "brown"}
    assert turns[1].resolved_question == "Does the Summit Rain Jacket come in size 9 in brown?"


def test_a_budget_on_its_own_narrows_the_previous_search(tracker):
    state, turns = talk(tracker, ["I'm looking for a warm jacket", "my budget is about $150"])
    assert state.budget == 150.0
    assert turns[1].is_followup and turns[1].resolved_question == "I'm looking for a warm jacket under $150"
    assert turns[1].intent == "recommendation"


def test_a_new_budget_replaces_the_old_one_in_the_rewritten_search(tracker):
    state, turns = talk(tracker, ["I want a rain jacket cheaper than $100", "my budget is about $150"])
    assert turns[1].resolved_question == "I want a rain jacket under $150"
    assert state.budget == 150.0


def test_and_what_about_is_dropped_whole_when_a_follow_up_is_rewritten(tracker):
    _, turns = talk(tracker, ["Tell me about the Summit Rain Jacket", "and what about the price?"])
    assert turns[1].resolved_question.lower().count("what about") == 1
    assert "Summit Rain Jacket" in turns[1].resolved_question


def test_an_elliptical_follow_up_keeps_its_own_clear_intent(tracker):
    _, turns = talk(tracker, ["Tell me about the Summit Rain Jacket", "and in red?"])
    assert turns[1].intent == "availability"


def test_an_order_the_shopper_never_placed_is_a_fraud_topic():
    assert "fraud" in detect_sensitive_topics("There's an order on my account I never placed")
    assert "fraud" in detect_sensitive_topics("someone stole my card and used it here")


@pytest.mark.parametrize("messages", [
    ["¿Cuánto cuesta la Summit Rain Jacket?", "¿y cuánto pesa?"],
    ["Was kostet die Summit Rain Jacket?", "und wie schwer ist sie?"],
    ["Combien coûte la Summit Rain Jacket ?", "et elle pèse combien ?"],
])
def test_a_follow_up_in_another_language_is_written_out_in_it_not_glued_with_english(tracker, messages):
    _, turns = talk(tracker, messages)
    resolved = turns[1].resolved_question
    assert turns[1].is_followup and "Summit Rain Jacket" in resolved, resolved
    assert not {"what", "about", "in"} & set(resolved.lower().replace("?", " ").split()), resolved


class _Reading(IntentClassifier):
    """The real classifier, keeping the texts it was asked to label."""

    def __init__(self, real):
        self.__dict__.update(real.__dict__)
        self.read: list[str] = []

    def classify(self, text, *args, **kwargs):
        self.read.append(text)
        return super().classify(text, *args, **kwargs)


@pytest.mark.parametrize("message, read", [
    ("What's the price of the Keenedge 8-inch Chef's Knife?", "What's the price of the knife?"),
    ("can I return my Keenedge 8-inch chef's knife if it's dull", "can I return my knife if it's dull"),
    ("where's my O'Neill Kid's Snow-Suit order", "where's my suit order"),
])
def test_a_product_name_written_with_hyphens_and_apostrophes_reads_as_its_kind_to_the_intent_model(
        classifier, message, read):
    names = {"keenedge-knife": "Keenedge 8-inch Chef's Knife", "oneill-suit": "O'Neill Kid's Snow-Suit"}
    named = lambda text: [pid for pid, name in names.items() if name.lower() in text.lower()]  # noqa: E731
    reading = _Reading(classifier)
    DialogueTracker(reading, named, names.get).update(DialogueState(), message)
    assert reading.read[0] == read
