"""Run metrics: what a store reads to see whether the assistant got better or worse.

- pass rates: turns (every expectation of the turn held) and conversations (every turn held),
  and per expectation kind;
- intent accuracy and the confusion table (expected -> tracked intent);
- handoff precision / recall / F1 over turns that say whether a handoff should happen, and how
  often each rule fired;
- citation precision: of the sources an answer cites, the share that contain an asserted fact
  (an expected phrase or a quantity the answer states); order desk replies are left out;
- groundedness: the share of answers stating quantities whose every quantity is in the evidence
  (for an order desk reply in a conversation with its own orders: the shopper's order records);
- evidence recall: turns whose expected value was in the evidence handed to the backend, and
  in its top-ranked item (evidence.py) - the ceiling any backend can reach;
- latency p50 / p95 per turn (wall time of the whole reply, and to the first token);
- order writes: the share that ran only after the turn before stated that change back
  (confirmed before acting), and the share whose ``order.<action>`` webhook was queued;
- all of it per tag (a conversation's tags, and a turn's own) and per transcript file.

``flatten`` turns the nested metrics into ``name -> number`` for the gate and for comparisons.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from assistant.evals.evidence import recall as evidence_recall
from assistant.evals.grounding import quantities, supports
from assistant.evals.orders import writes as order_writes

LOWER_IS_BETTER = ("latency.",)


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def percentile(values: list[float], pct: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * pct / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (pos - low), 1)


def _pass_rates(groups: list) -> dict[str, Any]:
    """Pass rates over what was scored: a conversation or turn without expectations is context only.

    ``groups`` pairs a conversation with the turns that count (all of them, or the turns tagged
    with a tag the conversation lacks); a conversation passes when those turns all pass."""
    turns = [t for _, ts in groups for t in ts if t.scored]
    scored = [ts for _, ts in groups if any(t.scored for t in ts)]
    failing = Counter(ch.kind for t in turns for ch in t.checks if not ch.passed)
    return {"conversations": len(scored),
            "conversation_pass_rate": rate(sum(all(t.passed for t in ts) for ts in scored), len(scored)),
            "turns": len(turns), "turn_pass_rate": rate(sum(t.passed for t in turns), len(turns)),
            "failing_checks": dict(failing.most_common()), "evidence": evidence_recall(turns)}


def _by_tag(convs: list) -> dict[str, list]:
    """tag -> (conversation, turns): a conversation's tags cover all its turns, a turn's only itself."""
    groups: dict[str, dict[str, tuple]] = defaultdict(dict)
    for c in convs:
        for tag in c.tags or ["(untagged)"]:
            groups[tag][c.uid] = (c, list(c.turns))
        for t in c.turns:
            for tag in t.tags:
                if tag not in c.tags:
                    groups[tag].setdefault(c.uid, (c, []))[1].append(t)
    return {tag: list(rows.values()) for tag, rows in groups.items()}


def _expectations(turns: list) -> dict[str, dict[str, Any]]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for t in turns:
        for ch in t.checks:
            counts[ch.kind][0] += int(ch.passed)
            counts[ch.kind][1] += 1
    return {k: {"passed": p, "total": n, "rate": rate(p, n)} for k, (p, n) in sorted(counts.items())}


def _intents(turns: list) -> dict[str, Any]:
    confusion: dict[str, Counter] = defaultdict(Counter)
    correct = total = 0
    for t in turns:
        expected = t.expect.get("intent")
        if not expected:
            continue
        actual = t.observation.intent or "(none)"
        total += 1
        correct += int(actual in expected)
        confusion[expected[0]][actual if actual not in expected else expected[0]] += 1
    return {"accuracy": rate(correct, total), "total": total,
            "confusion": {k: dict(v) for k, v in sorted(confusion.items())}}


def _handoffs(turns: list) -> dict[str, Any]:
    tp = fp = fn = tn = 0
    for t in turns:
        if "handoff" not in t.expect or t.observation.error:
            continue
        expected, actual = t.expect["handoff"], t.observation.handed_off is not None
        tp += expected and actual
        fp += actual and not expected
        fn += expected and not actual
        tn += not expected and not actual
    precision, recall = rate(tp, tp + fp), rate(tp, tp + fn)
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision and recall else (
        0.0 if precision is not None and recall is not None else None)
    fired = Counter(t.observation.handed_off.get("rule") or "(unnamed)" for t in turns if t.observation.handed_off)
    reasons: dict[str, dict[str, int]] = defaultdict(lambda: {"expected": 0, "matched": 0})
    for t in turns:
        for reason in t.expect.get("handoff_reason", [])[:1]:
            reasons[reason]["expected"] += 1
            event = t.observation.handed_off
            reasons[reason]["matched"] += int(bool(event) and event.get("rule") in t.expect["handoff_reason"])
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "total": tp + fp + fn + tn, "precision": precision,
            "recall": recall, "f1": f1, "fired": dict(fired.most_common()), "reasons": dict(sorted(reasons.items()))}


def _citations(turns: list) -> dict[str, Any]:
    """Over answers drawn from the store's pages: an order desk reply's facts come from the order
    records (its groundedness is checked against them), its citation names the rule's page."""
    supported = cited = 0
    for t in turns:
        obs = t.observation
        if obs.order_desk:
            continue
        texts = {e["source_id"]: e.get("text", "") for e in obs.evidence}
        facts = [*t.expect.get("contains", []), *(q.text for q in quantities(obs.answer))]
        if not obs.cited_ids or not facts:
            continue
        for source in dict.fromkeys(obs.cited_ids):
            cited += 1
            supported += int(supports(texts.get(source, ""), facts))
    return {"rate": rate(supported, cited), "supported": supported, "cited": cited}


def _grounding(turns: list) -> dict[str, Any]:
    grounded = checked = 0
    examples = []
    for t in turns:
        g = t.observation.grounding()
        if g.grounded is None:
            continue
        checked += 1
        grounded += int(g.grounded)
        if not g.grounded and len(examples) < 20:
            examples.append({"user": t.user, "unsupported": g.unsupported})
    return {"rate": rate(grounded, checked), "grounded": grounded, "checked": checked, "examples": examples}


def _latency(turns: list) -> dict[str, Any]:
    total = [t.observation.latency_ms for t in turns if not t.observation.error]
    first = [t.observation.first_token_ms for t in turns if t.observation.first_token_ms is not None]
    return {"n": len(total), "p50_ms": percentile(total, 50), "p95_ms": percentile(total, 95),
            "max_ms": round(max(total), 1) if total else None,
            "first_token_p50_ms": percentile(first, 50), "first_token_p95_ms": percentile(first, 95)}


def _judge(turns: list) -> dict[str, Any] | None:
    scores: dict[str, list[float]] = defaultdict(list)
    for t in turns:
        for k, v in (t.observation.judge or {}).items():
            if isinstance(v, (int, float)):
                scores[k].append(float(v))
    if not scores:
        return None
    means: dict[str, Any] = {k: round(sum(v) / len(v), 3) for k, v in scores.items()}
    means["n"] = max(len(v) for v in scores.values())
    return means


def _orders(convs: list) -> dict[str, Any]:
    done = [w for c in convs for w in order_writes(c)]
    watched = [w for w in done if w.webhook is not None]
    return {"writes": len(done), "confirmed": sum(w.confirmed for w in done),
            "confirmed_rate": rate(sum(w.confirmed for w in done), len(done)),
            "webhooks": sum(bool(w.webhook) for w in watched),
            "webhook_rate": rate(sum(bool(w.webhook) for w in watched), len(watched)),
            "by_action": dict(Counter(w.action for w in done).most_common()),
            "problems": [w.to_dict() for w in done if not w.confirmed or w.webhook is False][:20]}


def compute(run) -> dict[str, Any]:
    convs = [c for c in run.conversations if not c.skipped]
    turns = [t for c in convs for t in c.turns]
    scored = [t for t in turns if t.scored]
    by_file: dict[str, list] = defaultdict(list)
    for c in convs:
        by_file[Path(c.source).name].append((c, c.turns))
    base = _pass_rates([(c, c.turns) for c in convs])
    return {
        "counts": {"conversations": len(convs), "skipped": len(run.conversations) - len(convs),
                   "turns": len(turns), "scored_turns": len(scored),
                   "checks": sum(len(t.checks) for t in scored),
                   "errors": sum(1 for t in turns if t.observation.error)},
        "conversation_pass_rate": base["conversation_pass_rate"],
        "turn_pass_rate": base["turn_pass_rate"],
        "expectations": _expectations(scored),
        "intent": _intents(scored),
        "handoff": _handoffs(scored),
        "citation_precision": _citations(turns),
        "groundedness": _grounding(turns),
        "evidence": base["evidence"],
        "latency": _latency(turns),
        "judge": _judge(turns),
        "orders": _orders(convs),
        "by_tag": {tag: _pass_rates(groups) for tag, groups in sorted(_by_tag(convs).items())},
        "by_file": {name: _pass_rates(groups) for name, groups in sorted(by_file.items())},
        "skipped": [{"uid": c.uid, "reason": c.skipped} for c in run.conversations if c.skipped],
    }


def flatten(metrics: dict[str, Any]) -> dict[str, float | None]:
    """``name -> value`` for every number a store may gate on or compare."""
    flat: dict[str, float | None] = {
        "conversation_pass_rate": metrics.get("conversation_pass_rate"),
        "turn_pass_rate": metrics.get("turn_pass_rate"),
        "intent.accuracy": metrics.get("intent", {}).get("accuracy"),
        "citation_precision": metrics.get("citation_precision", {}).get("rate"),
        "groundedness": metrics.get("groundedness", {}).get("rate"),
        "evidence.recall": metrics.get("evidence", {}).get("recall"),
        "evidence.first_rate": metrics.get("evidence", {}).get("first_rate"),
    }
    orders = metrics.get("orders") or {}
    flat["orders.confirmed_writes"] = orders.get("confirmed_rate")
    flat["orders.webhooks"] = orders.get("webhook_rate")
    for key in ("precision", "recall", "f1"):
        flat[f"handoff.{key}"] = metrics.get("handoff", {}).get(key)
    for key in ("p50_ms", "p95_ms", "first_token_p50_ms"):
        flat[f"latency.{key}"] = metrics.get("latency", {}).get(key)
    for kind, row in metrics.get("expectations", {}).items():
        flat[f"expectation.{kind}"] = row["rate"]
    for tag, row in metrics.get("by_tag", {}).items():
        flat[f"tag.{tag}.conversation_pass_rate"] = row["conversation_pass_rate"]
        flat[f"tag.{tag}.turn_pass_rate"] = row["turn_pass_rate"]
        flat[f"tag.{tag}.evidence_recall"] = (row.get("evidence") or {}).get("recall")
        flat[f"tag.{tag}.evidence_first_rate"] = (row.get("evidence") or {}).get("first_rate")
    for key, value in (metrics.get("judge") or {}).items():
        if key != "n":
            flat[f"judge.{key}"] = value
    return flat


def higher_is_better(name: str) -> bool:
    return not name.startswith(LOWER_IS_BETTER)
