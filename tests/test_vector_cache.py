"""Start-up embeddings cached in the data dir: read on the next start, re-embedded when the file
is from another model or cut short."""
import numpy as np

from assistant.knowledge.embeddings import embed
from assistant.knowledge.vector_cache import embed_cached

TEXTS = ["Where is my order?", "Can I return opened shoes?", "Do you ship to Canada?", "hello there"]


def test_a_second_start_reads_the_vectors_from_disk(demo_knowledge, tmp_path):
    encoder = demo_knowledge.encoder
    first = embed_cached(encoder, TEXTS, tmp_path)
    assert np.allclose(first, np.asarray(embed(encoder, TEXTS)), atol=1e-5)
    [path] = list(tmp_path.glob("*.npy"))
    # keep the first row (the model check) and mark the others: a read returns the marks
    marked = first.copy()
    marked[1:] = 0.0
    np.save(path, marked)
    assert np.array_equal(embed_cached(encoder, TEXTS, tmp_path), marked)


def test_vectors_of_another_model_or_a_cut_file_are_embedded_again(demo_knowledge, tmp_path):
    encoder = demo_knowledge.encoder
    fresh = embed_cached(encoder, TEXTS, tmp_path)
    [path] = list(tmp_path.glob("*.npy"))
    other = np.random.default_rng(3).normal(size=fresh.shape).astype(np.float32)   # another model's rows
    np.save(path, other)
    assert np.allclose(embed_cached(encoder, TEXTS, tmp_path), fresh, atol=1e-5)
    assert np.allclose(np.load(path), fresh, atol=1e-5)          # the file holds this model's rows again
    path.write_bytes(path.read_bytes()[:100])                    # cut short
    assert np.allclose(embed_cached(encoder, TEXTS, tmp_path), fresh, atol=1e-5)


def test_other_texts_are_another_entry(demo_knowledge, tmp_path):
    encoder = demo_knowledge.encoder
    embed_cached(encoder, TEXTS, tmp_path)
    more = embed_cached(encoder, TEXTS + ["one more question"], tmp_path)
    assert more.shape[0] == len(TEXTS) + 1 and len(list(tmp_path.glob("*.npy"))) == 2
