"""`assistant serve --workers 2`: two API processes on one port sharing the stores, the store
ingested once, the Gradio screens in their own process (the API workers send browsers there)."""
import os
import subprocess
import sys
import time

import httpx
import pytest

from assistant.settings import PROJECT_ROOT
from tests.servers import free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("workers")
    port, ui_port = free_port(), free_port()
    log = root / "serve.log"
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(root / "data"), "GRADIO_ANALYTICS_ENABLED": "False",
           "ASSISTANT_BACKEND": "extractive", "HF_HUB_OFFLINE": "1"}
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port),
                                 "--workers", "2", "--ui-port", str(ui_port)],
                                cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url, ui = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{ui_port}"
    try:
        deadline = time.monotonic() + 420
        while True:
            if proc.poll() is not None:
                pytest.fail("serve exited:\n" + log.read_text(errors="replace")[-3000:])
            try:
                if all(httpx.get(f"{u}/readyz", timeout=2).status_code == 200 for u in (url, ui)):
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("serve did not become ready:\n" + log.read_text(errors="replace")[-3000:])
            time.sleep(1)
        yield url, ui, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


def ask(url: str, text: str, session: tuple[str, dict] | None = None) -> tuple[tuple[str, dict], str]:
    if session is None:
        grant = httpx.post(f"{url}/api/v1/sessions", timeout=30).raise_for_status().json()
        session = (grant["session_id"], {"Authorization": f"Bearer {grant['token']}"})
    sid, auth = session
    reply = httpx.post(f"{url}/api/v1/sessions/{sid}/messages", headers=auth,
                       json={"text": text, "stream": False}, timeout=120)
    assert reply.status_code == 200, reply.text
    return session, reply.json()["answer"]


def test_workers_answer_on_one_port_and_share_the_conversation(served):
    url, _, log = served
    session, answer = ask(url, "How heavy is the Alpine 40 Pack?")
    assert "1.4 kg" in answer
    # new connections land on either worker; the follow-up still knows the product in focus
    for _ in range(3):
        session, answer = ask(url, "how much is it?", session)
        assert "$" in answer, "the follow-up knows the product in focus, whichever worker took it"
    assert log.read_text(errors="replace").count("ingested the store on first start") == 1


def test_the_api_workers_send_browsers_to_the_chat_process(served):
    url, ui, _ = served
    for path in ("/", "/agent"):
        moved = httpx.get(url + path, timeout=30)
        assert moved.status_code == 307
        assert moved.headers["location"].startswith(ui)
    page = httpx.get(ui + "/", timeout=60, follow_redirects=True)
    assert page.status_code == 200 and "gradio" in page.text.lower()
