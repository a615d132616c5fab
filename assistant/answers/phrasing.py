"""The extractive backend's own sentences, in the shopper's language.

Every sentence the extractive backend writes around the facts it quotes is built here from the
message catalogs (``prompts/messages/<lang>/replies.yaml``, see assistant/messages.py), so the
wording is consistent (a direct answer first, then one sentence of context) and a store can
translate or reword it without touching code. Nothing here reads evidence: callers pass names,
labels, values and citation numbers; quoted store text goes in as written. Citations stay ``[n]``
marks right before the full stop (the catalog's: "." or "。"), as assistant/answers/citations.py
reads them. Grammar a language needs (English's "is"/"are", "the", "'s") is chosen by picking
one of two catalog keys, never by editing the words in code.
"""
from __future__ import annotations

import re

from assistant.knowledge.chunking import spec_label
from assistant.messages import catalog, message

_LEADING_YES = re.compile(r"^\s*(yes|true|included)\b[\s,;:-]*", re.I)
_LEADING_NO = re.compile(r"^\s*(no|not|none|false)\b[\s,;:-]*", re.I)
_ENDS = ".!?。！？"


def say(key: str, lang: str | None = "en", **values) -> str:
    """One catalog sentence (``replies.<key>``) in ``lang``."""
    return message(f"replies.{key}", lang, **values)


def label(key: str, lang: str | None = "en") -> str:
    """A spec or option key in the shopper's words: the catalog's (``specs.yaml``), else the
    store's own key made readable ("waterproof_rating" -> "waterproof rating")."""
    return catalog(lang, "specs").get(key) or spec_label(key)


def listed(items: list[str], lang: str | None = "en", last: str = "list_and") -> str:
    """"a, b and c" in the language's separators."""
    if len(items) <= 1:
        return "".join(items)
    return say("list_sep", lang).join(items[:-1]) + say(last, lang) + items[-1]


def by_brand(brand: str | None, lang: str | None = "en") -> str:
    """" by Glacier Peak", or nothing when the catalog has no brand (eShop-style feeds)."""
    return say("by_brand", lang, brand=brand.strip()) if brand and brand.strip() else ""


def the(name: str, lang: str | None = "en") -> str:
    return name if name.lower().startswith("the ") else say("the_name", lang, name=name)


def capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def possessive(name: str, lang: str | None = "en") -> str:
    key = "owner_s" if name.endswith("s") and not name.endswith("ss") else "owner"
    return say(key, lang, subject=name)


def cite(n: int | None) -> str:
    return f" [{n}]" if n is not None else ""


def finish(text: str, n: int | None = None, lang: str | None = "en") -> str:
    """A sentence: its citation mark, then a full stop (unless it already ends in one)."""
    text = text.rstrip()
    end = ""
    while text and text[-1] in _ENDS:
        end, text = text[-1] + end, text[:-1].rstrip()
    return f"{text}{cite(n)}{end or say('full_stop', lang)}"


def _plural(label_: str) -> bool:
    last = label_.split()[-1] if label_.split() else label_
    return last.endswith("s") and not last.endswith(("ss", "us", "is", "ics"))


def verdict(value: str) -> tuple[bool | None, str]:
    """A yes/no value ("yes, under 100 Wh", "included", "no") as (True/False, the rest); None when
    the value states no verdict of its own."""
    for pattern, answer in ((_LEADING_YES, True), (_LEADING_NO, False)):
        match = pattern.match(value)
        if match:
            return answer, value[match.end():].strip()
    return None, value


def fact_clause(subject: str, label_: str, value: str, lang: str | None = "en", pronoun: bool = False) -> str:
    """"the Summit Rain Jacket's waterproof rating is 20,000 mm"; a yes/no spec reads as what it
    says: "the Powerhouse 20K Power Bank is airline safe (under 100 Wh)". ``pronoun``: the
    subject is the catalog's "it" (whose possessive is "its")."""
    decided, rest = verdict(value)
    if decided is not None and label_ and not re.match(r"\s*(?:not\s+)?included\b", value, re.I):
        text = say("fact_yes" if decided else "fact_not", lang, subject=subject, label=label_)
        return text + (say("aside", lang, text=rest) if rest else "")
    owner = say("its", lang) if pronoun else possessive(subject, lang)
    return say("fact_are" if _plural(label_) else "fact_is", lang, owner=owner, subject=subject,
               label=label_, value=value)


def facts_sentence(name: str, facts: list[tuple[str, str, int | None]], lead: str = "",
                   lang: str | None = "en") -> str:
    """One sentence of a product's spec facts, each cited where it was read (one mark when they
    share it): "The Lumen 300 Headlamp's brightness is 300 lumens and its beam distance is 85 m [1]."
    ``lead`` is a "Yes - " / "No - " verdict put before it."""
    same = len({n for _, _, n in facts}) == 1
    clauses = []
    for i, (label_, value, n) in enumerate(facts):
        subject = the(name, lang) if i == 0 else say("it", lang)
        clause = fact_clause(subject, label_, value, lang, pronoun=i > 0)
        clauses.append(clause if same else clause + cite(n))
    body = listed(clauses, lang)
    body = lead + body if lead else capital(body)
    return finish(body, facts[0][2] if same else None, lang)


def yes_no_lead(decided: bool | None, lang: str | None = "en") -> str:
    return "" if decided is None else say("yes_lead" if decided else "no_lead", lang)


def on_compatibility_list(device: str, lang: str | None = "en") -> str:
    return say("on_compatibility_list", lang, device=device)


def fit_not_mentioned(name: str, thing: str, n: int | None, lang: str | None = "en") -> str:
    """A thing the shopper wants to fit that the product's details never mention: said plainly."""
    return finish(capital(say("fit_not_mentioned", lang, owner=possessive(the(name, lang), lang), name=name,
                              thing=thing)), n, lang)


def not_answered(name: str, part: str, n: int | None, lang: str | None = "en") -> str:
    """A part of a question that nothing about the product answers, quoted back."""
    return finish(say("not_answered", lang, part=part.strip().rstrip("?.!？。！"),
                      owner=possessive(the(name, lang), lang), name=name), n, lang)


def size_context(clauses: list[str], n: int | None, lang: str | None = "en") -> str:
    return finish(say("size_context", lang, clauses=say("list_and", lang).join(clauses)), n, lang)


def description_answer(name: str, text: str, n: int | None, lang: str | None = "en") -> str:
    return say("description_answer", lang, the_name=the(name, lang), name=name, text=text, cite=cite(n))


def quoting(source_id: str, lang: str | None = "en") -> str:
    """The lead-in naming the store page a reply quotes as written ("Lo que dice nuestra política
    de envíos: "), so the reply speaks the shopper's language around the store's own words. The
    page's topic is read from its id ("faq/returns-window", "policy/shipping#zones": the longest
    leading run of its slug that the ``topics`` catalog has a lead-in for), else the lead-in for
    the store's information in general (``replies.quote_store``). The catalog of the language the
    store writes in (English's) leaves them empty: its quotes need no framing."""
    slug = source_id.split("/", 1)[-1].split("#", 1)[0]
    topics = catalog(lang, "topics")
    parts = slug.split("-")
    runs = ("-".join(parts[:i]) for i in range(len(parts), 0, -1))
    return next((topics[k] for k in runs if k in topics), None) or say("quote_store", lang)


def description_context(text: str, n: int | None, lang: str | None = "en") -> str:
    return finish(text, n, lang)


def stock_answer(name: str, in_stock: list[str], out: list[str], n: int | None, lang: str | None = "en") -> str:
    """"Is it in stock?": yes or no first, then which options."""
    the_name = the(name, lang)
    if not in_stock:
        return finish(say("stock_none", lang, the_name=the_name, name=name), n, lang)
    if not out:
        return finish(say("stock_yes", lang, the_name=the_name, name=name), n, lang)
    sep = say("list_sep", lang)
    return finish(say("stock_some" if len(out) == 1 else "stock_some_plural", lang, the_name=the_name, name=name,
                      in_stock=sep.join(in_stock), out=sep.join(out)), n, lang)


def summary(name: str, brand: str, price: str, in_stock: bool, first: str, n: int | None,
            lang: str | None = "en") -> str:
    plural = bool(re.search(r"[^s]s$", name.split()[-1].lower()))
    key = ("summary_in_stock" if in_stock else "summary_out") + ("_plural" if plural else "")
    body = capital(say(key, lang, the_name=the(name, lang), name=name, by_brand=by_brand(brand, lang), price=price))
    if not first:
        return finish(body, n, lang)
    return f"{body}{say('sentence_gap', lang)}{first}{cite(n)}"


def listing_line(name: str, brand: str, price: str, in_stock: bool, n: int | None, lang: str | None = "en") -> str:
    """"- Alpine 40 Pack by Ridgeline, $149.00 [1]": compact, one product a line."""
    out = "" if in_stock else say("out_of_stock_note", lang)
    return say("listing_line", lang, name=name, by_brand=by_brand(brand, lang), price=price, out=out, cite=cite(n))


def simple_stock(name: str, price: str, in_stock: bool, n: int | None, lang: str | None = "en") -> str:
    key = "simple_in_stock" if in_stock else "simple_out_of_stock"
    return finish(say(key, lang, the_name=the(name, lang), name=name, price=price), n, lang)


def order_unseen(order_id: str, lang: str | None = "en") -> str:
    """The shopper's own order id acknowledged honestly: this backend cannot look orders up."""
    return say("order_unseen", lang, order_id=order_id)


def lead_in(reply: str) -> str:
    """A quoted reply continuing a sentence: its first letter lower-cased (not an acronym's)."""
    return reply[:1].lower() + reply[1:] if reply[:1].isupper() and reply[1:2].islower() else reply


def joined(replies: list[str]) -> str:
    """Several parts' replies as one answer (a listing keeps its own lines)."""
    if any("\n" in r for r in replies):
        return "\n".join(replies)
    return " ".join(replies)


def recognised(name: str, price: str, in_stock: bool, options: list[str], n: int | None,
               lang: str | None = "en") -> str:
    """"Yes, that's our Ember Fleece Hoodie, $64.00, in stock in S, M and L [1]." for a photo."""
    if not in_stock:
        return finish(say("recognised_out", lang, name=name, price=price), n, lang)
    where = say("in_options", lang, options=listed(options, lang)) if options else ""
    return finish(say("recognised", lang, name=name, price=price, where=where), n, lang)
