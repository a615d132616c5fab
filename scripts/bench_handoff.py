"""Handoff precision/recall on the Bitext customer-service VALIDATION split, through the real
tracker and the store's handoff policy (one fresh conversation per utterance, an in-hours weekday
with agents online).

    python scripts/bench_handoff.py [--bitext DIR] [--policy knowledge/handoff.yaml] [--show-errors]

An utterance should hand off when its Bitext intent is contact_human_agent or
contact_customer_service (the shopper wants to reach a person). Nothing here is used for
training: the detector is fitted on the train split (scripts/train_person_request.py).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.dialogue.intents import IntentClassifier  # noqa: E402
from assistant.dialogue.state import DialogueState  # noqa: E402
from assistant.dialogue.tracker import DialogueTracker  # noqa: E402
from assistant.handoff.policy import HandoffContext, HandoffPolicy  # noqa: E402

BITEXT = ROOT.parent / "shared" / "data" / "bitext-customer-service"
PERSON_INTENTS = {"contact_human_agent", "contact_customer_service"}
IN_HOURS = {"now": datetime.fromisoformat("2026-03-11T14:00:00-04:00"), "agents_online": 2}


def handoff_scores(rows: list[dict[str, str]], tracker: DialogueTracker, policy: HandoffPolicy) -> dict:
    """Two views of the same run:
    - detection: does the tracker see an ask for a person (``signals.human_request``)?
    - handoff: does the policy hand a person-ask over (by any rule), and is each handoff it
      attributes to an explicit ask really one? Other store rules (a large refund, anger) that
      fire on other utterances are counted by rule: they are the store's policy, not misreadings.
    """
    det = Counter()
    handed = Counter()
    other_rules: Counter = Counter()
    misses: list[str] = []
    wrong: list[str] = []
    for row in rows:
        state, signals = tracker.update(DialogueState(), row["utterance"])
        decision = policy.decide(state, signals, HandoffContext.coerce(dict(IN_HOURS)))
        wanted = row["intent"] in PERSON_INTENTS
        det[(signals.human_request, wanted)] += 1
        explicit = decision.handoff and decision.rule == "explicit_request"
        handed[("any", decision.handoff, wanted)] += 1
        handed[("explicit", explicit, wanted)] += 1
        if decision.handoff and not wanted and not explicit:
            other_rules[decision.rule] += 1
        if wanted and not decision.handoff:
            misses.append(f"{row['utterance']!r} ({row['intent']})")
        if signals.human_request and not wanted:
            wrong.append(f"{row['utterance']!r} ({row['intent']}, rule {decision.rule})")

    def pr(tp: int, fp: int, fn: int) -> dict:
        return {"precision": round(tp / max(1, tp + fp), 4), "recall": round(tp / max(1, tp + fn), 4),
                "tp": tp, "fp": fp, "fn": fn}

    return {"utterances": len(rows), "asks": det[(True, True)] + det[(False, True)],
            "detection": pr(det[(True, True)], det[(True, False)], det[(False, True)]),
            "handoff": {**pr(handed[("explicit", True, True)], handed[("explicit", True, False)],
                             handed[("any", False, True)])},
            "other_rules": dict(other_rules.most_common()), "missed": misses, "wrong": wrong}


def read_split(folder: Path, split: str = "Validation") -> list[dict[str, str]]:
    with open(folder / f"Bitext_Sample_Customer_Service_{split}_Dataset.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bitext", type=Path, default=BITEXT)
    parser.add_argument("--policy", type=Path, default=ROOT / "knowledge" / "handoff.yaml")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    classifier = IntentClassifier()
    tracker = DialogueTracker(classifier, find_products=lambda text: [])
    started = time.perf_counter()
    result = handoff_scores(read_split(args.bitext), tracker, HandoffPolicy.load(args.policy))
    print(f"Bitext validation: {result['utterances']} utterances, {result['asks']} ask for a person "
          f"({time.perf_counter() - started:.1f} s)")
    d, h = result["detection"], result["handoff"]
    print(f"ask-for-a-person detection: precision {d['precision']:.3f}  recall {d['recall']:.3f}  "
          f"(tp {d['tp']}, fp {d['fp']}, fn {d['fn']})")
    print(f"handoff: recall {h['recall']:.3f} of person asks handed over (any rule); precision "
          f"{h['precision']:.3f} of handoffs made as an explicit ask (tp {h['tp']}, fp {h['fp']}, fn {h['fn']})")
    for rule, n in result["other_rules"].items():
        print(f"  also handed over by the store's {rule} rule: {n}")
    if args.show_errors:
        for line in result["missed"]:
            print("  MISSED", line)
        for line in result["wrong"]:
            print("  WRONG ", line)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
