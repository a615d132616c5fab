"""Ingest and search at 10k and 100k chunks: what the knowledge store does as the catalog grows.

    python scripts/bench_scale.py                       # sizes 10000 100000, 256-chunk encode sample
    python scripts/bench_scale.py --sizes 10000 --sample 128

- encode: the real embedding model on a sample of the demo store's and the eShop catalog's chunk
  texts, all cores (as ingest runs) and one thread (as a serving process runs): chunks/s, and
  the time that would take for each size (extrapolated, not run: on two shared cores 100k chunks
  take most of an hour);
- insert: those vectors (with a little noise, so copies are distinct points) upserted into a fresh
  embedded Chroma collection of each size, in batches of 2000, with the chunks' metadata;
- search: top-5 queries with new question vectors, unfiltered (the floor's query) and filtered
  to product chunks (what a turn runs), p50/p95 over 100 queries.
A measurement, not a test: nothing here asserts a number.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def chunks_of_the_stores(settings):
    from assistant.knowledge.catalog import load_catalog
    from assistant.knowledge.ingest import build_chunks

    chunks, _ = build_chunks(load_catalog(settings.catalog_path), "demo", settings.docs_dir)
    eshop = ROOT.parent / "shared" / "data" / "eshop-catalog" / "catalog.json"
    if eshop.exists():
        from assistant.importers import load_products

        more, _ = build_chunks(load_products(eshop, mapping="eshop"), "eshop", None)
        chunks += more
    return chunks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--sample", type=int, default=256, help="chunks encoded to measure throughput")
    args = parser.parse_args()

    import numpy as np

    from assistant.knowledge.embeddings import all_cores, embed, settings_encoder
    from assistant.knowledge.store import KnowledgeStore
    from assistant.settings import Settings

    settings = Settings()
    encoder = settings_encoder(settings)
    chunks = chunks_of_the_stores(settings)
    sample = [chunks[i % len(chunks)].text for i in range(args.sample)]
    embed(encoder, sample[:8])                                   # warm up
    began = time.perf_counter()
    with all_cores():
        vectors = np.asarray(embed(encoder, sample), dtype=np.float32)
    many = args.sample / (time.perf_counter() - began)
    began = time.perf_counter()
    embed(encoder, sample[:64])
    one = 64 / (time.perf_counter() - began)
    print(f"encode ({settings.embedding_model}): {many:.1f} chunks/s on {os.cpu_count()} cores, "
          f"{one:.1f} chunks/s on 1 thread (sample of {args.sample}, {len(chunks)} distinct chunks)")
    questions = np.asarray(embed(encoder, [f"Do you have a {w} under ${p}?" for w, p in
                                           zip(["tent", "jacket", "backpack", "mug", "lamp"] * 20, range(20, 120))]),
                           dtype=np.float32)
    rng = np.random.default_rng(7)
    metas = [{k: v for k, v in c.metadata.items() if k != "product_json"} for c in chunks]
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
            store = KnowledgeStore(Path(tmp) / "chroma")
            began = time.perf_counter()
            for start in range(0, size, 2000):
                rows = range(start, min(size, start + 2000))
                noisy = vectors[[i % len(vectors) for i in rows]] + rng.normal(0, 0.01, (len(rows), vectors.shape[1]))
                noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
                store.upsert([f"c{i}" for i in rows], [sample[i % len(sample)] for i in rows],
                             [metas[i % len(sample) % len(metas)] for i in rows], noisy.tolist())
            insert_s = time.perf_counter() - began
            timings = {}
            for name, where in (("unfiltered", None), ("products only", {"kind": "product"})):
                store.query(questions[0].tolist(), 5, where)
                ms = []
                for q in questions:
                    t = time.perf_counter()
                    store.query(q.tolist(), 5, where)
                    ms.append((time.perf_counter() - t) * 1000)
                timings[name] = ms
            print(f"{size} chunks: insert {insert_s:.1f} s ({size / insert_s:.0f} chunks/s, precomputed vectors); "
                  f"encode would take {size / many / 60:.1f} min on all cores; "
                  + "; ".join(f"top-5 {n}: p50 {statistics.median(v):.1f} ms p95 {pct(v, .95):.1f} ms"
                              for n, v in timings.items()))
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
