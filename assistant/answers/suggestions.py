"""Suggested follow-ups: two or three short next questions after an answer.

They come from what the store can answer - the product in focus's own specs and options, its
price and the store's policies - so each one, asked, gets a grounded answer; and never the thing
just answered (a spec whose value the answer quoted, options it listed, the policy it cited).
Worded in the shopper's language from the catalogs: the first example question of a spec in
``prompts/messages/<lang>/asks.yaml`` where the store has one, else ``suggestions.yaml``'s
"What is its {label}?" with the spec's name in that language. They refer to the product as "it",
which the tracker resolves to the product in focus.
"""
from __future__ import annotations

from assistant.answers.phrasing import label
from assistant.knowledge.catalog import Product
from assistant.knowledge.chunking import HIDDEN_SPECS
from assistant.messages import catalog, message

MAX_SUGGESTIONS = 3
PRODUCT_SUGGESTIONS = 2
# policy topics a shopper asks about next, each with the intents that mean it was just answered
POLICY_TOPICS = {"returns": ("return_or_refund", "exchange"), "shipping": ("shipping",),
                 "warranty": ("warranty_claim",)}


def _ask(lang: str, key: str) -> str | None:
    """The catalog's first example of asking for ``key`` in ``lang`` (English's otherwise)."""
    for code in (lang, "en"):
        examples = catalog(code, "asks").get(key, "")
        first = next((q.strip() for q in examples.split("|") if q.strip()), None)
        if first and (code == lang or lang == "en"):
            return first
    return None


def _answered(text: str, value: str) -> bool:
    return bool(value) and value.lower() in text.lower()


def _product_questions(product: Product, question: str, answer: str, lang: str) -> list[str]:
    said = f"{question}\n{answer}"
    out: list[str] = []
    for option, key in (("color", "colors"), ("colour", "colors"), ("size", "sizes")):
        values = product.option_values(option)
        if len(values) > 1 and sum(_answered(answer, v) for v in values) < 2:
            out.append(_ask(lang, key) or message("suggestions.options", lang, label=label(option, lang)))
    # specs shoppers are known to ask about (the catalog has example questions) come first
    specs = sorted(product.specs.items(), key=lambda item: _ask("en", item[0]) is None)
    for key, value in specs:
        if key in HIDDEN_SPECS or _answered(said, str(value)) or _answered(question, label(key, "en")):
            continue
        out.append(_ask(lang, key) or message("suggestions.spec", lang, label=label(key, lang)))
    if not _answered(answer, f"{product.price:.2f}") and not _answered(answer, f"{product.price:g}"):
        out.append(_ask(lang, "price") or message("suggestions.price", lang))
    return list(dict.fromkeys(out))


def suggest(product: Product | None, question: str, answer: str, intent: str | None, cited: list[str],
            lang: str = "en") -> list[str]:
    """Up to three next questions: the product's first, then one or two store policies."""
    out = _product_questions(product, question, answer, lang)[:PRODUCT_SUGGESTIONS] if product else []
    for topic, intents in POLICY_TOPICS.items():
        if len(out) >= MAX_SUGGESTIONS:
            break
        if intent in intents or any(topic.rstrip("s") in source for source in cited):
            continue                               # just answered
        out.append(message(f"suggestions.{topic}", lang))
    return out[:MAX_SUGGESTIONS]
