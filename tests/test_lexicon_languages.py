"""Shoppers in every language: each language's lexicon fills every field the rules read, and the
signal functions read real shopper messages in Spanish, German, French, Chinese and Japanese the
way a person would (asks for a person and their negations, anger, cancels, budgets, sensitive
topics, colours and sizes, follow-ups); Chinese and Japanese text is cut into keywords without
spaces, and English reads exactly as before."""
from __future__ import annotations

import dataclasses
import re

import pytest

from assistant.dialogue.intents import is_human_request
from assistant.dialogue.signals import (detect_sensitive_topics, find_attributes, find_refund_amount,
                                        is_abusive, is_cancel_request, is_dissatisfied, parse_money,
                                        score_sentiment)
from assistant.lexicon import Lexicon, languages, lexicon
from assistant.lexicon.text import cjk_tokens, parse_amount, words
from conftest_intents import classifier  # noqa: F401  (fixture: the real encoder, loaded once)

LANGS = ("es", "de", "fr", "zh", "ja")
EN = lexicon("en")
# what the English names of the store's things are: every language maps onto these
EN_SPEC_KEYS = {key for keys in EN.spec_synonyms.values() for key in keys}
EN_COLOURS = set(EN.colors) | set(EN.color_aliases.values()) | {"light blue", "dark green"}
EN_PLACES = set(EN.countries) | set(EN.eu_countries) | set(EN.country_aliases.values())


# -- every field, the same shape as English -------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_every_language_module_fills_every_field(lang):
    words_ = lexicon(lang)
    assert lang in languages() and words_.language == lang and words_ is not EN
    empty = [f.name for f in dataclasses.fields(Lexicon) if not getattr(words_, f.name)]
    assert empty == []
    # the readers take group 1 / the first group / the named groups
    assert words_.budget.groups >= 1 and words_.refund_bare.groups >= 1 and words_.money.groups >= 1
    assert {"np", "np2"} <= set(words_.asked_noun.groupindex)
    assert words_.intent_hints.keys() == EN.intent_hints.keys()


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_knowledge_maps_onto_the_english_names_the_store_uses(lang):
    words_ = lexicon(lang)
    spec_keys = {key for keys in words_.spec_synonyms.values() for key in keys} - {"price"}
    assert spec_keys <= EN_SPEC_KEYS, spec_keys - EN_SPEC_KEYS
    assert set(words_.color_aliases.values()) <= EN_COLOURS
    assert set(words_.color_aliases) <= set(words_.color_phrases)
    own_places = set(words_.countries) | set(words_.eu_countries)
    assert set(words_.country_aliases.values()) <= EN_PLACES | own_places
    assert words_.eu_countries == EN.eu_countries
    assert set(words_.size_words.values()) <= {"XS", "S", "M", "L", "XL", "XXL"}


@pytest.mark.parametrize("lang", ("zh", "ja"))
def test_chinese_and_japanese_patterns_never_lean_on_word_boundaries(lang):
    words_ = lexicon(lang)
    patterns = [v for f in dataclasses.fields(Lexicon) for v in _patterns(getattr(words_, f.name))]
    assert patterns and not [p.pattern for p in patterns if r"\b" in p.pattern.replace(r"\bvs\b", "")]


def _patterns(value):
    if isinstance(value, re.Pattern):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _patterns(v)
    elif isinstance(value, tuple):
        for v in value:
            yield from _patterns(v)


# -- asks for a person, and what only looks like one ----------------------------------------------
ASKS = {
    "es": ["Quiero hablar con una persona", "¿Puedo hablar con un agente, por favor?",
           "Pásame con alguien de atención al cliente", "necesito que me atienda una persona de verdad",
           "un humano ya", "¿me pueden llamar? prefiero hablarlo por teléfono"],
    "de": ["Ich möchte mit einem Mitarbeiter sprechen", "Kann ich bitte mit einem echten Menschen reden?",
           "Verbinden Sie mich mit dem Kundenservice", "Mitarbeiter bitte!",
           "ich will sofort einen Vorgesetzten sprechen", "Bitte rufen Sie mich zurück, Rückruf bitte"],
    "fr": ["Je veux parler à un conseiller", "Est-ce que je peux parler à une vraie personne ?",
           "Passez-moi le service client, s'il vous plaît", "Un humain svp",
           "je voudrais parler avec un responsable tout de suite", "Pouvez-vous me rappeler ?"],
    "zh": ["转人工", "我要找人工客服", "能不能帮我转接人工？", "我想跟真人说话", "让你们经理来处理",
           "不好意思，麻烦转人工"],
    "ja": ["担当者と話したい", "オペレーターにつないでください", "人間と話せますか？", "責任者を出してください",
           "ボットじゃなくて人間と話したい", "有人対応をお願いします"],
}
NOT_ASKS = {
    "es": ["No quiero hablar con una persona, solo dime el precio", "¿Eres una persona real?",
           "No hace falta hablar con un agente", "Ayer hablé con un agente y me dijo que llegaría hoy",
           "¿cuántas personas caben en la tienda de campaña?"],
    "de": ["Ich möchte nicht mit einem Menschen sprechen, sag mir nur den Preis",
           "Ich brauche keinen Mitarbeiter, danke", "Bist du ein echter Mensch?",
           "Ich habe gestern mit einem Mitarbeiter gesprochen", "Für wie viele Personen ist das Zelt?"],
    "fr": ["Je ne veux pas parler à un conseiller, donnez-moi juste le prix", "Je n'ai pas besoin d'un humain",
           "Êtes-vous une vraie personne ?", "J'ai parlé à un conseiller hier",
           "La tente est pour combien de personnes ?"],
    "zh": ["不用转人工，告诉我价格就行", "我不需要人工客服", "你是真人吗？", "你是人工智能吗",
           "这个帐篷能睡几个人？"],
    "ja": ["担当者と話したくないです、値段だけ教えて", "オペレーターにつながなくていいです", "あなたは人間ですか？",
           "友人と話したいのでまた来ます", "このテントは何人用ですか？"],
}


# Written before the patterns were last looked at (25 of 30 asks and 18 of 20 others were read
# right then; the misses were filled by grammar, not by these phrasings).
MORE_ASKS = {
    "es": ["¿Me podéis pasar con alguien de la tienda?", "Prefiero hablar con un humano",
           "Quisiera hablar con el encargado", "Necesito hablar con una persona real ya",
           "¿Hay alguien con quien pueda hablar?", "Ponme con un agente"],
    "de": ["Kann ich mit jemandem vom Support sprechen?", "Ich hätte gern einen echten Menschen am Telefon",
           "Bitte leiten Sie mich an einen Mitarbeiter weiter", "Ich will mit Ihrem Chef reden",
           "Gibt es einen menschlichen Ansprechpartner?", "Ein Mensch soll sich das ansehen"],
    "fr": ["Je peux avoir un conseiller humain ?", "Mettez-moi en relation avec quelqu'un",
           "Je souhaite parler à un responsable", "j'exige de parler à un vrai humain",
           "Pouvez-vous me transférer à un agent ?", "Il me faut un conseiller, pas un robot"],
    "zh": ["麻烦帮我接一下人工", "我想找你们的工作人员", "能让真人客服来回答吗", "别用机器人了，我要人工", "请给我转接客服人员", "叫你们主管来"],
    "ja": ["人間のオペレーターと話したいです", "担当の方に代わってもらえますか", "スタッフさんとお話しできますか", "上司を呼んでください", "有人チャットに切り替えてください",
           "電話で相談したいです"],
}
MORE_NOT_ASKS = {
    "es": ["No necesito hablar con nadie, gracias", "¿Eres un robot o una persona?",
           "El agente de transporte no vino", "Mi hermana habló con una asesora la semana pasada"],
    "de": ["Ich will mit niemandem sprechen, nur die Lieferzeit wissen", "Bist du ein Bot?",
           "Der Paketbote war nicht da", "Der Berater im Laden hat mir die Jacke empfohlen"],
    "fr": ["Je n'ai pas envie de parler à quelqu'un", "Tu es un robot ?", "Le livreur n'est jamais venu",
           "Un conseiller m'a déjà répondu hier"],
    "zh": ["不用找人工了", "你是机器人吗", "快递员没有来", "昨天跟客服聊过了"],
    "ja": ["担当者と話す必要はありません", "あなたはロボットですか", "配達員が来ませんでした", "昨日担当者と話しました"],
}
for _lang in ASKS:
    ASKS[_lang] = ASKS[_lang] + MORE_ASKS[_lang]
    NOT_ASKS[_lang] = NOT_ASKS[_lang] + MORE_NOT_ASKS[_lang]


@pytest.mark.parametrize("lang, text", [(lang, t) for lang, texts in ASKS.items() for t in texts])
def test_an_ask_for_a_person_is_read_in_the_shoppers_language(lang, text):
    assert is_human_request(text, lexicon(lang))


@pytest.mark.parametrize("lang, text", [(lang, t) for lang, texts in NOT_ASKS.items() for t in texts])
def test_a_negated_ask_a_question_about_the_bot_or_a_mention_is_not_one(lang, text):
    assert not is_human_request(text, lexicon(lang))


@pytest.mark.parametrize("lang", LANGS)
def test_the_classifier_reads_asks_for_a_person_with_the_messages_lexicon(classifier, lang):
    """The English-trained person detector stays out of other languages: its letter n-grams fire
    on "Für wie viele Personen ist das Zelt?" or "Ayer hablé con un agente"."""
    words_ = lexicon(lang)
    assert [t for t in ASKS[lang] if classifier.classify(t, words_)[0] != "human_request"] == []
    assert [t for t in NOT_ASKS[lang] if classifier.classify(t, words_)[0] == "human_request"] == []


@pytest.mark.parametrize("lang, text", [("es", "¡Hola, buenos días!"), ("de", "Hallo, vielen Dank!"),
                                        ("fr", "Bonjour, merci beaucoup"), ("zh", "你好，谢谢你"),
                                        ("ja", "こんにちは、ありがとうございます")])
def test_a_greeting_alone_is_a_greeting_in_every_language(classifier, lang, text):
    assert classifier.classify(text, lexicon(lang)) == ("greeting", 0.95)


def test_the_english_person_detector_still_reads_english_typos_and_indirect_asks(classifier):
    assert classifier.classify("cn i tlk to a humn plz")[0] == "human_request"
    assert classifier.classify("I don't need a person, just the price")[0] != "human_request"


# -- anger, abuse, dissatisfaction, cancels -----------------------------------------------------------
MOODS = {
    # lang: (abusive, angry without abuse, dissatisfied, cancel, not a cancel, pleased)
    "es": ("Esto es una mierda, sois unos inútiles", "Estoy harto, el pedido llegó roto y nadie me responde",
           "eso no es lo que pregunté", "Déjalo, ya está resuelto", "¿el envío es gratis?",
           "Muchas gracias, muy amable"),
    "de": ("Das ist doch Scheiße, ihr Idioten", "Ich bin total enttäuscht, das Paket kam kaputt an!!",
           "Das habe ich nicht gefragt", "Egal, hat sich erledigt", "Egal welche Farbe, Hauptsache wasserdicht",
           "Vielen Dank, super Hilfe!"),
    "fr": ("Putain, bande de nuls", "J'en ai marre, le colis est arrivé cassé et personne ne répond",
           "ce n'est pas ce que j'ai demandé", "Laissez tomber, c'est réglé", "la livraison est gratuite ?",
           "Merci beaucoup, super aide !"),
    "zh": ("傻逼客服，滚蛋", "我非常失望，包裹到了是坏的，也没人理", "答非所问", "算了，已经解决了",
           "我算一下要买几件", "谢谢，非常满意"),
    "ja": ("ふざけるな、バカ", "本当に最悪です！！対応がひどすぎる", "質問の答えになってない",
           "やっぱりいいです、解決しました", "防水で大丈夫ですか？", "ありがとうございます、とても助かりました"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_anger_abuse_dissatisfaction_and_cancels_are_read(lang):
    words_ = lexicon(lang)
    abusive, angry, dissatisfied, cancel, not_cancel, pleased = MOODS[lang]
    assert is_abusive(abusive, words_) and score_sentiment(abusive, words_) <= -0.5
    assert not is_abusive(angry, words_) and score_sentiment(angry, words_) <= -0.4
    assert is_dissatisfied(dissatisfied, words_) and not is_dissatisfied(pleased, words_)
    assert is_cancel_request(cancel, words_) and not is_cancel_request(not_cancel, words_)
    assert score_sentiment(pleased, words_) > 0.3
    assert not is_abusive(pleased, words_)


@pytest.mark.parametrize("lang, liked, disliked", [
    ("es", "me encanta, es perfecto", "no me gusta nada, es malo"),
    ("de", "das ist wirklich toll", "das ist gar nicht gut"),
    ("fr", "c'est vraiment génial", "ce n'est pas bien du tout"),
    ("zh", "很喜欢", "不喜欢"),
    ("ja", "とても満足です", "不満です"),
])
def test_negation_turns_a_kind_word_round(lang, liked, disliked):
    words_ = lexicon(lang)
    assert score_sentiment(liked, words_) > 0 > score_sentiment(disliked, words_)


# Written before the patterns were last looked at: 35 of 40 read right then (the misses: "echar
# humo", "zu rauchen", "fumer", "ひどすぎる", and "注文をキャンセルできますか" taken for a cancel).
MORE_SIGNALS = {  # cancels, not cancels, angry, (budget, amount), (sensitive, topic)
    "es": (
        ["Bueno, olvídalo, ya lo encontré", "Cancela la petición, ya no hace falta"],
        ["¿Puedo cancelar mi pedido?"],
        ["¡Es indignante! Llevo tres semanas esperando y nadie hace nada"],
        [("Busco unas botas de hasta 120 euros", 120), ("algo baratito, como máximo 30€", 30)],
        [("Me salió un sarpullido con la crema", "injury"), ("La pantalla empezó a echar humo", "safety_issue")],
    ),
    "de": (
        ["Ach, vergessen Sie es, ich habe es gefunden", "Schon gut, brauche ich nicht mehr"],
        ["Kann ich meine Bestellung stornieren?"],
        ["Das ist eine absolute Frechheit, ich warte seit drei Wochen!!"],
        [("Suche Wanderschuhe bis 120 Euro", 120), ("höchstens 30€ bitte", 30)],
        [("Ich habe einen Ausschlag von der Creme bekommen", "injury"), ("Das Display fing an zu rauchen", "safety_issue")],
    ),
    "fr": (
        ["Bon, laisse tomber, j'ai trouvé", "Annulez la demande, plus besoin"],
        ["Puis-je annuler ma commande ?"],
        ["C'est scandaleux, j'attends depuis trois semaines et personne ne fait rien !"],
        [("Je cherche des bottes jusqu'à 120 euros", 120), ("pas plus de 30€", 30)],
        [("J'ai eu une réaction allergique à la crème", "injury"), ("L'écran a commencé à fumer", "safety_issue")],
    ),
    "zh": (
        ["算了，我自己找到了", "不用了，谢谢"],
        ["我能取消订单吗"],
        ["等了三个星期还没到，你们太离谱了！"],
        [("想买一双120元以内的登山鞋", 120), ("最多30块", 30)],
        [("用了这个面霜脸上起疹子了", "injury"), ("屏幕开始冒烟", "safety_issue")],
    ),
    "ja": (
        ["やっぱり大丈夫です、自分で見つけました", "もう必要ないです"],
        ["注文をキャンセルできますか"],
        ["3週間も待っているのに届かない、ひどすぎる！"],
        [("1万2千円以内の登山靴を探しています", 12000), ("高くても3000円まで", 3000)],
        [("このクリームでかぶれました", "injury"), ("画面から煙が出てきた", "safety_issue")],
    ),
}


@pytest.mark.parametrize("lang", LANGS)
def test_more_cancels_anger_budgets_and_sensitive_topics_are_read(lang):
    words_ = lexicon(lang)
    cancels, not_cancels, angry, budgets, sensitive = MORE_SIGNALS[lang]
    assert all(is_cancel_request(t, words_) for t in cancels)
    assert not any(is_cancel_request(t, words_) for t in not_cancels)
    assert all(score_sentiment(t, words_) <= -0.5 for t in angry)
    assert [words_.find_budget(t)[0] for t, _ in budgets] == [a for _, a in budgets]
    assert all(topic in detect_sensitive_topics(t, words_) for t, topic in sensitive)


# -- sensitive topics ---------------------------------------------------------------------------------
SENSITIVE = {
    "es": [("Voy a denunciarlos y hablar con mi abogado", {"legal_threat", "lawyer"}),
           ("La batería se sobrecalentó y me quemé la mano", {"safety_issue", "injury"}),
           ("Hay un cargo no autorizado en mi tarjeta", {"fraud"}),
           ("Voy a pedir a mi banco un contracargo", {"chargeback"}),
           ("¿Cuánto consumo de batería tiene?", set())],
    "de": [("Ich werde Sie verklagen, mein Anwalt meldet sich", {"legal_threat", "lawyer"}),
           ("Der Akku ist überhitzt und ich habe mir die Hand verbrannt", {"safety_issue", "injury"}),
           ("Jemand hat meine Kreditkarte benutzt, ich habe das nicht bestellt", {"fraud"}),
           ("Ich lasse die Zahlung per Rückbuchung zurückholen", {"chargeback"}),
           ("Ist die Jacke brandneu?", set())],
    "fr": [("Je vais porter plainte et contacter mon avocat", {"legal_threat", "lawyer"}),
           ("La batterie a pris feu et je me suis brûlé la main", {"safety_issue", "injury"}),
           ("Il y a un débit non autorisé sur ma carte", {"fraud"}),
           ("Je vais faire opposition auprès de ma banque", {"chargeback"}),
           ("La lampe est-elle étanche ?", set())],
    "zh": [("我要起诉你们，已经找了律师", {"legal_threat", "lawyer"}),
           ("充电的时候电池冒烟了，我的手被烫伤了", {"safety_issue", "injury"}),
           ("有人盗刷了我的信用卡，这不是我下的单", {"fraud"}),
           ("我会联系银行申请拒付", {"chargeback"}),
           ("这个背包防水吗", set())],
    "ja": [("訴訟を起こします。弁護士に相談しました", {"legal_threat", "lawyer"}),
           ("充電中に発火して、手にやけどをしました", {"safety_issue", "injury"}),
           ("身に覚えのない請求があります", {"fraud"}),
           ("カード会社に連絡してチャージバックします", {"chargeback"}),
           ("このリュックは防水ですか", set())],
}


@pytest.mark.parametrize("lang, text, topics", [(lang, t, s) for lang, rows in SENSITIVE.items() for t, s in rows])
def test_sensitive_topics_are_named_in_every_language(lang, text, topics):
    assert set(detect_sensitive_topics(text, lexicon(lang))) == topics


# -- budgets and money -------------------------------------------------------------------------------
BUDGETS = {
    "es": [("¿Tienen chaquetas impermeables por menos de 100 €?", 100), ("Mi presupuesto es de unos 150 euros", 150),
           ("algo que no pase de 49,99 €", 49.99), ("pesa menos de 2 kg", None)],
    "de": [("Habt ihr Regenjacken unter 50 Euro?", 50), ("Mein Budget liegt bei etwa 120 €", 120),
           ("maximal 1.200 Euro bitte", 1200), ("unter 3 Tagen Lieferzeit?", None)],
    "fr": [("Vous avez des vestes imperméables à moins de 80 € ?", 80), ("Mon budget est d'environ 150 euros", 150),
           ("pas plus de 59,90 €", 59.9), ("moins de 5 jours de livraison ?", None)],
    "zh": [("有没有100元以下的防水外套？", 100), ("预算200块左右", 200), ("不超过1千元", 1000), ("2公斤以下的帐篷", None),
           ("7天以内能到吗", None)],
    "ja": [("1万円以下の防水ジャケットはありますか", 10000), ("予算は5000円くらいです", 5000),
           ("1万5千円以内で探しています", 15000), ("2kg以下のテント", None), ("3日以内に届きますか", None)],
}


@pytest.mark.parametrize("lang, text, amount", [(lang, t, a) for lang, rows in BUDGETS.items() for t, a in rows])
def test_a_budget_is_read_in_the_shoppers_currency_words(lang, text, amount):
    assert lexicon(lang).find_budget(text)[0] == amount


@pytest.mark.parametrize("lang, text, only", [
    ("es", "mi presupuesto es de unos 150 euros", True), ("es", "una mochila por menos de 150 euros", False),
    ("de", "mein Budget liegt bei etwa 120 Euro", True), ("de", "ein Zelt unter 120 Euro", False),
    ("fr", "mon budget est d'environ 150 euros", True), ("fr", "une tente à moins de 150 euros", False),
    ("zh", "预算200块左右", True), ("zh", "有没有100元以下的外套", False),
    ("ja", "予算は5000円くらいです", True), ("ja", "5000円以下のテントはありますか", False),
])
def test_a_message_that_only_gives_a_budget_is_told_from_a_search(lang, text, only):
    words_ = lexicon(lang)
    assert words_.only_budget(text, words_.find_budget(text)[1]) is only


@pytest.mark.parametrize("lang, text, refund", [
    ("es", "Quiero un reembolso de 49,99 €", 49.99), ("de", "Ich möchte eine Erstattung von 39,90 €", 39.9),
    ("fr", "Je veux un remboursement de 1.249,50 €", 1249.5), ("zh", "我要退款99.5元", 99.5),
    ("ja", "3,980円の返金をお願いします", 3980),
])
def test_a_refund_amount_reads_its_decimal_comma(lang, text, refund):
    words_ = lexicon(lang)
    assert find_refund_amount(text, "return_or_refund", None, words_) == refund
    assert [v for v, _, _ in parse_money(text, words_)] == [refund]


# -- colours, sizes, follow-ups -----------------------------------------------------------------------
ATTRIBUTES = {
    "es": [("¿Y en negro?", {"color": "black"}), ("¿Tienen la talla M en azul marino?", {"size": "M", "color": "navy"}),
           ("¿la hay en verde oscuro?", {"color": "dark green"}), ("¿Hay una crema hidratante?", {})],
    "de": [("Und in Schwarz?", {"color": "black"}), ("Gibt es die Jacke in Größe M in Dunkelblau?",
                                                     {"size": "M", "color": "navy"}),
           ("die roten Schuhe in Größe 42", {"size": "42", "color": "red"})],
    "fr": [("Et en noir ?", {"color": "black"}), ("Vous l'avez en taille M en bleu marine ?",
                                                  {"size": "M", "color": "navy"}),
           ("les bottes vertes en 42 ?", {"size": "42", "color": "green"})],
    "zh": [("那黑色的呢？", {"color": "black"}), ("有M码的藏青色吗", {"size": "M", "color": "navy"}),
           ("42码的白色运动鞋", {"size": "42", "color": "white"}), ("蓝牙耳机有吗", {}), ("我明白了", {})],
    "ja": [("黒はありますか", {"color": "black"}), ("このジャケットのMサイズでネイビーはありますか",
                                               {"size": "M", "color": "navy"}),
           ("27cmの白のスニーカー", {"size": "27", "color": "white"}), ("面白いですね", {})],
}


@pytest.mark.parametrize("lang, text, found", [(lang, t, f) for lang, rows in ATTRIBUTES.items() for t, f in rows])
def test_colours_and_sizes_are_read_and_named_as_the_catalog_names_them(lang, text, found):
    assert find_attributes(text, lexicon(lang)) == found


FOLLOWUPS = {
    "es": (["¿Y en negro?", "¿y el otro?", "¿qué tal en azul?"], ["¿Tienen tiendas de campaña?"]),
    "de": (["Und in Schwarz?", "und der andere?", "Was ist mit Blau?", "Gibt es das auch in Rot?"],
           ["Habt ihr Zelte?"]),
    "fr": (["Et en noir ?", "et l'autre ?", "Vous l'avez en bleu ?"], ["Vous vendez des tentes ?"]),
    "zh": (["那黑色的呢？", "另一个呢？", "这个防水吗"], ["你们卖帐篷吗"]),
    "ja": (["黒はありますか", "じゃあ、赤は？", "もう一つの方は？", "これは防水ですか"], ["テントを売っていますか"]),
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_follow_up_is_told_from_a_fresh_question(lang):
    words_ = lexicon(lang)
    refers = lambda t: bool(words_.ellipsis.search(t)) or any(p.search(t) for p in words_.pronouns)  # noqa: E731
    follow, fresh = FOLLOWUPS[lang]
    assert [t for t in follow if not refers(t)] == []
    assert [t for t in fresh if refers(t)] == []


# Written before the patterns were last looked at: 39 of 40 read right then ("有红色的吗").
MORE_FOLLOWUPS = {  # follow-ups, fresh questions, (text, colour and size)
    "es": (
        ["¿Y la talla L?", "¿también en rojo?", "¿y cuánto pesa?", "¿Lo tienen en gris?"],
        ["¿Venden sacos de dormir?", "¿Cuánto tarda el envío a Madrid?"],
        [("la quiero en rosa y en talla S", {"size": "S", "color": "pink"}), ("unas botas marrones del 43", {"size": "43", "color": "brown"})],
    ),
    "de": (
        ["Und in L?", "Auch in Rot?", "Und wie schwer ist er?", "Habt ihr den auch in Grau?"],
        ["Verkauft ihr Schlafsäcke?", "Wie lange dauert der Versand nach Berlin?"],
        [("die Jacke in Rosa, Größe S", {"size": "S", "color": "pink"}), ("braune Stiefel in Größe 43", {"size": "43", "color": "brown"})],
    ),
    "fr": (
        ["Et en taille L ?", "Aussi en rouge ?", "Et il pèse combien ?", "Vous l'avez en gris ?"],
        ["Vous vendez des sacs de couchage ?", "Combien de temps pour une livraison à Lyon ?"],
        [("je la veux en rose, taille S", {"size": "S", "color": "pink"}), ("des bottes marron en 43", {"size": "43", "color": "brown"})],
    ),
    "zh": (
        ["那L码呢？", "有红色的吗", "它多重？", "那个有灰色的吗"],
        ["你们卖睡袋吗", "寄到北京要多久"],
        [("我要粉色的S码", {"size": "S", "color": "pink"}), ("43码的棕色靴子", {"size": "43", "color": "brown"})],
    ),
    "ja": (
        ["Lサイズはありますか", "赤もありますか", "それはどのくらい重いですか", "グレーはありますか"],
        ["寝袋を売っていますか", "東京まで何日かかりますか"],
        [("ピンクのSサイズがほしい", {"size": "S", "color": "pink"}), ("ブラウンのブーツ、27cm", {"size": "27", "color": "brown"})],
    ),
}


@pytest.mark.parametrize("lang", LANGS)
def test_more_follow_ups_colours_and_sizes_are_read(lang):
    words_ = lexicon(lang)
    refers = lambda t: bool(words_.ellipsis.search(t)) or any(p.search(t) for p in words_.pronouns)  # noqa: E731
    follow, fresh, attributes = MORE_FOLLOWUPS[lang]
    assert [t for t in follow if not refers(t)] == [] and [t for t in fresh if refers(t)] == []
    assert [find_attributes(t, words_) for t, _ in attributes] == [found for _, found in attributes]


@pytest.mark.parametrize("lang, other", [("es", "¿y el otro?"), ("de", "und der andere?"), ("fr", "et l'autre ?"),
                                         ("zh", "另一个呢？"), ("ja", "もう一つの方は？")])
def test_the_other_one_is_recognised(lang, other):
    assert lexicon(lang).other_one.search(other)


@pytest.mark.parametrize("lang, question, english", [
    ("es", "¿Hacen envíos a Alemania?", "germany"), ("de", "Liefert ihr nach Österreich?", "austria"),
    ("fr", "Livrez-vous au Royaume-Uni ?", "united kingdom"), ("zh", "可以寄到德国吗？", "germany"),
    ("ja", "ドイツに発送できますか？", "germany"),
])
def test_a_country_is_named_as_the_shipping_pages_name_it(lang, question, english):
    expanded = lexicon(lang).expand_places(question)
    assert english in expanded and "international" in expanded


@pytest.mark.parametrize("lang, question, key", [
    ("es", "¿cuánto pesa la mochila?", "weight"), ("de", "Ist die Jacke wasserdicht?", "waterproof_rating"),
    ("fr", "Quelle est l'autonomie de la batterie ?", "battery_life"), ("zh", "这个背包多重？", "weight"),
    ("ja", "このジャケットは防水ですか", "waterproof_rating"),
])
def test_spec_words_point_at_the_spec_keys_english_uses(lang, question, key):
    from assistant.lexicon.text import has_phrase

    words_ = lexicon(lang)
    keys = {k for phrase, ks in words_.spec_synonyms.items() if has_phrase(question.lower(), phrase) for k in ks}
    assert key in keys


# -- keywords from text without spaces --------------------------------------------------------------
def test_a_cjk_run_is_cut_where_its_script_changes_and_into_han_pairs():
    assert cjk_tokens("このジャケットは防水ですか") == ["この", "ジャケット", "は", "防水", "ですか"]
    assert cjk_tokens("防水背包") == ["防水", "水背", "背包"]
    assert words("Nike运动鞋 42码") == ["nike", "运动", "动鞋", "42", "码"]


@pytest.mark.parametrize("lang, text, stems", [
    ("zh", "那黑色的呢？", ["黑色"]),
    ("zh", "有没有100元以下的防水外套？", ["100", "防水", "水外", "外套"]),
    ("ja", "このジャケットは防水ですか", ["ジャケット", "防水"]),
    ("es", "¿Hacen envíos a Alemania?", ["envíos", "alemania"]),
    ("fr", "et l'autre veste en cuir ?", ["autr", "vest", "cuir"]),
])
def test_content_stems_keep_the_subject_words_of_any_language(lang, text, stems):
    assert lexicon(lang).content_stems(text) == stems


# -- English reads exactly as before -----------------------------------------------------------------
@pytest.mark.parametrize("raw, value", [("39", 39), ("39.99", 39.99), ("1,000", 1000), ("1,249.50", 1249.5),
                                        ("49,99", 49.99), ("1.249,50", 1249.5), ("1万", 10000), ("１００", 100)])
def test_an_amount_parses_whichever_separators_it_uses(raw, value):
    assert parse_amount(raw) == value


@pytest.mark.parametrize("text", ["I'm SO fed up, this isn't what I ordered!!", "don't you dare, it's broken",
                                  "Thanks, that's really helpful :)"])
def test_english_sentiment_tokens_are_the_ones_they_always_were(text):
    lowered = text.lower()
    assert EN.sentiment_tokens(lowered) == re.findall(r"[a-z']+", lowered)
    assert EN.words(text) == words(text)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("text", ["", "???", "NW-482913", "嗯嗯 NW-482913", "Ünïcödé ✓ 🙂"])
def test_a_message_with_no_shop_words_reads_as_nothing(lang, text):
    words_ = lexicon(lang)
    assert score_sentiment(text, words_) == 0.0
    assert find_attributes(text, words_) == {} and words_.find_budget(text) == (None, None)
    assert not is_human_request(text, words_) and detect_sensitive_topics(text, words_) == ()
    assert words_.expand_places(text) == text
