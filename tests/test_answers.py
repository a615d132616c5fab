"""Whole turns through the conversation manager with the extractive backend (the default)."""
import pytest

from assistant.errors import InvalidInput
from assistant.sessions import SessionStore
from tests.conftest import ask


def cited(result) -> list[str]:
    return [c["source_id"] for c in result["citations"]["citations"]]


def test_spec_question_returns_the_value_with_the_product_name(manager):
    result = ask(manager, "s1", "How heavy is the Alpine 40 Pack?")
    assert "1.4 kg" in result["answer"] and "Alpine 40 Pack" in result["answer"]
    assert "product/alpine-40-pack#specs" in cited(result)


def test_variant_question_gives_that_variants_price_and_stock(manager):
    result = ask(manager, "s2", "Is the Summit Rain Jacket in black XL in stock?")
    assert "$139.00" in result["answer"]
    assert "in stock" in result["answer"] and "out of stock" not in result["answer"]
    assert any(s.startswith("product/summit-rain-jacket") for s in cited(result))


def test_out_of_stock_variant_is_reported(manager):
    result = ask(manager, "s3", "Do you have the Trailblazer Running Shoe in blue, size 9?")
    assert "out of stock" in result["answer"].lower()


def test_follow_up_resolves_to_the_product_in_focus(manager):
    ask(manager, "s4", "Tell me about the Summit Rain Jacket")
    result = ask(manager, "s4", "and in red?")
    assert "Summit Rain Jacket" in result["answer"] and "Red" in result["answer"]
    assert result["state"]["state"]["product_in_focus"] == "summit-rain-jacket"


def test_policy_question_returns_the_faq_answer(manager):
    result = ask(manager, "s5", "How long do I have to return running shoes?")
    assert "30 days" in result["answer"]
    assert any(s.startswith("faq/returns") for s in cited(result))


def test_do_you_have_lists_matching_products_with_prices(manager):
    result = ask(manager, "s6", "Do you have any backpacks?")
    lines = [line for line in result["answer"].splitlines() if line.startswith("- ")]
    assert len(lines) >= 2 and all("$" in line for line in lines)
    assert "Alpine 40 Pack" in result["answer"]


def test_out_of_scope_question_is_politely_refused(manager):
    result = ask(manager, "s7", "Who won the football world cup in 1966?")
    assert "only help with questions about Northwind Outfitters" in result["answer"]
    assert cited(result) == []


def test_weak_evidence_says_so_and_offers_a_person():
    from assistant.backends import AnswerRequest
    from assistant.backends.extractive import ExtractiveBackend
    from assistant.evidence import Evidence

    weak = [Evidence("faq/gift-cards", "Gift cards", "Q: ...\nA: Gift cards never expire.", "faq", score=0.12)]
    answer = ExtractiveBackend().answer(AnswerRequest(question="do you repair bicycles?", evidence=weak))
    assert "couldn't find" in answer and "team" in answer


def test_every_answer_has_citations_with_titles(manager):
    result = ask(manager, "s8", "What payment methods do you accept?")
    citations = result["citations"]["citations"]
    assert citations and all(c["title"] and c["source_id"] for c in citations)


def test_history_is_kept_in_sqlite_across_processes(manager):
    ask(manager, "s9", "How heavy is the Alpine 40 Pack?")
    ask(manager, "s9", "what colours does it come in?")
    reopened = SessionStore(manager.settings.sessions_url)
    transcript = reopened.transcript("s9")
    assert [m["role"] for m in transcript] == ["user", "assistant", "user", "assistant"]
    assert "1.4 kg" in transcript[1]["content"]
    assert reopened.load_state("s9").product_in_focus == "alpine-40-pack"


def test_images_are_stored_with_the_turn(manager):
    from assistant.settings import PROJECT_ROOT

    photo = (PROJECT_ROOT / "knowledge" / "images" / "alpine-40-pack.png").read_bytes()
    ask(manager, "s10", "is this yours?", images=[photo])
    user = manager.sessions.transcript("s10")[0]
    assert len(user["images"]) == 1


def test_limits_are_named_and_nothing_is_stored(manager):
    with pytest.raises(InvalidInput) as err:
        list(manager.respond("s11", __import__("assistant.conversation", fromlist=["Turn"]).Turn(text="x" * 5000)))
    assert err.value.limit == "max_message_chars"
    assert not manager.sessions.exists("s11")
