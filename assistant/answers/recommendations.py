"""The answer to "something like this?" and "what goes with it?": the recommender's items as a
cited list, one line each with its reason, so the reply shows them as product cards."""
from __future__ import annotations

from assistant.answers.prices import price_text
from assistant.knowledge.catalog import Product
from assistant.knowledge.evidence import Evidence
from assistant.knowledge.recommend import Recommendation


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


def recommendation_answer(ask: str, anchor: Product | None, evidence: list[Evidence], lookup) -> str:
    """"Similar to the Alpine 40 Pack:" then "- Name, $price [n]: reason" per item."""
    if not evidence:
        return ("I couldn't find anything in the catalog that goes with it." if ask == "complementary"
                else "I couldn't find anything similar in the catalog.")
    about = f"the {anchor.name}" if anchor else "your photo"
    head = f"These go well with {about}:" if ask == "complementary" else f"Similar to {about}:"
    lines = [head]
    for n, e in enumerate(evidence, 1):
        product: Product | None = lookup(e.product_id)
        price = price_text(product) if product else ""
        lines.append(f"- {e.title}, {price} [{n}]: {e.metadata.get('reason', '')}".rstrip(": "))
    return "\n".join(lines)
