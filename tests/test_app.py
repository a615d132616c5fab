"""The real app, started as a user starts it (python app.py), answers in the Gradio chat."""
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from assistant.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def running_app(tmp_path_factory):
    port = free_port()
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path_factory.mktemp("app-data")),
           "GRADIO_ANALYTICS_ENABLED": "False"}
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 240
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"app exited: {proc.stdout.read()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(1)
    else:
        proc.terminate()
        pytest.fail("app did not start within 240 s")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_first_start_ingests_and_chat_answers_with_a_citation(running_app):
    from gradio_client import Client

    client = Client(running_app + "/", verbose=False)
    reply = client.predict({"text": "How heavy is the Alpine 40 Pack?", "files": []}, api_name="/chat")
    assert "1.4 kg" in reply
    assert "Sources" in reply and "product/alpine-40-pack#specs" in reply
