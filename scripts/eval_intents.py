"""Score intent detection and the handoff policy on tests/fixtures/utterances.yaml.

    python scripts/eval_intents.py [--data tests/fixtures/utterances.yaml] [--policy knowledge/handoff.yaml]
                                   [--json report.json] [--show-errors]

Single utterances run on a fresh DialogueState; dialogues run turn by turn on one state (a turn
with ``answered: false`` records a failed answer after it). Handoff is decided by the policy at
the file's fixed context (an in-hours weekday, agents online) unless an item overrides it.
Reports intent accuracy (overall, per intent, top confusions) and handoff precision/recall/F1.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from assistant.dialogue.intents import IntentClassifier  # noqa: E402
from assistant.handoff.policy import HandoffContext, HandoffPolicy  # noqa: E402
from assistant.dialogue.state import DialogueState  # noqa: E402
from assistant.dialogue.tracker import DialogueTracker  # noqa: E402

DEFAULT_DATA = ROOT / "tests" / "fixtures" / "utterances.yaml"
DEFAULT_POLICY = ROOT / "knowledge" / "handoff.yaml"


@dataclass
class Outcome:
    text: str
    intent: str
    predicted: str
    handoff: bool
    predicted_handoff: bool
    rule: str | None
    predicted_rule: str | None
    where: str


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def intent_accuracy(self) -> float:
        return sum(o.intent == o.predicted for o in self.outcomes) / max(len(self.outcomes), 1)

    def per_intent(self) -> dict[str, tuple[int, int]]:
        table: dict[str, list[int]] = {}
        for o in self.outcomes:
            row = table.setdefault(o.intent, [0, 0])
            row[0] += o.intent == o.predicted
            row[1] += 1
        return {k: (v[0], v[1]) for k, v in sorted(table.items())}

    def confusions(self, top: int = 8) -> list[tuple[tuple[str, str], int]]:
        pairs = Counter((o.intent, o.predicted) for o in self.outcomes if o.intent != o.predicted)
        return pairs.most_common(top)

    def handoff_counts(self) -> tuple[int, int, int]:
        tp = sum(o.handoff and o.predicted_handoff for o in self.outcomes)
        fp = sum(not o.handoff and o.predicted_handoff for o in self.outcomes)
        fn = sum(o.handoff and not o.predicted_handoff for o in self.outcomes)
        return tp, fp, fn

    @property
    def handoff_precision(self) -> float:
        tp, fp, _ = self.handoff_counts()
        return tp / (tp + fp) if tp + fp else 1.0

    @property
    def handoff_recall(self) -> float:
        tp, _, fn = self.handoff_counts()
        return tp / (tp + fn) if tp + fn else 1.0

    @property
    def handoff_f1(self) -> float:
        p, r = self.handoff_precision, self.handoff_recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def rule_accuracy(self) -> float:
        """Among true handoffs that were caught, the share attributed to the expected rule."""
        caught = [o for o in self.outcomes if o.handoff and o.predicted_handoff]
        return sum(o.rule == o.predicted_rule for o in caught) / max(len(caught), 1)

    def summary(self) -> dict[str, Any]:
        tp, fp, fn = self.handoff_counts()
        return {
            "utterances": len(self.outcomes),
            "intent_accuracy": round(self.intent_accuracy, 4),
            "per_intent": {k: {"correct": c, "total": t, "accuracy": round(c / t, 3)}
                           for k, (c, t) in self.per_intent().items()},
            "top_confusions": [{"expected": a, "predicted": b, "count": n} for (a, b), n in self.confusions()],
            "handoff": {"precision": round(self.handoff_precision, 4), "recall": round(self.handoff_recall, 4),
                        "f1": round(self.handoff_f1, 4), "tp": tp, "fp": fp, "fn": fn,
                        "rule_accuracy": round(self.rule_accuracy, 4)},
        }


def product_finder(products: list[dict[str, Any]]) -> tuple[Callable[[str], list[str]], Callable[[str], str | None]]:
    """A plain name/alias matcher over the data file's products, in order of first mention."""
    names = {p["id"]: p["name"] for p in products}
    phrases = [(alias.lower(), p["id"]) for p in products for alias in [p["name"], *p.get("aliases", [])]]
    phrases.sort(key=lambda item: -len(item[0]))

    def find(text: str) -> list[str]:
        lowered = text.lower()
        hits: list[tuple[int, str]] = []
        for phrase, pid in phrases:
            at = lowered.find(phrase)
            if at >= 0 and pid not in [h[1] for h in hits]:
                hits.append((at, pid))
        return [pid for _, pid in sorted(hits)]

    return find, names.get


def _context(base: dict[str, Any], extra: dict[str, Any] | None) -> HandoffContext:
    merged = {**base, **(extra or {})}
    if isinstance(merged.get("now"), str):
        merged["now"] = datetime.fromisoformat(merged["now"])
    return HandoffContext.coerce(merged)


def evaluate(data_path: Path | str = DEFAULT_DATA, classifier: IntentClassifier | None = None,
             policy: HandoffPolicy | None = None) -> Report:
    data = yaml.safe_load(Path(data_path).read_text(encoding="utf-8"))
    classifier = classifier or IntentClassifier()
    policy = policy or HandoffPolicy.load(DEFAULT_POLICY)
    find, name = product_finder(data.get("products", []))
    tracker = DialogueTracker(classifier, find, name)
    base = data.get("context", {})
    report = Report()

    def run(state: DialogueState, item: dict[str, Any], where: str) -> DialogueState:
        state, signals = tracker.update(state, item["text"])
        decision = policy.decide(state, signals, _context(base, item.get("context")))
        report.outcomes.append(Outcome(
            text=item["text"], intent=item["intent"], predicted=signals.intent,
            handoff=bool(item["handoff"]), predicted_handoff=decision.handoff,
            rule=item.get("rule"), predicted_rule=decision.rule, where=where))
        return tracker.record_outcome(state, answered=item.get("answered", True), low_confidence=False)

    for index, item in enumerate(data.get("utterances", [])):
        run(DialogueState(), item, f"utterance {index + 1}")
    for dialogue in data.get("dialogues", []):
        state = DialogueState()
        for number, item in enumerate(dialogue["turns"], 1):
            state = run(state, item, f"{dialogue['name']} / turn {number}")
    return report


def print_report(report: Report, show_errors: bool = False) -> None:
    s = report.summary()
    print(f"utterances: {s['utterances']}")
    print(f"intent accuracy: {s['intent_accuracy']:.3f}")
    for name, row in s["per_intent"].items():
        print(f"  {name:24s} {row['correct']:3d}/{row['total']:<3d} {row['accuracy']:.2f}")
    if s["top_confusions"]:
        print("top confusions (expected -> predicted):")
        for c in s["top_confusions"]:
            print(f"  {c['expected']} -> {c['predicted']}: {c['count']}")
    h = s["handoff"]
    print(f"handoff precision {h['precision']:.3f}  recall {h['recall']:.3f}  F1 {h['f1']:.3f}  "
          f"(tp {h['tp']}, fp {h['fp']}, fn {h['fn']}); rule attribution {h['rule_accuracy']:.3f}")
    if show_errors:
        for o in report.outcomes:
            if o.intent != o.predicted:
                print(f"  INTENT {o.intent} -> {o.predicted}: {o.text!r} ({o.where})")
            if o.handoff != o.predicted_handoff or (o.handoff and o.rule != o.predicted_rule):
                print(f"  HANDOFF {o.handoff}/{o.rule} -> {o.predicted_handoff}/{o.predicted_rule}: "
                      f"{o.text!r} ({o.where})")


def main(argv: list[str] | None = None, classifier: IntentClassifier | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--policy", type=Path, default=DEFAULT_POLICY)
    parser.add_argument("--json", type=Path, help="also write the summary as JSON here")
    parser.add_argument("--show-errors", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    report = evaluate(args.data, classifier=classifier, policy=HandoffPolicy.load(args.policy))
    print_report(report, args.show_errors)
    if args.json:
        args.json.write_text(json.dumps(report.summary(), indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
