"""Shared fixtures: real embedding model, real Chroma, real SQLite, all under a temp data dir.

The demo store is ingested once per test session; tests that change knowledge build their own.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
# stores built by tests keep no multilingual index (multilingual-e5-small, ~5x MiniLM's ingest time)
# unless a test asks for one: see the multilingual_knowledge fixture
os.environ.setdefault("ASSISTANT_MULTILINGUAL_INDEX", "false")

from assistant.settings import PROJECT_ROOT, Settings  # noqa: E402

SHARED = PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared catalogs not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("demo-data"), multilingual_index=False)


@pytest.fixture(scope="session")
def demo_knowledge(demo_settings):
    from assistant.knowledge.service import Knowledge

    knowledge = Knowledge(demo_settings)
    knowledge.ensure_ingested()
    return knowledge


@pytest.fixture(scope="session")
def multilingual_knowledge(demo_settings, demo_knowledge):
    """The demo store with its multilingual index built too (as the default settings keep it):
    over the same data dir, so only the e5 index is embedded, once per session and only when a
    test needs it; demo_knowledge itself stays without it."""
    from assistant.knowledge.service import Knowledge

    knowledge = Knowledge(demo_settings.model_copy(update={"multilingual_index": True}))
    knowledge.ensure_ingested()
    return knowledge


@pytest.fixture(scope="session")
def ingested_data(demo_settings, multilingual_knowledge):
    """The demo store's data dir with both indexes, as the app's first start leaves it: a seed
    for app processes whose test is not the first start (tests/servers.py ``app_process``)."""
    return demo_settings.data_dir


@pytest.fixture()
def multilingual_manager(demo_settings, multilingual_knowledge, tmp_path):
    """A conversation manager over the demo store and its multilingual index."""
    from assistant.conversation import ConversationManager
    from assistant.storage.sessions import SessionStore

    settings = demo_settings.model_copy(update={"data_dir": tmp_path, "multilingual_index": True})
    return ConversationManager(settings, knowledge=multilingual_knowledge,
                               sessions=SessionStore(settings.sessions_url))


@pytest.fixture()
def manager(demo_settings, demo_knowledge, tmp_path):
    """A conversation manager over the demo store with its own fresh session database."""
    from assistant.conversation import ConversationManager
    from assistant.storage.sessions import SessionStore

    settings = demo_settings.model_copy(update={"data_dir": tmp_path})
    return ConversationManager(settings, knowledge=demo_knowledge,
                               sessions=SessionStore(settings.sessions_url))


def ask(manager, session: str, text: str, images: list[bytes] | None = None) -> dict:
    """Run one turn and collect what a front door would show: the events, the folded ``reply``,
    the answer, and the fields of the last citations/state/handoff/perception event."""
    from assistant.conversation import Turn
    from assistant.reply import Reply

    events = list(manager.respond(session, Turn(text=text, images=images or [])))
    reply = Reply.fold(events)
    out: dict = {"events": events, "reply": reply}
    if reply.done:
        out["answer"] = reply.answer
    for name, payload in (("citations", reply.citations), ("state", reply.state),
                          ("handoff", reply.handoff), ("perception", reply.perception)):
        if payload is not None:
            out[name] = payload.fields
    return out


def run_cli(args, data_dir, stdin=None):
    """The `assistant` command in its own process over ``data_dir``, as a store scripts it."""
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="session")
def cli_data(tmp_path_factory):
    """A data dir the `assistant ingest` command filled (its own process), shared by the CLI's tests."""
    data = tmp_path_factory.mktemp("cli-data")
    result = run_cli(["ingest"], data)
    assert result.returncode == 0, result.stderr
    assert "products" in result.stdout and "embedded" in result.stdout
    return data
