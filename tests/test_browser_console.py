"""The Gradio shopper chat and the agent console in a real browser (Debian's chromium, Playwright).

The app is the real one (tests.test_browser's server: the demo store, a paced extractive backend,
an agent token); each test drives the page as a shopper or an agent would and checks what they see
against what the session store holds.
"""
from __future__ import annotations

import os

import csv
from pathlib import Path

import pytest

from assistant.analytics.report import store_report
from assistant.handoff.policy import HandoffDecision
from assistant.settings import PROJECT_ROOT
from tests.test_browser import AGENT_TOKEN, TIMEOUT_MS, browser, playwright_api, server  # noqa: F401

expect = playwright_api.expect
pytestmark = [pytest.mark.slow]
TYPED = "<b>bold?</b> <img src=x onerror=alert(1)>"
# the committed reports/analytics.png is refreshed only on request (a test run leaves the tree clean)
SCREENSHOT = PROJECT_ROOT / "reports" / "analytics.png" if os.environ.get("ASSISTANT_SCREENSHOTS") else None


@pytest.fixture()
def chat(browser, server):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server.url}/")
    yield page
    context.close()
    assert errors == []


def ask(page, text: str) -> None:
    box = page.locator("#shop-input textarea")
    box.fill(text)
    box.press("Enter")


def bot(page):
    return page.locator("#shop-chat [data-testid=bot]")


def user(page):
    return page.locator("#shop-chat [data-testid=user]")


def newest_session(server, before: set[str]) -> str:  # noqa: F811
    """The conversation the page started (the browser keeps its id; the store has it)."""
    new = [s for s in server.manager.sessions.session_ids() if s not in before]
    assert len(new) == 1, new
    return new[0]


def wait_until(page, check, what: str, tries: int = 60) -> None:
    for _ in range(tries):
        if check():
            return
        page.wait_for_timeout(500)
    raise AssertionError(f"never happened: {what}")


def test_the_chat_comes_back_after_a_reload_and_its_follow_up_still_works(chat, server):  # noqa: F811
    before = set(server.manager.sessions.session_ids())
    ask(chat, "   \n  ")                                                    # whitespace only: not sent
    ask(chat, "How heavy is the Alpine 40 Pack?")
    expect(bot(chat).first).to_contain_text("1.4 kg")
    expect(user(chat)).to_have_count(1)
    expect(chat.locator("button.suggestion").first).to_be_visible()          # next questions offered
    first = bot(chat).first
    expect(first).to_contain_text("Sources")
    assert "#specs" not in first.inner_text(), "sources are titles, not internal ids"
    assert first.locator("ol li").count() >= 1 and "[1]" in first.inner_text(), "numbered from 1"
    session_id = newest_session(server, before)

    chat.locator("#shop-chat").get_by_label("Like", exact=True).first.click()           # thumbs up on that answer
    feedback = server.manager.sessions.feedback
    wait_until(chat, lambda: any(r["session_id"] == session_id for r in feedback.ratings()), "rating stored")
    assert [(r["turn"], r["rating"]) for r in feedback.ratings() if r["session_id"] == session_id] == [(1, "up")]

    chat.reload()
    expect(bot(chat).first).to_contain_text("1.4 kg")                       # rebuilt from the store
    expect(user(chat)).to_have_count(1)
    ask(chat, "and how much is it?")
    expect(bot(chat).nth(1)).to_contain_text("149")                         # still about the Alpine 40 Pack
    assert server.manager.sessions.session_ids().count(session_id) == 1
    assert len([m for m in server.manager.sessions.transcript(session_id) if m["role"] == "user"]) == 2


def test_a_product_card_opened_in_the_chat_is_recorded_for_its_turn(chat, server, monkeypatch):  # noqa: F811
    monkeypatch.setattr(server.manager.settings, "product_url_pattern", "https://shop.example/products/{id}")
    chat.context.route("https://shop.example/**", lambda route: route.fulfill(body="<p>product page</p>",
                                                                           content_type="text/html"))
    before = set(server.manager.sessions.session_ids())
    ask(chat, "How heavy is the Alpine 40 Pack?")
    expect(bot(chat).first).to_contain_text("1.4 kg")
    session_id = newest_session(server, before)
    page_of = "a[href='https://shop.example/products/alpine-40-pack']"
    card, source = bot(chat).first.locator(f"ul li {page_of}"), bot(chat).first.locator(f"ol li {page_of}").first
    expect(card).to_have_text("Alpine 40 Pack")
    feedback = server.manager.sessions.feedback

    def mine():
        return [(a["action"], a["turn"], a["target"]) for a in feedback.actions() if a["session_id"] == session_id]
    with chat.context.expect_page() as opened:       # a source linking the same page is no card click
        source.click()
    opened.value.close()
    with chat.context.expect_page() as opened:       # the product page opens in a new tab
        card.click()
    opened.value.close()
    wait_until(chat, mine, "card click stored")
    chat.wait_for_timeout(1000)                       # and nothing more arrives
    assert mine() == [("product_click", 1, "alpine-40-pack")]


def test_typed_html_shows_as_typed_and_a_persons_replies_are_their_own_bubbles(chat, server):  # noqa: F811
    before = set(server.manager.sessions.session_ids())
    ask(chat, "I want to talk to a human, please")
    expect(bot(chat).first).to_be_visible()
    session_id = newest_session(server, before)
    wait_until(chat, lambda: server.manager.sessions.owner(session_id) != "bot", "handed off")
    takeover = server.manager.takeover
    takeover.agent_join(session_id, "Sam")
    takeover.agent_reply(session_id, "Hi, this is Sam from the store team.", "Sam", source="console")

    sam = bot(chat).filter(has_text="Hi, this is Sam from the store team.")
    expect(sam).to_have_count(1)
    expect(sam).to_contain_text("Sam")
    expect(bot(chat).filter(has_text="has joined the chat")).to_have_count(1)
    assert "has joined" not in sam.inner_text(), "the notice is its own line, not merged into the reply"
    answers_before = bot(chat).count()

    ask(chat, TYPED)                                                         # while Sam owns the chat
    expect(user(chat).nth(1)).to_have_text(TYPED)
    assert user(chat).nth(1).locator("b, img").count() == 0
    wait_until(chat, lambda: any(m["role"] == "user" and m["content"] == TYPED
                                 for m in server.manager.sessions.transcript(session_id)), "message stored")
    chat.wait_for_function("() => !document.querySelector('#shop-chat .pending')")
    assert bot(chat).count() == answers_before, "no bot bubble while a person owns the chat"
    assert all(t.strip() for t in bot(chat).all_inner_texts()), "no empty bubble"


def open_console(browser, server):  # noqa: F811
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{server.url}/agent/")
    page.get_by_test_id("textbox").fill("Ana")
    page.get_by_test_id("password").fill(AGENT_TOKEN)
    page.get_by_role("button", name="Login").click()
    return context, page


def test_the_console_opens_a_clicked_ticket_shows_typed_text_and_draws_the_analytics(browser, server, tmp_path):  # noqa: F811
    sessions, takeover = server.manager.sessions, server.manager.takeover
    session_id = sessions.create()
    sessions.append(session_id, 1, "user", {"content": TYPED + " - a person, please", "images": []})
    ticket = takeover.start(session_id, HandoffDecision(True, "explicit_request", "shopper asked for a person",
                                                        "live", "Connecting you."), sessions.load_state(session_id))
    context, page = open_console(browser, server)
    # a row click opens it: the ticket's own cell as shown (Gradio's table also keeps a hidden
    # copy of its rows, which a search by text alone finds too)
    page.locator("#tickets [data-testid^='cell-']").filter(has_text=ticket.id, visible=True).click()
    expect(page.locator("[data-testid=user]").first).to_contain_text(TYPED + " - a person, please")
    assert page.locator("[data-testid=user] b, [data-testid=user] img").count() == 0

    page.get_by_role("tab", name="Analytics").click()
    page.locator("#analytics-show").click()
    report = store_report(sessions)
    assert report["conversations"] >= 1 and report["handoffs_by_rule"].get("explicit_request")
    totals = page.locator("#analytics-totals")
    expect(totals.locator("tr", has_text="Conversations")).to_contain_text(str(report["conversations"]))
    expect(totals).to_contain_text("explicit_request")
    expect(page.locator("#analytics-daily .mark-rect path").first).to_be_attached()   # a chart, drawn
    expect(page.locator("#analytics-rules .mark-rect path").first).to_be_attached()
    if SCREENSHOT is not None:
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

    with page.expect_download() as download:
        page.locator("#daily-csv").click()
    rows = list(csv.DictReader(Path(download.value.path()).read_text(encoding="utf-8").splitlines()))
    assert sum(int(r["conversations"]) for r in rows) == report["conversations"]
    context.close()
