"""Local vision-language model backend: transformers (+ bitsandbytes on CUDA), streamed token by token.

Loads ``AutoModelForImageTextToText`` + ``AutoProcessor`` (Qwen2-VL/2.5-VL, LLaVA, LLaVA-NeXT,
SmolVLM/Idefics3, ...), or ``AutoModelForCausalLM`` + ``AutoTokenizer`` for text-only models and
GGUF files. Torch and transformers are imported only when this backend is built.
"""
from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from assistant.backends.base import AnswerRequest, BackendOptions, ModelBackend
from assistant.errors import InvalidInput, ModelUnavailable
from assistant.answers.prompting import as_image, bind_images, fit_pixels, request_messages, text_only

MODEL_SETTING = "ASSISTANT_MODEL"


class TransformersOptions(BackendOptions):
    model: str | None = Field(None, description=f"local folder, .gguf file or hub id (else {MODEL_SETTING})")
    gguf_file: str | None = Field(None, description="GGUF file name inside the `model` folder")
    quantization: Literal["auto", "4bit", "8bit", "none"] = Field(
        "auto", description="auto: 4-bit NF4 on CUDA, full precision on CPU")
    device_map: str | None = Field(None, description='default: "auto" on CUDA, "cpu" otherwise')
    dtype: Literal["auto", "bfloat16", "float16", "float32"] | None = Field(
        None, description="default: bf16 (else fp16) on CUDA, fp32 on CPU; 'auto' = the checkpoint's")
    max_new_tokens: int = Field(384, ge=1, le=8192)
    temperature: float = Field(0.0, ge=0.0, le=2.0, description="0 = greedy")
    top_p: float = Field(1.0, gt=0.0, le=1.0)
    max_pixels: int = Field(768 * 768, ge=28 * 28, description="per-image pixel budget")
    min_pixels: int = Field(56 * 56, ge=1, description="per-image lower bound (Qwen-VL processors)")
    max_images: int = Field(4, ge=0, le=32)
    trust_remote_code: bool = False

    @model_validator(mode="after")
    def _pixels_in_order(self) -> "TransformersOptions":
        if self.min_pixels > self.max_pixels:
            raise ValueError(f"min_pixels ({self.min_pixels}) is larger than max_pixels ({self.max_pixels})")
        return self


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    first_token_s: float | None = None     # stream() start -> first generated token (time to first token)
    first_text_s: float | None = None      # stream() start -> first non-empty text piece yielded
    total_s: float = 0.0
    cancelled: bool = False

    @property
    def tokens_per_s(self) -> float:
        """Decode speed: tokens after the first, over the time after the first."""
        if self.first_token_s is None or self.completion_tokens < 2 or self.total_s <= self.first_token_s:
            return 0.0
        return (self.completion_tokens - 1) / (self.total_s - self.first_token_s)


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def resolve_model_source(model: str | None, gguf_file: str | None = None) -> tuple[str, str | None]:
    """Return ``(folder or hub id, gguf file name)``; raise ModelUnavailable naming the setting to change.

    Checked here because transformers reports a missing folder as a malformed repo id.
    """
    if not model or not str(model).strip():
        raise ModelUnavailable(f"no model configured: set {MODEL_SETTING} to a local model folder, "
                               f"a .gguf file or a hub id (or the backend option 'model')")
    model = str(model).strip()
    path = Path(model).expanduser()
    if path.suffix == ".gguf":
        if not path.is_file():
            raise ModelUnavailable(f"{MODEL_SETTING} points at {path}, which is not a file")
        return str(path.parent), path.name
    looks_local = (model.startswith(("/", ".", "~")) or "\\" in model or model.count("/") > 1
                   or path.exists())
    if looks_local:
        if not path.is_dir():
            raise ModelUnavailable(f"{MODEL_SETTING} points at {path}, which does not exist; "
                                   f"set {MODEL_SETTING} to a model folder with a config.json, or a hub id")
        if gguf_file:
            if not (path / gguf_file).is_file():
                raise ModelUnavailable(f"{MODEL_SETTING}={path}: GGUF file {gguf_file!r} is not in that folder")
        elif not (path / "config.json").is_file():
            raise ModelUnavailable(f"{MODEL_SETTING} points at {path}, which has no config.json "
                                   f"(not a transformers model folder; for a .gguf file give its path)")
        return str(path), gguf_file
    if _offline():
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(model, gguf_file or "config.json")
        if not isinstance(cached, str):
            raise ModelUnavailable(f"{MODEL_SETTING}={model!r} is not a local folder and is not in the hub cache, "
                                   f"and HF_HUB_OFFLINE is set; set {MODEL_SETTING} to a local model folder")
    return model, gguf_file


class TransformersBackend(ModelBackend):
    name = "transformers"
    accepts_images = True
    max_images = 4
    Options = TransformersOptions

    def __init__(self, options: TransformersOptions | dict[str, Any] | None = None):
        super().__init__(options)
        opts: TransformersOptions = self.options  # type: ignore[assignment]
        model_ref = opts.model
        if model_ref is None:
            from assistant.settings import get_settings

            model_ref = get_settings().model
        self.source, self.gguf_file = resolve_model_source(model_ref, opts.gguf_file)
        self._lock = threading.Lock()          # one generate() at a time per loaded model
        self.last_stats = GenerationStats()
        self._load(opts)

    # -- loading -----------------------------------------------------------------------------
    def _load(self, opts: TransformersOptions) -> None:
        import torch
        import transformers as tf
        from transformers.models.auto.modeling_auto import MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES

        cuda = torch.cuda.is_available()
        self.device_map = opts.device_map or ("auto" if cuda else "cpu")
        compute = (torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16) if cuda else torch.float32
        dtype: Any = compute if opts.dtype is None else (
            opts.dtype if opts.dtype == "auto" else getattr(torch, opts.dtype))
        quantization = opts.quantization
        if quantization == "auto":
            quantization = "4bit" if cuda and not self.gguf_file else "none"
        kwargs: dict[str, Any] = {"device_map": self.device_map, "dtype": dtype,
                                  "trust_remote_code": opts.trust_remote_code}
        if quantization == "4bit":
            kwargs["quantization_config"] = tf.BitsAndBytesConfig(
                load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                bnb_4bit_compute_dtype=compute if dtype == "auto" else dtype)
        elif quantization == "8bit":
            kwargs["quantization_config"] = tf.BitsAndBytesConfig(load_in_8bit=True)
        self.quantization = quantization

        where = f"{MODEL_SETTING}={self.source}" + (f" (gguf_file={self.gguf_file})" if self.gguf_file else "")
        try:
            if self.gguf_file:
                is_vlm, model_type = False, "gguf"
            else:
                config = tf.AutoConfig.from_pretrained(self.source, trust_remote_code=opts.trust_remote_code)
                model_type = config.model_type
                is_vlm = (model_type in MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES
                          or "AutoModelForImageTextToText" in (getattr(config, "auto_map", None) or {}))
            if is_vlm:
                self.model = tf.AutoModelForImageTextToText.from_pretrained(self.source, **kwargs)
                self.processor = tf.AutoProcessor.from_pretrained(self.source, trust_remote_code=opts.trust_remote_code)
                self.tokenizer = getattr(self.processor, "tokenizer", self.processor)
            else:
                if self.gguf_file:
                    kwargs["gguf_file"] = self.gguf_file
                self.model = tf.AutoModelForCausalLM.from_pretrained(self.source, **kwargs)
                self.processor = None
                self.tokenizer = tf.AutoTokenizer.from_pretrained(
                    self.source, gguf_file=self.gguf_file, trust_remote_code=opts.trust_remote_code)
        except (OSError, ValueError, ImportError) as exc:
            raise ModelUnavailable(f"could not load the model at {where}: {exc}") from exc
        except RuntimeError as exc:          # e.g. out of GPU memory
            raise ModelUnavailable(f"could not load the model at {where} (quantization={quantization}): {exc}; "
                                   f"try ASSISTANT_BACKEND_OPTIONS__QUANTIZATION=4bit or a smaller model") from exc
        self.model.eval()
        self.family = model_type
        self.accepts_images = bool(is_vlm and self.processor is not None and hasattr(self.processor, "image_processor"))
        self.max_images = opts.max_images if self.accepts_images else 0
        self._budget_in_processor = self._apply_pixel_budget(opts)

    def _apply_pixel_budget(self, opts: TransformersOptions) -> bool:
        """Give the budget to processors that resize images themselves; True if the processor now
        enforces it (else :meth:`fit_image` shrinks photos before the processor).

        - Qwen2-VL / Qwen2.5-VL: ``size`` is a pixel range (shortest_edge=min, longest_edge=max pixels).
        - Idefics3 / SmolVLM: photos are scaled *up or down* to ``size.longest_edge`` and cut into
          ``max_image_size`` tiles; cap that edge at the largest whole number of tiles within the budget.
        """
        image_processor = getattr(self.processor, "image_processor", None)
        size = getattr(image_processor, "size", None)
        if image_processor is None or size is None:
            return False
        keys = set(size.keys()) if hasattr(size, "keys") else {k for k in ("shortest_edge", "longest_edge")
                                                                 if getattr(size, k, None)}
        if hasattr(image_processor, "merge_size") and {"shortest_edge", "longest_edge"} <= keys:
            image_processor.size = {"shortest_edge": opts.min_pixels, "longest_edge": opts.max_pixels}
            return True
        tile = (getattr(image_processor, "max_image_size", None) or {}).get("longest_edge")
        if tile and keys == {"longest_edge"}:
            longest = max(tile, math.isqrt(opts.max_pixels) // tile * tile)
            if longest < size["longest_edge"]:
                image_processor.size = {"longest_edge": longest}
            return True
        return False

    def fit_image(self, image: Any) -> Any:
        """An RGB copy within ``max_pixels`` (aspect kept) unless the processor enforces the budget itself."""
        if self._budget_in_processor:
            image = as_image(image)
            return image.convert("RGB") if image.mode != "RGB" else image
        return fit_pixels(image, self.options.max_pixels)  # type: ignore[attr-defined]

    # -- generation --------------------------------------------------------------------------
    def prepare_inputs(self, request: AnswerRequest) -> Any:
        """Render the chat template and run the processor: the exact tensors ``generate`` gets."""
        messages = request_messages(request)
        if self.accepts_images:
            images = [self.fit_image(image) for image in request.images[: self.max_images]]
            chat = bind_images(messages, images)
            try:
                inputs = self.processor.apply_chat_template(
                    chat, add_generation_prompt=True, tokenize=True, return_dict=True, return_tensors="pt")
            except ValueError as exc:     # e.g. a 1x500 strip: Qwen refuses aspect ratios over 200
                raise InvalidInput(f"the photo could not be prepared for the {self.family} model: {exc}",
                                   limit="image") from exc
            dtype = getattr(self.model, "dtype", None)
            return inputs.to(self.model.device, dtype=dtype) if dtype is not None else inputs.to(self.model.device)
        chat = text_only(messages)
        if getattr(self.tokenizer, "chat_template", None):
            inputs = self.tokenizer.apply_chat_template(
                chat, add_generation_prompt=True, tokenize=True, return_dict=True, return_tensors="pt")
        else:
            prompt = "\n\n".join(f"{m['role']}: {m['content']}" for m in chat) + "\n\nassistant:"
            inputs = self.tokenizer(prompt, return_tensors="pt")
        return inputs.to(self.model.device)

    def _generation_kwargs(self) -> dict[str, Any]:
        opts: TransformersOptions = self.options  # type: ignore[assignment]
        kwargs: dict[str, Any] = {"max_new_tokens": opts.max_new_tokens}
        if opts.temperature > 0:
            kwargs.update(do_sample=True, temperature=opts.temperature, top_p=opts.top_p)
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        if self.tokenizer.pad_token_id is None and self.tokenizer.eos_token_id is not None:
            kwargs["pad_token_id"] = self.tokenizer.eos_token_id
        return kwargs

    def stream(self, request: AnswerRequest) -> Iterator[str]:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        started = time.perf_counter()
        stats = GenerationStats()
        self.last_stats = stats
        if request.cancel.is_set():
            stats.cancelled = True
            return
        inputs = self.prepare_inputs(request)
        prompt_len = int(inputs["input_ids"].shape[-1])
        stats.prompt_tokens = prompt_len
        stop = threading.Event()          # set when the request is cancelled or the caller stops reading

        class _Cancelled(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):
                flag = stop.is_set() or request.cancel.is_set()
                return torch.full((input_ids.shape[0],), flag, dtype=torch.bool, device=input_ids.device)

        class _TimedStreamer(TextIteratorStreamer):
            def put(self, value):
                # the first put() is the prompt; the second is the first generated token
                if not self.next_tokens_are_prompt and stats.first_token_s is None:
                    stats.first_token_s = time.perf_counter() - started
                super().put(value)

        streamer = _TimedStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        errors: list[BaseException] = []

        def work() -> None:
            try:
                with self._lock:
                    if stop.is_set() or request.cancel.is_set():
                        streamer.end()
                        return
                    with torch.inference_mode():
                        out = self.model.generate(
                            **inputs, streamer=streamer,
                            stopping_criteria=StoppingCriteriaList([_Cancelled()]), **self._generation_kwargs())
                    sequences = out if isinstance(out, torch.Tensor) else out.sequences
                    stats.completion_tokens = int(sequences.shape[-1]) - prompt_len
            except BaseException as exc:  # reported to the reader below; never left hanging
                errors.append(exc)
                streamer.end()

        worker = threading.Thread(target=work, name="transformers-generate", daemon=True)
        worker.start()
        try:
            for piece in streamer:
                if request.cancel.is_set():
                    break
                if piece:
                    if stats.first_text_s is None:
                        stats.first_text_s = time.perf_counter() - started
                    yield piece
        finally:
            stop.set()
            worker.join()
            stats.total_s = time.perf_counter() - started
            stats.cancelled = request.cancel.is_set()
        if errors:
            raise ModelUnavailable(f"the model failed while generating: {errors[0]}") from errors[0]

    def count_tokens(self, text: str) -> int:
        """The model's own tokenizer, without special tokens."""
        return len(self.tokenizer(text or "", add_special_tokens=False)["input_ids"])

    def close(self) -> None:
        import gc

        self.model = None
        self.processor = None
        gc.collect()
        try:
            import torch

            if torch.cuda.is_available():
                torch.cuda.empty_cache()
        except ImportError:
            pass
