"""Generative backends through the whole turn pipeline, as the app runs them.

A tiny random-weight VLM (built offline) answers a photo turn through ConversationManager and
through the real app started with ASSISTANT_BACKEND=transformers; a real llama.cpp server does the
same for ASSISTANT_BACKEND=openai. Random weights say nothing useful, so the tests assert the
pipeline: streamed tokens, the photo recorded and perceived, citations checked, no crash.
"""
import io

import pytest
from PIL import Image

from assistant.conversation import ConversationManager
from assistant.storage.sessions import SessionStore
from assistant.settings import PROJECT_ROOT
from tests import tiny_models
from tests.conftest import ask
from tests.servers import app_process

tiny_vlm = tiny_models.tiny_vlm
smollm2_gguf_path = tiny_models.smollm2_gguf_path
llama_server = tiny_models.llama_server

pytestmark = pytest.mark.slow


def photo_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.open(PROJECT_ROOT / "knowledge" / "images" / "alpine-40-pack.png").convert("RGB").save(buffer, "JPEG")
    return buffer.getvalue()


def model_manager(demo_settings, demo_knowledge, tmp_path, **overrides):
    settings = demo_settings.model_copy(update={"data_dir": tmp_path, **overrides})
    return ConversationManager(settings, knowledge=demo_knowledge, sessions=SessionStore(settings.sessions_url))


def test_tiny_qwen_vlm_answers_a_photo_turn(demo_settings, demo_knowledge, tmp_path, tiny_vlm):
    manager = model_manager(demo_settings, demo_knowledge, tmp_path, backend="transformers",
                            model=str(tiny_vlm("qwen2_5_vl")), backend_options={"max_new_tokens": 8})
    assert manager.backend.name == "transformers" and manager.notice is None
    result = ask(manager, "photo-1", "Is this backpack waterproof?", images=[photo_bytes()])
    tokens = [e for e in result["events"] if e.type == "token"]
    assert tokens and result["answer"]
    stored = manager.sessions.transcript("photo-1")[0]
    assert stored["role"] == "user" and len(stored["images"]) == 1
    assert manager.backend.accepts_images
    if manager.perception is not None:
        assert "perception" in result


def test_missing_model_falls_back_to_extractive_with_a_visible_notice(demo_settings, demo_knowledge, tmp_path):
    manager = model_manager(demo_settings, demo_knowledge, tmp_path, backend="transformers",
                            model=str(tmp_path / "no-such-model"))
    assert manager.backend.name == "extractive"
    result = ask(manager, "fallback-1", "How heavy is the Alpine 40 Pack?")
    notices = [e.data["text"] for e in result["events"] if e.type == "notice"]
    assert notices and "ASSISTANT_MODEL" in notices[0] and "no-such-model" in notices[0]
    assert "1.4 kg" in result["answer"]


def test_openai_backend_against_llama_cpp_server_answers_a_photo_turn(demo_settings, demo_knowledge, tmp_path,
                                                                      llama_server):
    manager = model_manager(demo_settings, demo_knowledge, tmp_path, backend="openai",
                            backend_options={"base_url": llama_server, "send_images": False, "max_tokens": 24})
    result = ask(manager, "openai-1", "What is this and how heavy is it?", images=[photo_bytes()])
    assert [e for e in result["events"] if e.type == "token"] and result["answer"]
    assert manager.sessions.transcript("openai-1")[0]["images"]


@pytest.mark.parametrize("backend", ["transformers", "openai"])
def test_app_runs_end_to_end_with_a_photo_turn(backend, tmp_path, tiny_vlm, request, ingested_data):
    from gradio_client import Client, handle_file

    if backend == "transformers":
        env = {"ASSISTANT_BACKEND": "transformers", "ASSISTANT_MODEL": str(tiny_vlm("qwen2_5_vl")),
               "ASSISTANT_BACKEND_OPTIONS": '{"max_new_tokens": 8}'}
    else:
        base_url = request.getfixturevalue("llama_server")
        env = {"ASSISTANT_BACKEND": "openai",
               "ASSISTANT_BACKEND_OPTIONS": f'{{"base_url": "{base_url}", "send_images": false, "max_tokens": 16}}'}
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(photo_bytes())
    with app_process(tmp_path, env, seed=ingested_data) as url:
        reply = Client(url + "/", verbose=False).predict(
            {"text": "Is this one of yours?", "files": [handle_file(str(photo))]}, api_name="/chat")
    assert isinstance(reply, str) and reply.strip() and "⚠️" not in reply
    assert "unavailable" not in reply  # the model answered, not the fallback
