"""The session API over a real socket: sessions, streamed and JSON replies, photos, auth, CORS, limits."""
from __future__ import annotations

import base64

import httpx
import pytest

from assistant.settings import HttpSettings
from assistant.web.security import Gatekeeper, sign_customer
from tests.test_http_support import PHOTO, answer_of, data_url, png, read_sse, serve, start_session

API_KEY = "test-api-key-0123456789"
STORE = "https://shop.example"
LIMITS = {"max_message_chars": 500, "max_images_per_turn": 2, "max_image_bytes": 200_000,
          "max_image_pixels": 1_000_000}


@pytest.fixture(scope="module")
def server(demo_settings, demo_knowledge, tmp_path_factory):
    with serve(demo_settings, demo_knowledge, tmp_path_factory.mktemp("http-api"), limits=LIMITS,
               api_keys=[API_KEY], cors_origins=[STORE], max_body_bytes=600_000,
               rate_limit_per_ip=10_000, rate_limit_per_session=1_000) as live:
        yield live


@pytest.fixture()
def client(server):
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def ask(client, session_id, headers, text, **extra):
    with client.stream("POST", f"/api/v1/sessions/{session_id}/messages", headers=headers,
                       json={"text": text, **extra}) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        return read_sse(response)


def refusal(response: httpx.Response, status: int, limit: str | None = None) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["message"] and error["type"]
    if limit:
        assert error.get("limit") == limit
    return error


def test_a_question_streams_back_as_events_ending_in_done_with_a_citation(client):
    session_id, auth = start_session(client)
    events = ask(client, session_id, auth, "How heavy is the Alpine 40 Pack?")
    kinds = [e["type"] for e in events]
    assert kinds[0] == "user" and kinds[-1] == "done" and "token" in kinds and "citations" in kinds
    assert [e["seq"] for e in events] == list(range(events[0]["seq"], events[0]["seq"] + len(events)))
    tokens = "".join(e["text"] for e in events if e["type"] == "token")
    assert "1.4 kg" in tokens and tokens.strip() == answer_of(events)
    citations = next(e for e in events if e["type"] == "citations")["citations"]
    assert "product/alpine-40-pack#specs" in [c["source_id"] for c in citations]
    [card] = next(e for e in events if e["type"] == "products")["products"]     # the product, as a card
    assert card["name"] == "Alpine 40 Pack" and card["price"] > 0
    photo = client.get(card["image"])                      # served by the app, no credential needed
    assert photo.status_code == 200 and photo.headers["content-type"].startswith("image/")
    assert photo.content == PHOTO.read_bytes()
    assert client.get("/api/v1/products/no-such-thing/image").status_code == 404


def test_a_client_can_ask_for_one_json_reply_instead(client):
    session_id, auth = start_session(client)
    response = client.post(f"/api/v1/sessions/{session_id}/messages", headers={**auth, "Accept": "application/json"},
                           json={"text": "Is the Summit Rain Jacket in black XL in stock?"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    reply = response.json()
    assert "$139.00" in reply["answer"] and "in stock" in reply["answer"]
    assert reply["citations"] and reply["events"][-1]["type"] == "done"
    assert [c["id"] for c in reply["products"]] == ["summit-rain-jacket"]
    same = client.post(f"/api/v1/sessions/{session_id}/messages", headers=auth,
                       json={"text": "and in red?", "stream": False}).json()
    assert "Summit Rain Jacket" in same["answer"]       # the follow-up kept the product in focus


def test_events_after_n_replay_exactly_what_came_after_n(client):
    session_id, auth = start_session(client)
    original = ask(client, session_id, auth, "How long do I have to return running shoes?")
    cut = original[3]["seq"]
    with client.stream("GET", f"/api/v1/sessions/{session_id}/events", params={"after": cut}, headers=auth) as r:
        replay = read_sse(r)
    assert [(e["seq"], e["type"]) for e in replay] == [(e["seq"], e["type"]) for e in original if e["seq"] > cut]
    with client.stream("GET", f"/api/v1/sessions/{session_id}/events",
                       headers={**auth, "Last-Event-ID": str(cut)}) as r:
        assert [e["seq"] for e in read_sse(r)] == [e["seq"] for e in replay]
    for junk in ("²".encode("latin-1"), "9" * 40, "-3"):   # not a plain seq: replay all, never a 500
        with client.stream("GET", f"/api/v1/sessions/{session_id}/events",
                           headers={**auth, "Last-Event-ID": junk}) as r:
            assert r.status_code == 200 and [e["seq"] for e in read_sse(r)] == [e["seq"] for e in original]
    transcript = client.get(f"/api/v1/sessions/{session_id}", headers=auth).json()
    assert [m["role"] for m in transcript["messages"]] == ["user", "assistant"]
    assert "30 days" in transcript["messages"][1]["content"] and transcript["last_seq"] == original[-1]["seq"]


def test_photos_arrive_as_multipart_files_or_data_urls_and_stay_private(client):
    session_id, auth = start_session(client)
    photo = PHOTO.read_bytes()
    response = client.post(f"/api/v1/sessions/{session_id}/messages", headers={**auth, "Accept": "application/json"},
                           data={"text": "Is this backpack in stock?"},
                           files=[("images", ("pack.png", photo, "image/png"))])
    assert response.status_code == 200, response.text
    user = response.json()["events"][0]
    assert user["type"] == "user" and len(user["images"]) == 1 and "/" not in user["images"][0]["id"]
    image_url = user["images"][0]["url"]
    served = client.get(image_url, headers=auth)
    assert served.content == photo and served.headers["content-type"] == "image/png"
    assert client.get(image_url).status_code == 401
    _, stranger = start_session(client)
    assert client.get(image_url, headers=stranger).status_code == 403

    small = png(40, 40)
    reply = client.post(f"/api/v1/sessions/{session_id}/messages", headers=auth,
                        json={"text": "and this one?", "images": [data_url(small)], "stream": False}).json()
    stored = reply["events"][0]["images"]
    assert client.get(stored[0]["url"], headers=auth).content == small


def test_a_transcript_is_readable_only_with_its_own_token_or_an_api_key(client):
    session_id, auth = start_session(client)
    ask(client, session_id, auth, "What payment methods do you accept?")
    url = f"/api/v1/sessions/{session_id}"
    refusal(client.get(url), 401)
    _, other = start_session(client)
    refusal(client.get(url, headers=other), 403)
    token = auth["Authorization"].removeprefix("Bearer ")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    refusal(client.get(url, headers={"Authorization": f"Bearer {forged}"}), 401)
    expired, _ = Gatekeeper(HttpSettings()).issue_token(session_id, now=1_000_000)
    refusal(client.get(url, headers={"Authorization": f"Bearer {expired}"}), 401, "session_token_ttl_s")
    refusal(client.get(url, headers={"X-API-Key": "wrong"}), 401)
    assert client.get(url, headers=auth).status_code == 200
    assert client.get(url, headers={"X-API-Key": API_KEY}).json()["session_id"] == session_id
    refusal(client.post(f"{url}/messages", json={"text": "hi"}), 401)
    renewed = client.post(f"{url}/token", headers=auth).json()
    assert client.get(url, headers={"Authorization": f"Bearer {renewed['token']}"}).status_code == 200
    refusal(client.get("/api/v1/sessions/no-such-session", headers={"X-API-Key": API_KEY}), 404)


def test_a_known_shopper_is_attached_only_with_the_stores_signature(client):
    good = client.post("/api/v1/sessions", json={"customer_id": "cust-42",
                                                 "customer_signature": sign_customer(HttpSettings().secret_key,
                                                                                     "cust-42")})
    assert good.status_code == 201 and good.json()["customer_id"] == "cust-42"
    transcript = client.get(f"/api/v1/sessions/{good.json()['session_id']}",
                            headers={"Authorization": f"Bearer {good.json()['token']}"}).json()
    assert transcript["customer_id"] == "cust-42"
    refusal(client.post("/api/v1/sessions", json={"customer_id": "cust-42", "customer_signature": "00" * 32}),
            403, "customer_signature")
    refusal(client.post("/api/v1/sessions", json={"customer_id": "cust-42"}), 403, "customer_signature")
    trusted = client.post("/api/v1/sessions", json={"customer_id": "cust-7"}, headers={"X-API-Key": API_KEY})
    assert trusted.status_code == 201 and trusted.json()["customer_id"] == "cust-7"


def test_server_to_server_routes_need_an_api_key(client):
    refusal(client.get("/v1/models"), 401)
    refusal(client.get("/v1/models", headers={"Authorization": "Bearer sk-wrong"}), 401)
    _, auth = start_session(client)
    refusal(client.get("/v1/models", headers=auth), 403)
    assert client.get("/v1/models", headers={"Authorization": f"Bearer {API_KEY}"}).status_code == 200


@pytest.mark.parametrize("body, limit", [
    ({"text": "x" * 501}, "max_message_chars"),
    ({"text": "", "images": []}, "empty_message"),
    ({"text": "look", "images": [data_url(png(8, 8))] * 3}, "max_images_per_turn"),
    ({"text": "look", "images": [data_url(b"\x89PNG" + b"0" * 200_001)]}, "max_image_bytes"),
    ({"text": "look", "images": ["data:image/png;base64,@@not-base64@@"]}, "image_encoding"),
    ({"text": "look", "images": ["https://example.com/a.png"]}, "image_encoding"),
    ({"text": "look", "images": [data_url(b"%PDF-1.4", "application/pdf")]}, "image_type"),
])
def test_each_broken_limit_is_a_4xx_that_names_it(client, body, limit):
    session_id, auth = start_session(client)
    refusal(client.post(f"/api/v1/sessions/{session_id}/messages", headers=auth, json=body), 400, limit)


@pytest.mark.parametrize("photo, limit", [(png(1200, 1000), "max_image_pixels"),     # 1.2 MP > 1 MP
                                           (b"this is not a picture", "image_format")])
def test_photos_the_core_refuses_are_a_4xx_not_an_error_inside_a_stream(client, photo, limit):
    """The core checks the photos themselves when the turn starts; the refusal still comes back as a 4xx."""
    session_id, auth = start_session(client)
    refusal(client.post(f"/api/v1/sessions/{session_id}/messages", headers=auth,
                        json={"text": "look", "images": [data_url(photo)]}), 400, limit)
    transcript = client.get(f"/api/v1/sessions/{session_id}", headers=auth).json()
    assert transcript["messages"] == []                                            # nothing was stored
    assert client.post(f"/api/v1/sessions/{session_id}/messages", headers=auth,    # and the chat goes on
                       json={"text": "How heavy is the Alpine 40 Pack?", "stream": False}).status_code == 200


def test_bodies_over_the_size_limit_are_refused_before_parsing(client):
    session_id, auth = start_session(client)
    url = f"/api/v1/sessions/{session_id}/messages"
    big = {"text": "look", "images": [data_url(b"0" * 500_000)]}          # ~670 kB of JSON
    refusal(client.post(url, headers=auth, json=big), 413, "max_body_bytes")

    def chunks():                                                          # no Content-Length: counted as it streams
        yield b'{"text": "look", "images": ["data:image/png;base64,'
        for _ in range(10):
            yield base64.b64encode(b"0" * 75_000)
        yield b'"]}'

    refusal(client.post(url, headers={**auth, "Content-Type": "application/json"}, content=chunks()),
            413, "max_body_bytes")
    refusal(client.post(url, headers={**auth, "Content-Type": "text/plain"}, content=b"hello"), 415, "content_type")


def test_cors_lets_only_the_stores_own_origins_call(client):
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,content-type"}
    allowed = client.options("/api/v1/sessions", headers={"Origin": STORE, **preflight})
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == STORE
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    denied = client.options("/api/v1/sessions", headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in denied.headers
    created = client.post("/api/v1/sessions", headers={"Origin": STORE})
    assert created.headers["access-control-allow-origin"] == STORE
    assert "access-control-allow-origin" not in client.post("/api/v1/sessions",
                                                            headers={"Origin": "https://evil.example"}).headers


def test_http_image_urls_are_refused_unless_the_store_allows_them(client):
    response = client.post("/v1/chat/completions", headers={"X-API-Key": API_KEY}, json={
        "model": "shop-assistant", "messages": [{"role": "user", "content": [
            {"type": "text", "text": "what is this?"},
            {"type": "image_url", "image_url": {"url": "http://127.0.0.1:9/photo.png"}}]}]})
    refusal(response, 400, "allow_http_image_urls")


def test_health_readiness_metrics_and_the_openapi_schema(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["ready"] is True and ready["knowledge_chunks"] > 0 and ready["backend"] == "extractive"
    session_id, auth = start_session(client)
    ask(client, session_id, auth, "How heavy is the Alpine 40 Pack?")
    client.post(f"/api/v1/sessions/{session_id}/messages", headers=auth, json={"text": "x" * 501})
    metrics = client.get("/metrics").text
    assert 'assistant_replies_total{outcome="done"}' in metrics
    assert 'assistant_http_refusals_total{limit="max_message_chars"}' in metrics   # not only per-IP limits
    assert 'route="/api/v1/sessions/{session_id}/messages"' in metrics
    schema = client.get("/openapi.json").json()
    message = schema["paths"]["/api/v1/sessions/{session_id}/messages"]["post"]
    assert set(message["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert {"text/event-stream", "application/json"} <= set(message["responses"]["200"]["content"])
    assert {"/v1/chat/completions", "/v1/models", "/api/v1/sessions/{session_id}/events"} <= set(schema["paths"])
    assert client.get("/widget.js").headers["content-type"].startswith("text/javascript")
    assert "widget.js" in client.get("/demo").text
    assert client.get("/").status_code == 200                       # the Gradio chat is still at "/"
    wrong_method = client.delete("/api/v1/sessions")                # ... yet API paths answer as the API
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "POST"
    refusal(wrong_method, 405)
    refusal(client.get("/api/v1/no-such-thing"), 404)


def test_rate_limits_per_conversation_and_per_address(demo_settings, demo_knowledge, tmp_path):
    with serve(demo_settings, demo_knowledge, tmp_path, rate_limit_per_ip=6, rate_limit_per_session=2) as live, \
            httpx.Client(base_url=live.url, timeout=60) as client:
        session_id, auth = start_session(client)                                   # request 1 from this address
        url = f"/api/v1/sessions/{session_id}/messages"
        for _ in range(2):                                                         # requests 2, 3
            assert client.post(url, headers=auth, json={"text": "hello", "stream": False}).status_code == 200
        limited = client.post(url, headers=auth, json={"text": "hello", "stream": False})   # request 4
        refusal(limited, 429, "rate_limit_per_session")
        assert int(limited.headers["retry-after"]) >= 1
        statuses = [client.post("/api/v1/sessions").status_code for _ in range(3)]  # requests 5, 6, 7
        assert statuses == [201, 201, 429]
        refusal(client.post("/api/v1/sessions"), 429, "rate_limit_per_ip")
        assert client.get("/healthz").status_code == 200                            # operators are not limited


def test_production_refuses_to_start_with_the_default_secret(demo_settings):
    from assistant.web.server import create_app

    unsafe = demo_settings.model_copy(update={"http": HttpSettings(environment="production")})
    with pytest.raises(ValueError, match="ASSISTANT_HTTP__SECRET_KEY"):
        create_app(unsafe)


def signed_session(client, customer_id: str) -> tuple[str, dict[str, str]]:
    return start_session(client, customer_id=customer_id,
                         customer_signature=sign_customer(HttpSettings().secret_key, customer_id))


def test_an_order_change_waiting_for_yes_or_no_is_named_on_done(client, server):
    session_id, headers = signed_session(client, "C-1001")
    asked = ask(client, session_id, headers, "Please cancel my pending order")
    done = asked[-1]
    assert done["type"] == "done" and "yes or no" in done["answer"]
    assert done["confirm"] == {"action": "cancel", "order_id": "NW-483377"}
    kept = ask(client, session_id, headers, "No")[-1]
    assert kept["type"] == "done" and "confirm" not in kept
    assert server.manager.orders.orders.get_order("NW-483377").status == "pending"


def test_the_demo_page_signs_in_a_demo_customer_on_the_server(client):
    page = client.get("/demo", params={"customer": "C-1001"})
    assert page.status_code == 200
    signature = sign_customer(HttpSettings().secret_key, "C-1001")
    assert f'"id": "C-1001", "signature": "{signature}"' in page.text
    assert '<option value="C-1001" selected>Maya Chen (C-1001)</option>' in page.text
    # what the page hands the widget is what the session API accepts from a store's server
    assert signed_session(client, "C-1001")[0]
    guest = client.get("/demo").text
    assert "customer: null" in guest and '<option value="" selected>Guest (not signed in)</option>' in guest
    error = refusal(client.get("/demo", params={"customer": "</script><script>alert(1)</script>"}), 400,
                    "demo_customer")
    assert "not a demo customer" in error["message"]


def test_demo_sign_in_is_for_development_and_order_systems_that_list_customers(server):
    from assistant.errors import InvalidInput
    from assistant.orders.http import HttpOrders
    from assistant.orders.service import demo_shoppers
    from assistant.settings import Settings
    from assistant.web.demo_page import render_demo

    local = server.manager.orders.orders
    development = Settings()
    assert [c.name for c in demo_shoppers(development, local)][:2] == ["Maya Chen", "Daniel Okafor"]
    production = development.model_copy(update={"http": HttpSettings(environment="production")})
    assert demo_shoppers(production, local) == []
    assert demo_shoppers(development, HttpOrders(base_url="https://orders.example")) == []
    page = render_demo("{{sign_in}}|{{customer_json}}", production, [], None)
    assert page == "|null"                                           # no picker, a guest
    with pytest.raises(InvalidInput, match="development environment"):
        render_demo("{{customer_json}}", production, [], "C-1001")
