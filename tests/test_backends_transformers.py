"""The transformers backend with tiny random-weight VLMs of each family and the real SmolLM2 GGUF.

Tiny models are built offline once per session (tests/tiny_models.py) and loaded back through
the backend's own loading code, exactly as a downloaded checkpoint would be.
"""
import math
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from assistant.backends import AnswerRequest, get_backend
from assistant.backends.transformers_backend import resolve_model_source
from assistant.errors import InvalidInput, ModelUnavailable
from assistant.knowledge.evidence import Evidence
from assistant.answers.prompting import build_messages
from assistant.settings import PROJECT_ROOT
from tests import tiny_models
from tests.tiny_models import FAMILIES, build_tiny_text_lm

tiny_vlm = tiny_models.tiny_vlm                      # session fixtures shared from tests/tiny_models.py
smollm2_gguf_path = tiny_models.smollm2_gguf_path

EVIDENCE = [
    Evidence("product/summit-rain-jacket#specs", "Summit Rain Jacket", "Colours: black, navy. Sizes S-XL.", "specs"),
    Evidence("faq/returns-window", "Returns window", "Returns are free within 30 days of delivery.", "faq"),
]


def photo(width: int = 160, height: int = 120) -> Image.Image:
    image = Image.new("RGB", (width, height), (180, 40, 40))
    image.paste((20, 20, 160), (width // 4, height // 4, width // 2, height // 2))
    return image


def photo_request(question: str = "Does this jacket come in blue?", images=None, **kwargs) -> AnswerRequest:
    images = [photo()] if images is None else images
    messages = build_messages(question, EVIDENCE, [], "Northwind Outfitters", n_images=len(images))
    return AnswerRequest(question=question, messages=messages, images=images, evidence=EVIDENCE, **kwargs)


def generator_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "transformers-generate" and t.is_alive()]


# -- configuration errors: fast, no model ---------------------------------------------------

def test_missing_local_folder_names_the_setting_and_the_path(tmp_path):
    missing = tmp_path / "models" / "qwen2.5-vl-3b"
    with pytest.raises(ModelUnavailable) as info:
        get_backend("transformers", {"model": str(missing)})
    assert "ASSISTANT_MODEL" in str(info.value) and str(missing) in str(info.value)
    assert "Repo id" not in str(info.value)


def test_no_model_configured_names_the_setting():
    with pytest.raises(ModelUnavailable, match="set ASSISTANT_MODEL"):
        resolve_model_source(None)


def test_folder_without_a_config_and_missing_gguf_are_explained(tmp_path):
    with pytest.raises(ModelUnavailable, match="no config.json"):
        get_backend("transformers", {"model": str(tmp_path)})
    with pytest.raises(ModelUnavailable, match="not a file"):
        get_backend("transformers", {"model": str(tmp_path / "smol.gguf")})
    with pytest.raises(ModelUnavailable, match="'smol.gguf' is not in that folder"):
        get_backend("transformers", {"model": str(tmp_path), "gguf_file": "smol.gguf"})


def test_hub_id_not_in_the_cache_while_offline_is_explained(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelUnavailable) as info:
        get_backend("transformers", {"model": "acme/shop-vl-2b"})
    message = str(info.value)
    assert "ASSISTANT_MODEL='acme/shop-vl-2b'" in message and "HF_HUB_OFFLINE" in message


def test_unknown_or_invalid_options_are_rejected_with_their_name():
    with pytest.raises(InvalidInput, match="max_tokens"):
        get_backend("transformers", {"model": "x", "max_tokens": 10})
    with pytest.raises(InvalidInput, match="quantization"):
        get_backend("transformers", {"model": "x", "quantization": "3bit"})
    with pytest.raises(InvalidInput, match="min_pixels"):
        get_backend("transformers", {"model": "x", "min_pixels": 10**6, "max_pixels": 10**5})


def test_gpu_check_script_exits_clearly_without_a_gpu():
    result = subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "gpu_check.py")],
                            capture_output=True, text=True, timeout=120, env={"CUDA_VISIBLE_DEVICES": "",
                                                                             "PATH": "/usr/bin:/bin"})
    assert result.returncode == 2, result.stderr[-2000:]
    assert "needs a CUDA GPU" in result.stderr


# -- tiny VLMs of each family ---------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_streams_an_answer_about_a_photo(tiny_vlm, family):
    backend = get_backend("transformers", {"model": str(tiny_vlm(family)), "max_new_tokens": 8, "max_images": 2})
    assert backend.accepts_images and backend.max_images == 2
    assert backend.quantization == "none" and backend.family == family
    inputs = backend.prepare_inputs(photo_request())
    assert "pixel_values" in inputs, "the photo reaches the model"
    pieces = list(backend.stream(photo_request()))
    assert pieces and all(isinstance(p, str) and p for p in pieces)
    stats = backend.last_stats
    assert 1 <= stats.completion_tokens <= 8 and stats.prompt_tokens == inputs["input_ids"].shape[-1]
    assert stats.first_token_s is not None and not stats.cancelled
    assert not generator_threads()


@pytest.mark.slow
def test_max_new_tokens_bounds_the_answer_and_greedy_is_repeatable(tiny_vlm):
    folder = str(tiny_vlm("llava"))
    short = get_backend("transformers", {"model": folder, "max_new_tokens": 3})
    long = get_backend("transformers", {"model": folder, "max_new_tokens": 12})
    short_text = "".join(short.stream(photo_request()))
    long_text = "".join(long.stream(photo_request()))
    assert short.last_stats.completion_tokens <= 3 < long.last_stats.completion_tokens <= 12
    assert len(short_text) < len(long_text)
    assert "".join(long.stream(photo_request())) == long_text, "temperature 0 decodes greedily"


@pytest.mark.slow
def test_qwen_photo_budget_bounds_the_image_tokens(tiny_vlm):
    folder = str(tiny_vlm("qwen2_5_vl"))
    big = photo(640, 480)
    tokens = {}
    for budget in (112 * 112, 224 * 224):
        backend = get_backend("transformers", {"model": folder, "max_pixels": budget, "max_new_tokens": 2})
        grid = backend.prepare_inputs(photo_request(images=[big]))["image_grid_thw"][0].tolist()
        _, rows, cols = grid
        assert rows * cols * 14 * 14 <= budget
        tokens[budget] = rows * cols // 4
    assert tokens[112 * 112] < tokens[224 * 224]


@pytest.mark.slow
def test_idefics3_photo_budget_caps_the_number_of_tiles(tiny_vlm):
    folder = str(tiny_vlm("idefics3"))            # tiles of 64 px, photos scaled to 128 px by default
    tiles = {}
    for budget in (64 * 64, 128 * 128):
        backend = get_backend("transformers", {"model": folder, "max_pixels": budget, "max_new_tokens": 2})
        tiles[budget] = backend.prepare_inputs(photo_request(images=[photo(640, 480)]))["pixel_values"].shape[1]
    assert tiles[64 * 64] == 1 and tiles[128 * 128] == 5      # one tile vs 2x2 tiles + the global view


@pytest.mark.slow
def test_llava_families_get_big_photos_shrunk_to_the_budget_keeping_the_shape(tiny_vlm):
    backend = get_backend("transformers", {"model": str(tiny_vlm("llava_next")), "max_pixels": 256 * 256})
    small = backend.fit_image(photo(4000, 3000).convert("RGBA"))
    assert small.mode == "RGB" and small.width * small.height <= 256 * 256
    assert math.isclose(small.width / small.height, 4 / 3, rel_tol=0.02)
    assert backend.fit_image(photo(100, 80)).size == (100, 80)


@pytest.mark.slow
def test_more_photos_than_the_limit_are_cut_and_a_bad_photo_is_a_clear_error(tiny_vlm):
    backend = get_backend("transformers", {"model": str(tiny_vlm("qwen2_vl")), "max_images": 1,
                                           "max_new_tokens": 2})
    inputs = backend.prepare_inputs(photo_request(images=[photo(), photo(), photo()]))
    assert inputs["image_grid_thw"].shape[0] == 1
    with pytest.raises(InvalidInput, match="photo could not be prepared"):
        backend.prepare_inputs(photo_request(images=[photo(1000, 4)]))


@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES)
def test_4bit_nf4_loads_and_generates_on_cpu(tiny_vlm, family):
    import bitsandbytes as bnb

    backend = get_backend("transformers", {"model": str(tiny_vlm(family)), "quantization": "4bit",
                                           "max_new_tokens": 4})
    full = get_backend("transformers", {"model": str(tiny_vlm(family)), "quantization": "none"})
    assert backend.quantization == "4bit"
    assert any(isinstance(m, bnb.nn.Linear4bit) for m in backend.model.modules())
    assert backend.model.get_memory_footprint() < full.model.get_memory_footprint()
    pieces = list(backend.stream(photo_request()))
    assert pieces and all(pieces) and 1 <= backend.last_stats.completion_tokens <= 4


@pytest.mark.slow
def test_cancelling_mid_answer_stops_generation_and_joins_the_worker(tiny_vlm):
    backend = get_backend("transformers", {"model": str(tiny_vlm("qwen2_5_vl")), "max_new_tokens": 400})
    request = photo_request()
    received = []
    for piece in backend.stream(request):
        received.append(piece)
        request.cancel.set()                # the shopper closed the chat
    assert len(received) == 1, "nothing is yielded after the cancel"
    assert backend.last_stats.cancelled
    assert backend.last_stats.completion_tokens < 400
    assert not generator_threads()


@pytest.mark.slow
def test_a_reader_that_goes_away_stops_the_worker_and_a_cancelled_request_never_starts(tiny_vlm):
    backend = get_backend("transformers", {"model": str(tiny_vlm("llava_next")), "max_new_tokens": 400})
    stream = backend.stream(photo_request())
    assert next(stream)
    started = time.perf_counter()
    stream.close()                           # e.g. the HTTP client disconnected
    assert time.perf_counter() - started < 10
    assert backend.last_stats.completion_tokens < 400 and not generator_threads()
    cancelled = photo_request()
    cancelled.cancel.set()
    assert list(backend.stream(cancelled)) == [] and backend.last_stats.completion_tokens == 0


@pytest.mark.slow
def test_a_text_only_model_falls_back_to_the_causal_lm_and_drops_photos(tmp_path):
    backend = get_backend("transformers", {"model": str(build_tiny_text_lm(tmp_path / "text-lm")),
                                           "max_new_tokens": 5, "max_images": 3})
    assert backend.accepts_images is False and backend.max_images == 0 and backend.processor is None
    request = photo_request(images=[_png_bytes(photo())])
    prompt = backend.tokenizer.decode(backend.prepare_inputs(request)["input_ids"][0])
    assert prompt.startswith("<|im_start|>system\nYou are the customer-service assistant")
    assert "Does this jacket come in blue?" in prompt and "image" not in prompt.lower()
    pieces = list(backend.stream(request))
    assert pieces and all(pieces) and 1 <= backend.last_stats.completion_tokens <= 5


def _png_bytes(image: Image.Image) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.slow
def test_uploaded_photo_bytes_are_accepted_like_pil_images(tiny_vlm):
    backend = get_backend("transformers", {"model": str(tiny_vlm("llava")), "max_new_tokens": 2})
    assert list(backend.stream(photo_request(images=[_png_bytes(photo())])))


# -- the real SmolLM2-135M GGUF: a true tokenizer and chat template -------------------------

@pytest.fixture(scope="module")
def smollm2(smollm2_gguf_path: Path):
    backend = get_backend("transformers", {"model": str(smollm2_gguf_path), "max_new_tokens": 12})
    yield backend
    backend.close()


@pytest.mark.slow
def test_smollm2_gguf_answers_in_words_through_its_own_chat_template(smollm2):
    assert smollm2.accepts_images is False and smollm2.max_images == 0   # text-only: photos are dropped
    request = photo_request("How long do I have to return a jacket?")
    prompt = smollm2.tokenizer.decode(smollm2.prepare_inputs(request)["input_ids"][0])
    assert prompt.startswith("<|im_start|>system\nYou are the customer-service assistant of Northwind Outfitters")
    assert "[2] Returns window (faq)" in prompt and prompt.endswith("<|im_start|>assistant\n")
    pieces = list(smollm2.stream(request))
    text = "".join(pieces)
    assert len(pieces) >= 2 and all(pieces) and text.strip() and "\ufffd" not in text
    assert 1 <= smollm2.last_stats.completion_tokens <= 12
    # the streamed pieces add up to exactly what a plain greedy generate() decodes to
    inputs = smollm2.prepare_inputs(request)
    out = smollm2.model.generate(**inputs, max_new_tokens=12, do_sample=False)
    assert text == smollm2.tokenizer.decode(out[0, inputs["input_ids"].shape[-1]:], skip_special_tokens=True)


@pytest.mark.slow
def test_smollm2_stops_within_a_token_when_cancelled(smollm2):
    smollm2.options.max_new_tokens = 200
    try:
        request = photo_request("Tell me everything about your return policy.")
        for _ in smollm2.stream(request):
            request.cancel.set()
        assert smollm2.last_stats.cancelled and smollm2.last_stats.completion_tokens < 12
    finally:
        smollm2.options.max_new_tokens = 12
