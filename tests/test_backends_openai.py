"""The OpenAI-compatible backend against a real llama.cpp server serving SmolLM2-135M."""
import base64
import io
import threading
import time

import pytest
from PIL import Image

from assistant.backends import AnswerRequest, get_backend
from assistant.errors import InvalidInput, ModelUnavailable
from assistant.knowledge.evidence import Evidence
from assistant.answers.prompting import build_messages
from tests import tiny_models
from tests.tiny_models import free_port, start_llama_server, stop_server

llama_server = tiny_models.llama_server              # session fixtures shared from tests/tiny_models.py
smollm2_gguf_path = tiny_models.smollm2_gguf_path

EVIDENCE = [Evidence("faq/returns-window", "Returns window", "Returns are free within 30 days of delivery.", "faq")]


def request(question: str = "How long do I have to return a jacket?", images=(), **kwargs) -> AnswerRequest:
    messages = build_messages(question, EVIDENCE, [], "Northwind Outfitters", n_images=len(images))
    return AnswerRequest(question=question, messages=messages, images=list(images), evidence=EVIDENCE, **kwargs)


# -- no server needed ------------------------------------------------------------------------

def test_unknown_or_invalid_options_are_rejected_with_their_name():
    with pytest.raises(InvalidInput, match="base_ur"):
        get_backend("openai", {"base_ur": "http://127.0.0.1:1/v1"})
    with pytest.raises(InvalidInput, match="base_url"):
        get_backend("openai", {"base_url": "127.0.0.1:8000/v1"})


def test_photos_travel_as_data_urls_and_text_only_messages_as_strings():
    photo = Image.new("RGB", (24, 16), (200, 30, 30))
    photo.putpixel((3, 5), (0, 255, 0))
    body = get_backend("openai", {"model": "shop-vl"}).payload(request(images=[photo]))
    assert body["model"] == "shop-vl" and body["stream"] is True and body["temperature"] == 0.0
    system, user = body["messages"]
    assert isinstance(system["content"], str) and "Northwind Outfitters" in system["content"]
    image_part, text_part = user["content"]
    url = image_part["image_url"]["url"]
    assert image_part["type"] == "image_url" and url.startswith("data:image/png;base64,")
    decoded = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert decoded.size == (24, 16) and decoded.getpixel((3, 5)) == (0, 255, 0)
    assert text_part["type"] == "text" and "[1] Returns window" in text_part["text"]


def test_big_uploads_are_shrunk_to_the_budget_before_sending():
    upload = io.BytesIO()
    Image.new("RGB", (2000, 1500), (10, 200, 10)).save(upload, format="JPEG")
    body = get_backend("openai", {"max_pixels": 400 * 300, "model": "m"}).payload(request(images=[upload.getvalue()]))
    url = body["messages"][-1]["content"][0]["image_url"]["url"]
    sent = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert sent.size == (400, 300)


def test_send_images_false_sends_plain_text_for_text_only_servers():
    backend = get_backend("openai", {"send_images": False})
    assert backend.accepts_images is False and backend.max_images == 0
    body = backend.payload(request(images=[Image.new("RGB", (8, 8))]))
    assert all(isinstance(m["content"], str) for m in body["messages"])
    assert "base64" not in str(body)


def test_server_down_is_reported_quickly_and_names_the_setting():
    port = free_port()
    backend = get_backend("openai", {"base_url": f"http://127.0.0.1:{port}/v1", "max_retries": 2,
                                     "backoff": 0.05})
    started = time.perf_counter()
    with pytest.raises(ModelUnavailable) as info:
        list(backend.stream(request()))
    assert time.perf_counter() - started < 5
    message = str(info.value)
    assert f"127.0.0.1:{port}" in message and "ASSISTANT_BACKEND_OPTIONS__BASE_URL" in message
    assert "3 attempt(s)" in message


def test_cancel_during_the_retry_wait_gives_up_at_once():
    backend = get_backend("openai", {"base_url": f"http://127.0.0.1:{free_port()}/v1", "max_retries": 5,
                                     "backoff": 30})
    turn = request()
    stream = backend.stream(turn)
    threading.Timer(0.3, turn.cancel.set).start()
    started = time.perf_counter()
    assert list(stream) == []
    assert time.perf_counter() - started < 5


# -- a real llama.cpp server -------------------------------------------------------------------

@pytest.mark.slow
def test_streams_tokens_from_a_real_llama_cpp_server(llama_server):
    backend = get_backend("openai", {"base_url": llama_server, "max_tokens": 8, "send_images": False})
    pieces = list(backend.stream(request(images=[Image.new("RGB", (8, 8))])))
    assert len(pieces) >= 3 and all(isinstance(p, str) and p for p in pieces)
    assert "".join(pieces).strip()
    assert backend._model_name.endswith(".gguf"), "the served model name was discovered from /v1/models"
    assert list(backend.stream(request())), "the client is reused for the next turn"


@pytest.mark.slow
def test_cancel_closes_the_stream_after_the_current_token(llama_server):
    backend = get_backend("openai", {"base_url": llama_server, "max_tokens": 200})
    turn = request("Tell me everything about returns, shipping and warranty.")
    received = []
    for piece in backend.stream(turn):
        received.append(piece)
        turn.cancel.set()
    assert len(received) == 1


@pytest.mark.slow
def test_a_photo_sent_to_a_text_only_server_fails_clearly(llama_server):
    backend = get_backend("openai", {"base_url": llama_server, "max_retries": 0})
    with pytest.raises(ModelUnavailable, match="send_images=false"):
        list(backend.stream(request(images=[Image.new("RGB", (8, 8))])))


@pytest.mark.slow
def test_a_base_url_without_v1_is_explained(llama_server):
    backend = get_backend("openai", {"base_url": llama_server.removesuffix("/v1"), "model": "smol"})
    with pytest.raises(ModelUnavailable, match="ends in /v1"):
        list(backend.stream(request()))


@pytest.mark.slow
def test_retries_until_a_server_that_is_still_starting_answers(smollm2_gguf_path, tmp_path):
    port = free_port()
    backend = get_backend("openai", {"base_url": f"http://127.0.0.1:{port}/v1", "max_tokens": 3,
                                     "send_images": False, "max_retries": 8, "backoff": 0.25,
                                     "model": "smollm2"})
    process = start_llama_server(smollm2_gguf_path, port, tmp_path / "server.log")
    try:
        pieces = list(backend.stream(request()))     # the first attempts are refused: not listening yet
        assert pieces and "".join(pieces).strip()
    finally:
        stop_server(process)
    assert process.returncode is not None
