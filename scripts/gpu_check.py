"""Time a full-size Qwen2.5-VL-3B-Instruct-shaped model on this CUDA GPU, with no download.

Builds the 3B architecture from its published config with random weights and a byte-level
tokenizer of the same vocabulary size, saves it, then loads it twice through the project's own
``transformers`` backend: 4-bit NF4 (bitsandbytes) and bf16. For a one-photo shopper turn it
reports time to first token, decode tokens/s and peak GPU memory. Random weights do not change
the speed, only the words. The stand-in tokenizer (bytes plus 2- and 3-byte merges) spends about
three times as many tokens on English text as Qwen's, so the reported prompt is longer and the
time to first token somewhat pessimistic; the image tokens are exact.

    python scripts/gpu_check.py [--new-tokens 128] [--image-size 1024x768] [--workdir /tmp/gpu-check]

Exit codes: 0 ok, 2 no CUDA GPU.
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Qwen/Qwen2.5-VL-3B-Instruct config.json (architecture fields only).
QWEN25_VL_3B = {
    "text": dict(
        vocab_size=151936, hidden_size=2048, intermediate_size=11008, num_hidden_layers=36,
        num_attention_heads=16, num_key_value_heads=2, hidden_act="silu", max_position_embeddings=128000,
        max_window_layers=70, rms_norm_eps=1e-6, use_sliding_window=False, sliding_window=32768,
        rope_parameters={"rope_type": "default", "rope_theta": 1000000.0, "mrope_section": [16, 24, 24]},
        bos_token_id=151643, eos_token_id=151645,
    ),
    "vision": dict(
        depth=32, hidden_act="silu", hidden_size=1280, intermediate_size=3420, num_heads=16, in_channels=3,
        out_hidden_size=2048, patch_size=14, spatial_merge_size=2, temporal_patch_size=2, window_size=112,
        fullatt_block_indexes=[7, 15, 23, 31], tokens_per_second=2,
    ),
    "top": dict(image_token_id=151655, video_token_id=151656, vision_start_token_id=151652,
                vision_end_token_id=151653, tie_word_embeddings=True),
}
# Qwen2 special tokens, in id order from 151643.
QWEN_SPECIALS = [
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>", "<|box_start|>",
    "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>", "<|vision_end|>", "<|vision_pad|>",
    "<|image_pad|>", "<|video_pad|>",
]
FIRST_SPECIAL_ID = 151643
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}"
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n"
    "{% else %}{% for content in message['content'] %}"
    "{% if content['type'] == 'image' or 'image' in content %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif 'text' in content %}{{ content['text'] }}{% endif %}"
    "{% endfor %}<|im_end|>\n{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def byte_level_tokenizer(n_regular: int = FIRST_SPECIAL_ID):
    """A byte-level BPE with exactly ``n_regular`` ordinary tokens (bytes, then 2- and 3-byte merges)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = {ch: i for i, ch in enumerate(alphabet)}
    merges: list[tuple[str, str]] = []
    pairs = ((a, b) for a in alphabet for b in alphabet)
    triples = ((a + b, c) for a in alphabet for b in alphabet for c in alphabet)
    for left, right in itertools.chain(pairs, triples):
        if len(vocab) >= n_regular:
            break
        vocab[left + right] = len(vocab)
        merges.append((left, right))
    core = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    tok = PreTrainedTokenizerFast(tokenizer_object=core)
    tok.add_special_tokens({"additional_special_tokens": QWEN_SPECIALS})
    tok.eos_token, tok.pad_token = "<|im_end|>", "<|endoftext|>"
    tok.chat_template = CHAT_TEMPLATE
    assert tok.convert_tokens_to_ids("<|image_pad|>") == QWEN25_VL_3B["top"]["image_token_id"]
    return tok


def build_model_folder(out: Path, device: str = "cuda") -> Path:
    """Random-weight Qwen2.5-VL-3B (bf16, built on the GPU) + processor, saved like a hub checkpoint."""
    import torch
    import transformers as tf

    started = time.perf_counter()
    tok = byte_level_tokenizer()
    config = tf.Qwen2_5_VLConfig(
        text_config=tf.Qwen2_5_VLTextConfig(**QWEN25_VL_3B["text"], pad_token_id=tok.pad_token_id),
        vision_config=tf.Qwen2_5_VLVisionConfig(**QWEN25_VL_3B["vision"]), **QWEN25_VL_3B["top"])
    with torch.device(device):
        model = tf.Qwen2_5_VLForConditionalGeneration._from_config(config, dtype=torch.bfloat16)
    model.generation_config.eos_token_id = tok.eos_token_id
    model.generation_config.pad_token_id = tok.pad_token_id
    params = sum(p.numel() for p in model.parameters())
    model.save_pretrained(out)
    del model
    if device == "cuda":
        torch.cuda.empty_cache()
    size = {"shortest_edge": 56 * 56, "longest_edge": 28 * 28 * 1280}
    processor = tf.Qwen2_5_VLProcessor(
        image_processor=tf.Qwen2VLImageProcessor(size=size), video_processor=tf.Qwen2VLVideoProcessor(),
        tokenizer=tok, chat_template=CHAT_TEMPLATE)
    processor.save_pretrained(out)
    print(f"built {params / 1e9:.2f}B-parameter model in {time.perf_counter() - started:.0f}s -> {out}", flush=True)
    return out


def shopper_turn(image_size: tuple[int, int]):
    from PIL import Image

    from assistant.backends import AnswerRequest
    from assistant.knowledge.evidence import Evidence
    from assistant.answers.prompting import build_messages

    evidence = [
        Evidence("product/summit-rain-jacket#specs", "Summit Rain Jacket",
                 "Colours: black, navy. Sizes S-XL. Waterproof rating 10,000 mm. Price 149 EUR.", "specs"),
        Evidence("faq/returns-window", "Returns window", "Returns are free within 30 days of delivery.", "faq"),
    ]
    image = Image.new("RGB", image_size, (180, 40, 40))
    question = "Is this the Summit jacket, and does it come in blue?"
    messages = build_messages(question, evidence, [], "Northwind Outfitters", n_images=1)
    return AnswerRequest(question=question, messages=messages, images=[image], evidence=evidence)


def measure(folder: Path, quantization: str, new_tokens: int, image_size: tuple[int, int]) -> dict:
    import torch

    from assistant.backends import get_backend

    cuda = torch.cuda.is_available()
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    backend = get_backend("transformers", {"model": str(folder), "quantization": quantization,
                                           "dtype": "bfloat16", "max_new_tokens": new_tokens,
                                           "max_pixels": 1024 * 1024})
    load_s = time.perf_counter() - started
    for _ in backend.stream(shopper_turn((256, 256))):     # warm-up: kernels, allocator, cuBLAS handles
        pass
    runs = []
    for _ in range(3):
        for _ in backend.stream(shopper_turn(image_size)):
            pass
        runs.append(backend.last_stats)
    best = min(runs, key=lambda s: s.first_token_s or float("inf"))
    result = {
        "mode": "4-bit NF4" if quantization == "4bit" else "bf16",
        "load_s": round(load_s, 1),
        "prompt_tokens": best.prompt_tokens,
        "completion_tokens": best.completion_tokens,
        "ttft_s": round(min(s.first_token_s for s in runs), 3),
        "decode_tok_s": round(max(s.tokens_per_s for s in runs), 1),
        "peak_gpu_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2) if cuda else None,
        "model_gib": round(backend.model.get_memory_footprint() / 2**30, 2),
    }
    backend.close()
    del backend
    if cuda:
        torch.cuda.empty_cache()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--image-size", default="1024x768", help="WIDTHxHEIGHT of the shopper's photo")
    parser.add_argument("--workdir", type=Path, default=None, help="where to save the random model (~7.5 GB)")
    parser.add_argument("--modes", default="4bit,none", help="comma list of quantization modes to time")
    args = parser.parse_args(argv)

    import torch

    if not torch.cuda.is_available():
        print("gpu_check needs a CUDA GPU: torch.cuda.is_available() is False here. Run it on a machine with "
              "an NVIDIA GPU (the CPU path is covered by the test suite's tiny models).", file=sys.stderr)
        return 2
    width, height = (int(v) for v in args.image_size.lower().split("x"))
    print(f"GPU: {torch.cuda.get_device_name(0)}, torch {torch.__version__}", flush=True)
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        folder = build_model_folder(Path(tmp) / "qwen2.5-vl-3b-random")
        results = []
        for mode in args.modes.split(","):
            result = measure(folder, mode.strip(), args.new_tokens, (width, height))
            results.append(result)
            print(json.dumps(result), flush=True)
    print(f"\n{'mode':<10} {'TTFT s':>8} {'tok/s':>8} {'peak GiB':>9} {'prompt':>7}")
    for r in results:
        print(f"{r['mode']:<10} {r['ttft_s']:>8} {r['decode_tok_s']:>8} {r['peak_gpu_gib']:>9} {r['prompt_tokens']:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
