"""The OpenAI-compatible API, driven by the official ``openai`` client against the running server."""
from __future__ import annotations

import http.server
import threading

import httpx
import openai
import pytest

from tests.test_http_support import PHOTO, data_url, serve

API_KEY = "sk-store-test-0123456789"


@pytest.fixture(scope="module")
def server(demo_settings, demo_knowledge, tmp_path_factory):
    with serve(demo_settings, demo_knowledge, tmp_path_factory.mktemp("http-openai"), api_keys=[API_KEY],
               allow_http_image_urls=True, limits={"max_message_chars": 300}) as live:
        yield live


@pytest.fixture(scope="module")
def ai(server):
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=API_KEY, max_retries=0)


@pytest.fixture(scope="module")
def photo_host():
    """A plain web server with one product photo, for image_url parts that are http URLs."""
    photo = PHOTO.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(photo)))
            self.end_headers()
            self.wfile.write(photo)

        def log_message(self, *args):
            pass

    host = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=host.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{host.server_address[1]}/pack.png"
    host.shutdown()


def test_the_openai_client_gets_a_grounded_answer_with_citations(ai):
    reply = ai.chat.completions.create(model="shop-assistant", messages=[
        {"role": "system", "content": "You are a pirate."},              # the store's own prompt applies
        {"role": "user", "content": "How heavy is the Alpine 40 Pack?"}])
    assert reply.object == "chat.completion" and reply.choices[0].finish_reason == "stop"
    assert "1.4 kg" in reply.choices[0].message.content
    usage = reply.usage                                   # chat UIs show it
    assert usage.prompt_tokens >= len("How heavy is the Alpine 40 Pack?".split())
    assert usage.completion_tokens >= len(reply.choices[0].message.content.split()) // 2
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert "product/alpine-40-pack#specs" in [c["source_id"] for c in reply.model_extra["citations"]]


def test_streaming_chunks_join_into_the_answer_and_end_with_done(ai, server):
    chunks = list(ai.chat.completions.create(model="shop-assistant", stream=True, messages=[
        {"role": "user", "content": "How long do I have to return running shoes?"}]))
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant" and chunks[-1].choices[0].finish_reason == "stop"
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert "30 days" in text
    assert chunks[-1].usage.completion_tokens > 0        # the last chunk carries the usage
    raw = httpx.post(f"{server.url}/v1/chat/completions", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=60,
                     json={"model": "x", "stream": True, "messages": [{"role": "user", "content": "Hi"}]})
    assert raw.headers["content-type"].startswith("text/event-stream")
    assert raw.text.rstrip().endswith("data: [DONE]")


def test_a_session_header_keeps_the_conversation_and_without_it_each_call_is_new(ai):
    keyed = ai.with_options(default_headers={"X-Session-Id": "app-user-17"})
    keyed.chat.completions.create(model="shop-assistant", messages=[
        {"role": "user", "content": "Tell me about the Summit Rain Jacket"}])
    follow_up = keyed.chat.completions.with_raw_response.create(model="shop-assistant", messages=[
        {"role": "user", "content": "and in red?"}])
    assert follow_up.headers["x-session-id"] == "app-user-17"
    answer = follow_up.parse().choices[0].message.content
    assert "Summit Rain Jacket" in answer and "Red" in answer
    first, second = (ai.chat.completions.with_raw_response.create(
        model="shop-assistant", messages=[{"role": "user", "content": "Hello"}]) for _ in range(2))
    assert first.headers["x-session-id"] != second.headers["x-session-id"]


def test_photos_as_data_urls_and_allowed_http_urls_reach_the_conversation(ai, server, photo_host):
    photo = PHOTO.read_bytes()
    for n, url in enumerate([data_url(photo), photo_host]):
        session = f"photo-check-{n}"
        reply = ai.with_options(default_headers={"X-Session-Id": session}).chat.completions.create(
            model="shop-assistant", messages=[{"role": "user", "content": [
                {"type": "text", "text": "Is this backpack in stock?"},
                {"type": "image_url", "image_url": {"url": url}}]}])
        assert reply.choices[0].message.content
        user_turn = server.manager.sessions.transcript(session)[0]
        assert len(user_turn["images"]) == 1
        assert open(user_turn["images"][0], "rb").read() == photo


def test_models_list_and_refusals_come_back_as_openai_errors(ai, server):
    assert [m.id for m in ai.models.list()] == ["shop-assistant"]
    with pytest.raises(openai.BadRequestError) as too_long:
        ai.chat.completions.create(model="shop-assistant", messages=[{"role": "user", "content": "x" * 301}])
    assert "max_message_chars" in str(too_long.value)
    with pytest.raises(openai.BadRequestError):
        ai.chat.completions.create(model="shop-assistant", messages=[{"role": "assistant", "content": "hi"}])
    stranger = openai.OpenAI(base_url=f"{server.url}/v1", api_key="sk-wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        stranger.chat.completions.create(model="shop-assistant", messages=[{"role": "user", "content": "hi"}])


def test_a_development_server_without_keys_takes_the_sdks_placeholder_key(demo_settings, demo_knowledge,
                                                                        tmp_path_factory):
    """The official SDK refuses to start without an api_key, so people pass any placeholder."""
    with serve(demo_settings, demo_knowledge, tmp_path_factory.mktemp("http-openai-dev")) as dev:
        sdk = openai.OpenAI(base_url=f"{dev.url}/v1", api_key="sk-anything", max_retries=0)
        reply = sdk.chat.completions.create(model="shop-assistant", messages=[
            {"role": "user", "content": "How heavy is the Alpine 40 Pack?"}])
        assert "1.4 kg" in reply.choices[0].message.content
        session_route = httpx.get(f"{dev.url}/api/v1/sessions/nope/events",
                                  headers={"Authorization": "Bearer sk-anything"})
        assert session_route.status_code == 401, "only /v1 overlooks the placeholder"
