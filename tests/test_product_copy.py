"""Product copy for staff: from a product's photo and specs, by the configured generative backend
(a tiny real VLM here), or a clearly labelled template draft with the extractive backend; from
the CLI and the agent API."""
from __future__ import annotations

import base64

import httpx
import pytest

from assistant.answers.product_copy import TEMPLATE_LABEL, write_copy
from assistant.backends.extractive import ExtractiveBackend
from assistant.errors import InvalidInput, NotFound
from tests import tiny_models
from tests.conftest import run_cli
from tests.test_http_support import PHOTO, serve

tiny_vlm = tiny_models.tiny_vlm


def test_the_extractive_backend_gives_a_labelled_draft_from_the_specs(demo_knowledge):
    product = demo_knowledge.directory.get("alpine-40-pack")
    draft = write_copy(product, ExtractiveBackend(), "Northwind")
    assert draft.written_by == "template" and draft.text.startswith(TEMPLATE_LABEL)
    assert product.name in draft.text
    for value in product.specs.values():
        assert str(value) in draft.text          # every spec, as the catalog writes it


def test_unknown_products_and_unreadable_photos_are_refused(demo_knowledge):
    with pytest.raises(NotFound, match="no-such"):
        write_copy(None, ExtractiveBackend(), "Northwind", product_id="no-such")
    product = demo_knowledge.directory.get("alpine-40-pack")
    with pytest.raises(InvalidInput, match="readable picture"):
        write_copy(product, ExtractiveBackend(), "Northwind", image=b"not a picture")


@pytest.mark.slow
def test_a_vision_model_writes_from_the_photo_and_the_facts(demo_knowledge, tiny_vlm):
    from assistant.backends import get_backend

    backend = get_backend("transformers", {"model": str(tiny_vlm("qwen2_5_vl")), "max_new_tokens": 12})
    try:
        written = write_copy(demo_knowledge.directory.get("alpine-40-pack"), backend, "Northwind",
                             image=PHOTO.read_bytes())
    finally:
        backend.close()
    assert written.written_by == "model" and written.backend == "transformers" and written.used_photo
    assert written.text and TEMPLATE_LABEL not in written.text


def test_the_cli_prints_the_draft(cli_data):  # noqa: F811
    result = run_cli(["copy", "alpine-40-pack", "--json"], cli_data)
    assert result.returncode == 0, result.stderr
    assert '"written_by": "template"' in result.stdout and "Alpine 40 Pack" in result.stdout
    missing = run_cli(["copy", "no-such-product"], cli_data)
    assert missing.returncode == 2 and "no product with id 'no-such-product'" in missing.stderr


def test_the_agent_api_writes_copy_for_agents_only(demo_settings, demo_knowledge, tmp_path):
    with serve(demo_settings, demo_knowledge, tmp_path, helpdesk={"agent_token": "copy-token"}) as live:
        url = f"{live.url}/api/v1/agent/products/alpine-40-pack/copy"
        assert httpx.post(url, timeout=30).status_code == 401
        photo = "data:image/png;base64," + base64.b64encode(PHOTO.read_bytes()).decode()
        written = httpx.post(url, json={"image": photo}, headers={"Authorization": "Bearer copy-token"}, timeout=60)
        assert written.status_code == 200, written.text
        assert written.json()["written_by"] == "template" and "Alpine 40 Pack" in written.json()["text"]
