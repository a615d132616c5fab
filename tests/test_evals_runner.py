"""Eval runs end to end through the real ConversationManager (real Chroma, embeddings, SQLite)."""
import json
import shutil

import pytest
from typer.testing import CliRunner

from assistant.evals import evaluate
from assistant.evals.stores import EvalStores
from assistant.evals.transcripts import load_suite
from assistant.settings import PROJECT_ROOT
from tests.conftest import ask

SUITE = """
conversations:
  - id: weight
    tags: [product]
    turns:
      - user: How heavy is the Alpine 40 Pack?
        expect: {contains: ["1.4 kg"], cites: ["product/alpine-40-pack#specs"], product_in_focus: alpine-40-pack,
                 handoff: false, grounded: true}
  - id: returns
    tags: [policy]
    turns:
      - user: How long do I have to return running shoes?
        expect: {contains: ["30 days"], cites: ["faq/returns|policy/returns"]}
  - id: wrong-on-purpose
    tags: [policy]
    turns:
      - user: How much is standard shipping?
        expect: {contains: ["$4.95"]}
  - id: photo
    turns:
      - user: Is this yours?
        images: [label.png]
  - id: elsewhere
    knowledge: {catalog: no-such-catalog.json, mapping: eshop}
    turns: ["Do you sell snowboards?"]
"""


@pytest.fixture()
def suite_dir(tmp_path):
    (tmp_path / "suite.yaml").write_text(SUITE, encoding="utf-8")
    shutil.copy(PROJECT_ROOT / "evals" / "photos" / "label-gp-3108.png", tmp_path / "label.png")
    return tmp_path


@pytest.fixture()
def stores(demo_settings, demo_knowledge, tmp_path):
    return EvalStores(demo_settings, cache_dir=tmp_path / "cache", default=demo_knowledge)


def test_a_run_scores_turns_and_writes_both_reports(suite_dir, demo_settings, stores, tmp_path):
    outcome = evaluate([suite_dir], demo_settings, jobs=2, stores=stores, progress=False,
                       json_path=tmp_path / "r.json", html_path=tmp_path / "r.html")
    report = json.loads((tmp_path / "r.json").read_text())
    convs = {c["id"]: c for c in report["conversations"]}
    assert list(convs) == ["weight", "returns", "wrong-on-purpose", "photo", "elsewhere"]   # file order, not finish order
    assert convs["weight"]["passed"] and convs["returns"]["passed"]
    wrong = convs["wrong-on-purpose"]["turns"][0]
    assert not wrong["passed"] and wrong["checks"][0]["detail"] == "missing: ['$4.95']"
    assert "$5.95" in wrong["answer"] and any("$5.95" in e["text"] for e in wrong["evidence"])
    assert convs["photo"]["turns"][0]["error"] is None and convs["photo"]["turns"][0]["images"]
    assert "not found" in convs["elsewhere"]["skipped"]

    m = outcome.report["metrics"]
    assert m["counts"] == {"conversations": 4, "skipped": 1, "turns": 4, "scored_turns": 3, "checks": 8, "errors": 0}
    assert m["turn_pass_rate"] == m["conversation_pass_rate"] == round(2 / 3, 4)   # the photo turn has no checks
    assert m["by_tag"]["policy"]["conversation_pass_rate"] == 0.5 and m["by_tag"]["product"]["turn_pass_rate"] == 1.0
    assert m["expectations"]["contains"] == {"passed": 2, "total": 3, "rate": round(2 / 3, 4)}
    assert m["groundedness"]["rate"] == 1.0 and m["latency"]["p50_ms"] > 0
    assert report["flat_metrics"]["expectation.contains"] == round(2 / 3, 4)

    html = (tmp_path / "r.html").read_text()
    assert "suite/wrong-on-purpose" in html and "$4.95" in html and "How much is standard shipping?" in html
    assert "<script" not in html and "<link" not in html and " src=" not in html and "https://" not in html


def test_compare_and_gate_show_what_got_worse(suite_dir, demo_settings, stores, tmp_path):
    first = tmp_path / "first.json"
    evaluate([suite_dir / "suite.yaml"], demo_settings, stores=stores, progress=False, json_path=first)
    text = (suite_dir / "suite.yaml").read_text().replace('contains: ["1.4 kg"]', 'contains: ["9 kg"]')
    (suite_dir / "suite.yaml").write_text(text)
    (tmp_path / "gate.yaml").write_text("turn_pass_rate: 0.6\nexpectation.cites: 1.0\ngroundedness: {min: 0.5}\n"
                                        "latency.p95_ms: {max: 600000}\nhandoff.f1: 0.5\n")
    outcome = evaluate([suite_dir / "suite.yaml"], demo_settings, stores=stores, progress=False, compare_path=first,
                       gate_path=tmp_path / "gate.yaml", html_path=tmp_path / "r.html")
    comparison = outcome.report["compare"]
    assert [(t["uid"], t["failed"]) for t in comparison["newly_failing"]] == [("suite/weight", ["contains"])]
    assert "turn_pass_rate" in comparison["worse"] and not comparison["newly_passing"]
    verdict = {g.metric: g.passed for g in outcome.gate}
    assert verdict == {"turn_pass_rate": False, "expectation.cites": True, "groundedness": True,
                       "latency.p95_ms": True, "handoff.f1": False}        # f1 unmeasured: no handoff was expected
    assert not outcome.gate_passed
    html = (tmp_path / "r.html").read_text()
    assert "gate FAILED" in html and "Compared with the run of" in html and "1 turns with an expectation newly failing" in html


def test_session_exports_replay_with_recorded_replies(manager, demo_settings, stores, tmp_path):
    ask(manager, "shop-1", "How heavy is the Alpine 40 Pack?")
    ask(manager, "shop-1", "what colours does it come in?")
    export = tmp_path / "chats.jsonl"
    assert manager.sessions.export_jsonl(["shop-1"], export) == 1   # the store's own export format
    conv, = load_suite([export]).conversations
    assert conv.id == "shop-1" and conv.tags == ["replay"] and len(conv.turns) == 2
    assert "1.4 kg" in conv.turns[0].expect["reference"]["answer"]
    outcome = evaluate([export], demo_settings, stores=stores, progress=False)
    turns = outcome.report["conversations"][0]["turns"]
    assert [t["checks"][0]["detail"].split(";")[0] for t in turns] == ["similarity 1.00", "similarity 1.00"]


def test_the_cli_exits_1_when_the_gate_fails(suite_dir, tmp_path, monkeypatch):
    from assistant.cli import app
    from assistant.settings import get_settings

    knowledge = tmp_path / "store"
    knowledge.mkdir()
    catalog = json.loads((PROJECT_ROOT / "knowledge" / "catalog.json").read_text())
    (knowledge / "catalog.json").write_text(json.dumps([p for p in catalog if p["id"] == "alpine-40-pack"]))
    (knowledge / "faq.yaml").write_text("- id: faq/shipping-times\n  question: How much is standard shipping?\n"
                                        "  answer: Standard shipping costs $5.95 and takes 3-5 business days.\n")
    (suite_dir / "suite.yaml").write_text("- id: w\n  turns:\n    - user: How heavy is the Alpine 40 Pack?\n"
                                          "      expect: {contains: ['1.4 kg']}\n- id: s\n  turns:\n"
                                          "    - user: How much is standard shipping?\n      expect: {contains: ['$4.95']}\n")
    (tmp_path / "strict.yaml").write_text("turn_pass_rate: 0.9\n")
    (tmp_path / "loose.yaml").write_text("turn_pass_rate: 0.5\n")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        args = ["eval", str(suite_dir / "suite.yaml"), "--knowledge", str(knowledge), "--backend", "extractive",
                "--json", str(tmp_path / "e.json"), "--html", str(tmp_path / "e.html"), "--no-progress", "--gate"]
        strict = CliRunner().invoke(app, [*args, str(tmp_path / "strict.yaml")])
        loose = CliRunner().invoke(app, [*args, str(tmp_path / "loose.yaml")])
        broken = CliRunner().invoke(app, ["eval", str(tmp_path / "missing.yaml")])
        typo = CliRunner().invoke(app, ["eval", str(suite_dir / "suite.yaml"), "--backend", "transformerz"])
        no_store = CliRunner().invoke(app, ["eval", str(suite_dir / "suite.yaml"), "--knowledge", str(tmp_path / "nope")])
    finally:
        get_settings.cache_clear()
    assert strict.exit_code == 1 and "FAIL turn_pass_rate = 0.5 (needs >= 0.9)" in strict.output
    assert loose.exit_code == 0 and "conversations passing 50.0%" in loose.output
    assert (tmp_path / "e.json").exists() and (tmp_path / "e.html").exists()
    assert broken.exit_code == 2 and "no such transcript file or folder" in broken.output
    # a backend or store asked for by name must exist: never a run graded on the fallback
    assert typo.exit_code == 2 and "unknown backend 'transformerz'" in typo.output
    assert no_store.exit_code == 2 and "Invalid value" in no_store.output and "--knowledge" in no_store.output


def test_a_judge_backend_adds_mean_rubric_scores(suite_dir, demo_settings, stores):
    from assistant.backends.fake import FakeBackend
    from assistant.evals.judge import RubricJudge
    from assistant.evals.metrics import flatten
    from assistant.evals.runner import EvalRunner

    judge = RubricJudge(FakeBackend().enqueue("helpfulness: 4\ngroundedness: 5", "helpfulness: 2\ngroundedness: 3"))
    runner = EvalRunner(demo_settings, stores=stores, judge=judge, progress=False)
    try:
        run = runner.run(load_suite([suite_dir], tags=["policy"]))
    finally:
        runner.close()
    assert run.metrics["judge"] == {"helpfulness": 3.0, "groundedness": 4.0, "n": 2}
    assert flatten(run.metrics)["judge.groundedness"] == 4.0 and run.meta["judge"] == "rubric"


def test_scripted_handoffs_never_reach_the_stores_real_helpdesk(suite_dir, demo_settings, demo_knowledge, tmp_path):
    import copy

    from assistant.evals.runner import EvalRunner

    live = demo_settings.model_copy(update={"helpdesk": demo_settings.helpdesk.model_copy(update={
        "webhook_urls": ["http://127.0.0.1:9/helpdesk"], "webhook_secret": "s3cret"})})
    store = copy.copy(demo_knowledge)       # the demo store, configured with a live helpdesk
    store.settings = live
    runner = EvalRunner(live, stores=EvalStores(live, cache_dir=tmp_path / "cache", default=store), progress=False)
    try:
        conversation = load_suite([suite_dir]).conversations[0]
        assert runner.manager_for(conversation).takeover.helpdesk.settings.webhook_urls == []
    finally:
        runner.close()


def test_a_conversations_locale_fixes_the_language_its_turns_run_in(demo_settings, stores, tmp_path):
    from assistant.evals.runner import EvalRunner

    (tmp_path / "lang.yaml").write_text("""
conversations:
  - id: fixed
    locale: de
    turns: ["How heavy is the Alpine 40 Pack?", "And how much is it?"]
  - id: detected
    turns: ["How heavy is the Alpine 40 Pack?", "¿Y cuánto cuesta el envío a España?"]
""", encoding="utf-8")
    runner = EvalRunner(demo_settings, stores=stores, progress=False)
    try:
        run = runner.run(load_suite([tmp_path]))
    finally:
        runner.close()
    languages = {c.id: [t.observation.state["language"] for t in c.turns] for c in run.conversations}
    assert languages == {"fixed": ["de", "de"], "detected": ["en", "es"]}
