"""Ingest against raw encode: how close a first ingest gets to the encoder's own throughput.

    python scripts/bench_ingest.py                      # the demo store, English index
    python scripts/bench_ingest.py --catalog ../shared/data/eshop-catalog/catalog.json --mapping eshop

In one run, on fresh data dirs:
- raw encode: the store's chunk texts through the encoder in one call, every core (what the
  encoder alone does; one warm-up pass first);
- ingest: ``Knowledge.ingest`` of the same store (chunks built, embedded, written to Chroma,
  then the retriever's and recommender's in-memory views built), with the English index only
  (``--multilingual`` adds the e5 index, timed apart);
- re-ingest of the unchanged store, as a share of the first.
Prints each and the ratios raw encode / ingest (1.0: ingest costs only its encoding), for the
chunks alone and for the whole ingest (the views also embed the catalog's products and categories).
A measurement, not a test: nothing here asserts a number.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, help="a catalog file (default: the demo store)")
    parser.add_argument("--mapping", help="the importer's mapping for --catalog (e.g. eshop, shopify)")
    parser.add_argument("--multilingual", action="store_true", help="also build the multilingual index")
    args = parser.parse_args()

    from assistant.knowledge.catalog import load_catalog
    from assistant.knowledge.embeddings import PASSAGE, all_cores, embed
    from assistant.knowledge.ingest import build_chunks
    from assistant.knowledge.service import Knowledge
    from assistant.settings import Settings

    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", backend="extractive",
                            multilingual_index=args.multilingual)
        if args.catalog:
            from assistant.importers import load_products

            products, source, docs = load_products(args.catalog, mapping=args.mapping), str(args.catalog), None
        else:
            products, source, docs = load_catalog(settings.catalog_path), str(settings.catalog_path), settings.docs_dir
        knowledge = Knowledge(settings)
        chunks, _ = build_chunks(products, source, docs)
        texts = [c.text for c in chunks]
        with all_cores():
            embed(knowledge.encoder, texts[:16], role=PASSAGE)          # warm-up: first-pass costs
            began = time.perf_counter()
            embed(knowledge.encoder, texts, role=PASSAGE)
            raw = time.perf_counter() - began
        print(f"raw encode: {len(texts)} chunks in {raw:.2f} s ({len(texts) / raw:.1f} chunks/s)")

        fresh = Knowledge(Settings(data_dir=Path(tmp) / "fresh", backend="extractive",
                                   multilingual_index=args.multilingual))
        began = time.perf_counter()
        report = fresh.ingest(products, source, docs, progress=False)
        first = time.perf_counter() - began
        english = report.seconds - report.multilingual_seconds    # chunks built, embedded, written
        views = first - report.seconds                              # retriever and recommender views
        print(f"ingest: {report.chunks} chunks in {first:.2f} s: English index {english:.2f} s"
              + (f", multilingual index {report.multilingual_seconds:.2f} s" if args.multilingual else "")
              + f", in-memory views (retriever, recommender vectors, photo colours) {views:.2f} s")
        print(f"ratio raw encode / English index: {raw / english:.2f};"
              f"  raw encode / whole ingest without the multilingual index: {raw / (english + views):.2f}")
        began = time.perf_counter()
        again = fresh.ingest(products, source, docs, progress=False)
        second = time.perf_counter() - began
        print(f"re-ingest unchanged: {second:.2f} s = {100 * second / first:.1f}% of the first"
              f" (embedded {again.embedded})")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", file=sys.stderr)


if __name__ == "__main__":
    main()
