"""The answer to "something like this?" and "what goes with it?": the recommender's items as a
cited list, one line each with its reason, so the reply shows them as product cards."""
from __future__ import annotations

from assistant.answers.prices import price_text
from assistant.knowledge.catalog import Product
from assistant.knowledge.evidence import Evidence
from assistant.knowledge.recommend import Recommendation
from assistant.messages import message


def recommendation_evidence(store, items: list[Recommendation]) -> list[Evidence]:
    """Each item's summary chunk from the store, in the recommender's order (what is cited)."""
    wanted = [f"product/{r.product_id}" for r in items]
    rows = {source_id: (text, meta) for source_id, text, meta in store.get(ids=wanted)}
    out = []
    for r, source_id in zip(items, wanted):
        if source_id in rows:
            text, meta = rows[source_id]
            out.append(Evidence(source_id=source_id, title=meta.get("title", source_id), text=text,
                                kind="product", score=r.score, metadata={**meta, "reason": r.reason}))
    return out


def recommendation_answer(ask: str, anchor: Product | None, evidence: list[Evidence], lookup,
                          language: str | None = "en") -> str:
    """"Similar to the Alpine 40 Pack:" then "- Name, $price [n]: reason" per item, in the
    shopper's language (the ``recommend`` message catalog)."""
    def say(key: str, **values) -> str:
        return message(f"recommend.{key}", language, **values)
    if not evidence:
        return say("none_complement" if ask == "complementary" else "none_similar")
    if anchor is None:
        head = say("photo_head")
    else:
        head = say("complement_head" if ask == "complementary" else "similar_head", name=anchor.name)
    lines = [head]
    for n, e in enumerate(evidence, 1):
        product: Product | None = lookup(e.product_id)
        price = price_text(product) if product else ""
        lines.append(f"- {e.title}, {price} [{n}]: {e.metadata.get('reason', '')}".rstrip(": "))
    return "\n".join(lines)
