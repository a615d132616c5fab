"""The widget in a real browser: Debian's chromium, headless, driven by Playwright, against the real app.

Answers come at a generative model's pace (one word per PACE seconds), so the test can watch an
answer stream and reload the page in the middle of one.
"""
from __future__ import annotations

import json
import re
import shutil
import time

import httpx
import pytest

from tests.test_http_support import PHOTO, PacedExtractive, serve

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PACE = 0.12
AGENT_TOKEN = "agent-token-for-browser-tests"
TIMEOUT_MS = 90_000    # how long a page may take to show a reply on a slow, shared machine (a ceiling, not a measure)
playwright_api.expect.set_options(timeout=TIMEOUT_MS)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium (apt install chromium)")]


@pytest.fixture(scope="module")
def server(demo_settings, demo_knowledge, tmp_path_factory):
    with serve(demo_settings, demo_knowledge, tmp_path_factory.mktemp("browser"),
               backend=PacedExtractive(PACE), helpdesk={"agent_token": AGENT_TOKEN}) as live:
        yield live


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, server):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server.url}/demo")
    page.get_by_test_id("sa-bubble").click()
    yield page
    context.close()
    assert errors == []


def ask(page, text: str) -> None:
    page.get_by_test_id("sa-input").fill(text)
    page.get_by_test_id("sa-send").click()


def answer(page, turn: int):
    return page.locator(f"[data-role=assistant][data-turn='{turn}']")


def widget_state(page) -> dict:
    key = page.evaluate("Object.keys(sessionStorage).find(k => k.startsWith('shop-assistant:'))")
    return json.loads(page.evaluate(f"sessionStorage.getItem({json.dumps(key)})"))


def numbered_from_one(answer_text: str) -> str:
    """An answer's single ``[n]`` marks as the widget shows them: 1, 2, ... in the order first cited."""
    order: dict[str, int] = {}
    return re.sub(r"\[(\d+)\]", lambda m: f"[{order.setdefault(m.group(1), len(order) + 1)}]", answer_text)


def wait_mid_answer(page, turn: int) -> None:
    """Until the answer has started streaming but is not finished."""
    page.wait_for_function(
        """turn => { const host = document.querySelector('#shop-assistant');
                     const m = host && host.shadowRoot.querySelector(`[data-role=assistant][data-turn='${turn}']`);
                     return m && m.dataset.complete === 'false'
                              && m.querySelector('.text').textContent.length > 0; }""",
        arg=turn)


def test_a_shopper_asks_sees_the_answer_stream_with_a_citation_and_sends_a_photo(page):
    ask(page, "How heavy is the Alpine 40 Pack?")
    wait_mid_answer(page, 1)                                           # words appear before the answer is done
    first = answer(page, 1)
    playwright_api.expect(first).to_have_attribute("data-complete", "true")
    playwright_api.expect(first).to_contain_text("1.4 kg")
    playwright_api.expect(first.get_by_test_id("sa-citations")).to_contain_text("Alpine 40 Pack")

    page.get_by_test_id("sa-file").set_input_files(str(PHOTO))
    playwright_api.expect(page.get_by_test_id("sa-attachments").locator("img")).to_have_count(1)
    ask(page, "Is this backpack in stock?")
    playwright_api.expect(page.locator("[data-role=user]").nth(1).locator("img")).to_have_count(1)
    playwright_api.expect(answer(page, 2)).to_have_attribute("data-complete", "true")
    playwright_api.expect(page.get_by_test_id("sa-attachments").locator("img")).to_have_count(0)


def test_a_reload_mid_answer_shows_the_whole_answer_once(page, server):
    ask(page, "How long do I have to return running shoes?")
    wait_mid_answer(page, 1)
    page.reload()
    first = answer(page, 1)
    playwright_api.expect(first).to_have_attribute("data-complete", "true")
    session_id = widget_state(page)["sessionId"]
    stored = [m for m in server.manager.sessions.transcript(session_id) if m["role"] == "assistant"]
    assert len(stored) == 1 and stored[0].get("complete")
    # nothing lost, nothing twice (its source marks shown numbered from [1], as in the sources list)
    assert first.locator(".text").text_content() == numbered_from_one(stored[0]["content"])
    assert "30 days" in stored[0]["content"]
    playwright_api.expect(page.locator("[data-role=user]")).to_have_count(1)


def test_a_handoff_shows_its_state_and_the_agents_reply_arrives(page, server):
    """The shopper asks for a person; an agent answers through the agent API; the widget shows both."""
    reply_route = "/api/v1/agent/sessions/{session_id}/messages"
    ask(page, "I want to talk to a human, please")
    playwright_api.expect(page.get_by_test_id("sa-status")).to_have_attribute("data-owner", "queued")
    session_id = widget_state(page)["sessionId"]
    sent = httpx.post(f"{server.url}{reply_route.format(session_id=session_id)}", timeout=30,
                      headers={"Authorization": f"Bearer {AGENT_TOKEN}"},
                      json={"agent": "Sam", "text": "Hi, this is Sam from the store team. How can I help?"})
    assert sent.status_code == 200, sent.text
    playwright_api.expect(page.locator("[data-role=agent]")).to_contain_text("this is Sam from the store team")
    playwright_api.expect(page.get_by_test_id("sa-status")).to_have_attribute("data-owner", "agent")
    playwright_api.expect(page.get_by_test_id("sa-status")).to_contain_text("Sam")


def widget_text(page, selector: str, attribute: str | None = None) -> str:
    return page.evaluate("""([sel, attr]) => { const n = document.querySelector('#shop-assistant').shadowRoot.querySelector(sel);
                                               return attr ? n.getAttribute(attr) : n.textContent; }""",
                         [selector, attribute])


def test_the_widgets_own_words_follow_the_shoppers_language(page):
    assert widget_text(page, "[data-testid=sa-send]") == "Send"
    ask(page, "¿Cuánto pesa la mochila Alpine 40 Pack?")
    playwright_api.expect(answer(page, 1)).to_have_attribute("data-complete", "true")
    playwright_api.expect(page.get_by_test_id("sa-send")).to_have_text("Enviar")
    assert widget_text(page, "textarea", "placeholder") == "Haz una pregunta o adjunta una foto"
    assert widget_state(page)["language"] == "es"
    page.reload()                                                     # kept with the conversation
    playwright_api.expect(page.get_by_test_id("sa-send")).to_have_text("Enviar")


def test_a_configured_locale_fixes_the_widgets_language_and_the_sessions(browser, server):
    store_page = (f"<!doctype html><html lang='en'><body><script>window.ShopAssistant = {{locale: 'ja'}};</script>"
                  f"<script src='{server.url}/widget.js'></script></body></html>")
    context = browser.new_context()
    page = context.new_page()
    page.route(f"{server.url}/ja-store", lambda route: route.fulfill(body=store_page, content_type="text/html"))
    page.goto(f"{server.url}/ja-store")
    page.get_by_test_id("sa-bubble").click()
    playwright_api.expect(page.get_by_test_id("sa-send")).to_have_text("送信")
    ask(page, "How heavy is the Alpine 40 Pack?")
    playwright_api.expect(answer(page, 1)).to_have_attribute("data-complete", "true")
    playwright_api.expect(page.get_by_test_id("sa-send")).to_have_text("送信")
    assert server.manager.sessions.load_state(widget_state(page)["sessionId"]).locale == "ja"
    context.close()


def test_the_gradio_chat_speaks_the_browsers_language(browser, server):
    context = browser.new_context(locale="es-ES")
    page = context.new_page()
    page.goto(f"{server.url}/")
    box = page.locator("textarea").first
    playwright_api.expect(box).to_have_attribute("placeholder", "Haz una pregunta o adjunta una foto")
    playwright_api.expect(page.get_by_text("Pregunta por productos, tallas")).to_be_visible()
    context.close()

# -- orders: a signed-in demo customer in the widget, and "Signed in as" in the Gradio chat ----------
@pytest.fixture()
def shop(browser, server):
    """Open a fresh tab (its own sessionStorage) at a path of the app; page errors fail the test."""
    contexts, errors = [], []

    def open_tab(path: str):
        context = browser.new_context()
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(TIMEOUT_MS)
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        tab.goto(f"{server.url}{path}")
        return tab

    yield open_tab
    for context in contexts:
        context.close()
    assert errors == []


@pytest.fixture()
def delivered_two_days_ago(server):
    """Maya's delivered order, moved to two days ago: inside the damage-report window whatever today is."""
    from datetime import datetime, timedelta, timezone

    from assistant.storage.orders import OrderTables

    when = (datetime.now(timezone.utc) - timedelta(days=2)).isoformat(timespec="seconds")
    OrderTables(server.manager.sessions).update_order("NW-482913", lambda order: order.update(delivered_at=when))
    return "NW-482913"


def signed_in_widget(shop, customer_id: str):
    tab = shop(f"/demo?customer={customer_id}")
    tab.get_by_test_id("sa-bubble").click()
    return tab


def test_a_signed_in_customer_sees_the_status_with_a_clickable_tracking_link(shop):
    tab = signed_in_widget(shop, "C-1004")                        # Liam Murphy: latest order shipped
    playwright_api.expect(tab.get_by_test_id("demo-customer")).to_have_value("C-1004")
    ask(tab, "Where is my order?")
    status = answer(tab, 1)
    playwright_api.expect(status).to_contain_text("NW-483290")
    playwright_api.expect(status).to_contain_text("has shipped")
    link = status.locator("a")
    playwright_api.expect(link).to_have_attribute(
        "href", "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400100000000000000011")
    playwright_api.expect(link).to_have_attribute("target", "_blank")
    assert status.locator(".text *").count() == 1                 # the one link; the rest is plain text
    playwright_api.expect(status.get_by_test_id("sa-confirm")).to_have_count(0)


def test_a_cancel_is_confirmed_with_yes_and_a_damaged_item_returned_with_a_photo(shop, server,
                                                                                 delivered_two_days_ago):
    orders = server.manager.orders.orders
    tab = signed_in_widget(shop, "C-1001")                        # Maya Chen
    ask(tab, "Please cancel my pending order")
    question = answer(tab, 1)
    playwright_api.expect(question).to_contain_text("cancel order NW-483377")
    confirm = question.get_by_test_id("sa-confirm")
    playwright_api.expect(confirm).to_have_attribute("data-action", "cancel")
    playwright_api.expect(confirm).to_have_attribute("data-order", "NW-483377")
    assert orders.get_order("NW-483377").status == "pending"      # nothing happens before the yes
    confirm.get_by_test_id("sa-confirm-yes").click()
    playwright_api.expect(tab.locator("[data-role=user][data-turn='2']")).to_have_text("Yes")
    playwright_api.expect(answer(tab, 2)).to_contain_text("order NW-483377 is cancelled")
    playwright_api.expect(tab.get_by_test_id("sa-confirm")).to_have_count(0)  # answered: the buttons go
    assert orders.get_order("NW-483377").status == "cancelled"

    ask(tab, f"The headlamp from order {delivered_two_days_ago} arrived damaged, I want to return it")
    playwright_api.expect(answer(tab, 3)).to_contain_text("send a photo")
    tab.get_by_test_id("sa-file").set_input_files(str(PHOTO))
    ask(tab, "Here is a photo of the damage")
    playwright_api.expect(answer(tab, 4)).to_contain_text("with your 1 photo")
    answer(tab, 4).get_by_test_id("sa-confirm-yes").click()
    playwright_api.expect(answer(tab, 5)).to_have_attribute("data-complete", "true")
    returned = orders.get_order(delivered_two_days_ago)
    assert returned.status == "return requested"
    assert returned.requests[-1]["condition"] == "damaged" and len(returned.requests[-1]["photos"]) == 1


def gradio_sign_in(tab, label: str) -> None:
    tab.get_by_label("Signed in as").click()
    tab.get_by_role("option", name=label).click()


def gradio_ask(tab, text: str) -> None:
    box = tab.locator("textarea")
    box.fill(text)
    box.press("Enter")


def test_the_gradio_chat_signs_in_a_demo_customer_and_a_guest_must_verify(shop):
    tab = shop("/")
    bot = tab.locator("[data-testid=bot]")
    gradio_sign_in(tab, "Maya Chen (C-1001)")
    gradio_ask(tab, "Where is my order?")
    playwright_api.expect(bot.last).to_contain_text("Order NW-483377 (Pocketflame Canister Stove")

    gradio_sign_in(tab, "Guest (not signed in)")                  # a new conversation: Maya's is gone
    playwright_api.expect(bot).to_have_count(0)
    gradio_ask(tab, "Where is my order NW-483377?")
    playwright_api.expect(bot.last).to_contain_text("email address or the shipping zip code")
    playwright_api.expect(tab.get_by_text("Pocketflame")).to_have_count(0)


# -- around an answer: product cards, suggestions, thumbs, sources; escaping and refusals ----------
def test_a_product_answer_shows_a_card_whose_click_is_recorded(page, server, monkeypatch):
    monkeypatch.setattr(server.manager.settings, "product_url_pattern", "https://shop.example/products/{id}")
    ask(page, "How heavy is the Alpine 40 Pack?")
    card = answer(page, 1).get_by_test_id("sa-card").first
    playwright_api.expect(card).to_contain_text("Alpine 40 Pack")
    playwright_api.expect(card.get_by_test_id("sa-price")).to_contain_text("$")
    playwright_api.expect(card).to_contain_text("In stock")
    product_id = card.get_attribute("data-product")
    image = card.locator("img")
    playwright_api.expect(image).to_have_attribute("loading", "lazy")
    page.wait_for_function("""() => { const img = document.querySelector('#shop-assistant').shadowRoot
                                        .querySelector('[data-testid=sa-card] img'); return img && img.naturalWidth > 0; }""")
    link = card.locator("a")
    playwright_api.expect(link).to_have_attribute("href", f"https://shop.example/products/{product_id}")
    playwright_api.expect(link).to_have_attribute("target", "_blank")
    session_id = widget_state(page)["sessionId"]
    with page.context.expect_page() as opened:                    # the product page opens in a new tab
        card.locator(".name").click()
    opened.value.close()
    clicks = []                                                   # the keepalive beacon lands soon after
    for _ in range(50):
        clicks = [a for a in server.manager.sessions.feedback.actions() if a["session_id"] == session_id]
        if clicks:
            break
        page.wait_for_timeout(100)
    assert [(a["action"], a["turn"], a["target"]) for a in clicks] == [("product_click", 1, product_id)]


def test_something_like_it_shows_the_similar_products_as_cards(page, server):
    ask(page, "Tell me about the Brewhaus Steel French Press.")
    playwright_api.expect(answer(page, 1)).to_have_attribute("data-complete", "true")
    ask(page, "Can you show me something similar?")
    reply = answer(page, 2)
    playwright_api.expect(reply).to_have_attribute("data-complete", "true")
    playwright_api.expect(reply).to_contain_text("Similar to the Brewhaus Steel French Press")
    cards = reply.get_by_test_id("sa-card")
    playwright_api.expect(cards.first).to_be_visible()
    shown = [cards.nth(i).get_attribute("data-product") for i in range(cards.count())]
    similar = server.manager.knowledge.recommender.similar("brewhaus-steel-french-press",
                                                           server.manager.settings.retrieval_k)
    assert len(shown) >= 3 and "brewhaus-steel-french-press" not in shown
    assert shown == [r.product_id for r in similar][:len(shown)]          # the recommender's order


def test_a_product_on_sale_shows_its_was_price_struck_through(page, server, monkeypatch):
    products = server.manager.knowledge.directory.products
    alpine = products["alpine-40-pack"]
    monkeypatch.setitem(products, "alpine-40-pack", alpine.model_copy(update={"compare_at_price": alpine.price + 40}))
    ask(page, "How heavy is the Alpine 40 Pack?")
    card = answer(page, 1).locator("[data-testid=sa-card][data-product='alpine-40-pack']")
    was = card.get_by_test_id("sa-was-price")
    playwright_api.expect(was).to_contain_text(f"{alpine.price + 40:.2f}")
    assert was.evaluate("e => e.tagName") == "S"
    assert "line-through" in was.evaluate("e => getComputedStyle(e).textDecorationLine")
    playwright_api.expect(card.get_by_test_id("sa-price")).to_contain_text(f"{alpine.price:.2f}")


def test_suggestion_chips_ask_the_question_and_go_once_the_shopper_sends(page, server):
    ask(page, "How heavy is the Alpine 40 Pack?")
    chips = page.get_by_test_id("sa-suggestion")
    playwright_api.expect(chips.first).to_be_visible()
    assert 2 <= chips.count() <= 3
    question = chips.first.text_content()
    chips.first.click()
    playwright_api.expect(page.locator("[data-role=user][data-turn='2']")).to_have_text(question)
    playwright_api.expect(answer(page, 2)).to_have_attribute("data-complete", "true")
    session_id = widget_state(page)["sessionId"]
    assert ("suggestion_click", 1, question) in [(a["action"], a["turn"], a["target"])
                                                 for a in server.manager.sessions.feedback.actions()
                                                 if a["session_id"] == session_id]
    # the chips that were offered went with the shopper's message: any left follow the latest answer
    offered_after = page.evaluate("""() => [...document.querySelector('#shop-assistant').shadowRoot
                                         .querySelectorAll('[data-testid=sa-suggestions]')]
                                         .map(box => box.previousElementSibling.dataset.turn)""")
    assert offered_after in ([], ["2"])


def test_a_thumbs_down_with_a_reason_is_stored_and_shown_as_chosen(page, server):
    ask(page, "How long do I have to return running shoes?")
    first = answer(page, 1)
    playwright_api.expect(first).to_have_attribute("data-complete", "true")
    first.get_by_test_id("sa-rate-down").click()
    playwright_api.expect(first.get_by_test_id("sa-rate-down")).to_have_attribute("aria-pressed", "true")
    playwright_api.expect(first.get_by_test_id("sa-rate-up")).to_have_attribute("aria-pressed", "false")
    first.get_by_test_id("sa-reason").fill("I asked about trail shoes")
    first.get_by_test_id("sa-reason-send").click()
    playwright_api.expect(first.get_by_test_id("sa-rating")).to_contain_text("Thanks for your feedback")
    session_id = widget_state(page)["sessionId"]
    stored = lambda: [(r["turn"], r["rating"], r["reason"]) for r in server.manager.sessions.feedback.ratings()  # noqa: E731
                      if r["session_id"] == session_id]
    deadline = time.monotonic() + 10      # the thanks shows at once; the two requests are on their way
    while stored() != [(1, "down", "I asked about trail shoes")] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert stored() == [(1, "down", "I asked about trail shoes")]


def test_sources_are_numbered_from_one_by_title_without_internal_ids(page, server):
    ask(page, "How long do I have to return running shoes?")         # its one source is the prompt's 5th
    first = answer(page, 1)
    playwright_api.expect(first).to_have_attribute("data-complete", "true")
    sources = first.get_by_test_id("sa-source")
    playwright_api.expect(sources).to_have_count(1)
    playwright_api.expect(sources.first).to_have_text("[1] What condition do items need to be in to be returned?")
    stored = [m for m in server.manager.sessions.transcript(widget_state(page)["sessionId"]) if m["role"] == "assistant"]
    raw, shown = stored[0]["content"], first.locator(".text").text_content()
    assert raw != shown                                              # stored as the prompt numbered it
    assert re.findall(r"\[(\d+)\]", shown) == ["1"] and shown == numbered_from_one(raw)
    assert "faq/" not in first.text_content() and "product/" not in first.text_content()


def test_typed_html_shows_as_typed(page):
    typed = "<b>bold?</b> <img src=x onerror=\"window.__hacked=1\">"
    ask(page, typed)
    mine = page.locator("[data-role=user]").first
    playwright_api.expect(mine).to_have_text(typed)
    assert mine.locator("b, img").count() == 0
    playwright_api.expect(answer(page, 1)).to_have_attribute("data-complete", "true")
    assert page.evaluate("window.__hacked") is None


def test_an_over_long_message_gets_a_friendly_sentence_and_an_empty_one_cannot_be_sent(page, server):
    send = page.get_by_test_id("sa-send")
    playwright_api.expect(send).to_be_disabled()
    page.get_by_test_id("sa-input").fill("   \n  ")
    playwright_api.expect(send).to_be_disabled()
    page.get_by_test_id("sa-input").press("Enter")
    playwright_api.expect(page.locator("[data-role=user]")).to_have_count(0)
    limit = server.manager.settings.limits.max_message_chars
    ask(page, "x" * (limit + 1))
    refusal = page.locator("[data-role=system].error")
    playwright_api.expect(refusal).to_have_text(
        f"That message is too long - please shorten it (up to {limit} characters).")
    assert "max_message_chars" not in page.get_by_test_id("sa-messages").text_content()
