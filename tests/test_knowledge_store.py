"""The knowledge store, embedded or on a Chroma server that several app processes share."""
from __future__ import annotations

import pytest

from assistant.errors import StoreUnreachable
from assistant.knowledge.service import Knowledge
from assistant.knowledge.store import KnowledgeStore
from tests.servers import chroma_server, free_port


def test_a_store_ingested_through_a_chroma_server_answers_every_client(demo_settings, tmp_path):
    with chroma_server(tmp_path / "chroma-server") as url:
        settings = demo_settings.model_copy(update={"data_dir": tmp_path / "a", "chroma_url": url})
        first = Knowledge(settings)
        report = first.ensure_ingested()
        assert report is not None and first.store.count() > 300
        assert not (tmp_path / "a" / "chroma").exists(), "nothing embedded in the app's data dir"
        # a second client (as another app process would be) sees the same store: no ingest
        second = Knowledge(demo_settings.model_copy(update={"data_dir": tmp_path / "b", "chroma_url": url}))
        assert second.ensure_ingested() is None
        hits = second.retriever.search("How heavy is the Alpine 40 Pack?", k=3)
        assert hits[0].source_id.startswith("product/alpine-40-pack")


def test_a_chroma_url_nobody_answers_is_a_clear_error(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StoreUnreachable, match="ASSISTANT_CHROMA_URL"):
        KnowledgeStore(url=url)


def test_a_malformed_chroma_url_names_the_setting():
    with pytest.raises(ValueError, match="ASSISTANT_CHROMA_URL"):
        KnowledgeStore(url="ftp://nowhere")
