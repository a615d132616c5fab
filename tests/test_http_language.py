"""The shopper's language over the session API (a real server): a locale set when the session is
created fixes it, otherwise each reply says the language detected, and the transcript keeps it."""
from __future__ import annotations

import httpx
import pytest

from tests.test_http_support import read_sse, serve, start_session


@pytest.fixture(scope="module")
def server(demo_settings, demo_knowledge, tmp_path_factory):
    with serve(demo_settings, demo_knowledge, tmp_path_factory.mktemp("http-language"),
               rate_limit_per_ip=10_000, rate_limit_per_session=1_000) as live:
        yield live


@pytest.fixture()
def client(server):
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def say(client, session_id, auth, text) -> list[dict]:
    with client.stream("POST", f"/api/v1/sessions/{session_id}/messages", headers=auth,
                       json={"text": text}) as response:
        assert response.status_code == 200, response.read()
        return read_sse(response)


def test_the_reply_and_the_transcript_carry_the_detected_language(client):
    session_id, auth = start_session(client)
    done = say(client, session_id, auth, "¿Cuánto pesa la mochila Alpine 40 Pack?")[-1]
    assert done["type"] == "done" and done["language"] == "es"
    transcript = client.get(f"/api/v1/sessions/{session_id}", headers=auth).json()
    assert (transcript["language"], transcript["locale"]) == ("es", None)
    reply = client.post(f"/api/v1/sessions/{session_id}/messages", headers=auth,
                        json={"text": "Sorry - how heavy is the Alpine 40 Pack, in English please?",
                              "stream": False}).json()
    assert reply["language"] == "en"


def test_a_locale_given_at_session_creation_wins_over_detection(client):
    created = client.post("/api/v1/sessions", json={"locale": "zh-CN"})
    assert created.status_code == 201 and created.json()["language"] == "zh"
    session_id, auth = created.json()["session_id"], {"Authorization": f"Bearer {created.json()['token']}"}
    done = say(client, session_id, auth, "How heavy is the Alpine 40 Pack?")[-1]
    assert done["language"] == "zh"
    transcript = client.get(f"/api/v1/sessions/{session_id}", headers=auth).json()
    assert (transcript["language"], transcript["locale"]) == ("zh", "zh")


@pytest.mark.parametrize("locale", ["klingon", "it"])
def test_a_bad_locale_is_a_400_naming_the_field(client, locale):
    response = client.post("/api/v1/sessions", json={"locale": locale})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["limit"] == "locale" and "'locale'" in error["message"]


def test_a_locale_that_is_not_text_is_refused_by_the_schema(client):
    response = client.post("/api/v1/sessions", json={"locale": 7})
    assert 400 <= response.status_code < 500 and "locale" in response.text
