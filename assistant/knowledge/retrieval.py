"""Search the store's knowledge: text query + metadata filters + a product-aware path.

One search returns, best first:
  1. the chunks of the products in play (in focus, or named in the question - two named products
     both come back, for "which is warmer, A or B?"), ranked by how well they fit the question, so
     "how heavy is the Alpine 40 pack?" returns its specs chunk before anything else;
  2. FAQ answers and policy sections, ranked by the embedding similarity blended with a keyword
     (BM25) score over all documents - short questions like "do you ship to the UK?" hinge on one
     word the embedding barely weighs; country names are expanded to the names the shipping pages
     use ("UK" -> "United Kingdom", "Germany" -> "European Union");
  3. other products (within a budget the question names: "gifts under $30") and the best-fitting
     category overview (what the store sells), so "do you sell kayaks?" can be answered "no".
Every Evidence.score stays the embedding's cosine similarity, so thresholds mean one thing; the
keyword score only changes the order. The one exception is the multilingual index's retriever
(``score_scale``, see service.Knowledge): a question in another language than the store's pages
scores about half what the same question in English does, so its scores are put on the
same-language scale before any threshold reads them.
"""
from __future__ import annotations

import json
import math
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.knowledge.catalog import Product
from assistant.knowledge.chunking import category_chunks
from assistant.knowledge.embeddings import PASSAGE, embed, fingerprint
from assistant.knowledge.evidence import Evidence
from assistant.knowledge.store import EmbeddingModelMismatch, KnowledgeStore
from assistant.knowledge.vector_cache import embed_cached
from assistant.knowledge.products import ProductDirectory
from assistant.lexicon import lexicon
from assistant.lexicon.text import has_phrase, stem, words

DOCUMENT_KINDS = ("faq", "policy")
WORDS = lexicon("en")
KEYWORD_WEIGHT = 0.2       # how far the best keyword match can lift a document in the ranking
HINT_WEIGHT = 0.3          # an intent hint's word, against the question's own (1.0)
# The intent hint joins the question's vector as a vector of its own (embedded once per hint),
# not as words appended to the question and embedded again: the question is embedded once per
# turn. At 0.7 the composed vector keeps 82% of the top-5 chunks that embedding "question (hint)"
# would find on 300 Bitext questions (0.5: 80%, 1.0: 73%).
HINT_VECTOR_WEIGHT = 0.7
# A catalog of up to this many product chunks is ranked in memory from its stored vectors (15 MB
# of float32 at 384 dimensions): exact, and without a filtered Chroma query per turn (3 ms on the
# demo store's 300). A bigger one is searched in Chroma's index.
IN_MEMORY_PRODUCT_CHUNKS = 10_000
# multilingual-e5-small (centred), the demo store's FAQ pages: an English FAQ question scores a
# median 0.52 against its own answer, the same questions in zh/es/de/fr/ja 0.21/0.25/0.26/0.29/0.29
# (tests/fixtures/multilingual_questions.yaml, the 15 FAQ ones): cross-language scores times 2 read
# like same-language ones. Unrelated texts stay near 0 after centring, so they stay under every cut.
CROSS_LANGUAGE_SCALE = 2.0


@dataclass
class SearchFilters:
    category: str | None = None
    min_price: float | None = None
    max_price: float | None = None
    in_stock: bool | None = None

    def where(self) -> dict | None:
        clauses: list[dict] = []
        if self.category:
            clauses.append({"category": self.category.lower()})
        if self.min_price is not None:
            clauses.append({"min_price": {"$gte": float(self.min_price)}})
        if self.max_price is not None:
            clauses.append({"min_price": {"$lte": float(self.max_price)}})
        if self.in_stock is not None:
            clauses.append({"in_stock": self.in_stock})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def __bool__(self) -> bool:
        return self.where() is not None


def _evidence(hit: tuple[str, str, dict, float]) -> Evidence:
    source_id, text, meta, score = hit
    return Evidence(source_id=source_id, title=meta.get("title", source_id), text=text,
                    kind=meta.get("kind", "doc"), score=round(float(score), 4), metadata=meta)


def wants_specs(question: str) -> bool:
    q = question.lower()
    return any(has_phrase(q, phrase) for phrase in WORDS.spec_synonyms)


def wants_variants(question: str) -> bool:
    q = question.lower()
    return any(has_phrase(q, w) for w in WORDS.variant_words)


# Order, ticket and phone numbers: pages quote them only as examples ("it looks like NW-482913").
_IDENTIFIER = re.compile(r"#?\b[A-Za-z]{0,4}[-\s]?\d{5,}\b|\b\d[\d -]{8,}\d\b")


# A model number or SKU as shoppers quote it: letters then digits, maybe a suffix (RL-4040, GP3108-BLK-S);
# ASCII-bounded only, so one run into Chinese or Japanese text is still found.
_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,5}[-\s]?\d{2,7}(?:-[A-Za-z0-9]{1,6})*(?![A-Za-z0-9])")


def _code_key(code: str) -> str:
    return re.sub(r"[-\s]", "", code).lower() if _CODE.fullmatch(code.strip()) else ""


def keyword_terms(text: str) -> list[str]:
    """Content words for keyword search ("how long does it take" carries none; nor do order numbers
    and phone numbers, which documents only quote as examples)."""
    text = _IDENTIFIER.sub(" ", WORDS.question_frame.sub(" ", text))
    return [stem(w) for w in words(text) if w not in WORDS.stopwords and "-" not in w]


class KeywordIndex:
    """BM25 over a fixed set of texts (the store's FAQ and policy chunks, loaded once)."""

    k1, b = 0.9, 0.3

    def __init__(self, texts: list[str]):
        self.docs = [Counter(keyword_terms(t)) for t in texts]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avg = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0
        df: Counter = Counter()
        for d in self.docs:
            df.update(d.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}

    def scores(self, weighted_terms: dict[str, float]) -> np.ndarray:
        out = np.zeros(len(self.docs), dtype=np.float32)
        for i, (doc, length) in enumerate(zip(self.docs, self.lengths)):
            total = 0.0
            for term, weight in weighted_terms.items():
                tf = doc.get(term)
                if tf:
                    norm = tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * length / self.avg))
                    total += weight * self.idf[term] * norm
            out[i] = total
        return out


class Retriever:
    def __init__(self, store: KnowledgeStore, encoder, directory: ProductDirectory | None = None,
                 cache_dir: Path | None = None, score_scale: float = 1.0):
        self.store = store
        self.encoder = encoder
        self.cache_dir = cache_dir           # start-up embeddings kept on disk (vector_cache)
        self.score_scale = score_scale       # CROSS_LANGUAGE_SCALE for the multilingual index
        self.directory = directory or self.load_directory()
        # the chunks (and stored vectors) of products recently in play, so a turn about a named
        # product ranks them in memory instead of one filtered Chroma query per kind of chunk
        self._chunks: OrderedDict[str, tuple[list[tuple[str, str, dict]], np.ndarray]] = OrderedDict()
        self._chunks_lock = threading.Lock()
        self._hint_vectors: dict[str, np.ndarray] = {}
        self._load_documents()
        self._load_categories()
        self._load_products()

    def load_directory(self) -> ProductDirectory:
        rows = self.store.get(where={"kind": "product"})
        products = [Product.model_validate(json.loads(m["product_json"])) for _, _, m in rows if m.get("product_json")]
        return ProductDirectory(products)

    def refresh(self) -> None:
        self.directory = self.load_directory()
        with self._chunks_lock:
            self._chunks.clear()
        self._load_documents()
        self._load_categories()
        self._load_products()

    def _load_products(self) -> None:
        """The product chunks with their stored vectors, when few enough to rank in memory."""
        self._product_index = None
        where = {"kind": {"$nin": list(DOCUMENT_KINDS)}}
        ids = self.store.collection.get(where=where, include=[], limit=IN_MEMORY_PRODUCT_CHUNKS + 1)["ids"]
        if not ids or len(ids) > IN_MEMORY_PRODUCT_CHUNKS:
            return
        got = self.store.collection.get(ids=ids, include=["documents", "metadatas", "embeddings"])
        rows = [(i, d, m or {}) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]
        prices = np.asarray([m.get("min_price", np.inf) if m.get("kind") == "product" else np.inf
                             for _, _, m in rows], dtype=np.float64)
        self._product_index = (rows, np.asarray(got["embeddings"], dtype=np.float32), prices)

    def _load_documents(self) -> None:
        """FAQ and policy chunks with their stored vectors: scored in memory, keywords and all."""
        self._stale = self.store.model_mismatch(fingerprint(self.encoder))
        got = self.store.collection.get(where={"kind": {"$in": list(DOCUMENT_KINDS)}},
                                        include=["documents", "metadatas", "embeddings"])
        self._doc_rows = [(i, d, m or {}) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]
        vectors = got.get("embeddings")
        self._doc_vectors = (np.asarray(vectors, dtype=np.float32) if vectors is not None and len(vectors)
                             else np.zeros((0, 1), dtype=np.float32))
        self._keywords = KeywordIndex([f"{m.get('title', '')} {d} {m.get('topic', '')} {m.get('tags', '')}"
                                       for _, d, m in self._doc_rows])
        # an FAQ's own question, embedded alone (as a query: like with like): shoppers ask questions,
        # and question-to-question similarity finds "When will I get my refund?" for "still no
        # refund for my boots"
        faq = [i for i, (_, _, m) in enumerate(self._doc_rows) if m.get("kind") == "faq"]
        self._faq_rows = np.asarray(faq, dtype=np.int64)
        self._faq_vectors = (embed_cached(self.encoder, [self._doc_rows[i][2].get("title", "") for i in faq],
                                          self.cache_dir) if faq else np.zeros((0, 1), dtype=np.float32))

    def _load_categories(self) -> None:
        chunks = category_chunks(list(self.directory.products.values()), "catalog")
        self._categories = [(c.id, c.text, c.metadata) for c in chunks]
        self._category_vectors = (embed_cached(self.encoder, [c.text for c in chunks], self.cache_dir, role=PASSAGE)
                                  if chunks else np.zeros((0, 1), dtype=np.float32))

    # -- searching ------------------------------------------------------------------------
    def search(self, question: str, k: int = 6, filters: SearchFilters | None = None,
               product_ids: list[str] | None = None, intent: str | None = None,
               known: Mapping[str, Sequence[float]] | None = None, language: str | None = None) -> list[Evidence]:
        found = self._search(question, k, filters, product_ids, intent, known, language)
        if self.score_scale != 1.0:          # order-preserving: the ranking is already made
            for e in found:
                e.score = round(min(1.0, e.score * self.score_scale), 4)
                if "rank_score" in e.metadata:
                    e.metadata = {**e.metadata, "rank_score": round(e.metadata["rank_score"] * self.score_scale, 4)}
        return found

    def _search(self, question: str, k: int, filters: SearchFilters | None, product_ids: list[str] | None,
                intent: str | None, known: Mapping[str, Sequence[float]] | None,
                language: str | None = None) -> list[Evidence]:
        """Best evidence first. ``product_ids`` are products known to be in play (named or in focus);
        products the question itself names are added to them. ``intent`` (the tracker's label)
        adds what the store's pages for that intent say to the query: "the strap tore on day one"
        then also searches the damaged-item and warranty pages. ``known``: texts this turn has
        embedded already (the intent classifier's), so the same text is not embedded twice.
        ``language``: the shopper's, whose lexicon names places and topics in the pages' words."""
        if self._stale:
            raise EmbeddingModelMismatch(self._stale)
        hint = WORDS.intent_hints.get(intent or "", "")
        masked = _IDENTIFIER.sub(" ", question)
        vectors = self._vectors([question] if filters else [question, masked], known or {})
        vector = self._with_hint(vectors[question], hint) if hint else vectors[question]
        if filters:
            # a catalog browse ("tents under $200 in stock"): product summaries only
            where = {"$and": [{"kind": "product"}, filters.where()]}
            return [_evidence(h) for h in self.store.query(vector, k, where)]
        plain = vectors[masked]
        named = list(product_ids or [])
        named += [pid for pid in self.directory.find_ids(question) + self._by_code(question) if pid not in named]
        results = self._focused(vector, question, named[:3]) if named else []
        seen = {e.source_id for e in results}
        product_words = {t for pid in named for t in keyword_terms(self.directory.name_of(pid))}
        kinds = {t for pid in named[:1] for t in keyword_terms(getattr(self.directory.get(pid), "category", ""))}
        docs = [e for e in self._documents(vector, plain, question, hint, product_words, kinds, language)
                if e.source_id not in seen]
        products = [e for e in self._products(vector, question, k) if e.source_id not in seen]
        kinds = [e for e in self._named_kinds(vector, question, named) if e.source_id not in seen]
        products = [e for e in products if all(e.source_id != x.source_id for x in kinds)]
        return results + self._mix(docs, products, kinds, self._category(vector), k - 1 if results else k,
                                   budget=WORDS.find_budget(question)[0] is not None)

    def _with_hint(self, vector: list[float], hint: str) -> list[float]:
        """The question's vector moved toward its intent hint's (see HINT_VECTOR_WEIGHT)."""
        hinted = self._hint_vectors.get(hint)
        if hinted is None:          # two turns racing here embed it twice, harmlessly
            hinted = self._hint_vectors[hint] = np.asarray(embed(self.encoder, [hint])[0], dtype=np.float32)
        out = np.asarray(vector, dtype=np.float32) + HINT_VECTOR_WEIGHT * hinted
        return (out / (np.linalg.norm(out) or 1.0)).tolist()

    def _vectors(self, texts: list[str], known: Mapping[str, Sequence[float]]) -> dict[str, list[float]]:
        """Each text's vector: taken from ``known`` or embedded, the missing ones in one pass."""
        out = {t: np.asarray(known[t], dtype=np.float32).tolist() for t in texts if t in known}
        missing = list(dict.fromkeys(t for t in texts if t not in out))
        if missing:
            out.update(zip(missing, embed(self.encoder, missing)))
        return out

    @staticmethod
    def _mix(docs: list[Evidence], products: list[Evidence], kinds: list[Evidence], category: list[Evidence],
             n: int, budget: bool) -> list[Evidence]:
        """The best ``n`` by rank, at most 4 documents and one category overview; products whose
        name or tags the question uses are kept, and so are three within a budget it names."""
        rank = lambda e: -e.metadata.get("rank_score", e.score)  # noqa: E731
        pool = sorted(docs, key=rank)[:4] + sorted(products + kinds, key=rank) + category
        pool.sort(key=rank)
        chosen = pool[:n]
        chosen += [e for e in kinds if e not in chosen]
        if budget:
            have = sum(e in chosen for e in products)
            chosen += [e for e in products if e not in chosen][: max(0, 3 - have)]
        return chosen

    chunk_cache_size = 1024      # products whose chunks are held in memory

    def _product_rows(self, product_ids: list[str]) -> dict[str, tuple[list[tuple[str, str, dict]], np.ndarray]]:
        """Each product's stored chunks and their unit vectors; the ones not held yet fetched
        from the store in one call (a product the shopper keeps asking about costs it once)."""
        with self._chunks_lock:
            held = {pid: self._chunks[pid] for pid in product_ids if pid in self._chunks}
            for pid in held:
                self._chunks.move_to_end(pid)
        missing = [pid for pid in dict.fromkeys(product_ids) if pid not in held]
        if missing:
            got = self.store.collection.get(where={"product_id": {"$in": missing}},
                                            include=["documents", "metadatas", "embeddings"])
            fetched: dict[str, tuple[list, list]] = {pid: ([], []) for pid in missing}
            vectors = got.get("embeddings")
            for n, (i, d, m) in enumerate(zip(got["ids"], got["documents"], got["metadatas"])):
                m = m or {}
                rows, vecs = fetched[m.get("product_id")]
                rows.append((i, d, m))
                vecs.append(vectors[n])
            with self._chunks_lock:
                for pid, (rows, vecs) in fetched.items():
                    matrix = np.asarray(vecs, dtype=np.float32).reshape(len(rows), -1)
                    if len(rows):
                        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
                    held[pid] = self._chunks[pid] = (rows, matrix)
                while len(self._chunks) > self.chunk_cache_size:
                    self._chunks.popitem(last=False)
        return held

    def _nearest_chunks(self, vector, product_ids: list[str], k: int, kind: str | None = None
                        ) -> list[tuple[str, str, dict, float]]:
        """The ``k`` chunks of these products (of one ``kind``, if given) nearest the vector,
        scored as the store scores them (cosine similarity): what a filtered query returns."""
        query = np.asarray(vector, dtype=np.float32)
        scored = []
        for pid, (rows, matrix) in self._product_rows(product_ids).items():
            if not rows:
                continue
            sims = matrix @ query
            scored += [(row[0], row[1], row[2], float(sim)) for row, sim in zip(rows, sims)
                       if kind is None or row[2].get("kind") == kind]
        scored.sort(key=lambda hit: -hit[3])
        return scored[:k]

    def _focused(self, vector, question: str, named: list[str]) -> list[Evidence]:
        """All chunks of the first product in play; summary and specs of the others."""
        hits = [_evidence(h) for h in self._nearest_chunks(vector, named, 3 * len(named))]
        hits.sort(key=lambda e: -(e.score + self._kind_boost(e, question, named)))
        first = [e for e in hits if e.product_id == named[0]][:4]
        others = [e for e in hits if e.product_id != named[0] and e.kind in ("product", "specs")]
        return first + others[:2 * (len(named) - 1)]

    def _documents(self, vector, plain, question: str, hint: str, product_words: set[str] = frozenset(),
                   category_words: set[str] = frozenset(), language: str | None = None) -> list[Evidence]:
        """Documents by the question's similarity (with and without the intent hint, which can
        mislead when the intent is wrong) plus its keywords; proper nouns ("Canada", "Klarna")
        weigh double, the product in play's own name little (pages name products as examples) and
        its category some ("electronics accessories are accepted opened"). The places and topics a
        question names are added in the pages' English by the shopper's language's lexicon
        ("nach Deutschland" -> germany, EU, international; "Rückerstattung" -> refund)."""
        if not self._doc_rows:
            return []
        cosine = self._doc_vectors @ np.asarray(vector, dtype=np.float32)
        own = self._doc_vectors @ np.asarray(plain, dtype=np.float32)
        if len(self._faq_rows):
            own[self._faq_rows] = np.maximum(own[self._faq_rows], self._faq_vectors @ np.asarray(plain, dtype=np.float32))
        names = {stem(w.lower()) for w in re.findall(r"(?<![.!?]\s)(?<!^)\b[A-Z][A-Za-z]+", question)}
        expanded = lexicon(language).expand_places(question)      # no language: English (WORDS)
        terms = {t: (2.0 if t in names else 1.0) for t in keyword_terms(expanded)}
        for t in keyword_terms(expanded[len(question):]):
            terms[t] = 2.0
        hint_words = {t for t in keyword_terms(hint) if t not in terms}
        for t in hint_words:
            terms[t] = HINT_WEIGHT
        for t in product_words & set(terms):
            terms[t] = 0.3
        for t in category_words:
            terms.setdefault(t, 0.5)
        keyword = self._keywords.scores(terms)
        top = float(keyword.max()) if len(keyword) else 0.0
        if self.score_scale != 1.0 and top > 0:
            # the cross-language retriever: a question in another language than the pages rarely
            # shares a word with them, so the intent hint's English words alone would reach the
            # full keyword weight and decide among close pages on a guess ("envío normal" read as
            # order_status lifted the tracking FAQ over shipping times); unless the question's own
            # words match, the hint counts at its own weight, as it does beside them
            asked = {t: w for t, w in terms.items() if t not in hint_words}
            if not asked or float(self._keywords.scores(asked).max()) == 0.0:
                keyword = keyword * HINT_WEIGHT
        blended = 0.3 * cosine + 0.7 * own + (KEYWORD_WEIGHT * keyword / top if top > 0 else 0.0)
        order = np.argsort(-blended)[:8]
        out = []
        for i in order:
            source_id, text, meta = self._doc_rows[i]
            e = _evidence((source_id, text, meta, float(cosine[i])))
            e.metadata = {**meta, "rank_score": round(float(blended[i]), 4)}
            out.append(e)
        return out

    def _products(self, vector, question: str, k: int) -> list[Evidence]:
        """The ``k`` product chunks nearest the question; with a budget, products within it only
        (dearer ones are no answer to "under $30")."""
        budget, _ = WORDS.find_budget(question)
        index = self._product_index
        if index is not None:
            rows, matrix, prices = index
            sims = matrix @ np.asarray(vector, dtype=np.float32)
            if budget is not None:
                sims = np.where(prices <= float(budget), sims, -np.inf)
            top = np.argsort(-sims, kind="stable")[:k]
            return [_evidence((*rows[i], float(sims[i]))) for i in top if np.isfinite(sims[i])]
        if budget is None:
            return [_evidence(h) for h in self.store.query(vector, k, {"kind": {"$nin": list(DOCUMENT_KINDS)}})]
        within = {"$and": [{"kind": "product"}, {"min_price": {"$lte": float(budget)}}]}
        return [_evidence(h) for h in self.store.query(vector, k, within)]

    def _named_kinds(self, vector, question: str, named: list[str]) -> list[Evidence]:
        """Products whose name or tags hold the question's words ("a warm hat" -> the beanie tagged
        "hat"), which the embedding alone can rank below look-alikes; up to three, most words first.
        A budget does not hide them: "none under $100, but..." is an answer too."""
        asked = {stem(w, True) for w in words(question) if w not in WORDS.stopwords and "-" not in w}
        if not asked:
            return []
        counts = {}
        for pid, own in self._product_words().items():
            if pid in named:
                continue
            hits = len(asked & own)
            if hits:
                counts[pid] = hits
        if not counts:
            return []
        top = max(counts.values())
        ids = sorted((pid for pid, c in counts.items() if c == top), key=lambda pid: pid)[:8]
        hits = [_evidence(h) for h in self._nearest_chunks(vector, ids, 3, kind="product")]
        for e in hits:
            e.metadata = {**e.metadata, "rank_score": round(e.score + 0.1 * top, 4)}
        return hits

    def _product_words(self) -> dict[str, set[str]]:
        """Each product's name and tag stems, made once per directory (not once per question)."""
        cached = getattr(self, "_words_of", None)
        if cached is None or cached[0] is not self.directory:
            words_of = {pid: {stem(w, True) for text in (p.name, *p.tags) for w in words(text)}
                        for pid, p in self.directory.products.items()}
            cached = self._words_of = (self.directory, words_of)
        return cached[1]

    def _by_code(self, question: str) -> list[str]:
        """Products whose model number or SKU the question quotes ("RL-4040", "rl 4040", "型番RL-4040"):
        exact identifiers, found in any language, whatever the embedding makes of them."""
        cached = getattr(self, "_codes", None)
        if cached is None or cached[0] is not self.directory:
            codes: dict[str, str] = {}
            for pid, p in self.directory.products.items():
                for code in [str(p.specs.get("model_number", "")), *(v.sku for v in p.variants)]:
                    if _code_key(code):
                        codes.setdefault(_code_key(code), pid)
            cached = self._codes = (self.directory, codes)
        found = (cached[1].get(_code_key(m)) for m in _CODE.findall(question))
        return list(dict.fromkeys(pid for pid in found if pid))

    def _category(self, vector) -> list[Evidence]:
        if not self._categories:
            return []
        sims = self._category_vectors @ np.asarray(vector, dtype=np.float32)
        best = int(np.argmax(sims))
        source_id, text, meta = self._categories[best]
        return [_evidence((source_id, text, meta, float(sims[best])))]

    @staticmethod
    def _kind_boost(evidence: Evidence, question: str, named: list[str]) -> float:
        boost = 0.0
        if evidence.product_id == named[0]:
            boost += 0.2
        if evidence.kind == "specs" and wants_specs(question):
            boost += 0.3
        if evidence.kind == "variants" and wants_variants(question):
            boost += 0.3
        return boost
