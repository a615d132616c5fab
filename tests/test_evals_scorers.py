"""Expectation scorers and the groundedness check, on turn observations shaped like real replies."""
import pytest

from assistant.evals import Scorer, TurnObservation, register_scorer
from assistant.evals.grounding import check_grounding, quantities, supports
from assistant.evals.scorers import SCORERS, normalise_expectations, score_turn, similarity

JACKET = ("Summit Rain Jacket variants, prices and stock: Black / XL (SRJ-BLK-XL): $139.00, in stock; "
          "Navy / XL (SRJ-NVY-XL): $139.00, out of stock.")


def observed(answer="", **kw) -> TurnObservation:
    return TurnObservation(user=kw.pop("user", "question"), answer=answer, **kw)


def run(expect: dict, obs: TurnObservation) -> dict[str, bool]:
    return {c.kind: c.passed for c in score_turn(normalise_expectations(expect), obs)}


def test_text_expectations_ignore_case_and_spacing():
    obs = observed("The Summit Rain Jacket in Black XL is $139.00 and   IN STOCK [1].")
    assert run({"contains": ["in stock", "$139"], "not_contains": ["out of stock"],
                "contains_any": ["sold out", "black xl"]}, obs) == {
        "contains": True, "not_contains": True, "contains_any": True}
    assert run({"contains": "30 days"}, obs) == {"contains": False}


def test_cites_matches_prefixes_alternatives_and_no_citations():
    obs = observed(citations=[{"source_id": "faq/returns-window", "title": "Returns"},
                              {"source_id": "product/alpine-40-pack#specs", "title": "Alpine"}])
    assert run({"cites": ["faq/returns", "product/alpine-40-pack"]}, obs)["cites"]
    assert run({"cites": ["policy/returns|faq/returns-window"]}, obs)["cites"]
    assert not run({"cites": ["policy/shipping"]}, obs)["cites"]
    assert not run({"cites": []}, obs)["cites"]
    assert run({"cites": []}, observed("I couldn't find that."))["cites"]


def test_state_expectations_read_intent_slots_and_focus():
    state = {"intent": "availability", "product_in_focus": "summit-rain-jacket", "order_id": "NW-482913",
             "budget": 150.0, "attributes": {"color": "Black", "size": "XL"}}
    obs = observed(state=state)
    assert run({"intent": "availability", "product_in_focus": "summit-rain-jacket",
                "slots": {"order_id": "nw-482913", "budget": 150, "attributes": {"color": "black"}}}, obs) == {
        "intent": True, "product_in_focus": True, "slots": True}
    assert run({"intent": ["product_question", "availability"]}, obs)["intent"]
    assert not run({"slots": {"attributes": {"size": "M"}}}, obs)["slots"]
    assert not run({"slots": {"email": "jo@example.com"}}, obs)["slots"]
    assert run({"slots": {"email": None}}, obs)["slots"]
    assert run({"product_in_focus": None}, observed(state={}))["product_in_focus"]


def test_handoff_false_holds_until_a_handoff_event_says_true():
    assert run({"handoff": False}, observed("answer"))["handoff"]
    assert run({"handoff": False}, observed(handoffs=[{"handoff": False, "rule": None}]))["handoff"]
    handed = observed(handoffs=[{"handoff": True, "rule": "explicit_request", "mode": "live"}])
    assert run({"handoff": True, "handoff_reason": "explicit_request"}, handed) == {"handoff": True, "handoff_reason": True}
    assert not run({"handoff": False}, handed)["handoff"]
    assert not run({"handoff_reason": ["anger", "sensitive_topic"]}, handed)["handoff_reason"]
    assert not run({"handoff_reason": "explicit_request"}, observed("no handoff"))["handoff_reason"]


def test_must_refuse_recognises_a_polite_decline():
    decline = observed("I'm sorry, I couldn't find that in our store information.")
    answer = observed("Standard shipping costs $5.95 [1].")
    assert run({"must_refuse": True}, decline)["must_refuse"] and not run({"must_refuse": True}, answer)["must_refuse"]
    assert run({"must_refuse": False}, answer)["must_refuse"]


def test_a_failed_turn_fails_every_expectation_with_the_error():
    checks = score_turn(normalise_expectations({"handoff": False, "contains": "x"}),
                        observed(error="InvalidInput: the message is empty"))
    assert [c.passed for c in checks] == [False, False] and "message is empty" in checks[0].detail


def test_unknown_or_malformed_expectations_are_named():
    with pytest.raises(ValueError, match="unknown expectation 'contain'.*known: .*contains"):
        normalise_expectations({"contain": ["x"]})
    with pytest.raises(ValueError, match="expectation 'handoff': expected true or false"):
        normalise_expectations({"handoff": "yes"})


def test_grounding_accepts_figures_from_the_evidence_and_flags_invented_ones():
    answer = "The Summit Rain Jacket in Black XL is $139.00 and in stock [1]. Express costs $14.95 [2]."
    g = check_grounding(answer, [JACKET])
    assert sorted(g.checked) == ["$139.00", "$14.95", "XL"] and g.unsupported == ["$14.95"] and g.grounded is False
    assert check_grounding("Power 1200 W, 0.90 L", ["power: 1,200 W, 120 V; capacity 0.9 L"]).grounded
    assert check_grounding("Your order NW-482913 ships soon", [], question="where is NW-482913?").grounded
    assert check_grounding("Sorry, I could not find that.", []).grounded is None
    assert [q.text for q in quantities("From $26.00-$39.00 [1][2], see [3, 4]")] == ["$26.00", "$39.00"]


def test_citation_support_needs_a_fact_in_the_cited_text():
    assert supports(JACKET, ["$139"]) and supports(JACKET, ["in stock"])
    assert not supports("Standard shipping costs $5.95.", ["$139", "30 days"])


def test_reference_similarity_is_token_f1():
    assert similarity("The pack weighs 1.4 kg [1].", "the pack weighs 1.4 kg [1]") == 1.0
    assert similarity("The pack weighs 1.4 kg", "Standard shipping costs $5.95") < 0.2
    ref = normalise_expectations({"reference": "The Alpine 40 Pack weighs 1.4 kg [1]."})
    assert ref["reference"]["min_similarity"] == 0.6


def test_a_store_can_register_its_own_scorer():
    @register_scorer
    class MentionsRewards(Scorer):
        key = "mentions_rewards"
        help = "names Trail Rewards"

        def normalise(self, value):
            return bool(value)

        def score(self, expected, obs):
            return self.check(("trail rewards" in obs.answer.lower()) == expected, expected, obs.answer)

    try:
        assert run({"mentions_rewards": True}, observed("Join Northwind Trail Rewards for points."))["mentions_rewards"]
    finally:
        SCORERS.pop("mentions_rewards")


def test_the_rubric_judge_reads_two_scores_from_a_generative_backend():
    from assistant.backends.extractive import ExtractiveBackend
    from assistant.backends.fake import FakeBackend
    from assistant.errors import InvalidInput
    from assistant.evals.judge import RubricJudge

    backend = FakeBackend().enqueue("helpfulness: 4\ngroundedness: 5", "I liked it")
    judge = RubricJudge(backend)
    obs = observed("The pack weighs 1.4 kg [1].", user="How heavy is the Alpine 40 Pack?",
                   evidence=[{"source_id": "product/alpine-40-pack#specs", "text": "weight: 1.4 kg"}])
    assert judge.rate(obs) == {"helpfulness": 4, "groundedness": 5}
    assert judge.rate(obs)["error"] == "unparseable"
    prompt = backend.history[0].messages
    assert "[1] weight: 1.4 kg" in prompt[1]["content"] and "ANSWER: The pack weighs 1.4 kg" in prompt[1]["content"]
    with pytest.raises(InvalidInput, match="cannot judge"):
        RubricJudge(ExtractiveBackend())
