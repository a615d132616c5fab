"""Feedback, shopper actions and the store's analytics over HTTP, on the real app: what shoppers
rate and click is recorded against the right answer, and GET /api/v1/analytics adds up real
conversations (answered, handed off, unanswered questions grouped into gaps, clicks, latency)."""
from __future__ import annotations

import csv
import io

import httpx
import pytest

from tests.test_http_support import answer_of, read_sse, serve, start_session

API_KEY = "sk-analytics-test-0123456789"
KEY = {"X-API-Key": API_KEY}


@pytest.fixture(scope="module")
def live(demo_settings, demo_knowledge, tmp_path_factory):
    with serve(demo_settings, demo_knowledge, tmp_path_factory.mktemp("analytics"), api_keys=[API_KEY],
               rate_limit_per_ip=10_000, rate_limit_per_session=1_000) as server, \
            httpx.Client(base_url=server.url, timeout=120) as client:
        yield client


def say(client, session_id, auth, text):
    with client.stream("POST", f"/api/v1/sessions/{session_id}/messages", headers=auth,
                       json={"text": text}) as response:
        assert response.status_code == 200, response.read()
        return read_sse(response)


@pytest.fixture(scope="module")
def traffic(live):
    """Four conversations a store would see in a morning."""
    answered, a_auth = start_session(live)
    events = say(live, answered, a_auth, "How heavy is the Alpine 40 Pack?")
    card = next(e for e in events if e["type"] == "products")["products"][0]
    turn = events[0]["turn"]
    rated = live.post(f"/api/v1/sessions/{answered}/feedback", headers=a_auth,
                      json={"turn": turn, "rating": "up"})
    clicked = live.post(f"/api/v1/sessions/{answered}/events", headers=a_auth,
                        json={"type": "product_click", "turn": turn, "target": card["id"]})
    handed, h_auth = start_session(live)
    say(live, handed, h_auth, "I want to talk to a real person please")
    gaps = []
    for text in ("Do you sponsor trail running events?", "are you sponsoring any ultramarathon races"):
        sid, auth = start_session(live)
        events = say(live, sid, auth, text)
        gaps.append((sid, auth, events))
    downs = [live.post(f"/api/v1/sessions/{sid}/feedback", headers=auth,           # or no answer at all
                       json={"turn": events[0]["turn"], "rating": "down", "reason": "  Didn't answer  my question "})
             for sid, auth, events in gaps]
    down = downs[0]
    return {"rated": rated, "clicked": clicked, "down": down, "answered": answered, "auth": a_auth,
            "gap_answers": [answer_of(e) for _, _, e in gaps]}


def test_ratings_and_clicks_are_recorded_against_their_answer(traffic):
    assert traffic["rated"].status_code == 200 and traffic["rated"].json()["rating"] == "up"
    assert traffic["clicked"].status_code == 202
    assert traffic["down"].json()["reason"] == "Didn't answer my question"


def test_bad_feedback_gets_a_clear_error_and_other_conversations_are_closed(live, traffic):
    session, auth = traffic["answered"], traffic["auth"]
    future = live.post(f"/api/v1/sessions/{session}/feedback", headers=auth, json={"turn": 99, "rating": "up"})
    assert future.status_code == 400 and "no turn 99" in future.json()["error"]["message"]
    early = live.post(f"/api/v1/sessions/{session}/events", headers=auth,
                      json={"type": "product_click", "turn": 99, "target": "alpine-40-pack"})
    assert early.status_code == 400 and "no turn 99" in early.json()["error"]["message"]
    meh = live.post(f"/api/v1/sessions/{session}/feedback", headers=auth, json={"turn": 1, "rating": "meh"})
    assert meh.status_code in (400, 422)
    other, other_auth = start_session(live)
    stolen = live.post(f"/api/v1/sessions/{session}/feedback", headers=other_auth, json={"turn": 1, "rating": "down"})
    assert stolen.status_code == 403


def test_the_analytics_add_up_the_conversations(live, traffic):
    assert live.get("/api/v1/analytics").status_code == 401          # the store's key only
    report = live.get("/api/v1/analytics", headers=KEY).json()
    assert report["conversations"] >= 4 and report["turns"] >= 4
    assert report["handoffs_by_rule"].get("explicit_request", 0) >= 1
    assert 0 < report["automated_resolution_rate"] < 1
    assert report["feedback"]["up"] >= 1 and report["feedback"]["down"] >= 1
    assert {"reason": "didn't answer my question", "count": 2} in report["feedback"]["reasons"]
    cards = report["product_cards"]
    assert cards["clicks"] >= 1 and cards["replies_with_cards"] >= 1 and 0 < cards["click_through_rate"] <= 1
    assert report["latency_ms"]["p50"] > 0 and report["latency_ms"]["p95"] >= report["latency_ms"]["p50"]
    sponsoring = [g for g in report["knowledge_gaps"] if "sponsor" in g["question"].lower()]
    assert sponsoring and sponsoring[0]["count"] == 2, (report["knowledge_gaps"], traffic["gap_answers"])
    assert report["daily"] and report["daily"][-1]["conversations"] >= 4


def test_a_window_and_the_csv_exports(live, traffic):
    empty = live.get("/api/v1/analytics", headers=KEY, params={"until": "2001-01-01"}).json()
    assert empty["conversations"] == 0 and empty["automated_resolution_rate"] is None
    bad = live.get("/api/v1/analytics", headers=KEY, params={"since": "last tuesday"})
    assert bad.status_code == 400 and "since" in bad.json()["error"]["message"]
    daily = live.get("/api/v1/analytics", headers=KEY, params={"format": "csv"})
    assert daily.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(daily.text)))
    assert rows and int(rows[-1]["conversations"]) >= 4
    outcomes = live.get("/api/v1/analytics/conversations", headers=KEY).json()["conversations"]
    kinds = {o["session_id"]: o for o in outcomes}
    assert kinds[traffic["answered"]]["outcome"] == "answered" and kinds[traffic["answered"]]["rating"] == "up"
    assert kinds[traffic["answered"]]["clicks"] == 1
    assert any(o["outcome"] == "handed_off" and o["handoff_rule"] == "explicit_request" for o in outcomes)
