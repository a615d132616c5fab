"""The extractive backend's own sentences, in one place.

Every sentence the extractive backend writes around the facts it quotes is built here, so the
wording is consistent (a direct answer first, then one sentence of context) and a later
per-language message catalog can replace this module whole. Nothing here reads evidence: callers
pass names, labels, values and citation numbers; citations stay ``[n]`` marks right before the
full stop, as assistant/answers/citations.py reads them.
"""
from __future__ import annotations

import re

_LEADING_YES = re.compile(r"^\s*(yes|true|included)\b[\s,;:-]*", re.I)
_LEADING_NO = re.compile(r"^\s*(no|not|none|false)\b[\s,;:-]*", re.I)


def by_brand(brand: str | None) -> str:
    """" by Glacier Peak", or nothing when the catalog has no brand (eShop-style feeds)."""
    return f" by {brand.strip()}" if brand and brand.strip() else ""


def the(name: str) -> str:
    return name if name.lower().startswith("the ") else f"the {name}"


def capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") and not name.endswith("ss") else f"{name}'s"


def cite(n: int | None) -> str:
    return f" [{n}]" if n is not None else ""


def finish(text: str, n: int | None = None) -> str:
    """A sentence: its citation mark, then a full stop (unless it already ends in one)."""
    text = text.rstrip()
    end = ""
    while text and text[-1] in ".!?":
        end, text = text[-1] + end, text[:-1].rstrip()
    return f"{text}{cite(n)}{end or '.'}"


def _plural(label: str) -> bool:
    last = label.split()[-1] if label.split() else label
    return last.endswith("s") and not last.endswith(("ss", "us", "is", "ics"))


def verdict(value: str) -> tuple[bool | None, str]:
    """A yes/no value ("yes, under 100 Wh", "included", "no") as (True/False, the rest); None when
    the value states no verdict of its own."""
    for pattern, answer in ((_LEADING_YES, True), (_LEADING_NO, False)):
        match = pattern.match(value)
        if match:
            return answer, value[match.end():].strip()
    return None, value


def fact_clause(subject: str, label: str, value: str) -> str:
    """"the Summit Rain Jacket's waterproof rating is 20,000 mm"; a yes/no spec reads as what it
    says: "the Powerhouse 20K Power Bank is airline safe (under 100 Wh)"."""
    decided, rest = verdict(value)
    if decided is not None and label and not re.match(r"\s*(?:not\s+)?included\b", value, re.I):
        text = f"{subject} is {'' if decided else 'not '}{label}"
        return text + (f" ({rest})" if rest else "")
    return f"{possessive(subject)} {label} {'are' if _plural(label) else 'is'} {value}"


def facts_sentence(name: str, facts: list[tuple[str, str, int | None]], lead: str = "") -> str:
    """One sentence of a product's spec facts, each cited where it was read (one mark when they
    share it): "The Lumen 300 Headlamp's brightness is 300 lumens and its beam distance is 85 m [1]."
    ``lead`` is a "Yes - " / "No - " verdict put before it."""
    same = len({n for _, _, n in facts}) == 1
    clauses = []
    for i, (label, value, n) in enumerate(facts):
        subject = the(name) if i == 0 else "it"
        clause = fact_clause(subject, label, value)
        if i and clause.startswith("it's "):
            clause = "its " + clause[len("it's "):]
        clauses.append(clause if same else clause + cite(n))
    if len(clauses) == 1:
        body = clauses[0]
    else:
        body = ", ".join(clauses[:-1]) + " and " + clauses[-1]
    body = lead + body if lead else capital(body)
    return finish(body, facts[0][2] if same else None)


def yes_no_lead(decided: bool | None) -> str:
    return "" if decided is None else ("Yes - " if decided else "No - ")


def on_compatibility_list(device: str) -> str:
    return f"Yes, {device} is on its compatibility list. "


def fit_not_mentioned(name: str, thing: str, n: int | None) -> str:
    """A thing the shopper wants to fit that the product's details never mention: said plainly."""
    return finish(f"{capital(possessive(the(name)))} details don't mention {thing}, so I can't promise it fits", n)


def not_answered(name: str, part: str, n: int | None) -> str:
    """A part of a question that nothing about the product answers, quoted back."""
    return finish(f"I can't find an answer to \u201c{part.strip().rstrip('?.!')}\u201d in "
                  f"{possessive(the(name))} details", n)


def size_context(clauses: list[str], n: int | None) -> str:
    return finish("For size, " + " and ".join(clauses), n)


def description_answer(name: str, text: str, n: int | None) -> str:
    return f"Here's what I can tell you about {the(name)}: {text}{cite(n)}"


def description_context(text: str, n: int | None) -> str:
    return finish(text, n)


def stock_answer(name: str, in_stock: list[str], out: list[str], n: int | None) -> str:
    """"Is it in stock?": yes or no first, then which options."""
    if not in_stock:
        return finish(f"No - {the(name)} is out of stock in every option right now", n)
    text = f"Yes - {the(name)} is in stock"
    if out:
        text += f" in {', '.join(in_stock)}; {', '.join(out)} {'is' if len(out) == 1 else 'are'} out of stock"
    return finish(text, n)


def summary(name: str, brand: str, price: str, in_stock: bool, first: str, n: int | None) -> str:
    verb = "are" if re.search(r"[^s]s$", name.split()[-1].lower()) else "is"
    stock = "in stock" if in_stock else "currently out of stock"
    if not first:
        return finish(f"{capital(the(name))}{by_brand(brand)} {verb} {price} and {stock}", n)
    return f"{capital(the(name))}{by_brand(brand)} {verb} {price} and {stock}. {first}{cite(n)}"


def listing_line(name: str, brand: str, price: str, in_stock: bool, n: int | None) -> str:
    """"- Alpine 40 Pack by Ridgeline, $149.00 [1]": compact, one product a line."""
    stock = "" if in_stock else " (currently out of stock)"
    return f"- {name}{by_brand(brand)}, {price}{stock}{cite(n)}"


def simple_stock(name: str, price: str, in_stock: bool, n: int | None) -> str:
    if in_stock:
        return finish(f"Yes - {the(name)} is in stock at {price}", n)
    return finish(f"No - {the(name)} is currently out of stock ({price} when it is back)", n)


def order_unseen(order_id: str) -> str:
    """The shopper's own order id acknowledged honestly: this backend cannot look orders up."""
    return (f"I can't look up order {order_id} from here, but a member of our team can check it for you. "
            f"Meanwhile, here is how it works: ")


def lead_in(reply: str) -> str:
    """A quoted reply continuing a sentence: its first letter lower-cased (not an acronym's)."""
    return reply[:1].lower() + reply[1:] if reply[:1].isupper() and reply[1:2].islower() else reply


def joined(replies: list[str]) -> str:
    """Several parts' replies as one answer (a listing keeps its own lines)."""
    if any("\n" in r for r in replies):
        return "\n".join(replies)
    return " ".join(replies)


def recognised(name: str, price: str, in_stock: bool, options: list[str], n: int | None) -> str:
    """"Yes, that's our Ember Fleece Hoodie, $64.00, in stock in S, M and L [1]." for a photo."""
    if not in_stock:
        return finish(f"Yes, that's our {name}, {price}, but it's currently out of stock", n)
    where = f" in {', '.join(options[:-1])} and {options[-1]}" if len(options) > 1 else (
        f" in {options[0]}" if options else "")
    return finish(f"Yes, that's our {name}, {price}, in stock{where}", n)
