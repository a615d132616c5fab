"""A screenshot of the widget around an answer (reports/widget-cards.png).

Starts the real app on a free port over the demo store (extractive backend, its own data dir),
asks the widget on the demo page about a product, rates the answer and saves the panel: the
answer with its source numbered [1], the product card (photo, price, stock, product page link),
the suggested next questions and the thumbs. Needs Debian's chromium.

    python scripts/screenshot_widget.py [--out reports] [--data-dir DIR]

Product pages link to ``https://shop.example/products/{id}`` (the product_url_pattern setting),
since the demo catalog has no ``url`` field.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.settings import Settings  # noqa: E402
from assistant.web.server import create_app  # noqa: E402
from scripts.screenshot_orders import CHROMIUM, serve  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "reports")
    parser.add_argument("--data-dir", type=Path, default=None, help="reuse an ingested data dir (default: a new one)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="widget-shots-"))
    settings = Settings(data_dir=data_dir, backend="extractive",
                        product_url_pattern="https://shop.example/products/{id}")
    server, url = serve(create_app(settings))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            tab = browser.new_page(viewport={"width": 900, "height": 940})
            tab.goto(f"{url}/demo")
            tab.get_by_test_id("sa-bubble").click()
            tab.get_by_test_id("sa-input").fill("Is the Summit rain jacket waterproof?")
            tab.get_by_test_id("sa-send").click()
            reply = tab.locator("[data-role=assistant][data-turn='1']")
            expect(reply).to_have_attribute("data-complete", "true", timeout=60_000)
            expect(tab.get_by_test_id("sa-suggestion").first).to_be_visible()
            tab.wait_for_function("""() => [...document.querySelector('#shop-assistant').shadowRoot
                                       .querySelectorAll('[data-testid=sa-card] img')].every(i => i.naturalWidth > 0)""")
            reply.get_by_test_id("sa-rate-up").click()
            expect(reply.get_by_test_id("sa-rating")).to_contain_text("Thanks")
            tab.screenshot(path=str(args.out / "widget-cards.png"))
            browser.close()
    finally:
        server.should_exit = True
    print(args.out / "widget-cards.png")


if __name__ == "__main__":
    main()
