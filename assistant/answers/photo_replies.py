"""What the assistant says when a shopper's photo is not (surely) one of the store's products.

A photo that matches nothing, or could be one of a few products, must never be answered about
another product or with an unrelated FAQ: the shopper is told so, shown the closest candidates
(with their prices; the candidates' photos travel in the perception event) and asked - in the
shopper's language (the catalog's ``replies.photo_*`` sentences).
"""
from __future__ import annotations

from assistant.answers.prices import price_text
from assistant.knowledge.catalog import Product
from assistant.messages import message


def unsure_reply(candidates: list[Product], lang: str | None = "en") -> str:
    lines = [message("replies.photo_unsure_line", lang, name=p.name, price=price_text(p, lang=lang),
                     out="" if p.in_stock else message("replies.out_of_stock_note", lang))
             for p in candidates]
    return "\n".join([message("replies.photo_unsure", lang), *lines, message("replies.photo_unsure_ask", lang)])


def unmatched_reply(lang: str | None = "en") -> str:
    return message("replies.photo_unmatched", lang)
