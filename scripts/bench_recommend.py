"""Benchmark the recommender (assistant/knowledge/recommend.py): precision@5.

Not a test (tests/test_recommend.py holds floors): it prints
  - the labelled demo store (tests/fixtures/recommend_labels.yaml, 16 products): similar and
    complementary precision@5 (hits over min(5, labelled));
  - the eShop catalog (101 products): category agreement of the top-5 similar items with the
    category signal OFF (text + photo colours + price), per signal, and with it on;
  - eShop colour search: "<colour> <category>" queries; a product is relevant when it is in that
    category and its name, else the first colour its description names, is that colour (labelled
    from the catalog's own words, see assistant/evals/recommend.py colour_of).

    .venv/bin/python scripts/bench_recommend.py [--tfidf] [--data ../shared/data]

--tfidf ranks text by TF-IDF instead of the store's embedding model (multilingual-e5-small).

Measured 2026-12-01 on 2 shared cores (P@5; "cat. agreement" = share of the top 5 in the item's category):

                                                   e5-small   TF-IDF
  demo store, labelled similar                     0.792      0.635
  demo store, labelled complementary               0.648      0.660
  eShop cat. agreement, text+photo+price, no cat.  0.861      0.826
  eShop cat. agreement, text only                  0.838      0.859
  eShop cat. agreement, photo colours only         0.160      0.160   (chance ~0.12)
  eShop cat. agreement, all signals (category on)  0.998      1.000
  eShop colour search, 19 queries ("red bags"...):
    text, colour word in the query                 0.501      0.657
    text, category words only                      0.302      0.291
    category words + photo colour                  0.622      0.375
    colour word + photo colour                     0.650      0.655
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evals.recommend import (
    category_agreement,
    colour_precision,
    colour_queries,
    labelled_precision,
)
from assistant.importers import load_products
from assistant.knowledge.catalog import load_catalog
from assistant.knowledge.colours import ColourProfiles
from assistant.knowledge.recommend import Recommender, load_orders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--tfidf", action="store_true", help="TF-IDF text instead of the embedding model")
    args = parser.parse_args()
    encoder = None
    if not args.tfidf:
        from assistant.knowledge.embeddings import settings_encoder
        from assistant.settings import Settings
        encoder = settings_encoder(Settings())
    colours = ColourProfiles(Path(tempfile.mkdtemp(prefix="bench-colours-")))
    text = "TF-IDF" if encoder is None else "multilingual-e5-small"
    print(f"text similarity: {text}")

    started = time.perf_counter()
    demo = Recommender(load_catalog(ROOT / "knowledge" / "catalog.json"), encoder=encoder,
                       orders=load_orders(ROOT / "knowledge" / "orders.json"), colours=colours)
    p = labelled_precision(demo, ROOT / "tests" / "fixtures" / "recommend_labels.yaml")
    print(f"demo store, labelled (16 products): similar P@5 {p['similar']:.3f}, "
          f"complementary P@5 {p['complementary']:.3f}")

    catalog = args.data / "eshop-catalog" / "catalog.json"
    if not catalog.is_file():
        print(f"eShop catalog not found at {catalog}: skipped")
        return
    eshop = load_products(catalog, mapping="eshop")
    runs = {
        "text + photo + price (no category)": {"category": 0.0},
        "text only": {"category": 0.0, "image": 0.0, "price": 0.0, "kind": 0.0},
        "photo colours only": {"category": 0.0, "text": 0.0, "price": 0.0, "kind": 0.0},
        "all signals, category on": {},
    }
    for name, weights in runs.items():
        agreement = category_agreement(Recommender(eshop, encoder=encoder, colours=colours, weights=weights))
        print(f"eShop category agreement of the top 5 similar, {name}: {agreement:.3f}")
    queries = colour_queries(eshop)
    print(f"eShop colour search, {len(queries)} queries: " + ", ".join(f"{q} ({len(r)})" for q, _, _, r in queries))
    for name, value in colour_precision(Recommender(eshop, encoder=encoder, colours=colours)).items():
        if name != "queries":
            print(f"  P@5 {name}: {value:.3f}")
    print(f"{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
