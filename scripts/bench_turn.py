"""Benchmark one turn against its floor, in one run; and the cold start of ``assistant ask``.

    python scripts/bench_turn.py                 # 60 turns, 200 floor samples, 3 cold starts
    python scripts/bench_turn.py --turns 120 --cold 0

- floor: what no turn can avoid - embed one shopper question with the configured encoder and
  run a top-5 Chroma query on a 10k-chunk collection (built once in a temp dir from the demo
  store's and the eShop catalog's chunks, repeated under new ids, vectors embedded once);
- turn: an extractive turn through ``ConversationManager.respond`` (the path ``assistant ask
  --json -`` takes) in this warm process, on the demo store, sessions in SQLite - p50/p95 and
  p50 / floor p50;
- floor after a turn: the same floor work, one sample right after each turn. Back to back, the
  encoder's weights stay in the CPU's caches; in a server something always runs between two
  questions, and this is the floor as a turn meets it (reported beside, not instead);
- cold start: ``python -m assistant.cli ask "..."`` as a fresh process on an ingested data dir,
  process start included, until the answer is printed.
A measurement, not a test: nothing here asserts a number. On a shared machine, run it twice.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

# every question is new text (an embedding cache must not flatter the turn): shopper templates
# filled with the demo store's product names, places and amounts
TEMPLATES = [
    "How heavy is the {name}?",
    "Is the {name} in stock in size {size}?",
    "and in {color}?",
    "How long do I have to return the {name}?",
    "Do you have anything like the {name} under ${price}?",
    "What payment methods do you accept for orders over ${price}?",
    "How long does shipping to {place} take?",
    "What is the {name} made of?",
]
PLACES = ["Canada", "the UK", "Germany", "Texas", "Ohio", "France", "Japan", "Oregon", "Spain", "Mexico"]
COLORS = ["red", "black", "blue", "green", "grey", "orange", "navy", "white"]


def questions(n: int, names: list[str]) -> list[str]:
    out = []
    for i in range(n):
        out.append(TEMPLATES[i % len(TEMPLATES)].format(
            name=names[(i // len(TEMPLATES)) % len(names)], size=["S", "M", "L", "XL"][i % 4] + f" ({i})",
            color=COLORS[(i // 3) % len(COLORS)], price=50 + 5 * i, place=PLACES[i % len(PLACES)] + f" in {i % 9 + 1} days"))
        if out[-1] in out[:-1]:
            out[-1] = out[-1].rstrip("?") + f", question {i}?"
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def build_collection(path: Path, size: int, encoder, settings) -> "object":
    """A ``size``-chunk collection from the demo store's and the eShop catalog's chunks."""
    import numpy as np

    from assistant.knowledge.catalog import load_catalog
    from assistant.knowledge.embeddings import embed
    from assistant.knowledge.ingest import build_chunks
    from assistant.knowledge.store import KnowledgeStore

    chunks, _ = build_chunks(load_catalog(settings.catalog_path), "demo", settings.docs_dir)
    eshop = ROOT.parent / "shared" / "data" / "eshop-catalog" / "catalog.json"
    if eshop.exists():
        from assistant.importers import load_products

        more, _ = build_chunks(load_products(eshop, mapping="eshop"), "eshop", None)
        chunks += more
    vectors = np.asarray(embed(encoder, [c.text for c in chunks]), dtype=np.float32)
    store = KnowledgeStore(path)
    rng = np.random.default_rng(7)
    batch = 2000
    for start in range(0, size, batch):
        rows = [(i, chunks[i % len(chunks)]) for i in range(start, min(size, start + batch))]
        # a little noise, so the copies are distinct points (HNSW dislikes exact duplicates)
        noisy = vectors[[i % len(chunks) for i, _ in rows]] + rng.normal(0, 0.01, (len(rows), vectors.shape[1]))
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        store.upsert([f"{c.id}#{i}" for i, c in rows], [c.text for _, c in rows],
                     [{k: v for k, v in c.metadata.items() if k != "product_json"} for _, c in rows],
                     noisy.tolist())
    return store


def floor(store, encoder, asked: list[str], skip: int = 5) -> list[float]:
    from assistant.knowledge.embeddings import embed

    out = []
    for i, question in enumerate(asked):
        started = time.perf_counter()
        vector = embed(encoder, [question])[0]
        store.query(vector, 5)
        if i >= skip:                                # the first few warm Chroma up
            out.append((time.perf_counter() - started) * 1000)
    return out


def turns(manager, asked: list[str], per_session: int = 4, after=None) -> list[float]:
    from assistant.conversation import Turn

    out = []
    session = None
    for i, question in enumerate(asked):
        if i % per_session == 0:
            session = manager.new_session()
        started = time.perf_counter()
        events = list(manager.respond(session, Turn(text=question)))
        assert events[-1].type == "done", events[-1]
        if i >= 4:                                   # the first turn of a process warms caches
            out.append((time.perf_counter() - started) * 1000)
            if after is not None:
                after(i)
    return out


def cold_start(data_dir: Path, n: int) -> list[float]:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir), "ASSISTANT_BACKEND": "extractive",
           "HF_HUB_OFFLINE": "1"}
    out = []
    for _ in range(n):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", "How long does shipping take?"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise SystemExit(f"assistant ask failed:\n{done.stderr[-2000:]}")
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--floor", type=int, default=200, help="floor samples")
    parser.add_argument("--chunks", type=int, default=10_000, help="size of the floor's collection")
    parser.add_argument("--cold", type=int, default=3, help="cold starts of `assistant ask` (0: skip)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the turns here")
    args = parser.parse_args()

    from assistant.conversation import ConversationManager
    from assistant.knowledge.embeddings import settings_encoder
    from assistant.settings import Settings

    random.seed(7)
    with tempfile.TemporaryDirectory(prefix="bench-turn-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", backend="extractive")
        encoder = settings_encoder(settings)
        began = time.perf_counter()
        store = build_collection(Path(tmp) / "floor-chroma", args.chunks, encoder, settings)
        print(f"built a {store.count()}-chunk collection in {time.perf_counter() - began:.1f} s", file=sys.stderr)
        manager = ConversationManager(settings)
        manager.knowledge.ensure_ingested()

        # interleaved in rounds, so a busy neighbour slows both alike
        floor_ms: list[float] = []
        turn_ms: list[float] = []
        after_ms: list[float] = []
        rounds = 4
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
        names = sorted(p.name for p in manager.knowledge.directory.products.values())
        asked = questions(args.floor + 2 * args.turns + 20 * rounds, names)
        per_floor, per_turn = args.floor // rounds + 5, args.turns // rounds + 4
        for r in range(rounds):
            floor_ms += floor(store, encoder, asked[:per_floor])
            asked = asked[per_floor:]
            if profiler:
                profiler.enable()
            extra = asked[per_turn:2 * per_turn]
            turn_ms += turns(manager, asked[:per_turn],
                             after=lambda i: after_ms.extend(floor(store, encoder, [extra[i]], skip=0)))
            asked = asked[2 * per_turn:]
            if profiler:
                profiler.disable()
        if profiler:
            profiler.dump_stats(str(args.profile))
        manager.close()
        f50, t50 = statistics.median(floor_ms), statistics.median(turn_ms)
        print(f"floor (embed + top-5 on {store.count()} chunks): p50 {f50:.1f} ms  p95 {pct(floor_ms, .95):.1f} ms"
              f"  (n={len(floor_ms)})")
        print(f"turn (extractive, ConversationManager.respond): p50 {t50:.1f} ms  p95 {pct(turn_ms, .95):.1f} ms"
              f"  (n={len(turn_ms)})")
        print(f"ratio turn p50 / floor p50: {t50 / f50:.2f}")
        a50 = statistics.median(after_ms)
        print(f"floor right after a turn: p50 {a50:.1f} ms  p95 {pct(after_ms, .95):.1f} ms  (n={len(after_ms)});"
              f"  ratio turn p50 / it: {t50 / a50:.2f}")
        if args.cold:
            cold = cold_start(settings.data_dir, args.cold)
            print(f"cold start `python -m assistant.cli ask ...` to the answer: median {statistics.median(cold):.2f} s"
                  f"  min {min(cold):.2f} s  (n={len(cold)})")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", file=sys.stderr)


if __name__ == "__main__":
    main()
