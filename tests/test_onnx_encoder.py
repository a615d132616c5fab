"""all-MiniLM-L6-v2 on ONNX Runtime: the torch model's vectors, exported once, torch-free after."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.knowledge import onnx_encoder
from assistant.knowledge.embeddings import (MINILM, PASSAGE, all_cores, SentenceTransformerEncoder, embed, fingerprint,
                                            get_encoder, resolve_model, same_model)

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ["How heavy is the Alpine 40 pack?", "i want 2 cancel my ordr asap", "这个背包有多重?",
         "¿Puedo devolver las botas?", "ok", " ".join(["Waterproof shell, taped seams, two-way zip."] * 80)]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """A fresh export cache for this module (the tests must see the export happen)."""
    folder = tmp_path_factory.mktemp("onnx-cache")
    before = os.environ.get("ASSISTANT_MODEL_CACHE")
    os.environ["ASSISTANT_MODEL_CACHE"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("ASSISTANT_MODEL_CACHE", None)
    else:
        os.environ["ASSISTANT_MODEL_CACHE"] = before


@pytest.fixture(scope="module")
def torch_minilm():
    return SentenceTransformerEncoder(resolve_model(MINILM), name=MINILM)


def test_the_onnx_encoder_gives_the_torch_models_vectors(cache, torch_minilm):
    fast = onnx_encoder.load(resolve_model(MINILM), name=MINILM)
    assert list(cache.iterdir()), "the export is kept in the cache folder"
    for role in ("query", PASSAGE):
        got, expected = np.asarray(embed(fast, TEXTS, role=role)), np.asarray(embed(torch_minilm, TEXTS, role=role))
        assert got.shape == expected.shape == (len(TEXTS), 384)
        assert np.abs(got - expected).max() < 1e-5     # long text truncated alike, padding ignored
    # one at a time as in a batch: a question's vector does not depend on its neighbours
    alone = np.asarray([embed(fast, [t])[0] for t in TEXTS])
    assert np.abs(alone - np.asarray(embed(fast, TEXTS))).max() < 1e-5
    # a turn's two to four texts run one per core at once: each row still the text's own vector
    for rows in ([0, 1], [4, 5], [2, 5, 3], [5, 0, 4, 1]):
        assert np.abs(np.asarray(embed(fast, [TEXTS[i] for i in rows])) - alone[rows]).max() < 1e-5
    # several reply workers spreading their turns at once each get their own rows back
    from concurrent.futures import ThreadPoolExecutor

    pairs = [[i, (i + 1) % len(TEXTS)] for i in range(len(TEXTS))] * 4
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda rows: np.asarray(embed(fast, [TEXTS[i] for i in rows])), pairs))
    assert max(np.abs(g - alone[rows]).max() for g, rows in zip(got, pairs)) < 1e-5
    # ingest's bulk passes (every core) run on torch: the same vectors either way
    with all_cores():
        bulk = np.asarray(embed(fast, TEXTS * 20, role=PASSAGE))
    assert fast._bulk is not None and np.abs(bulk[:len(TEXTS)] - expected).max() < 1e-5
    # so a store ingested on torch is not re-embedded
    assert same_model(fingerprint(torch_minilm), fingerprint(fast))


def test_the_default_encoder_runs_on_onnx_and_torch_can_be_asked_for():
    from pydantic import ValidationError

    from assistant.knowledge.embeddings import settings_encoder
    from assistant.settings import Settings

    assert isinstance(settings_encoder(Settings()), onnx_encoder.OnnxEncoder)
    assert settings_encoder(Settings()).precision == "fp32"          # exact unless int8 is asked for
    assert settings_encoder(Settings(embedding_precision="int8")).precision == "int8"
    assert isinstance(get_encoder(MINILM, 1, "torch"), SentenceTransformerEncoder)
    with pytest.raises(ValidationError, match="onnx"):
        Settings(embedding_runtime="tensorflow")
    with pytest.raises(ValidationError, match="int8"):
        Settings(embedding_precision="int4")


def test_a_process_finding_the_export_embeds_without_torch(cache, torch_minilm):
    onnx_encoder.load(resolve_model(MINILM))
    code = ("import sys, json; from assistant.knowledge.embeddings import get_encoder, embed; "
            "e = get_encoder('all-MiniLM-L6-v2'); v = embed(e, ['How heavy is the Alpine 40 pack?'])[0]; "
            "print(json.dumps({'kind': type(e).__name__, 'torch': 'torch' in sys.modules, "
            "'sentence_transformers': 'sentence_transformers' in sys.modules, 'vector': v}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "ASSISTANT_MODEL_CACHE": str(cache)})
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["kind"] == "OnnxEncoder" and not seen["torch"] and not seen["sentence_transformers"]
    expected = embed(torch_minilm, ["How heavy is the Alpine 40 pack?"])[0]
    assert np.abs(np.asarray(seen["vector"]) - expected).max() < 1e-5


def test_a_damaged_export_is_made_again(cache):
    folder = onnx_encoder.load(resolve_model(MINILM)).folder
    (folder / "model.onnx").write_bytes(b"not a graph")            # a disk filled up mid-copy
    again = onnx_encoder.load(resolve_model(MINILM))
    assert again.folder == folder and (folder / "model.onnx").stat().st_size > 1_000_000
    assert np.asarray(embed(again, ["hello"])).shape == (1, 384)


def test_a_model_the_export_cannot_reproduce_stays_on_torch(cache, tmp_path, torch_minilm):
    """A pooling the graph does not build (sqrt-length mean): the app still embeds, on torch."""
    source = Path(resolve_model(MINILM))
    model = tmp_path / "sqrt-pooled"
    model.mkdir()
    for item in source.iterdir():
        if item.is_file():
            (model / item.name).symlink_to(item)
    (model / "1_Pooling").mkdir()
    pooling = json.loads((source / "1_Pooling" / "config.json").read_text())
    pooling.update(pooling_mode_mean_tokens=False, pooling_mode_mean_sqrt_len_tokens=True)
    (model / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    with pytest.raises(ValueError, match="pooling"):
        onnx_encoder.load(model)
    encoder = get_encoder(str(model))
    assert isinstance(encoder, SentenceTransformerEncoder)
    assert np.asarray(embed(encoder, ["hello"])).shape == (1, 384)
    assert not [p for p in cache.iterdir() if p.name.startswith(("sqrt-pooled", ".sqrt-pooled"))]


def test_a_changed_model_gets_a_new_export_and_the_old_one_goes(cache, tmp_path):
    """A reinstalled or updated model folder: exported again, the stale graph not left behind."""
    source = Path(resolve_model(MINILM))
    model = tmp_path / "updated-minilm"
    shutil.copytree(source, model, symlinks=False, ignore=shutil.ignore_patterns("model.safetensors"))
    (model / "model.safetensors").symlink_to(source / "model.safetensors")
    first = onnx_encoder.load(model).folder
    (model / "README.md").write_text("a newer release of the same model\n")
    second = onnx_encoder.load(model).folder
    assert second != first and second.is_dir() and not first.exists()


def test_a_shoppers_message_runs_the_int8_graph_and_what_is_stored_stays_exact(cache, torch_minilm):
    from assistant.knowledge.vector_cache import embed_cached

    served = onnx_encoder.load(resolve_model(MINILM), name=MINILM, quantized=True)
    assert served.precision == "int8"
    assert (served.folder / onnx_encoder.QUANTIZED).is_file()
    assert json.loads((served.folder / onnx_encoder.QUANTIZED_CHECK).read_text())["kept"] is True
    expected = np.asarray(embed(torch_minilm, TEXTS))
    got = np.asarray(embed(served, TEXTS))
    cosine = np.sum(got * expected, axis=1)
    assert cosine.min() >= onnx_encoder.QUANTIZED_MIN_COSINE and np.abs(got - expected).max() > 1e-4
    # passages, the exact view, fingerprints and start-up caches: the exact graph's vectors
    assert np.abs(np.asarray(embed(served, TEXTS, role=PASSAGE)) - np.asarray(
        embed(torch_minilm, TEXTS, role=PASSAGE))).max() < 1e-5
    assert np.abs(np.asarray(embed(served.exact, TEXTS)) - expected).max() < 1e-5
    assert same_model(fingerprint(torch_minilm), fingerprint(served))
    assert np.abs(embed_cached(served, TEXTS, cache / "startup") - expected).max() < 1e-5


def test_int8_questions_find_the_same_products_in_a_catalog_nobody_here_wrote(cache):
    """eShop (shared data): products embedded exactly, as ingest stores them; asked for by name
    and by a sentence of their description, the int8 question finds what the exact one finds."""
    catalog = json.loads((ROOT.parent / "shared" / "data" / "eshop-catalog" / "catalog.json").read_text())
    served = onnx_encoder.load(resolve_model(MINILM), name=MINILM, quantized=True)
    documents = np.asarray(embed(served, [f"{p['Name']}. {p['Type']} by {p['Brand']}. {p['Description']}"
                                          for p in catalog], role=PASSAGE))
    asks = [(i, f"do you have the {p['Name'].lower()}?") for i, p in enumerate(catalog)]
    asks += [(i, p["Description"].split(". ")[1]) for i, p in enumerate(catalog) if p["Description"].count(". ") >= 2]

    def found(encoder) -> float:
        questions = np.asarray(embed(encoder, [text for _, text in asks]))
        top = np.argsort(-(questions @ documents.T), axis=1)[:, :5]
        return float(np.mean([i in row for (i, _), row in zip(asks, top)]))

    exact, int8 = found(served.exact), found(served)
    assert len(asks) > 150 and exact > 0.85
    assert int8 >= exact - 0.02, (int8, exact)


def test_an_int8_graph_that_strays_is_not_used_and_a_damaged_one_is_made_again(cache, tmp_path, monkeypatch):
    source = Path(resolve_model(MINILM))
    model = tmp_path / "strict-minilm"
    shutil.copytree(source, model, symlinks=False, ignore=shutil.ignore_patterns("model.safetensors"))
    (model / "model.safetensors").symlink_to(source / "model.safetensors")
    monkeypatch.setattr(onnx_encoder, "QUANTIZED_MIN_COSINE", 1.01)      # no int8 graph can pass
    strict = onnx_encoder.load(model, quantized=True)
    assert strict.precision == "fp32" and strict.exact is strict
    assert not (strict.folder / onnx_encoder.QUANTIZED).exists()
    assert json.loads((strict.folder / onnx_encoder.QUANTIZED_CHECK).read_text())["kept"] is False
    assert np.abs(np.asarray(embed(strict, TEXTS[:2])) - np.asarray(embed(strict, TEXTS[:2], role=PASSAGE))).max() == 0
    monkeypatch.setattr(onnx_encoder, "QUANTIZED_MIN_COSINE", 0.98)
    (strict.folder / onnx_encoder.QUANTIZED_CHECK).unlink()             # checked again: now kept
    assert onnx_encoder.load(model, quantized=True).precision == "int8"
    (strict.folder / onnx_encoder.QUANTIZED).write_bytes(b"half a file")  # a disk filled up mid-copy
    damaged = onnx_encoder.load(model, quantized=True)
    assert damaged.precision == "fp32" and not (strict.folder / onnx_encoder.QUANTIZED).exists()
    assert onnx_encoder.load(model, quantized=True).precision == "int8"   # made again on the next start
