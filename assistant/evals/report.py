"""Eval reports: the machine-readable JSON and a self-contained HTML page built from it.

The HTML has no scripts and loads nothing: styles and SVG charts are inline, so the file can be
mailed, attached to a CI run or opened offline. It leads with the headline numbers (and their
change against ``--compare``), the gate, charts of the breakdowns, and then every failing turn
with what was expected, what came back, and the evidence the answer stood on.
"""
from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from assistant.evals import charts
from assistant.evals.evidence import turn_recall
from assistant.evals.metrics import flatten

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;margin:0;background:#f6f7f9}
main{max-width:1200px;margin:0 auto;padding:20px 24px 60px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:14px;margin:0 0 8px}.muted{color:#666}.small{font-size:12px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px;margin-top:14px}
.card{background:#fff;border:1px solid #e1e3e8;border-radius:8px;padding:10px 12px}
.card .v{font-size:26px;font-weight:650}.card .k{color:#555;font-size:12px}
.up{color:#2e7d32}.down{color:#c62828}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:14px}
.panel{background:#fff;border:1px solid #e1e3e8;border-radius:8px;padding:12px 14px;overflow-x:auto}
table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #eee;padding:4px 8px;text-align:left;vertical-align:top}
.confusion td{text-align:center;min-width:26px}.rot{height:110px;white-space:nowrap;vertical-align:bottom}
.rot div{transform:rotate(-55deg);width:24px;transform-origin:left bottom;margin-left:14px}
.fail{color:#c62828;font-weight:600}.ok{color:#2e7d32;font-weight:600}
.turn{background:#fff;border:1px solid #e1e3e8;border-left:4px solid #c62828;border-radius:6px;padding:10px 14px;margin:10px 0}
.q{font-weight:600}.answer{white-space:pre-wrap;background:#f4f6f8;border-radius:4px;padding:6px 8px;margin:6px 0}
.tag{display:inline-block;background:#e8eaf6;color:#283593;border-radius:10px;padding:0 8px;margin-right:4px;font-size:12px}
details{margin:4px 0}summary{cursor:pointer;color:#1a4f9c}.ev{white-space:pre-wrap;font-size:12px;color:#333;margin:4px 0 8px 12px}
code{background:#eef0f3;border-radius:3px;padding:0 3px;font-size:12px}
"""


def build_report(run, *, gate: list[dict] | None = None, comparison: dict | None = None) -> dict[str, Any]:
    report = run.to_dict()
    report["flat_metrics"] = flatten(run.metrics)
    for conv in report["conversations"]:
        for turn in conv["turns"]:
            if turn.get("checks"):
                turn["evidence_recall"] = turn_recall(turn["expect"], turn.get("evidence") or [])
    if gate is not None:
        report["gate"] = {"passed": all(g["passed"] for g in gate if g.get("enforced", True)), "results": gate}
    if comparison is not None:
        report["compare"] = comparison
    return report


def write_json(report: dict[str, Any], path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    return path


def write_html(report: dict[str, Any], path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
    return path


# -- pieces -------------------------------------------------------------------------------------
def _fmt(name: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.0f} ms" if name.startswith("latency.") else f"{value * 100:.1f}%"


def _cards(report: dict[str, Any]) -> str:
    flat = report.get("flat_metrics", {})
    deltas = {r["metric"]: r for r in report.get("compare", {}).get("metrics", [])}
    shown = [("conversation_pass_rate", "conversations passing"), ("turn_pass_rate", "turns passing"),
             ("groundedness", "grounded answers"), ("citation_precision", "citation precision"),
             ("evidence.recall", "expected value in evidence"), ("evidence.first_rate", "... in the top evidence"),
             ("intent.accuracy", "intent accuracy"), ("handoff.f1", "handoff F1"),
             ("latency.p50_ms", "latency p50"), ("latency.p95_ms", "latency p95")]
    out = []
    for name, label in shown:
        d = deltas.get(name)
        change = ""
        if d and d.get("delta"):
            cls = "up" if d["better"] else "down"
            amount = f"{d['delta']:+.0f} ms" if name.startswith("latency.") else f"{d['delta'] * 100:+.1f} pts"
            change = f' <span class="{cls} small">{escape(amount)}</span>'
        out.append(f'<div class="card"><div class="v">{escape(_fmt(name, flat.get(name)))}{change}</div>'
                   f'<div class="k">{escape(label)}</div></div>')
    return f'<div class="cards">{"".join(out)}</div>'


def _gate(report: dict[str, Any]) -> str:
    gate = report.get("gate")
    if not gate:
        return ""
    rows = []
    for g in gate["results"]:
        op = ">=" if g["kind"] == "min" else "<="
        value = "not measured" if g["value"] is None else f"{g['value']:g}"
        enforced = g.get("enforced", True)
        status = ("ok" if g["passed"] else "FAIL") if enforced else ("ok" if g["passed"] else "miss")
        scope = g.get("scope") or "the rest"
        rows.append(f'<tr><td class="{"ok" if g["passed"] else "fail"}">{status}</td>'
                    f'<td>{escape(scope)}{"" if enforced else " <span class=muted>(pending)</span>"}</td>'
                    f'<td><code>{escape(g["metric"])}</code></td><td>{escape(value)}</td><td>{op} {g["bound"]:g}</td>'
                    f'<td class="small muted">{escape(g.get("note") or "")}</td></tr>')
    verdict = '<span class="ok">gate passed</span>' if gate["passed"] else '<span class="fail">gate FAILED</span>'
    return (f'<h2>Quality gate: {verdict}</h2><div class="panel"><p class="small muted">A scope is a tag whose '
            'conversations are gated on their own numbers and left out of the rest; pending bounds are shown, '
            'never enforced.</p><table><tr><th></th><th>scope</th><th>metric</th>'
            f'<th>value</th><th>threshold</th><th></th></tr>{"".join(rows)}</table></div>')


def _old(report: dict[str, Any]) -> dict[str, float | None]:
    return {r["metric"]: r["old"] for r in report.get("compare", {}).get("metrics", [])}


def _breakdowns(report: dict[str, Any]) -> str:
    m, old = report["metrics"], _old(report)
    exp = [{"label": k, "value": v["rate"], "note": f'{v["passed"]}/{v["total"]}', "old": old.get(f"expectation.{k}")}
           for k, v in m.get("expectations", {}).items()]
    tags = sorted(({"label": k, "value": v["turn_pass_rate"], "note": f'{v["conversations"]} conv',
                    "old": old.get(f"tag.{k}.turn_pass_rate")} for k, v in m.get("by_tag", {}).items()),
                  key=lambda r: (r["value"] if r["value"] is not None else -1, r["label"]))
    files = [{"label": k, "value": v["conversation_pass_rate"], "note": f'{v["conversations"]} conv'}
             for k, v in m.get("by_file", {}).items()]
    h = m.get("handoff", {})
    hand = [{"label": k, "value": h.get(k), "old": old.get(f"handoff.{k}")} for k in ("precision", "recall", "f1")]
    fired = h.get("fired", {})
    fired_rows = [{"label": k, "value": n, "note": str(n)} for k, n in fired.items()]
    reasons = [{"label": k, "value": r["matched"] / r["expected"] if r["expected"] else None,
                "note": f'{r["matched"]}/{r["expected"]}'} for k, r in h.get("reasons", {}).items()]
    recall = sorted(({"label": k, "value": (v.get("evidence") or {}).get("recall"),
                      "note": f'{(v.get("evidence") or {}).get("in_evidence", 0)}/{(v.get("evidence") or {}).get("turns", 0)}'
                              f' · top {_fmt("x", (v.get("evidence") or {}).get("first_rate"))}',
                      "old": old.get(f"tag.{k}.evidence_recall")}
                     for k, v in m.get("by_tag", {}).items() if (v.get("evidence") or {}).get("turns")),
                    key=lambda r: (r["value"] if r["value"] is not None else -1, r["label"]))
    ev = m.get("evidence") or {}
    lat = m.get("latency", {})
    values = [t["latency_ms"] for c in report["conversations"] for t in c.get("turns", []) if not t.get("error")]
    panels = [
        ("Pass rate by expectation", charts.hbars(exp, title="pass rate by expectation")),
        ("Turn pass rate by tag, worst first", charts.hbars(tags, title="pass rate by tag")),
        ("Conversation pass rate by file", charts.hbars(files, title="pass rate by file")),
        (f'Expected value in the evidence, by tag, worst first ({ev.get("in_evidence", 0)}/{ev.get("turns", 0)} turns, '
         f'{ev.get("in_first", 0)} in the top item) - the ceiling of any backend',
         charts.hbars(recall, title="evidence recall by tag") if recall else '<p class="muted small">no turn expects a value</p>'),
        (f'Handoff decisions ({h.get("tp", 0)} TP, {h.get("fp", 0)} FP, {h.get("fn", 0)} FN, {h.get("tn", 0)} TN)',
         charts.hbars(hand, title="handoff precision recall f1")
         + ("<h3>Expected reasons matched</h3>" + charts.hbars(reasons) if reasons else "")
         + ("<h3>Rules that fired</h3>" + charts.hbars(fired_rows, max_value=max(fired.values()),
                                                        fmt=lambda v: "", colour=lambda v: "#5c6bc0")
            if fired else '<p class="muted small">no handoff fired in this run</p>')),
        (f'Latency per turn (p50 {_fmt("latency.", lat.get("p50_ms"))}, p95 {_fmt("latency.", lat.get("p95_ms"))})',
         charts.histogram(values, marks={"p50": lat.get("p50_ms"), "p95": lat.get("p95_ms")})),
        (f'Intent confusion (accuracy {_fmt("x", m.get("intent", {}).get("accuracy"))})',
         charts.confusion_table(m.get("intent", {}).get("confusion", {}))),
        _orders_panel(m.get("orders") or {}, old),
    ]
    return '<h2>Breakdowns</h2><div class="grid">' + "".join(
        f'<div class="panel"><h3>{escape(t)}</h3>{body}</div>' for t, body in panels) + "</div>"


def _orders_panel(o: dict[str, Any], old: dict[str, float | None]) -> tuple[str, str]:
    """Order writes: confirmed before acting, their webhooks queued, and the ones that were not."""
    if not o.get("writes"):
        return "Order writes", '<p class="muted small">no order was changed in this run</p>'
    rows = [{"label": "confirmed before acting", "value": o.get("confirmed_rate"),
             "note": f'{o.get("confirmed", 0)}/{o["writes"]}', "old": old.get("orders.confirmed_writes")},
            {"label": "webhook queued", "value": o.get("webhook_rate"), "note": str(o.get("webhooks", 0)),
             "old": old.get("orders.webhooks")}]
    problems = "".join(f'<li><code>{escape(p["where"])}</code> {escape(p["action"])} {escape(p["order_id"])}: '
                       f'{"" if p["confirmed"] else "not stated back first "}'
                       f'{"no webhook" if p["webhook"] is False else ""}</li>' for p in o.get("problems") or [])
    actions = ", ".join(f"{escape(k)} {n}" for k, n in (o.get("by_action") or {}).items())
    return (f'Order writes ({o["writes"]}: {actions})',
            charts.hbars(rows, title="order writes") + (f'<ul class="small">{problems}</ul>' if problems else ""))


def _compare(report: dict[str, Any]) -> str:
    comp = report.get("compare")
    if not comp:
        return ""
    worse = [r for r in comp["metrics"] if r["better"] is False]
    better = [r for r in comp["metrics"] if r["better"] is True]
    flips = "".join(f'<li><b>{escape(t["uid"])}</b> turn {t["turn"]}: {escape(t["user"][:120])} '
                    f'<span class="fail">{escape(", ".join(t["failed"]))}</span></li>' for t in comp["newly_failing"][:60])
    fixed = "".join(f'<li>{escape(t["uid"])} turn {t["turn"]}: <span class="ok">{escape(", ".join(t["fixed"]))}</span></li>'
                    for t in comp["newly_passing"][:60])
    old = comp.get("old", {})
    return (f'<h2>Compared with the run of {escape(str(old.get("started")))} ({escape(str(old.get("backend")))})</h2>'
            f'<div class="grid"><div class="panel"><h3>{len(worse)} metrics worse, {len(better)} better</h3>'
            f'{charts.delta_bars(worse + better)}</div><div class="panel"><h3>'
            f'{len(comp["newly_failing"])} turns with an expectation newly failing</h3><ul class="small">{flips or "<li>none</li>"}</ul>'
            f'<h3>{len(comp["newly_passing"])} turns with an expectation newly holding</h3><ul class="small">{fixed or "<li>none</li>"}</ul>'
            f'</div></div>')


def _value(v: Any) -> str:
    if isinstance(v, str):
        return escape(v if len(v) <= 300 else v[:300] + "…")
    return escape(json.dumps(v, default=str)[:300])


ANSWER_KINDS = ("contains", "contains_any", "not_contains", "reference")


def _turn(conv: dict[str, Any], turn: dict[str, Any]) -> str:
    checks = "".join(
        f'<tr><td class="{"ok" if c["passed"] else "fail"}">{"pass" if c["passed"] else "FAIL"}</td>'
        f'<td><code>{escape(c["kind"])}</code></td><td>{_value(c["expected"])}</td>'
        f'<td>{"(answer)" if c["kind"] in ANSWER_KINDS else _value(c["actual"])}</td>'
        f'<td>{"" if c["kind"] == "must_refuse" else escape(c.get("detail") or "")}</td></tr>' for c in turn["checks"])
    state = turn.get("state") or {}
    facts = [f"intent <code>{escape(str(state.get('intent')))}</code>",
             f"product in focus <code>{escape(str(state.get('product_in_focus')))}</code>"]
    if state.get("order_id"):
        facts.append(f"order <code>{escape(str(state['order_id']))}</code>")
    for h in turn.get("handoffs", []):
        if h.get("handoff", True):
            facts.append(f"handoff <code>{escape(str(h.get('rule')))}</code> ({escape(str(h.get('mode')))})")
    for p in turn.get("perception", []):
        facts.append(f"perception <code>{escape(json.dumps(p, default=str)[:160])}</code>")
    er = turn.get("evidence_recall")
    if er:
        where = ("in the top evidence" if er["in_first"] else "in the evidence, not the top item" if er["in_evidence"]
                 else "NOT in the evidence")
        facts.append(f'<span class="{"ok" if er["in_evidence"] else "fail"}">expected value {where}</span>')
    g = turn.get("grounding", {})
    if g.get("unsupported"):
        facts.append(f'<span class="fail">not in evidence: {escape(", ".join(g["unsupported"]))}</span>')
    evidence = "".join(
        f'<details><summary>{"cited" if e.get("cited") else "retrieved"}: <code>{escape(str(e["source_id"]))}</code> '
        f'{escape(e.get("title", ""))}</summary><div class="ev">{escape(e.get("text", ""))}</div></details>'
        for e in turn.get("evidence", []))
    before = [t for t in conv["turns"] if t["index"] < turn["index"]]
    context = "".join(f'<div class="small"><b>shopper:</b> {escape(t["user"])}<br><b>assistant:</b> '
                      f'{escape(t.get("answer", "")[:400])}</div>' for t in before)
    images = "".join(f' <span class="tag">photo {escape(Path(p).name)}</span>' for p in turn.get("images", []))
    error = f'<p class="fail">error: {escape(turn["error"])}</p>' if turn.get("error") else ""
    return (f'<div class="turn"><div><b>{escape(conv["uid"])}</b> · turn {turn["index"]} · '
            f'{"".join(f"<span class=tag>{escape(t)}</span>" for t in [*conv["tags"], *turn.get("tags", [])])}</div>'
            + (f"<details><summary>earlier turns ({len(before)})</summary>{context}</details>" if before else "")
            + f'<p class="q">shopper: {escape(turn["user"])}{images}</p>{error}'
            f'<div class="answer">{escape(turn.get("answer") or "(no answer)")}</div>'
            f'<table><tr><th></th><th>expectation</th><th>expected</th><th>actual</th><th>detail</th></tr>{checks}</table>'
            f'<p class="small">{" · ".join(facts)} · {turn.get("latency_ms", 0):.0f} ms</p>'
            + (f"<div class='small'>{evidence}</div>" if evidence else '<p class="small muted">no evidence cited</p>')
            + "</div>")


def _anchor(conv: dict[str, Any], turn: dict[str, Any]) -> str:
    return "t-" + "".join(ch if ch.isalnum() else "-" for ch in conv["uid"]) + f"-{turn['index']}"


def _failing(report: dict[str, Any], limit: int = 300) -> str:
    items = [(c, t) for c in report["conversations"] if not c.get("skipped")
             for t in c["turns"] if t.get("checks") and not t["passed"]]
    if not items:
        return "<h2>Failing turns (0)</h2><p>none - every expectation held</p>"
    index = "".join(
        f'<tr><td><a href="#{_anchor(c, t)}">{escape(c["uid"])}</a></td><td>{t["index"]}</td>'
        f'<td>{escape(t["user"][:90])}</td><td class="fail">'
        f'{escape(", ".join(ch["kind"] for ch in t["checks"] if not ch["passed"]))}</td></tr>' for c, t in items)
    body = "".join(f'<div id="{_anchor(c, t)}">{_turn(c, t)}</div>' for c, t in items[:limit])
    more = f'<p class="muted">… and {len(items) - limit} more in the JSON report</p>' if len(items) > limit else ""
    return (f'<h2>Failing turns ({len(items)})</h2><details><summary>index: one line per failing turn</summary>'
            f'<div class="panel"><table><tr><th>conversation</th><th>turn</th><th>shopper</th><th>failed</th></tr>'
            f'{index}</table></div></details>{body}{more}')


def _conversations(report: dict[str, Any]) -> str:
    rows = []
    for c in report["conversations"]:
        status = ('<span class="muted">skipped</span>' if c.get("skipped") else
                  '<span class="ok">pass</span>' if c["passed"] else '<span class="fail">fail</span>')
        turns = f'{sum(t["passed"] for t in c["turns"] if t.get("checks"))}/{sum(1 for t in c["turns"] if t.get("checks"))}'
        rows.append(f'<tr><td>{status}</td><td>{escape(c["uid"])}</td><td>{turns}</td>'
                    f'<td>{escape(", ".join(c["tags"]))}</td><td class="small">{escape(c.get("skipped") or "")}</td></tr>')
    return (f'<h2>All conversations</h2><details><summary>{len(rows)} conversations</summary><div class="panel">'
            f'<table><tr><th></th><th>conversation</th><th>turns passing</th><th>tags</th><th></th></tr>'
            f'{"".join(rows)}</table></div></details>')


def render_html(report: dict[str, Any]) -> str:
    meta, m = report["meta"], report["metrics"]
    counts = m.get("counts", {})
    notices = "".join(f'<p class="fail">{escape(n)}</p>' for n in meta.get("notices", []))
    skipped = "".join(f'<li>{escape(s["uid"])}: {escape(s["reason"])}</li>' for s in m.get("skipped", [])[:20])
    head = (f'<h1>Assistant eval report</h1><div class="muted">{escape(str(meta.get("started")))} · backend '
            f'<b>{escape(str(meta.get("backend")))}</b> · {counts.get("conversations", 0)} conversations, '
            f'{counts.get("scored_turns", 0)} scored turns, {counts.get("checks", 0)} checks · '
            f'{counts.get("errors", 0)} errors · {counts.get("skipped", 0)} skipped · {meta.get("seconds")} s with '
            f'{meta.get("jobs")} job(s)</div>{notices}'
            + (f'<details class="small"><summary>skipped conversations</summary><ul>{skipped}</ul></details>'
               if skipped else ""))
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Eval report</title>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{CSS}</style></head><body><main>"
            + head + _cards(report) + _gate(report) + _compare(report) + _breakdowns(report) + _failing(report)
            + _conversations(report) + "</main></body></html>")
