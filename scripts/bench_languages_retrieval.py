"""Retrieval across languages, per embedding model: hit rates, ingest and query-embedding speed.

    python scripts/bench_languages_retrieval.py                      # both built-in models
    python scripts/bench_languages_retrieval.py --models multilingual-e5-small --json reports/lang.json

For each model the demo store (knowledge/) is ingested cold into a temporary data dir (chunks/s),
then every question is searched as a turn searches it (``Retriever.search``, k=5, with the intent
the classifier gives it). A question is a hit at k=5 when its expected sources are among the five
results, and a top-1 hit when the first result is one of them:

- English: the first turns of the eval conversations on the demo store (evals/*.yaml) that expect
  citations (``cites``: every listed id or id prefix must be found, 'a|b' either);
- zh, es, de, fr, ja: tests/fixtures/multilingual_questions.yaml (any listed id will do).

Query embedding is timed one question at a time (a turn embeds one message), warm.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from assistant.dialogue.intents import IntentClassifier  # noqa: E402
from assistant.knowledge.embeddings import MINILM, MULTILINGUAL_E5, embed  # noqa: E402
from assistant.knowledge.service import Knowledge  # noqa: E402
from assistant.settings import Settings  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "multilingual_questions.yaml"
K = 5


def english_questions(evals_dir: Path) -> list[tuple[str, list[str]]]:
    """(question, expected cites) from the eval conversations' first turns on the demo store."""
    from assistant.evals.transcripts import load_suite

    out = []
    for conv in load_suite([evals_dir]).conversations:
        turn = conv.turns[0]
        if conv.knowledge is not None or turn.images or not turn.expect.get("cites"):
            continue
        out.append((turn.text, list(turn.expect["cites"])))
    return out


def other_questions(path: Path = FIXTURE) -> dict[str, list[tuple[str, list[str]]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {lang: [(q[lang], list(q["expect"])) for q in data["questions"] if q.get(lang)]
            for lang in data["languages"]}


def cites_found(expected: list[str], ids: list[str]) -> bool:
    """Every expected id prefix ('a|b': either) is among ``ids`` (the eval's ``cites`` rule)."""
    return all(any(i.startswith(alt.strip()) for alt in group.split("|") for i in ids) for group in expected)


def score(knowledge: Knowledge, classifier: IntentClassifier, questions, rule) -> dict:
    hits = top1 = 0
    misses, scores = [], []
    for question, expected in questions:
        classifier.expect(question)
        intent, _ = classifier.classify(question)
        found = knowledge.retriever.search(question, k=K, intent=intent, known=classifier.known())[:K]
        ids = [e.source_id for e in found]
        hit = rule(expected, ids)
        if hit:
            scores.append(max(e.score for e in found if any_of(expected, [e.source_id])))
        hits += hit
        top1 += any_of(expected, ids[:1])
        if not hit:
            misses.append({"question": question, "expected": expected, "got": ids[:3]})
    n = len(questions)
    return {"n": n, "hit_at_5": round(hits / n, 3) if n else None, "top_1": round(top1 / n, 3) if n else None,
            "found_score_p50": round(statistics.median(scores), 3) if scores else None, "misses": misses}


def any_of(expected: list[str], ids: list[str]) -> bool:
    """One of the expected ids (or id prefixes, 'a|b' alternatives) is among ``ids``."""
    return any(i.startswith(alt.strip()) for group in expected for alt in group.split("|") for i in ids)


def bench_model(model: str, english, others, n_timing: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), embedding_model=model)
        started = time.perf_counter()
        knowledge = Knowledge(settings)
        load_s = time.perf_counter() - started
        report = knowledge.ingest(progress=False)
        classifier = IntentClassifier(encoder=knowledge.encoder, settings=settings)
        texts = [q for q, _ in english] + [q for qs in others.values() for q, _ in qs]
        embed(knowledge.encoder, texts[:2])                              # warm-up
        times = []
        for text in texts[:n_timing]:
            t = time.perf_counter()
            embed(knowledge.encoder, [text])
            times.append((time.perf_counter() - t) * 1000)
        row = {"model": model, "load_s": round(load_s, 1), "chunks": report.chunks,
               "ingest_s": round(report.seconds, 1), "chunks_per_s": round(report.chunks / report.seconds, 2),
               "query_ms_p50": round(statistics.median(times), 1),
               "query_ms_p95": round(sorted(times)[int(0.95 * (len(times) - 1))], 1)}
        row["en"] = score(knowledge, classifier, english, cites_found)
        for lang, questions in others.items():
            row[lang] = score(knowledge, classifier, questions, any_of)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=[MINILM, MULTILINGUAL_E5])
    parser.add_argument("--evals", type=Path, default=ROOT / "evals")
    parser.add_argument("--timing", type=int, default=60, help="questions embedded one by one for timing")
    parser.add_argument("--json", type=Path, default=None, help="write every number (and the misses) here")
    args = parser.parse_args()

    english, others = english_questions(args.evals), other_questions()
    rows = [bench_model(m, english, others, args.timing) for m in args.models]
    langs = ["en", *others]
    print(f"hit rate (expected source in the top {K} / first), questions per language: "
          + ", ".join(f"{lang} {rows[0][lang]['n']}" for lang in langs))
    print("| model | " + " | ".join(f"{lang} @5 | {lang} @1" for lang in langs) + " |")
    print("|---|" + "---|" * (2 * len(langs)))
    for r in rows:
        print(f"| {r['model']} | " + " | ".join(f"{r[lang]['hit_at_5']:.2f} | {r[lang]['top_1']:.2f}" for lang in langs) + " |")
    print("\nmedian cosine of the expected source when found (the score thresholds read): "
          + "; ".join(f"{r['model']}: " + ", ".join(f"{lang} {r[lang]['found_score_p50']}" for lang in langs) for r in rows))
    print("\n| model | load s | chunks | ingest s | chunks/s | query ms p50 | query ms p95 |\n|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['model']} | {r['load_s']} | {r['chunks']} | {r['ingest_s']} | {r['chunks_per_s']} | "
              f"{r['query_ms_p50']} | {r['query_ms_p95']} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
