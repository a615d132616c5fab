"""`assistant helpdesk dead-letters` and `assistant helpdesk redeliver ID` as an operator runs them:
real subprocesses over a real SQLite session store, webhooks to a real receiver on 127.0.0.1."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from assistant.handoff.helpdesk import Helpdesk
from assistant.handoff.policy import HandoffDecision
from assistant.handoff.takeover import Takeover
from assistant.settings import HelpdeskSettings
from assistant.storage.sessions import SessionStore
from tests.test_helpdesk import SECRET, Receiver


def run_cli(args, data_dir, url):
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir), "ASSISTANT_HELPDESK__WEBHOOK_URLS": json.dumps([url]),
           "ASSISTANT_HELPDESK__WEBHOOK_SECRET": SECRET, "ASSISTANT_HELPDESK__RETRIES": "0"}
    return subprocess.run([sys.executable, "-m", "assistant.cli", "helpdesk", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def dead_letter_for(tmp_path, receiver) -> str:
    """A handoff whose webhook the receiver fails, so it ends as a dead letter (no retries)."""
    store = SessionStore(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    helpdesk = Helpdesk(HelpdeskSettings(webhook_urls=[receiver.url], webhook_secret=SECRET, retries=0, timeout=2),
                        store, autostart=False)
    session = store.create()
    store.append(session, 1, "user", {"content": "I want to talk to a person", "images": []})
    Takeover(store, helpdesk).start(session, HandoffDecision(True, "explicit_request", "asked", "live"),
                                    store.load_state(session))
    assert helpdesk.deliver_due() == 1
    helpdesk.close()
    return session


@pytest.fixture()
def receiver():
    r = Receiver(statuses=[500])       # fails the first delivery, accepts the next
    yield r
    r.close()


def test_dead_letters_are_listed_and_a_redelivery_reaches_the_receiver(tmp_path, receiver):
    session = dead_letter_for(tmp_path, receiver)

    listed = run_cli(["dead-letters", "--json"], tmp_path, receiver.url)
    assert listed.returncode == 0, listed.stderr
    [dead] = json.loads(listed.stdout)
    assert dead["session_id"] == session and dead["event"] == "handoff.created" and dead["attempts"] == 1
    assert dead["last_error"].startswith("HTTP 500") and "body" not in dead
    text = run_cli(["dead-letters"], tmp_path, receiver.url)
    assert text.returncode == 0 and f"conversation {session}" in text.stdout and "HTTP 500" in text.stdout

    sent = run_cli(["redeliver", str(dead["id"])], tmp_path, receiver.url)
    assert sent.returncode == 0, sent.stderr
    assert f"Dead letter {dead['id']} delivered" in sent.stdout
    assert receiver.events() == ["handoff.created", "handoff.created"] and receiver.requests[1]["valid"]
    assert receiver.requests[1]["body"]["delivery_id"] == dead["delivery_id"]
    assert json.loads(run_cli(["dead-letters", "--json"], tmp_path, receiver.url).stdout) == []
    assert "No dead letters." in run_cli(["dead-letters"], tmp_path, receiver.url).stdout


def test_a_redelivery_that_fails_again_exits_1_and_stays_a_dead_letter(tmp_path, receiver):
    dead_letter_for(tmp_path, receiver)
    receiver.statuses = [400]          # still refusing
    [dead] = json.loads(run_cli(["dead-letters", "--json"], tmp_path, receiver.url).stdout)

    again = run_cli(["redeliver", str(dead["id"])], tmp_path, receiver.url)

    assert again.returncode == 1 and "HTTP 400" in again.stderr and "dead-lettered again" in again.stderr
    [still] = json.loads(run_cli(["dead-letters", "--json"], tmp_path, receiver.url).stdout)
    assert still["last_error"].startswith("HTTP 400") and still["attempts"] == 1
    assert still["delivery_id"] == dead["delivery_id"]


def test_redelivering_an_unknown_dead_letter_is_a_clear_error(tmp_path, receiver):
    missing = run_cli(["redeliver", "999"], tmp_path, receiver.url)
    assert missing.returncode == 2 and "no dead letter with id 999" in missing.stderr
