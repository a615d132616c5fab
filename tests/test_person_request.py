"""The learned ask-for-a-person detector, on shoppers' words nobody here wrote (Bitext)."""
from __future__ import annotations

import csv

import pytest

from assistant.dialogue.person_request import PersonRequestModel, char_features, hashed_ngrams
from assistant.dialogue.state import DialogueState
from assistant.dialogue.tracker import DialogueTracker

PERSON_INTENTS = {"contact_human_agent", "contact_customer_service"}


@pytest.fixture(scope="module")
def tracker(demo_knowledge):
    from assistant.dialogue.intents import IntentClassifier

    return DialogueTracker(IntentClassifier(encoder=demo_knowledge.encoder), find_products=lambda text: [])


@pytest.mark.parametrize("text", ["no idea how I get hold of someone real", "cn i tlk to a humn plz",
                                  "assistnce to speak with an operater"])
def test_indirect_and_misspelt_asks_for_a_person_are_heard(tracker, text):
    _, signals = tracker.update(DialogueState(), text)
    assert signals.human_request and signals.intent == "human_request"


@pytest.mark.parametrize("text", ["are you a real person?", "I don't need a human, just tell me the price",
                                  "is this tent big enough for one person?",
                                  "I spoke to an agent yesterday about my order"])
def test_mentions_of_people_are_not_asks(tracker, text):
    _, signals = tracker.update(DialogueState(), text)
    assert not signals.human_request


def test_bitext_validation_precision_and_recall(tracker, shared_data):
    """The validation split was never used to fit or choose anything (scripts/train_person_request.py)."""
    path = shared_data / "bitext-customer-service" / "Bitext_Sample_Customer_Service_Validation_Dataset.csv"
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    tp = fp = fn = 0
    for row in rows:
        _, signals = tracker.update(DialogueState(), row["utterance"])
        wanted = row["intent"] in PERSON_INTENTS
        tp, fp, fn = tp + (signals.human_request and wanted), fp + (signals.human_request and not wanted), \
            fn + (wanted and not signals.human_request)
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    assert precision >= 0.9 and recall >= 0.85, (precision, recall, tp, fp, fn)


def test_the_character_model_answers_for_an_encoder_it_was_not_trained_with():
    model = PersonRequestModel.load()
    assert model is not None
    assert model.probability("cn i tlk to a humn plz") > model.probability("how heavy is the tent?")
    assert model.matches_encoder(None) is False


def test_serving_features_are_the_ones_the_weights_were_trained_on(shared_data):
    """A turn hashes the message without scikit-learn; every row must equal the vectorizer's that
    training used (same n-grams, hash, counts, norm), on shoppers' real misspelt messages."""
    path = shared_data / "bitext-customer-service" / "Bitext_Sample_Customer_Service_Validation_Dataset.csv"
    with open(path, newline="") as handle:
        texts = [row["utterance"] for row in csv.DictReader(handle)]
    texts += ["", "I", "  two   spaces\tand a tab ", "我想和真人客服说话", "¿Puedo hablar con una persona?"]
    matrix = char_features(texts)
    for i, text in enumerate(texts):
        start, end = matrix.indptr[i], matrix.indptr[i + 1]
        expected = dict(zip(matrix.indices[start:end].tolist(), matrix.data[start:end].tolist()))
        indices, values = hashed_ngrams(text)
        got = dict(zip(indices.tolist(), values.tolist()))
        assert got.keys() == expected.keys(), text
        assert all(abs(got[k] - expected[k]) < 1e-9 for k in got), text
