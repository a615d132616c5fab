"""Benchmark ingestion and search: chunks/s, search latency p50/p95, peak RSS.

    python scripts/bench_retrieval.py                # demo store and the eShop catalog
    python scripts/bench_retrieval.py --queries 200

Each store is ingested into a fresh temporary data dir (a cold, full ingest), then re-ingested
(the incremental no-op path), then queried with questions built from the catalog itself.
"""
from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.knowledge.service import Knowledge  # noqa: E402
from assistant.settings import Settings  # noqa: E402

QUESTIONS = ["how heavy is the {name}?", "what is the {name} made of?", "is the {name} in stock?",
             "do you have something like the {name}?", "how much is the {name}?"]
GENERAL = ["how long does shipping take?", "what is your return policy?", "do you price match?",
           "how do I track my order?", "which payment methods do you accept?"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench(label: str, products, docs_dir: Path | None, source: str, n_queries: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        knowledge = Knowledge(Settings(data_dir=tmp))
        cold = knowledge.ingest(products, source, docs_dir, progress=False)
        warm = knowledge.ingest(products, source, docs_dir, progress=False)
        rng = random.Random(7)
        queries = [rng.choice(QUESTIONS).format(name=rng.choice(products).name) if i % 3 else rng.choice(GENERAL)
                   for i in range(n_queries)]
        knowledge.retriever.search(queries[0])  # warm-up
        latencies = []
        for q in queries:
            start = time.perf_counter()
            knowledge.retriever.search(q)
            latencies.append((time.perf_counter() - start) * 1000)
    return {
        "store": label, "products": len(products), "chunks": cold.chunks,
        "ingest_s": round(cold.seconds, 2), "chunks_per_s": round(cold.chunks / cold.seconds, 1),
        "reingest_s": round(warm.seconds, 3), "reingest_embedded": warm.embedded,
        "search_p50_ms": round(statistics.median(latencies), 1),
        "search_p95_ms": round(percentile(latencies, 0.95), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--eshop", type=Path, default=ROOT.parent / "shared" / "data" / "eshop-catalog" / "catalog.json")
    args = parser.parse_args()

    from assistant.knowledge.catalog import load_catalog

    settings = Settings()
    rows = [bench("demo store", load_catalog(settings.catalog_path), settings.docs_dir,
                  str(settings.catalog_path), args.queries)]
    if args.eshop.exists():
        from assistant.importers import load_products

        rows.append(bench("eShop catalog", load_products(args.eshop, mapping="eshop"), None,
                          str(args.eshop), args.queries))
    else:
        print(f"(eShop catalog not found at {args.eshop}; skipped)")
    keys = list(rows[0])
    print(" | ".join(keys))
    for row in rows:
        print(" | ".join(str(row[k]) for k in keys))
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
