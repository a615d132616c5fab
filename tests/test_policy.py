"""The store's handoff policy: each rule firing and not, routing by hours and agents, cooldown,
and validation errors that name the file and field."""
from __future__ import annotations

from datetime import datetime

import pytest

from assistant.handoff.policy import RULE_ORDER, HandoffContext, HandoffPolicy, HandoffPolicyError
from assistant.dialogue.state import DialogueState
from assistant.dialogue.tracker import TurnSignals
from conftest_intents import (POLICY_PATH, STORE_TZ, WEDNESDAY_2PM, classifier, policy,  # noqa: F401
                              tracker, write_policy)

OPEN = HandoffContext(now=WEDNESDAY_2PM, agents_online=2)


def decide(policy, tracker, text, state=None, context=OPEN):
    state, signals = tracker.update(state or DialogueState(), text)
    return policy.decide(state, signals, context), state


def test_the_shipped_policy_loads_and_documents_its_rule_order(policy):
    assert policy.config.repeated_failure.consecutive_failures == 2
    assert policy.config.business_hours.enabled
    text = POLICY_PATH.read_text(encoding="utf-8")
    positions = [text.index(f"{rule} ") for rule in RULE_ORDER]
    assert positions == sorted(positions), "rule order in the file's comments matches the code"


def test_a_polite_question_is_not_handed_off(policy, tracker):
    decision, _ = decide(policy, tracker, "Is the Summit Rain Jacket waterproof? Thanks!")
    assert not decision.handoff and decision.rule is None
    assert decision.reason == "no handoff rule fired"


def test_explicit_request_fires_and_a_negated_one_does_not(policy, tracker):
    decision, _ = decide(policy, tracker, "Can I talk to a real person please?")
    assert decision.handoff and decision.rule == "explicit_request" and decision.mode == "live"
    assert "team" in decision.message
    decision, _ = decide(policy, tracker, "No need for a human, just tell me the return window")
    assert not decision.handoff


def test_explicit_request_wins_over_later_rules(policy, tracker):
    decision, _ = decide(policy, tracker, "I'm calling my lawyer, put me through to a manager now")
    assert decision.rule == "explicit_request"


@pytest.mark.parametrize("text, topic", [
    ("I will take you to small claims court over this", "legal_threat"),
    ("I'm going to file a chargeback with my bank", "chargeback"),
    ("The headlamp overheated and burned my hand", "safety_issue"),
    ("There are purchases on my account I never made, this is fraud", "fraud"),
])
def test_sensitive_topics_hand_off(policy, tracker, text, topic):
    decision, _ = decide(policy, tracker, text)
    assert decision.handoff and decision.rule == "sensitive_topic"
    assert topic in decision.topics and topic in decision.reason


def test_a_topic_the_store_removed_does_not_hand_off(tmp_path, tracker):
    custom = HandoffPolicy.load(write_policy(tmp_path, "sensitive_topic:\n  topics: [lawyer]\n"))
    decision, _ = decide(custom, tracker, "I'm going to file a chargeback with my bank")
    assert not decision.handoff
    decision, _ = decide(custom, tracker, "my attorney will hear about this")
    assert decision.rule == "sensitive_topic"


def test_anger_fires_on_one_furious_message_or_on_abuse(policy, tracker):
    decision, _ = decide(policy, tracker, "This is absolutely ridiculous, worst service ever!!")
    assert decision.rule == "anger" and "sentiment" in decision.reason
    decision, _ = decide(policy, tracker, "you morons lost my parcel")
    assert decision.rule == "anger" and decision.reason == "abusive language"
    decision, _ = decide(policy, tracker, "I'm a little disappointed it arrived late")
    assert not decision.handoff


def test_anger_fires_when_frustration_builds_over_turns(policy, tracker):
    state = DialogueState()
    rules = []
    for text in ["Where is my order NW-310552?", "It's still not here, this is annoying",
                 "That's not what I asked", "Seriously, nobody gives me a straight answer",
                 "I'm losing my patience with this"]:
        state, signals = tracker.update(state, text)
        rules.append(policy.decide(state, signals, OPEN).rule)
        state = tracker.record_outcome(state, answered=True, low_confidence=False)
    assert rules[:4] == [None, None, None, None]
    assert rules[4] == "anger"


def test_refund_over_the_amount(policy, tracker):
    decision, _ = decide(policy, tracker, "I want a refund of $450 for the Basecamp tent")
    assert decision.rule == "refund_over_amount" and "450" in decision.reason
    decision, _ = decide(policy, tracker, "Please refund the $35 I paid for the socks")
    assert not decision.handoff


def test_vip_customers_go_to_a_person_on_the_listed_intents(policy, tracker):
    vip = HandoffContext(now=WEDNESDAY_2PM, agents_online=2, customer_is_vip=True)
    decision, _ = decide(policy, tracker, "How do I send back the boots I bought?", context=vip)
    assert decision.rule == "vip_customer"
    decision, _ = decide(policy, tracker, "Is the parka machine washable?", context=vip)
    assert not decision.handoff
    decision, _ = decide(policy, tracker, "How do I send back the boots I bought?")
    assert not decision.handoff


def test_an_unhappy_vip_goes_to_a_person_whatever_the_topic(policy, tracker):
    vip = HandoffContext(now=WEDNESDAY_2PM, agents_online=2, customer_is_vip=True)
    decision, _ = decide(policy, tracker, "Shipping to Oregon is slow, not great", context=vip)
    assert decision.rule == "vip_customer" and "unhappy" in decision.reason
    assert not decide(policy, tracker, "How much is shipping to Oregon?", context=vip)[0].handoff


def test_vip_customer_ids_listed_in_the_file(tmp_path, tracker):
    custom = HandoffPolicy.load(write_policy(
        tmp_path, "vip_customer:\n  use_session_flag: false\n  customer_ids: [C-1001]\n  intents: []\n"))
    listed = {"now": WEDNESDAY_2PM, "customer_id": "C-1001"}
    decision, _ = decide(custom, tracker, "Is the parka machine washable?", context=listed)
    assert decision.rule == "vip_customer"
    flagged = {"now": WEDNESDAY_2PM, "customer_id": "C-2", "customer_is_vip": True}
    assert not decide(custom, tracker, "Is the parka machine washable?", context=flagged)[0].handoff


def test_repeated_failure_fires_at_the_configured_count(policy, tracker):
    state = DialogueState()
    state, signals = tracker.update(state, "Does the Ridge 30 have a hydration sleeve?")
    state = tracker.record_outcome(state, answered=False, low_confidence=False)
    state, signals = tracker.update(state, "does it come with a rain cover?")
    assert not policy.decide(state, signals, OPEN).handoff          # one failure so far
    state = tracker.record_outcome(state, answered=True, low_confidence=True)
    # The manager asks again after its grounding check found the answer weak.
    decision = policy.decide(state, signals, OPEN)
    assert decision.rule == "repeated_failure" and "2 consecutive" in decision.reason


def test_low_confidence_retrieval_or_answer(policy, tracker):
    weak = HandoffContext(now=WEDNESDAY_2PM, agents_online=2, retrieval_score=0.1)
    decision, _ = decide(policy, tracker, "Is the Cirrus bag treated with PFAS?", context=weak)
    assert decision.rule == "low_confidence" and "0.10" in decision.reason
    strong = HandoffContext(now=WEDNESDAY_2PM, agents_online=2, retrieval_score=0.8)
    assert not decide(policy, tracker, "Is the Cirrus bag treated with PFAS?", context=strong)[0].handoff
    assert not decide(policy, tracker, "hello!", context=weak)[0].handoff     # greetings need no evidence
    ungrounded = HandoffContext(now=WEDNESDAY_2PM, agents_online=2, answer_low_confidence=True)
    decision, _ = decide(policy, tracker, "What's the fill power of the parka?", context=ungrounded)
    assert decision.rule == "low_confidence" and "grounding" in decision.reason


def test_outside_business_hours_takes_a_message_and_says_when_a_person_replies(policy, tracker):
    evening = HandoffContext(now=datetime(2026, 3, 11, 19, 30, tzinfo=STORE_TZ), agents_online=0)
    decision, _ = decide(policy, tracker, "I want to speak to a person", context=evening)
    assert decision.handoff and decision.mode == "ticket" and decision.routed_by == "business_hours"
    assert "tomorrow at 9:00 AM EDT" in decision.message
    assert decision.next_open == "2026-03-12T09:00:00-04:00"
    saturday = HandoffContext(now=datetime(2026, 3, 14, 15, 0, tzinfo=STORE_TZ))
    assert "on Monday 16 March at 9:00 AM EDT" in decide(policy, tracker, "human please", context=saturday)[0].message


def test_a_holiday_is_closed_all_day(policy, tracker):
    christmas_noon = datetime(2025, 12, 25, 12, 0, tzinfo=STORE_TZ)
    assert not policy.is_open(christmas_noon)
    decision, _ = decide(policy, tracker, "agent please", context={"now": christmas_noon, "agents_online": 3})
    assert decision.mode == "ticket" and "tomorrow at 9:00 AM EST" in decision.message
    assert policy.is_open(datetime(2025, 12, 26, 12, 0, tzinfo=STORE_TZ))


def test_times_in_other_zones_and_naive_times(policy):
    assert policy.is_open(datetime.fromisoformat("2026-03-11T18:00:00+00:00"))   # 2 PM in New York
    assert not policy.is_open(datetime.fromisoformat("2026-03-11T23:30:00+00:00"))
    assert policy.is_open(datetime(2026, 3, 11, 10, 0))                        # naive = store time
    assert policy.describe_opening(policy.next_opening(WEDNESDAY_2PM), WEDNESDAY_2PM) == "today at 2:00 PM EDT"


def test_no_agent_online_queues_with_an_honest_message(policy, tracker):
    busy = HandoffContext(now=WEDNESDAY_2PM, agents_online=0, estimated_wait_minutes=12)
    decision, _ = decide(policy, tracker, "let me talk to someone", context=busy)
    assert decision.mode == "queue" and decision.routed_by == "agents_online"
    assert "queue" in decision.message and "about 12 minutes" in decision.message
    no_estimate = HandoffContext(now=WEDNESDAY_2PM, agents_online=0)
    assert "{wait}" not in decide(policy, tracker, "let me talk to someone", context=no_estimate)[0].message


def test_a_conversation_an_agent_owns_goes_to_the_agent(policy, tracker):
    owned = DialogueState(owner="agent", turns=4)
    decision, _ = decide(policy, tracker, "thanks, and does it come in blue?", state=owned)
    assert decision.handoff and decision.rule == "agent_owns" and decision.mode == "live"


def test_a_queued_shopper_can_withdraw(policy, tracker):
    queued = DialogueState(owner="queued", turns=2)
    decision, _ = decide(policy, tracker, "never mind, it's fine now", state=queued)
    assert not decision.handoff and decision.release
    assert policy.record_handoff(queued, decision).owner == "bot"
    decision, _ = decide(policy, tracker, "still waiting?", state=queued)
    assert decision.rule == "agent_owns" and decision.mode == "queue"


def test_a_resolved_conversation_needs_a_fresh_trigger(policy, tracker):
    state, signals = tracker.update(DialogueState(), "I'm going to file a chargeback")
    decision = policy.decide(state, signals, OPEN)
    state = policy.record_handoff(state, decision)
    assert state.owner == "queued" and state.handled_topics == ["chargeback"]
    state.owner = "agent"
    state.frustration, state.consecutive_failures = 5, 3
    state = policy.record_handback(state)          # the agent resolved it
    assert (state.owner, state.frustration, state.consecutive_failures) == ("bot", 0, 0)
    # Mentioning the handled topic again, or being a VIP, does not bounce it straight back ...
    state, signals = tracker.update(state, "thanks, so the chargeback is cancelled then?")
    assert not policy.decide(state, signals, OPEN).handoff
    vip = HandoffContext(now=WEDNESDAY_2PM, customer_is_vip=True)
    state, signals = tracker.update(state, "and how do I return the tent?")
    assert not policy.decide(state, signals, vip).handoff
    # ... but a fresh trigger does.
    _, signals = tracker.update(state, "my lawyer says otherwise")
    assert policy.decide(state, signals, OPEN).rule == "sensitive_topic"
    _, signals = tracker.update(state, "can I talk to the agent again?")
    assert policy.decide(state, signals, OPEN).rule == "explicit_request"
    # After the cooldown the topic counts again.
    state.turns += policy.config.cooldown.turns + 1
    _, signals = tracker.update(state, "I will file a chargeback after all")
    assert policy.decide(state, signals, OPEN).rule == "sensitive_topic"


def test_disabled_rules_do_not_fire(tmp_path, tracker):
    custom = HandoffPolicy.load(write_policy(tmp_path, "explicit_request: {enabled: false}\n"
                                                       "anger: {enabled: false}\n"))
    assert not decide(custom, tracker, "talk to a human")[0].handoff
    assert not decide(custom, tracker, "you idiots")[0].handoff


def test_decisions_serialise(policy, tracker):
    decision, _ = decide(policy, tracker, "human please")
    data = decision.to_dict()
    assert data["rule"] == "explicit_request" and data["mode"] == "live" and data["reason"]


@pytest.mark.parametrize("body, expected", [
    ("anger:\n  sentimnt_below: -0.5\n", "field 'anger.sentimnt_below': Extra inputs are not permitted"),
    ("anger:\n  sentiment_below: 0.5\n", "field 'anger.sentiment_below'"),
    ("repeated_failure:\n  consecutive_failures: 0\n", "field 'repeated_failure.consecutive_failures'"),
    ("refund_over_amount:\n  amount: -5\n", "field 'refund_over_amount.amount'"),
    ("sensitive_topic:\n  topics: [legal_threat, bad_vibes]\n", "field 'sensitive_topic.topics.1'"),
    ("vip_customer:\n  intents: [shopping]\n", "field 'vip_customer.intents.0'"),
    ("business_hours:\n  timezone: Mars/Olympus\n", "unknown timezone 'Mars/Olympus'"),
    ("business_hours:\n  weekly:\n    mon: ['18:00-09:00']\n", "field 'business_hours.weekly.mon'"),
    ("business_hours:\n  weekly:\n    monday: ['09:00-17:00']\n", "field 'business_hours.weekly.monday'"),
    ("business_hours:\n  holidays: [someday]\n", "field 'business_hours.holidays.0'"),
    ("messages:\n  ticket: 'back {when}'\n", "field 'messages.ticket'"),
    ("lunch_break: true\n", "field 'lunch_break'"),
])
def test_policy_file_errors_name_the_file_and_field(tmp_path, body, expected):
    path = write_policy(tmp_path, body)
    with pytest.raises(HandoffPolicyError) as error:
        HandoffPolicy.load(path)
    assert str(path) in str(error.value)
    assert expected in str(error.value)


def test_missing_or_broken_policy_files(tmp_path):
    with pytest.raises(HandoffPolicyError, match="not found"):
        HandoffPolicy.load(tmp_path / "nope.yaml")
    with pytest.raises(HandoffPolicyError, match="not valid YAML"):
        HandoffPolicy.load(write_policy(tmp_path, "anger: [unclosed\n"))
    with pytest.raises(HandoffPolicyError, match="expected a mapping"):
        HandoffPolicy.load(write_policy(tmp_path, "- just a list\n"))


def test_turn_signals_can_be_built_by_hand_for_agent_tools(policy):
    signals = TurnSignals(intent="complaint", confidence=0.9, sentiment=-0.9)
    decision = policy.decide(DialogueState(turns=1), signals, OPEN)
    assert decision.rule == "anger"
