"""The quality gate and run-to-run comparison: "did it get worse?" as a yes/no and as a diff.

Thresholds live in a YAML file (evals/thresholds.yaml): ``metric: minimum`` or
``metric: {max: N}`` for lower-is-better numbers, with metric names as ``metrics.flatten``
writes them (``turn_pass_rate``, ``expectation.contains``, ``tag.photo.turn_pass_rate``...).
A metric the run did not measure fails the gate, so a misspelt name cannot pass silently.
Sections ``scopes:`` and ``pending:`` gate a tagged suite on its own numbers (see ``Thresholds``);
``pending`` bounds are reported and never fail the gate.

``compare(old, new)`` takes two JSON reports and lists every metric's change plus the turns
where an expectation newly fails or newly holds, matched by conversation, turn and expectation.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

from assistant.errors import InvalidInput
from assistant.evals.metrics import flatten, higher_is_better


@dataclass
class GateResult:
    metric: str
    value: float | None
    bound: float
    kind: str                   # min | max
    passed: bool
    scope: str | None = None    # a tag: measured over that tag's conversations alone; None = the rest
    enforced: bool = True       # False: a pending threshold, reported but never failing the gate
    note: str = ""

    def __str__(self) -> str:
        shown = "not measured" if self.value is None else f"{self.value:g}"
        op = ">=" if self.kind == "min" else "<="
        status = ("ok  " if self.passed else "FAIL") if self.enforced else ("ok  " if self.passed else "miss")
        where = (f"[{'pending ' if not self.enforced else ''}{self.scope}] " if self.scope else "")
        return f"{status} {where}{self.metric} = {shown} (needs {op} {self.bound:g}){f' - {self.note}' if self.note else ''}"


Bounds = dict[str, tuple[str, float]]


@dataclass
class Thresholds:
    """The gate: bounds for the run, plus suites gated on their own.

    ``scopes`` (enforced) and ``pending`` (reported, not enforced) map a conversation tag to its
    own bounds, measured over the conversations with that tag alone; those conversations are left
    out of the numbers the top-level bounds are checked against, so a suite still being fixed can
    be measured in every run without moving the shipped suite's gate."""

    overall: Bounds
    scopes: dict[str, Bounds]
    pending: dict[str, Bounds]

    @property
    def scoped_tags(self) -> set[str]:
        return set(self.scopes) | set(self.pending)


SECTIONS = ("scopes", "pending")


def _bounds(raw: dict, where: str) -> Bounds:
    out = {}
    for metric, bound in raw.items():
        if isinstance(bound, dict) and len(bound) == 1 and next(iter(bound)) in ("min", "max"):
            kind, value = next(iter(bound.items()))
        else:
            kind, value = "min", bound
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidInput(f"{where}: threshold for {metric!r} must be a number or {{min|max: number}}",
                               limit="thresholds")
        out[str(metric)] = (kind, float(value))
    return out


def _sections(raw: Any, where: str) -> dict[str, Bounds]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise InvalidInput(f"{where}: expected 'tag: {{metric: minimum}}' entries", limit="thresholds")
    return {str(tag): _bounds(bounds, f"{where}.{tag}") for tag, bounds in raw.items()}


def load_thresholds(path: Path) -> Thresholds:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInput(f"cannot read thresholds {path}: {exc}", limit="thresholds") from None
    if not isinstance(raw, dict):
        raise InvalidInput(f"{path}: expected 'metric: minimum' lines", limit="thresholds")
    scopes, pending = _sections(raw.get("scopes"), f"{path}: scopes"), _sections(raw.get("pending"), f"{path}: pending")
    both = set(scopes) & set(pending)
    if both:
        raise InvalidInput(f"{path}: {sorted(both)} is both in scopes and pending; keep one", limit="thresholds")
    overall = _bounds({k: v for k, v in raw.items() if k not in SECTIONS}, str(path))
    return Thresholds(overall, scopes, pending)


def _check(metrics: dict[str, Any], bounds: Bounds, scope: str | None = None, enforced: bool = True,
           note: str = "") -> list[GateResult]:
    flat = flatten(metrics)
    results = []
    for metric, (kind, bound) in bounds.items():
        value = flat.get(metric)
        ok = value is not None and (value >= bound - 1e-9 if kind == "min" else value <= bound + 1e-9)
        results.append(GateResult(metric, value, bound, kind, ok, scope, enforced, note))
    return results


def _subset(run, keep) -> SimpleNamespace:
    return SimpleNamespace(conversations=[c for c in run.conversations if keep(c)])


def check_gate(run, thresholds: Thresholds) -> list[GateResult]:
    """Every bound against its numbers: the top level over the conversations of no scope, each
    scope over its own. A scope's bound that could not be measured because conversations of the
    scope were skipped (their store is not on this machine) passes with a note, like the skipped
    conversations themselves; with nothing skipped, an unmeasured bound fails (a misspelt name)."""
    from assistant.evals.metrics import compute

    tags = thresholds.scoped_tags
    rest = compute(_subset(run, lambda c: not set(c.tags) & tags)) if tags else run.metrics
    results = _check(rest, thresholds.overall)
    for section, enforced in ((thresholds.scopes, True), (thresholds.pending, False)):
        for tag, bounds in section.items():
            mine = _subset(run, lambda c, tag=tag: tag in c.tags)
            if not any(not c.skipped for c in mine.conversations):
                results.extend(GateResult(m, None, b, k, True, tag, enforced, "not run: every conversation skipped")
                               for m, (k, b) in bounds.items())
                continue
            checked = _check(compute(mine), bounds, tag, enforced)
            skipped = sum(1 for c in mine.conversations if c.skipped)
            for g in checked:
                if g.value is None and skipped:       # e.g. the photo turns of a store not on this machine
                    g.passed, g.note = True, f"not measured here: {skipped} conversation(s) of the scope skipped"
            results.extend(checked)
    return results


def gate_dicts(results: list[GateResult]) -> list[dict[str, Any]]:
    return [asdict(r) for r in results]


def _checks(report: dict[str, Any]) -> dict[tuple[str, int], dict[str, Any]]:
    """(conversation uid, turn number) -> the turn's text, answer and pass/fail per expectation kind."""
    out = {}
    for conv in report.get("conversations", []):
        if conv.get("skipped"):
            continue
        for turn in conv.get("turns", []):
            if turn.get("checks"):
                out[(conv["uid"], turn["index"])] = {"uid": conv["uid"], "turn": turn["index"], "user": turn["user"],
                                                     "answer": turn.get("answer", ""),
                                                     "checks": {c["kind"]: c["passed"] for c in turn["checks"]}}
    return out


def _flips(old: dict, new: dict, now_passing: bool) -> list[dict[str, Any]]:
    """Turns where some expectation flipped: held before and fails now (or the other way round)."""
    flips = []
    for key, turn in new.items():
        before = old.get(key, {}).get("checks", {})
        kinds = [k for k, ok in turn["checks"].items() if k in before and ok == now_passing and before[k] != ok]
        if kinds:
            flips.append({"uid": turn["uid"], "turn": turn["turn"], "user": turn["user"], "answer": turn["answer"],
                          ("fixed" if now_passing else "failed"): kinds})
    return flips


def compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What changed between two reports: metric deltas, regressions first, and turns that flipped."""
    fo, fn = flatten(old.get("metrics", {})), flatten(new.get("metrics", {}))
    rows = []
    for name in sorted(set(fo) | set(fn)):
        a, b = fo.get(name), fn.get(name)
        delta = round(b - a, 4) if a is not None and b is not None else None
        better = None if not delta else (delta > 0) == higher_is_better(name)
        rows.append({"metric": name, "old": a, "new": b, "delta": delta, "better": better})
    to, tn = _checks(old), _checks(new)
    meta = old.get("meta", {})
    return {"old": {"started": meta.get("started"), "backend": meta.get("backend")},
            "metrics": rows, "worse": [r["metric"] for r in rows if r["better"] is False],
            "better": [r["metric"] for r in rows if r["better"] is True],
            "newly_failing": _flips(to, tn, False), "newly_passing": _flips(to, tn, True),
            "only_old": len(set(to) - set(tn)), "only_new": len(set(tn) - set(to))}
