"""Train the "asks for a person" detector shipped as assistant/dialogue/person_request.npz.

    python scripts/train_person_request.py [--bitext ../shared/data/bitext-customer-service]

Training data: the Bitext customer-service TRAIN split (contact_human_agent and
contact_customer_service are positives, the 25 other intents negatives) plus the project's own
intent examples (prompts/intents.yaml: human_request positive, every other intent negative),
each also with a typo-noised copy. The validation split is never used for fitting or choosing
anything; it is only reported, here and by scripts/bench_handoff.py.
"""
from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.dialogue.intents import load_intent_examples  # noqa: E402
from assistant.dialogue.person_request import DEFAULT_MODEL, PersonRequestModel, train, with_typos  # noqa: E402
from assistant.knowledge.embeddings import all_cores, settings_encoder  # noqa: E402
from assistant.settings import PROJECT_ROOT, Settings  # noqa: E402

BITEXT = PROJECT_ROOT.parent / "shared" / "data" / "bitext-customer-service"
PERSON_INTENTS = {"contact_human_agent", "contact_customer_service"}


def bitext_rows(folder: Path, split: str) -> list[tuple[str, bool]]:
    name = {"train": "Training", "validation": "Validation"}[split]
    with open(folder / f"Bitext_Sample_Customer_Service_{name}_Dataset.csv", newline="") as handle:
        return [(row["utterance"], row["intent"] in PERSON_INTENTS) for row in csv.DictReader(handle)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bitext", type=Path, default=BITEXT)
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args()

    rows = bitext_rows(args.bitext, "train")
    rows += [(text, intent == "human_request") for intent, texts in load_intent_examples().items()
             for text in texts]
    texts = [t for t, _ in rows] + with_typos(t for t, _ in rows)
    labels = [y for _, y in rows] * 2
    encoder = settings_encoder(Settings())
    started = time.perf_counter()
    with all_cores():
        path = train(texts, labels, encoder=encoder, path=args.out)
    print(f"trained on {len(texts)} utterances ({sum(labels)} asking for a person) "
          f"in {time.perf_counter() - started:.0f} s -> {path} ({path.stat().st_size // 1024} KiB)")

    model = PersonRequestModel.load(path)
    held_out = bitext_rows(args.bitext, "validation")
    from assistant.knowledge.embeddings import embed

    vectors = embed(encoder, [t for t, _ in held_out])
    tp = fp = fn = 0
    for (text, wanted), vector in zip(held_out, vectors):
        got = model.asks(text, vector, encoder)
        tp, fp, fn = tp + (got and wanted), fp + (got and not wanted), fn + (wanted and not got)
    print(f"Bitext validation (model alone, not the whole policy): precision {tp / max(1, tp + fp):.3f} "
          f"recall {tp / max(1, tp + fn):.3f} ({tp + fn} asks in {len(held_out)} utterances)")


if __name__ == "__main__":
    main()
