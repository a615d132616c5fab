"""The real app, started as a user starts it (python app.py), answers in the Gradio chat."""
import pytest

from tests.servers import app_process

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def running_app(tmp_path_factory):
    with app_process(tmp_path_factory.mktemp("app"), timeout=240) as url:
        yield url


def test_first_start_ingests_and_chat_answers_with_a_citation(running_app):
    from gradio_client import Client

    client = Client(running_app + "/", verbose=False)
    reply = client.predict({"text": "How heavy is the Alpine 40 Pack?", "files": []}, api_name="/chat")
    assert "1.4 kg" in reply
    assert "Sources" in reply and "product/alpine-40-pack#specs" in reply
