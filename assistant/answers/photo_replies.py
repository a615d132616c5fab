"""What the assistant says when a shopper's photo is not (surely) one of the store's products.

A photo that matches nothing, or could be one of a few products, must never be answered about
another product or with an unrelated FAQ: the shopper is told so, shown the closest candidates
(with their prices; the candidates' photos travel in the perception event) and asked.
"""
from __future__ import annotations

from assistant.knowledge.catalog import Product
from assistant.knowledge.chunking import price_text


def unsure_reply(candidates: list[Product]) -> str:
    lines = [f"- {p.name}, {price_text(p)}" + ("" if p.in_stock else " (currently out of stock)")
             for p in candidates]
    return "\n".join(["I'm not sure which of our products this is. Is it one of these?", *lines,
                      "Tell me which one (or its name), and I'll answer about it."])


def unmatched_reply() -> str:
    return ("I couldn't match this photo to anything we sell, so I can't say it's one of ours. "
            "If you tell me what it is, or send a photo of its label or tag, I'll check whether we "
            "carry it or something like it.")
