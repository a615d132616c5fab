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
    # a reply in the shopper's language writes the same figures with a decimal comma
    assert check_grounding("cuesta 149,00 US$ y pesa 1,4 kg", ["Price: $149.00. It weighs 1.4 kg"]).grounded
    assert not check_grounding("cuesta 149,00 US$", ["Price: $14,900.00"]).grounded
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


# -- the reply's language -----------------------------------------------------------------------
# The demo store's own text, as its index holds it (English), and replies quoting it: the English
# ones as the extractive pipeline wrote them on main c777739, the others as a reply catalog in
# the shopper's language writes them around the same store text (names, spec values, quotes).
STORE_EVIDENCE = [
    {"source_id": "product/alpine-40-pack", "title": "Alpine 40 Pack",
     "text": "Alpine 40 Pack by Ridgeline. Category: outdoor gear. Price: $149.00. In stock. Options: color: Black, "
             "Forest Green, Slate Blue. A 40-litre hiking backpack for overnight trips and long day hikes. The "
             "adjustable torso fits 40-51 cm backs, the ventilated mesh back panel keeps you cool, and a stowable rain "
             "cover lives in the base. It weighs 1.4 kg and has a sleeve for a 3 L hydration reservoir."},
    {"source_id": "product/alpine-40-pack#specs", "title": "Alpine 40 Pack (specs)",
     "text": "Alpine 40 Pack specifications: model number: RL-4040; capacity: 40 L; weight: 1.4 kg; dimensions: 62 x 30 "
             "x 22 cm; hydration: sleeve fits a 3 L reservoir (not included); rain cover: included; warranty: 5 years."},
    {"source_id": "faq/shipping-times", "title": "How long does shipping take within the US?",
     "text": "Q: How long does shipping take within the US?\nA: Standard shipping arrives in 3-5 business days and costs "
             "$5.95, or is free on orders of $75 or more. Express shipping arrives in 1-2 business days for $14.95."},
    {"source_id": "product/northstar-down-sleeping-bag", "title": "Northstar Down Sleeping Bag",
     "text": "Northstar Down Sleeping Bag by Glacier Peak. Category: outdoor gear. Price: $249.00 to $269.00. In stock. "
             "A mummy sleeping bag filled with 650-fill responsibly sourced duck down, comfortable to -3 °C. A draft "
             "collar and contoured hood seal in warmth, and the bag packs down to the size of a loaf of bread."},
    {"source_id": "product/driftwood-ceramic-table-lamp", "title": "Driftwood Ceramic Table Lamp",
     "text": "Driftwood Ceramic Table Lamp by Fernhill. Category: home. Price: $129.00. In stock. Options: color: Sand, "
             "Slate. A hand-glazed ceramic table lamp with a reactive glaze that makes every base a little different. The "
             "linen drum shade diffuses light softly, and an inline dimmer sits on the fabric cord."},
    {"source_id": "product/whirlwind-stand-mixer#variants", "title": "Whirlwind Stand Mixer (variants)",
     "text": "Whirlwind Stand Mixer variants, prices and stock: Cherry Red (EM5208-CHY): $399.00, in stock; Cream "
             "(EM5208-CRM): $399.00, out of stock; Graphite (EM5208-GPH): $399.00, in stock."},
]
REPLIES = {
    "es": ["La Alpine 40 Pack pesa 1.4 kg [1].",
           "El envío estándar tarda 3-5 días hábiles y cuesta $5.95; es gratis en pedidos de $75 o más [1].",
           "Lo siento, la Whirlwind Stand Mixer en Cream está agotada ahora mismo. Sí tenemos Cherry Red y Graphite [1].",
           "Según la ficha: \"rain cover: included\". La funda para la lluvia viene incluida [1].",
           "Ahora mismo nuestro equipo no está conectado, así que he dejado tu mensaje como ticket. Una persona te "
           "responderá mañana a las 9:00."],
    "fr": ["L'Alpine 40 Pack pèse 1,4 kg [1].",
           "La livraison standard prend 3 à 5 jours ouvrés et coûte 5,95 $ ; elle est offerte dès 75 $ d'achat [1].",
           "Désolé, le Whirlwind Stand Mixer coloris Cream est en rupture de stock. Cherry Red et Graphite sont disponibles [1].",
           "D'après la fiche produit : « rain cover: included ». La housse de pluie est fournie [1].",
           "Notre équipe n'est pas en ligne pour le moment, j'ai transmis votre message. Un conseiller vous répondra "
           "demain à 9 h."],
    "de": ["Der Alpine 40 Pack wiegt 1,4 kg [1].",
           "Der Standardversand dauert 3-5 Werktage und kostet $5.95, ab $75 Bestellwert ist er kostenlos [1].",
           "Leider ist der Whirlwind Stand Mixer in Cream gerade ausverkauft. Cherry Red und Graphite sind vorrätig [1].",
           "Laut Datenblatt: „rain cover: included“. Die Regenhülle ist also dabei [1].",
           "Unser Team ist gerade nicht online, deshalb habe ich deine Nachricht als Ticket weitergegeben. Jemand "
           "meldet sich morgen um 9:00 Uhr."],
    "zh": ["Alpine 40 Pack 的重量是 1.4 kg [1]。",
           "标准配送需要3-5个工作日，运费$5.95，订单满$75免运费。[1]",
           "抱歉，Whirlwind Stand Mixer 的 Cream 色目前缺货，Cherry Red 和 Graphite 有货 [1]。",
           "产品参数写着：\"rain cover: included\"，也就是附带防雨罩 [1]。",
           "我们的客服团队现在不在线，我已经把你的留言转成工单，明天上午9点会有人回复你。"],
    "en": ["The Alpine 40 Pack by Ridgeline is $149.00 and in stock. A 40-litre hiking backpack for overnight trips "
           "and long day hikes. [1]",
           "Standard shipping arrives in 3-5 business days and costs $5.95, or is free on orders of $75 or more. [1]",
           "The Whirlwind Stand Mixer comes in colors: Cherry Red, Cream, Graphite [1]. Currently out of stock: Cream.",
           "Our team is offline right now, so I've passed your message on as a ticket. A person will reply today at "
           "9:00 AM EST - you don't need to stay in the chat."],
}

# Replies the extractive pipeline wrote with the reply catalogs (main 5b58a13): the catalog's sentence
# around the store's English (names, description, spec values), and the handoff message.
PIPELINE_REPLIES = {
    "es": ["Alpine 40 Pack de Ridgeline cuesta 149,00 US$ y está disponible. A 40-litre hiking backpack for overnight "
           "trips and long day hikes. The adjustable torso fits 40-51 cm backs, the ventilated mesh back panel keeps you "
           "cool, and a stowable rain cover lives in the base. [1]",
           "Whirlwind Stand Mixer viene en color: Cherry Red, Cream, Graphite [1]. Agotado ahora mismo: Cream.",
           "Nuestro equipo no está conectado ahora mismo, así que he pasado su mensaje como una solicitud. Una persona le "
           "responderá 1/12/26, 9:00; no hace falta que siga en el chat: deje su correo o número de pedido y le "
           "contactaremos por ahí."],
    "fr": ["Poids de Alpine 40 Pack : 1.4 kg [2].",
           "Northstar Down Sleeping Bag de Glacier Peak coûte 249,00 $US à 269,00 $US et est en stock. A mummy sleeping "
           "bag filled with 650-fill responsibly sourced duck down, comfortable to -3 °C. A draft collar and contoured "
           "hood seal in warmth, and the bag packs down to the size of a loaf of bread. [2]",
           "Driftwood Ceramic Table Lamp de Fernhill coûte 129,00 $US et est en stock. A hand-glazed ceramic table lamp "
           "with a reactive glaze that makes every base a little different. The linen drum shade diffuses light softly, "
           "and an inline dimmer sits on the fabric cord. [2]",
           "Notre équipe est hors ligne pour le moment, j'ai donc transmis votre message sous forme de ticket. Une "
           "personne vous répondra 01/12/2026 09:00 - inutile de rester dans le chat ; laissez votre e-mail ou votre "
           "numéro de commande et nous vous recontacterons."],
    "de": ["Leider ist Ember Fleece Hoodie in Rust M derzeit nicht auf Lager [3]. Stattdessen auf Lager: S / Rust "
           "(64,00 $), L / Rust (64,00 $), XL / Rust (64,00 $), M / Black (64,00 $).",
           "Unser Team ist gerade nicht erreichbar, daher habe ich Ihre Nachricht als Ticket weitergegeben. Jemand "
           "antwortet Ihnen 01.12.26, 09:00 – Sie müssen nicht im Chat bleiben; hinterlassen Sie Ihre E-Mail oder "
           "Bestellnummer, dann melden wir uns dort."],
    "zh": ["Alpine 40 Pack（Ridgeline）售价US$149.00，有货。A 40-litre hiking backpack for overnight trips and long day "
           "hikes. The adjustable torso fits 40-51 cm backs, the ventilated mesh back panel keeps you cool, and a "
           "stowable rain cover lives in the base. [2]",
           "我们的团队目前不在线，我已将您的消息转为工单。客服人员会在2026/12/1 09:00回复——您无需留在聊天中；留下您的邮箱或订单号，我们会通过那里跟进。"],
}


@pytest.mark.parametrize("language", ["es", "fr", "de", "zh", "en"])
def test_a_reply_is_read_in_its_language_past_the_store_text_it_quotes(language):
    for answer in REPLIES[language] + PIPELINE_REPLIES.get(language, []):
        obs = observed(answer, evidence=STORE_EVIDENCE, citations=[{"source_id": e["source_id"]} for e in STORE_EVIDENCE])
        assert run({"language": language}, obs) == {"language": True}, answer
        for other in set(REPLIES) - {language}:
            assert not run({"language": other}, obs)["language"], (answer, other)


def test_an_english_reply_made_only_of_the_store_text_is_english():
    # nothing of its own is left once the quoted FAQ is taken out: the whole reply is read
    obs = observed(REPLIES["en"][1], evidence=STORE_EVIDENCE)
    check = score_turn(normalise_expectations({"language": "es"}), obs)[0]
    assert not check.passed and check.actual == "en" and "whole reply" in check.detail
    assert run({"language": "en"}, obs)["language"]


def test_an_english_sentence_left_in_a_spanish_reply_fails_it():
    answer = ("El envío estándar tarda 3-5 días hábiles y cuesta $5.95 [1]. "
              "Is there anything else I can help you with about your order today?")
    check = score_turn(normalise_expectations({"language": "es"}), observed(answer, evidence=STORE_EVIDENCE))[0]
    assert not check.passed and "another language" in check.detail


def test_a_few_words_the_detector_cannot_tell_apart_do_not_fail_a_reply():
    # "Drop de Trailblazer Running Shoe : 8 mm": the catalog's label is "Drop" in French too
    obs = observed("Drop de Trailblazer Running Shoe : 8 mm (32 mm heel / 24 mm forefoot) [1].",
                   evidence=[{"source_id": "product/trailblazer-running-shoe#specs", "title": "Trailblazer Running Shoe (specs)",
                              "text": "Trailblazer Running Shoe specifications: drop: 8 mm (32 mm heel / 24 mm forefoot)"}])
    check = score_turn(normalise_expectations({"language": "fr"}), obs)[0]
    assert check.passed and "unsure" in check.detail
    assert not run({"language": "zh"}, obs)["language"]


def test_the_language_expectation_needs_a_language_code_and_a_reply():
    assert normalise_expectations({"language": "ZH"}) == {"language": "zh"}
    with pytest.raises(ValueError, match="expectation 'language'.*language code"):
        normalise_expectations({"language": "klingon"})
    assert run({"language": "es"}, observed("")) == {"language": False}
