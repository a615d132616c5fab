"""Order-action detection on Bitext: accuracy per action and how often other requests are
mistaken for an order action, through the real encoder and prompts/order_actions.yaml.

Bitext intents map to the desk's actions: cancel_order -> cancel, change_shipping_address ->
change_address, track_order -> status, get_refund -> return. Every other Bitext intent should
get no action (a false alarm otherwise). The examples are tuned on the train split only; the
validation split is the held-out number to report.

    python scripts/bench_order_actions.py [--split validation|train] [--others 400]
"""
from __future__ import annotations

import argparse
import collections
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.settings import PROJECT_ROOT  # noqa: E402

BITEXT = PROJECT_ROOT.parent / "shared" / "data" / "bitext-customer-service"
FILES = {"train": "Bitext_Sample_Customer_Service_Training_Dataset.csv",
         "validation": "Bitext_Sample_Customer_Service_Validation_Dataset.csv"}
MAP = {"cancel_order": "cancel", "change_shipping_address": "change_address", "track_order": "status",
       "get_refund": "return"}


def main() -> None:
    import csv
    import random

    from assistant.orders.actions import OrderActionDetector

    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=FILES, default="validation")
    parser.add_argument("--others", type=int, default=0, help="sample this many other-intent rows (0 = all)")
    args = parser.parse_args()
    with open(BITEXT / FILES[args.split], newline="") as handle:
        rows = list(csv.DictReader(handle))
    detector = OrderActionDetector()

    def label(text: str) -> str | None:
        return detector.action(re.sub(r"\{\{[^}]*\}\}", "NW-123456", text)).label

    asked = [r for r in rows if r["intent"] in MAP]
    per = collections.defaultdict(lambda: [0, 0])
    for text, intent in ((r["utterance"], r["intent"]) for r in asked):
        per[MAP[intent]][0] += label(text) == MAP[intent]
        per[MAP[intent]][1] += 1
    right = sum(r for r, _ in per.values())
    print(f"bitext {args.split}: order actions {right}/{len(asked)} = {right / len(asked):.3f}")
    for action, (r, n) in sorted(per.items()):
        print(f"  {action:15s} {r}/{n} = {r / n:.3f}")
    others = [r for r in rows if r["intent"] not in MAP]
    if args.others:
        others = random.Random(0).sample(others, min(args.others, len(others)))
    alarms = collections.Counter()
    for text, intent in ((r["utterance"], r["intent"]) for r in others):
        got = label(text)
        if got:
            alarms[(intent, got)] += 1
    total = sum(alarms.values())
    print(f"other intents taken for an order action: {total}/{len(others)} = {total / len(others):.3f}")
    for (intent, got), n in alarms.most_common(8):
        print(f"  {intent} -> {got}: {n}")


if __name__ == "__main__":
    main()
