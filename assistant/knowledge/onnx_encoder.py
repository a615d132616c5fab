"""A sentence-transformers model run by ONNX Runtime: the same vectors, a third of the time.

PyTorch spends most of a short question's embedding in per-operator overhead, not arithmetic:
all-MiniLM-L6-v2 takes ~13 ms for one question through ``SentenceTransformer.encode`` and ~4 ms
as an ONNX graph (max difference 1.3e-7, so stored vectors stay valid and nothing is
re-embedded). The model's transformer, pooling and normalisation are exported once with
``torch.onnx.export`` into a cache folder keyed by the model's files; later processes load the
graph and the fast tokenizer alone, without importing torch or sentence-transformers.

Asked for (``quantized``; the ``embedding_precision=int8`` setting), a shopper's message is
embedded by an int8 copy of the graph (``quantize``: weights per channel, activations quantized on
the fly, ONNX Runtime's dynamic quantization): ~2 ms a question instead of ~6 ms on a core with
VNNI. On the Bitext validation split its vectors are within cosine 0.975 of the exact ones (0.992
on average); a message of one or two words drifts more (0.96), so it runs the exact graph, where
it costs little. What is stored or cached (passages, the fingerprint, start-up example vectors:
``OnnxEncoder.exact``) always comes from the exact graph, so a store's vectors and a process's
caches do not depend on the precision serving uses.

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
from contextlib import contextmanager
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


QUANTIZED = "model.int8.onnx"   # the int8 graph, beside the exact one
QUANTIZED_CHECK = "int8.json"  # what the check of the int8 graph found (kept or not, min cosine)
QUANTIZED_MIN_COSINE = 0.98    # an int8 graph serves only when every probe text's vector is this close
SERVING_ROLE = "query"         # embeddings.QUERY: what a shopper's message is embedded as
EXACT_UP_TO_TOKENS = 4         # a message of one or two words drifts most in int8 (cosine 0.96): exact


@contextmanager
def _quiet_quantizer():
    """ONNX Runtime's quantizer logs a hint to the root logger (which, unconfigured, would make
    ``logging`` install a stderr handler for the whole process)."""
    root = logging.getLogger()
    spare = logging.NullHandler() if not root.handlers else None
    hint = logging.Filter()
    hint.filter = lambda record: "pre-processing before quantization" not in str(record.msg)
    if spare is not None:
        root.addHandler(spare)
    root.addFilter(hint)
    try:
        yield
    finally:
        root.removeFilter(hint)
        if spare is not None:
            root.removeHandler(spare)


def quantize(encoder: "OnnxEncoder") -> Path | None:
    """The export's int8 graph, made once beside ``model.onnx`` and kept only when its vectors stay
    within ``QUANTIZED_MIN_COSINE`` of the exact graph's on ``PROBE_TEXTS``.
    None when it was not kept or cannot be made (no quantizer, a read-only cache): the exact graph
    serves then."""
    folder = encoder.folder
    graph, check = folder / QUANTIZED, folder / QUANTIZED_CHECK
    if graph.is_file():
        return graph
    try:
        if json.loads(check.read_text(encoding="utf-8")).get("kept") is False:
            return None                      # checked before and not kept
    except (OSError, ValueError):
        pass                                 # never checked (or the graph went missing): make it
    mine = f"{os.getpid()}.{threading.get_ident()}"      # two starts at once each write their own
    staging, verdict = folder / f".{QUANTIZED}.{mine}.tmp", folder / f".{QUANTIZED_CHECK}.{mine}.tmp"
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        log.info("making the int8 graph of %s once (a few seconds)", folder)
        with _quiet_quantizer():
            quantize_dynamic(str(folder / "model.onnx"), str(staging), weight_type=QuantType.QInt8,
                             per_channel=True)
        texts = list(PROBE_TEXTS)
        got = encoder._run(_new_session(staging, 1), texts)
        cosine = float(np.min(np.sum(got * encoder._run(encoder._session(1), texts), axis=1)))
        kept = cosine >= QUANTIZED_MIN_COSINE
        verdict.write_text(json.dumps({"kept": kept, "min_cosine": round(cosine, 4)}), encoding="utf-8")
        os.replace(verdict, check)
        if not kept:
            log.warning("the int8 graph of %s is not used: a probe text's vector is only %.3f from the "
                        "exact one", folder, cosine)
            return None
        os.replace(staging, graph)           # whole or not at all (another process may start beside)
        return graph
    except Exception as exc:
        log.warning("no int8 graph for %s (%s): the exact graph serves", folder, exc)
        return None
    finally:
        staging.unlink(missing_ok=True)
        verdict.unlink(missing_ok=True)


def _new_session(graph: Path, threads: int):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = max(1, threads)
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])


class _Exact:
    """An encoder's exact graph alone (``OnnxEncoder.exact``): what stored and cached vectors are
    made with, whatever precision serving uses."""

    def __init__(self, encoder: "OnnxEncoder"):
        self._encoder = encoder
        self.name, self.dim, self.threads = encoder.name, encoder.dim, encoder.threads

    def encode(self, texts: list[str], role: str, batch_size: int, threads: int) -> np.ndarray:
        return self._encoder.encode(texts, role, batch_size, threads, exact=True)

    def vocabulary(self) -> frozenset[str]:
        return self._encoder.vocabulary()


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
    thread count. Symmetric, but for precision: with ``quantized`` a shopper's message (the
    ``query`` role, a serving-sized call) runs the int8 graph when one was kept (``quantize``);
    passages, bulk work and ``exact`` run the exact graph.

    ONNX Runtime wins on what serving embeds (one short question: ~4 ms against ~13 ms) and loses
    on bulk (ingest's batches of long chunks: 31 chunks/s against torch's 46 on two cores), so bulk
    work (more threads than serving's, as ingest asks for, or more than ``BULK_TEXTS`` texts)
    goes to the torch model of ``model_dir``, loaded on first such call. The vectors agree to
    1e-7, so both may fill one store."""

    def __init__(self, folder: Path, threads: int = 1, name: str | None = None, model_dir: str | Path | None = None,
                 quantized: bool = False):
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
        self._sessions: dict[tuple[Path, int], object] = {}
        self._session(threads)
        self.model_dir = model_dir
        self._bulk = None
        self._int8 = self._int8_graph() if quantized else None
        self.exact = _Exact(self) if self._int8 is not None else self

    def _int8_graph(self) -> Path | None:
        graph = quantize(self)
        if graph is None:
            return None
        try:
            self._session(self.threads, graph)
            return graph
        except Exception as exc:          # a damaged or half-copied file: made again next start
            log.warning("the int8 graph %s is unusable (%s); the exact graph serves", graph, exc)
            graph.unlink(missing_ok=True)
            return None

    @property
    def precision(self) -> str:
        """What a shopper's message is embedded with: ``int8`` or ``fp32``."""
        return "fp32" if self._int8 is None else "int8"

    def vocabulary(self) -> frozenset[str]:
        return frozenset(self._tokenizer.get_vocab())

    def _session(self, threads: int, graph: Path | None = None):
        key = (graph or self.folder / "model.onnx", threads)
        session = self._sessions.get(key)
        if session is None:
            session = self._sessions[key] = _new_session(key[0], threads)
        return session

    def encode(self, texts: list[str], role: str, batch_size: int, threads: int, exact: bool = False) -> np.ndarray:
        if (len(texts) > BULK_TEXTS or threads > self.threads) and self.model_dir is not None:
            if self._bulk is None:
                from assistant.knowledge.embeddings import SentenceTransformerEncoder

                self._bulk = SentenceTransformerEncoder(str(self.model_dir), threads, name=self.name)
            return self._bulk.encode(texts, role, batch_size, threads)
        if self.settings.get("do_lower_case"):
            texts = [t.lower() for t in texts]
        threads = threads if threads > 0 else self.threads
        int8 = self._int8 is not None and not exact and role == SERVING_ROLE and threads == self.threads
        if int8:
            short = [i for i, t in enumerate(texts) if len(self._tokenizer.encode(t).ids) <= EXACT_UP_TO_TOKENS]
            if short:        # "ok", "thanks": the exact graph (they cost little there)
                out = np.zeros((len(texts), self.dim), dtype=np.float32)
                out[short] = self.encode([texts[i] for i in short], role, batch_size, threads, exact=True)
                rest = sorted(set(range(len(texts))) - set(short))
                if rest:
                    out[rest] = self.encode([texts[i] for i in rest], role, batch_size, threads)
                return out
        session = self._session(threads, self._int8 if int8 else None)
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


def load(model_dir: str | Path, threads: int = 1, name: str | None = None, quantized: bool = False) -> OnnxEncoder:
    """The ONNX encoder for a local sentence-transformers folder, exported on first use (with
    ``quantized``, its int8 graph too, see ``quantize``). Raises (ImportError, ValueError,
    OSError...) when it cannot be had; the caller then stays on torch."""
    folder = export_folder(model_dir)
    if (folder / "settings.json").is_file():
        try:
            return OnnxEncoder(folder, threads, name=name, model_dir=model_dir, quantized=quantized)
        except Exception as exc:          # a damaged or half-copied cache: made again below
            log.warning("the ONNX export in %s is unusable (%s); exporting again", folder, exc)
            shutil.rmtree(folder, ignore_errors=True)
    log.info("exporting %s to ONNX once (%s)", model_dir, folder)
    export(model_dir, folder)
    return OnnxEncoder(folder, threads, name=name, model_dir=model_dir, quantized=quantized)
