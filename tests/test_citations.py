"""Citations in generated answers: mapped to the evidence the model was shown, or flagged."""
from assistant.answers.citations import cited_numbers, parse_citations
from assistant.knowledge.evidence import Evidence

EVIDENCE = [
    Evidence("product/alpine-40-pack#specs", "Alpine 40 Pack", "Weight 1.4 kg.", "specs"),
    Evidence("faq/returns-window", "How long do I have to return an item?", "30 days.", "faq"),
    Evidence("policy/shipping#zones", "Shipping zones", "EU 3-5 days.", "policy"),
]


def test_each_cited_number_maps_to_the_source_shown_under_that_number():
    check = parse_citations("It weighs 1.4 kg [1] and you can return it within 30 days [2].", EVIDENCE)
    assert [(c.number, c.source_id, c.title) for c in check.citations] == [
        (1, "product/alpine-40-pack#specs", "Alpine 40 Pack"),
        (2, "faq/returns-window", "How long do I have to return an item?"),
    ]
    assert not check.low_confidence and check.reason is None and check.invalid_numbers == []


def test_lists_ranges_and_adjacent_brackets_all_count_once_each_in_order():
    assert parse_citations("Yes [3, 1].", EVIDENCE).numbers == [3, 1]
    assert parse_citations("See [1-3].", EVIDENCE).numbers == [1, 2, 3]
    assert parse_citations("See [2–3] and [1][2].", EVIDENCE).numbers == [2, 3, 1]
    assert parse_citations("Twice [2] and again [ 2 ].", EVIDENCE).numbers == [2]


def test_citing_a_number_that_was_not_given_is_low_confidence_and_named():
    check = parse_citations("It ships free [2][7].", EVIDENCE)
    assert check.numbers == [2]
    assert check.invalid_numbers == [7]
    assert check.low_confidence
    assert "[7]" in check.reason and "[1]-[3]" in check.reason


def test_an_answer_that_cites_nothing_is_low_confidence():
    check = parse_citations("Sure, it comes in blue!", EVIDENCE)
    assert check.citations == [] and check.low_confidence
    assert "cites none" in check.reason


def test_no_evidence_at_all_is_low_confidence_even_with_a_citation():
    check = parse_citations("I think so [1].", [])
    assert check.invalid_numbers == [1] and check.low_confidence
    assert "no sources were given" in check.reason
    assert "no store information" in parse_citations("I do not know.", []).reason


def test_text_that_only_looks_like_brackets_is_not_a_citation():
    # markdown links, words and empty brackets are ignored; a wide range is not expanded into 500 citations
    assert cited_numbers("See [the size chart](https://x.test/sizes) or [] or [a]") == []
    assert cited_numbers("Pages [1-500].") == [1, 500]
    check = parse_citations("Pages [1-500].", EVIDENCE)
    assert check.numbers == [1] and check.invalid_numbers == [500] and check.low_confidence
