"""One eval run end to end - load, run, score, compare, gate, write reports - for any caller.

``assistant eval`` is a thin wrapper over ``evaluate``; a pytest test or a store's own script
calls the same function, so no front door keeps its own copy of the steps.
"""
from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import InvalidInput
from assistant.evals.gate import GateResult, check_gate, compare, gate_dicts, load_thresholds
from assistant.evals.report import build_report, write_html, write_json
from assistant.evals.runner import EvalRunner
from assistant.evals.stores import EvalStores
from assistant.evals.transcripts import load_suite
from assistant.settings import Settings


@dataclass
class EvalOutcome:
    report: dict[str, Any]
    gate: list[GateResult] | None = None
    written: list[Path] = field(default_factory=list)

    @property
    def gate_passed(self) -> bool:
        return self.gate is None or all(g.passed for g in self.gate if g.enforced)


def load_scorer_modules(names: list[str]) -> None:
    """Import modules that register a store's own scorers (``--scorers my_store.evals``)."""
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise InvalidInput(f"cannot import scorer module {name!r}: {exc}", limit="scorers") from None


def read_report(path: Path) -> dict[str, Any]:
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"cannot read the report to compare with ({path}): {exc}", limit="compare") from None
    if not isinstance(report, dict) or "metrics" not in report:
        raise InvalidInput(f"{path} is not an eval JSON report (no 'metrics')", limit="compare")
    return report


def evaluate(paths: list[Path], settings: Settings, *, jobs: int = 1, tags: list[str] | None = None,
             json_path: Path | None = None, html_path: Path | None = None, compare_path: Path | None = None,
             gate_path: Path | None = None, judge_backend: str | None = None, progress: bool = True,
             stores: EvalStores | None = None, backend=None) -> EvalOutcome:
    """Run the transcripts in ``paths`` against ``settings`` and write the reports asked for."""
    thresholds = load_thresholds(gate_path) if gate_path else None       # fail fast on a bad file
    old = read_report(compare_path) if compare_path else None
    suite = load_suite([Path(p) for p in paths], tags)
    if not suite.conversations:
        raise InvalidInput(f"no conversations found in {', '.join(map(str, paths))}", limit="transcript")
    judge = None
    if judge_backend:
        from assistant.backends import get_backend
        from assistant.evals.judge import RubricJudge

        judge = RubricJudge(get_backend(judge_backend, dict(settings.backend_options)))
    if backend is None and settings.backend != "extractive":
        # a backend asked for by name must load: a typo must not quietly grade the fallback
        from assistant.conversation import configured_backend

        backend = configured_backend(settings)
    runner = EvalRunner(settings, jobs=jobs, backend=backend, stores=stores, progress=progress, judge=judge)
    try:
        run = runner.run(suite)
    finally:
        runner.close()
    gate = check_gate(run, thresholds) if thresholds is not None else None
    report = build_report(run, gate=gate_dicts(gate) if gate is not None else None,
                          comparison=compare(old, run.to_dict()) if old else None)
    outcome = EvalOutcome(report, gate)
    if json_path:
        outcome.written.append(write_json(report, json_path))
    if html_path:
        outcome.written.append(write_html(report, html_path))
    return outcome


def summary(outcome: EvalOutcome) -> list[str]:
    """The lines a terminal shows after a run."""
    report, m = outcome.report, outcome.report["metrics"]
    flat, counts = report["flat_metrics"], m["counts"]

    def pct(name: str) -> str:
        v = flat.get(name)
        return "n/a" if v is None else f"{v * 100:.1f}%"

    lines = [f"{counts['conversations']} conversations ({counts['skipped']} skipped), {counts['scored_turns']} scored "
             f"turns, {counts['errors']} errors, {report['meta']['seconds']} s, backend {report['meta']['backend']}",
             f"conversations passing {pct('conversation_pass_rate')}, turns passing {pct('turn_pass_rate')}, "
             f"grounded {pct('groundedness')}, citation precision {pct('citation_precision')}",
             f"intent accuracy {pct('intent.accuracy')}, handoff P/R/F1 {pct('handoff.precision')}/"
             f"{pct('handoff.recall')}/{pct('handoff.f1')}, latency p50/p95 {m['latency']['p50_ms']}/"
             f"{m['latency']['p95_ms']} ms"]
    ev = m.get("evidence") or {}
    lines.append(f"expected value in the evidence {pct('evidence.recall')} ({ev.get('in_evidence', 0)}/"
                 f"{ev.get('turns', 0)} turns), in the top evidence item {pct('evidence.first_rate')}")
    tagged = sorted(((tag, row["evidence"]) for tag, row in m["by_tag"].items() if (row.get("evidence") or {}).get("turns")),
                    key=lambda kv: (kv[1]["recall"], kv[0]))
    for start in range(0, len(tagged), 6):
        lines.append(("evidence by tag: " if not start else "  ") + ", ".join(
            f"{tag} {e['in_evidence']}/{e['turns']} (top {e['in_first']})" for tag, e in tagged[start:start + 6]))
    worst = sorted(((k, v) for k, v in m["expectations"].items()), key=lambda kv: kv[1]["rate"] or 0)[:4]
    lines.append("weakest expectations: " + ", ".join(f"{k} {v['passed']}/{v['total']}" for k, v in worst))
    lines.extend(f"notice: {n}" for n in report["meta"].get("notices", []))
    if "compare" in report:
        c = report["compare"]
        lines.append(f"vs previous run: {len(c['worse'])} metrics worse, {len(c['better'])} better, "
                     f"{len(c['newly_failing'])} turns with an expectation newly failing, "
                     f"{len(c['newly_passing'])} newly holding")
    for g in outcome.gate or []:
        lines.append(str(g))
    lines.extend(f"wrote {p}" for p in outcome.written)
    return lines
