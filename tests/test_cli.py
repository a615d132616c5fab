"""The `assistant` command as stores script it: ingest, ask, ask --json - (real subprocesses)."""
import json

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.slow


def test_ask_prints_answer_and_sources(cli_data):
    result = run_cli(["ask", "How heavy is the Alpine 40 Pack?"], cli_data)
    assert result.returncode == 0, result.stderr
    assert "1.4 kg" in result.stdout
    assert "product/alpine-40-pack#specs" in result.stdout


def test_ask_json_lines_keep_sessions_and_report_bad_lines(cli_data):
    lines = "\n".join([
        json.dumps({"question": "Tell me about the Summit Rain Jacket", "session": "cli-1"}),
        json.dumps({"question": "and in red?", "session": "cli-1"}),
        "not json",
        json.dumps({"question": "x", "images": ["/no/such/photo.jpg"]}),
        json.dumps({"question": "x", "images": "/no/such/photo.jpg"}),   # one path, not a list
    ])
    result = run_cli(["ask", "--json", "-"], cli_data, stdin=lines)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 5
    assert out[1]["session"] == "cli-1" and "Red" in out[1]["answer"]
    assert out[1]["citations"] and out[1]["state"]["product_in_focus"] == "summit-rain-jacket"
    assert out[1]["products"][0]["id"] == "summit-rain-jacket"          # the product card, for scripts
    assert "error" in out[2] and out[2]["line"] == 3
    assert "cannot read image" in out[3]["error"]
    assert "cannot read image /no/such/photo.jpg" in out[4]["error"]


def test_ingest_of_unknown_format_fails_with_a_clear_message(cli_data, tmp_path):
    bad = tmp_path / "feed.csv"
    bad.write_text("sku,title\n1,Thing\n")
    result = run_cli(["ingest", "--catalog", str(bad)], cli_data)
    assert result.returncode == 2
    assert "mapping" in result.stderr


def test_ask_json_with_a_verified_customer_looks_up_and_cancels_their_order(cli_data):
    """The contract stores script against: `orders import` + `ask --json -` with customer_id."""
    orders = run_cli(["orders", "import", "knowledge/orders.json"], cli_data)
    assert orders.returncode == 0, orders.stderr
    lines = "\n".join(json.dumps({"question": q, "session": "cli-orders", "customer_id": "C-1001"})
                      for q in ["where is my order?", "please cancel order NW-483377", "yes"])
    result = run_cli(["ask", "--json", "-"], cli_data, stdin=lines + "\n")
    assert result.returncode == 0, result.stderr
    status, confirm, done = [json.loads(line) for line in result.stdout.splitlines()]
    assert "NW-483377" in status["answer"]
    assert "Shall I go ahead?" in confirm["answer"] and "order_actions" not in confirm
    assert done["order_actions"][0]["action"] == "cancel" and done["order_actions"][0]["order_id"] == "NW-483377"
    shown = run_cli(["orders", "show", "NW-483377", "--json"], cli_data)
    assert json.loads(shown.stdout)["status"] == "cancelled"
    # another shopper's session learns nothing about that order
    other = run_cli(["ask", "--json", "-"], cli_data, stdin=json.dumps(
        {"question": "where is order NW-483120?", "session": "cli-other", "customer_id": "C-1002"}) + "\n")
    assert "Basecamp" not in json.loads(other.stdout.splitlines()[0])["answer"]


def test_ask_locale_fixes_the_conversations_language_and_a_bad_one_is_named(cli_data):
    result = run_cli(["ask", "--json", "--locale", "es-MX", "How heavy is the Alpine 40 Pack?"], cli_data)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["state"]["language"] == "es"
    lines = "\n".join(json.dumps(item) for item in [
        {"question": "How heavy is the Alpine 40 Pack?", "session": "cli-lang", "locale": "ja"},
        {"question": "and how much is it?", "session": "cli-lang"},
        {"question": "Wie schwer ist der Alpine 40 Pack?", "session": "cli-free"},
        {"question": "x", "locale": "klingon"}])
    fixed, kept, detected, bad = [json.loads(line) for line in
                                  run_cli(["ask", "--json", "-"], cli_data, stdin=lines + "\n").stdout.splitlines()]
    assert fixed["state"]["language"] == "ja" and kept["state"]["language"] == "ja"
    assert detected["state"]["language"] == "de"
    assert bad["line"] == 4 and "'locale'" in bad["error"]
    refused = run_cli(["ask", "--locale", "klingon", "hello"], cli_data)
    assert refused.returncode == 2 and "'--locale'" in refused.stderr
