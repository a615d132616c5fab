"""A sentence-transformers model run by ONNX Runtime: the same vectors, a third of the time.

PyTorch spends most of a short question's embedding in per-operator overhead, not arithmetic:
all-MiniLM-L6-v2 takes ~13 ms for one question through ``SentenceTransformer.encode`` and ~4 ms
as an ONNX graph (max difference 1.3e-7, so stored vectors stay valid and nothing is
re-embedded). The model's transformer, pooling and normalisation are exported once with
``torch.onnx.export`` into a cache folder keyed by the model's files; later processes load the
graph and the fast tokenizer alone, without importing torch or sentence-transformers.

sentence-transformers' own ``backend="onnx"`` needs ``optimum-onnx``, which pins transformers < 4.58;
this is the part of it the app needs. An export is checked against the torch model before it is
kept: a model whose graph does not give the same vectors stays on torch (``export`` raises).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import warnings
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

FORMAT = 1                     # bump when what an export holds changes
TOLERANCE = 1e-4               # max |onnx - torch| per vector component for an export to be kept
POOLINGS = ("mean", "cls", "max")
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# checked at export: short and long (truncated), several scripts, a batch with padding
PROBE_TEXTS = ("How heavy is the Alpine 40 pack?", "i want 2 cancel my order asap pls",
               "这个背包有多重?", "¿Cuánto cuesta el envío a Canarias?",
               " ".join(["The waterproof shell keeps rain out on long alpine days."] * 60))


def cache_root() -> Path:
    """Where exported graphs live: ``ASSISTANT_MODEL_CACHE``, else the user's cache folder."""
    configured = os.environ.get("ASSISTANT_MODEL_CACHE")
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "shop-assistant" / "onnx"


def _exports_of(model_dir: Path) -> str:
    """The name every export of one model folder starts with (the folder's name and place)."""
    return f"{model_dir.name}-{hashlib.sha256(str(model_dir).encode()).hexdigest()[:8]}-"


def export_folder(model_dir: str | Path) -> Path:
    """The cache folder for one model folder: keyed by its place and its files' names, sizes and
    times, so a changed (or reinstalled) model gets a new export."""
    model_dir = Path(model_dir).resolve()
    key = hashlib.sha256(f"{FORMAT}".encode())
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        stat = path.stat()
        key.update(f"|{path.relative_to(model_dir)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return cache_root() / f"{_exports_of(model_dir)}{key.hexdigest()[:16]}"


def _pooling(model) -> str:
    pooling = next((m for m in model if type(m).__name__ == "Pooling"), None)
    mode = getattr(pooling, "pooling_mode", None) or ""
    if mode not in POOLINGS:
        raise ValueError(f"pooling {mode or 'unknown'!r} is not exported (only {', '.join(POOLINGS)})")
    return mode


def export(model_dir: str | Path, folder: Path) -> Path:
    """Export the sentence-transformers model in ``model_dir`` to ``folder`` (graph, tokenizer,
    settings), check it against the torch model, and publish it atomically (several processes may
    start at once). Raises when the model cannot be exported or the graph's vectors differ."""
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu")
    transformer = model[0]
    pooling = _pooling(model)
    backend_tokenizer = getattr(model.tokenizer, "backend_tokenizer", None)
    if backend_tokenizer is None:
        raise ValueError("the model has no fast tokenizer")
    names = [n for n in INPUTS if n in model.tokenizer.model_input_names]

    class Graph(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = transformer.auto_model.eval()

        def forward(self, *inputs):
            named = dict(zip(names, inputs))
            hidden = self.model(**named).last_hidden_state
            mask = named["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            if pooling == "cls":
                vector = hidden[:, 0]
            elif pooling == "max":
                vector = (hidden + (mask - 1) * 1e9).max(dim=1).values
            else:
                vector = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(vector, dim=-1)

    sample = model.tokenizer(list(PROBE_TEXTS[:2]), padding=True, return_tensors="pt")
    settings = {"format": FORMAT, "inputs": names, "pooling": pooling,
                "max_seq_length": int(model.max_seq_length or 512),
                "do_lower_case": bool(getattr(transformer, "do_lower_case", False)),
                "pad_token": model.tokenizer.pad_token, "pad_id": int(model.tokenizer.pad_token_id or 0),
                "dim": int(model.get_embedding_dimension() if hasattr(model, "get_embedding_dimension")
                           else model.get_sentence_embedding_dimension())}
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")          # the tracer's notes on shapes it fixes; checked below
            torch.onnx.export(Graph(), tuple(sample[n] for n in names), str(staging / "model.onnx"),
                              input_names=names, output_names=["embedding"], opset_version=17,
                              dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names},
                                            "embedding": {0: "batch"}}, dynamo=False)
        (staging / "tokenizer.json").write_text(backend_tokenizer.to_str(), encoding="utf-8")
        (staging / "settings.json").write_text(json.dumps(settings, indent=1), encoding="utf-8")
        expected = model.encode(list(PROBE_TEXTS), normalize_embeddings=True, convert_to_numpy=True,
                                show_progress_bar=False)
        got = OnnxEncoder(staging, threads=1).encode(list(PROBE_TEXTS), "query", 8, 1)
        difference = float(np.abs(got - expected).max())
        if difference > TOLERANCE:
            raise ValueError(f"the exported graph's vectors differ from the model's by {difference:.2g}")
        try:
            os.replace(staging, folder)
        except OSError:                      # another process published it first
            if not (folder / "settings.json").is_file():
                raise
        for stale in folder.parent.glob(f"{_exports_of(Path(model_dir).resolve())}*"):
            if stale != folder:              # the same folder's older files: never read again
                shutil.rmtree(stale, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return folder


BULK_TEXTS = 64     # a call with more texts than this goes to the torch model, if known
SPREAD_TEXTS = 4    # a serving call with 2..this many texts runs one text per core at once
_spread_pool = None
_spread_lock = threading.Lock()


def _spread(parts: list, run) -> list:
    """``run`` over ``parts`` at once: the first on the calling thread, the rest on a shared pool
    (ONNX Runtime lets go of the GIL while it computes, so two texts take one text's time)."""
    global _spread_pool
    with _spread_lock:
        if _spread_pool is None:
            from concurrent.futures import ThreadPoolExecutor

            _spread_pool = ThreadPoolExecutor(max(1, (os.cpu_count() or 1) - 1), thread_name_prefix="onnx-spread")
    futures = [_spread_pool.submit(run, part) for part in parts[1:]]
    first = run(parts[0])
    return [first, *(f.result() for f in futures)]


class OnnxEncoder:
    """An exported model (see ``export``): the fast tokenizer and an ONNX Runtime session per
    thread count. Symmetric: roles ignored.

    ONNX Runtime wins on what serving embeds (one short question: ~4 ms against ~13 ms) and loses
    on bulk (ingest's batches of long chunks: 31 chunks/s against torch's 46 on two cores), so bulk
    work (more threads than serving's, as ingest asks for, or more than ``BULK_TEXTS`` texts)
    goes to the torch model of ``model_dir``, loaded on first such call. The vectors agree to
    1e-7, so both may fill one store."""

    def __init__(self, folder: Path, threads: int = 1, name: str | None = None, model_dir: str | Path | None = None):
        from tokenizers import Tokenizer

        self.folder = Path(folder)
        self.settings = json.loads((self.folder / "settings.json").read_text(encoding="utf-8"))
        if self.settings.get("format") != FORMAT:
            raise ValueError(f"export format {self.settings.get('format')} is not {FORMAT}")
        self.threads = threads
        self.name = name or self.folder.name
        self.dim = int(self.settings["dim"])
        self._tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(self.settings["max_seq_length"])
        self._tokenizer.enable_padding(pad_id=self.settings["pad_id"], pad_token=self.settings["pad_token"] or "[PAD]")
        self._sessions: dict[int, object] = {}
        self._session(threads)
        self.model_dir = model_dir
        self._bulk = None

    def vocabulary(self) -> frozenset[str]:
        return frozenset(self._tokenizer.get_vocab())

    def _session(self, threads: int):
        session = self._sessions.get(threads)
        if session is None:
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = max(1, threads)
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            session = onnxruntime.InferenceSession(str(self.folder / "model.onnx"), options,
                                                   providers=["CPUExecutionProvider"])
            self._sessions[threads] = session
        return session

    def encode(self, texts: list[str], role: str, batch_size: int, threads: int) -> np.ndarray:
        if (len(texts) > BULK_TEXTS or threads > self.threads) and self.model_dir is not None:
            if self._bulk is None:
                from assistant.knowledge.embeddings import SentenceTransformerEncoder

                self._bulk = SentenceTransformerEncoder(str(self.model_dir), threads, name=self.name)
            return self._bulk.encode(texts, role, batch_size, threads)
        if self.settings.get("do_lower_case"):
            texts = [t.lower() for t in texts]
        threads = threads if threads > 0 else self.threads
        session = self._session(threads)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        cores = os.cpu_count() or 1
        if threads == 1 and cores > 1 and 1 < len(texts) <= SPREAD_TEXTS:
            # a turn's few texts (the question, its product-masked and its resolved form): on one
            # thread a batch of two costs 2.2x one text, since compute is linear in tokens; one
            # text per core costs one text's time, and pads nothing
            rows = list(range(len(texts)))
            parts = [rows[i::cores] for i in range(min(cores, len(rows)))]
            for part, vectors in zip(parts, _spread(parts, lambda part: self._run(session, [texts[i] for i in part]))):
                out[part] = vectors
            return out
        # longest first, as sentence-transformers batches: a batch pads to its longest text, so
        # mixing a title with a 256-token spec sheet would pay for the padding many times over
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(texts), max(1, batch_size)):
            rows = order[start:start + batch_size]
            out[rows] = self._run(session, [texts[i] for i in rows])
        return out

    def _run(self, session, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        feed = {"input_ids": [e.ids for e in encodings], "attention_mask": [e.attention_mask for e in encodings],
                "token_type_ids": [e.type_ids for e in encodings]}
        return session.run(None, {n: np.asarray(feed[n], dtype=np.int64) for n in self.settings["inputs"]})[0]


def load(model_dir: str | Path, threads: int = 1, name: str | None = None) -> OnnxEncoder:
    """The ONNX encoder for a local sentence-transformers folder, exported on first use. Raises
    (ImportError, ValueError, OSError...) when it cannot be had; the caller then stays on torch."""
    folder = export_folder(model_dir)
    if (folder / "settings.json").is_file():
        try:
            return OnnxEncoder(folder, threads, name=name, model_dir=model_dir)
        except Exception as exc:          # a damaged or half-copied cache: made again below
            log.warning("the ONNX export in %s is unusable (%s); exporting again", folder, exc)
            shutil.rmtree(folder, ignore_errors=True)
    log.info("exporting %s to ONNX once (%s)", model_dir, folder)
    export(model_dir, folder)
    return OnnxEncoder(folder, threads, name=name, model_dir=model_dir)
