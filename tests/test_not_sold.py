"""A kind of thing the store does not sell, on a store none of us wrote (Google's Online Boutique):
its nine products score weakly against "kayaks", and that weakness is the answer, not a reason to
queue the shopper for a person. And the store's clock decides opening hours, so an eval pins it."""
from datetime import datetime, timezone

import pytest

from tests.conftest import ask

TUESDAY_10AM_NEW_YORK = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)
SUNDAY_NOON_NEW_YORK = datetime(2026, 12, 6, 17, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def boutique(tmp_path_factory, shared_data):
    from assistant.conversation import ConversationManager
    from assistant.importers import load_products
    from assistant.knowledge.service import Knowledge
    from assistant.settings import Settings

    catalog = shared_data / "online-boutique" / "products.json"
    settings = Settings(data_dir=tmp_path_factory.mktemp("boutique"), backend="extractive")
    knowledge = Knowledge(settings)
    knowledge.ingest(load_products(catalog, mapping="online-boutique"), str(catalog), None, progress=False)
    manager = ConversationManager(settings, knowledge=knowledge)
    manager.clock = lambda: TUESDAY_10AM_NEW_YORK          # open, no agent online: a handoff would queue
    yield manager
    manager.close()


def test_a_kind_the_catalog_lacks_is_declined_after_another_product(boutique):
    ask(boutique, "kayaks", "How much is the Mug?")
    result = ask(boutique, "kayaks", "do you sell kayaks?")
    assert "don't seem to carry kayaks" in result["answer"]
    assert "Mug" not in result["answer"]
    assert "handoff" not in result
    assert result["state"]["state"]["consecutive_failures"] == 0, "the catalog's no is an answer, not a failure"


def test_a_weak_match_for_something_the_store_sells_still_goes_to_a_person(boutique):
    """The exemption is for what the catalog lacks: a question about a mug with nothing to
    stand on is still no answer."""
    result = ask(boutique, "mug-care", "do you sell mugs with a lifetime guarantee on the glaze, printed to order?")
    assert "don't seem to carry" not in result["answer"]


def test_opening_hours_are_read_on_the_store_clock(boutique):
    boutique.clock = lambda: SUNDAY_NOON_NEW_YORK
    try:
        closed = ask(boutique, "sunday", "I want to talk to a person")
    finally:
        boutique.clock = lambda: TUESDAY_10AM_NEW_YORK
    opened = ask(boutique, "tuesday", "I want to talk to a person")
    assert closed["handoff"]["mode"] == "ticket"
    assert opened["handoff"]["mode"] == "queue"
