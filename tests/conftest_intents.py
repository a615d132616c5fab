"""Fixtures shared by test_intents, test_tracker and test_policy (imported by them, not a conftest).

The real embedding model is loaded once per process (assistant.knowledge.embeddings.get_encoder caches it)
and the classifier is built once; a small product list stands in for the catalog.
"""
from __future__ import annotations

import importlib.util
import sys
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant.dialogue.intents import IntentClassifier
from assistant.handoff.policy import HandoffPolicy
from assistant.settings import PROJECT_ROOT
from assistant.dialogue.tracker import DialogueTracker

POLICY_PATH = PROJECT_ROOT / "knowledge" / "handoff.yaml"
STORE_TZ = ZoneInfo("America/New_York")
WEDNESDAY_2PM = datetime(2026, 3, 11, 14, 0, tzinfo=STORE_TZ)

PRODUCTS = {
    "summit-rain-jacket": "Summit Rain Jacket",
    "trail-runner-2": "Trail Runner 2",
    "basecamp-4-tent": "Basecamp 4 Tent",
    "canyon-boots": "Canyon Hiking Boots",
}
ALIASES = {"summit jacket": "summit-rain-jacket", "trail runner": "trail-runner-2",
           "basecamp tent": "basecamp-4-tent", "canyon boots": "canyon-boots"}


def find_products(text: str) -> list[str]:
    """Product ids named in ``text``, in order of first mention."""
    lowered = text.lower()
    phrases = {name.lower(): pid for pid, name in PRODUCTS.items()} | ALIASES
    hits: dict[str, int] = {}
    for phrase, pid in phrases.items():
        at = lowered.find(phrase)
        if at >= 0:
            hits[pid] = min(at, hits.get(pid, at))
    return sorted(hits, key=hits.get)


@lru_cache(maxsize=1)
def shared_classifier() -> IntentClassifier:
    return IntentClassifier()


@lru_cache(maxsize=1)
def eval_module():
    path = PROJECT_ROOT / "scripts" / "eval_intents.py"
    spec = importlib.util.spec_from_file_location("eval_intents", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module   # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def classifier() -> IntentClassifier:
    return shared_classifier()


@pytest.fixture()
def tracker(classifier) -> DialogueTracker:
    return DialogueTracker(classifier, find_products, PRODUCTS.get)


@pytest.fixture(scope="session")
def policy() -> HandoffPolicy:
    return HandoffPolicy.load(POLICY_PATH)


def write_policy(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "handoff.yaml"
    path.write_text(text, encoding="utf-8")
    return path
