"""Screenshots of the order flows in the widget and the Gradio chat (reports/orders-*.png).

Starts the real app on a free port over the demo store (extractive backend, its own data dir),
signs in as the demo customer Maya Chen on the widget's demo page and walks the flows a demo
user tries: status with a tracking link, a cancel confirmed with the Yes button, a damaged item
returned with a photo. Then "Signed in as" in the Gradio chat. Needs Debian's chromium.

    python scripts/screenshot_orders.py [--out reports] [--data-dir DIR]

Maya's delivered order is moved to two days ago in the script's own database, so the damage
window is open whatever today is (the demo file's dates stay as they are).
"""
from __future__ import annotations

import argparse
import shutil
import socket
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import uvicorn
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.settings import Settings  # noqa: E402
from assistant.storage.orders import OrderTables  # noqa: E402
from assistant.web.server import create_app  # noqa: E402

PHOTO = ROOT / "knowledge" / "images" / "lumen-300-headlamp.png"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def serve(app) -> tuple[uvicorn.Server, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def widget_flows(browser, url: str, out: Path) -> None:
    tab = browser.new_page(viewport={"width": 1100, "height": 760})
    tab.goto(f"{url}/demo?customer=C-1001")
    tab.get_by_test_id("sa-bubble").click()

    def ask(text: str, turn: int, photo: Path | None = None):
        if photo:
            tab.get_by_test_id("sa-file").set_input_files(str(photo))
        tab.get_by_test_id("sa-input").fill(text)
        tab.get_by_test_id("sa-send").click()
        reply = tab.locator(f"[data-role=assistant][data-turn='{turn}']")
        expect(reply).to_have_attribute("data-complete", "true", timeout=60_000)
        return reply

    ask("Where is my order NW-483120?", 1)
    ask("Please cancel order NW-483377", 2)
    tab.screenshot(path=str(out / "orders-widget-cancel.png"))
    tab.get_by_test_id("sa-confirm-yes").click()
    expect(tab.locator("[data-role=assistant][data-turn='3']")).to_have_attribute("data-complete", "true")
    ask("The headlamp from order NW-482913 arrived damaged, I want to return it", 4)
    ask("Here is a photo of the damage", 5, photo=PHOTO)
    tab.screenshot(path=str(out / "orders-widget-return.png"))
    tab.close()


def gradio_flow(browser, url: str, out: Path) -> None:
    tab = browser.new_page(viewport={"width": 1100, "height": 900})
    tab.goto(f"{url}/")
    tab.get_by_label("Signed in as").click()
    tab.get_by_role("option", name="Daniel Okafor (C-1002)").click()
    box = tab.locator("textarea")
    box.fill("Where is my order?")
    box.press("Enter")
    expect(tab.locator("[data-testid=bot]").last).to_contain_text("NW-483051", timeout=60_000)
    expect(box).to_be_editable()                            # the reply is finished
    time.sleep(1)                                           # ... and the spinner has faded
    tab.screenshot(path=str(out / "orders-gradio-signed-in.png"))
    tab.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "reports")
    parser.add_argument("--data-dir", type=Path, default=None, help="reuse an ingested data dir (default: a new one)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="orders-shots-"))
    settings = Settings(data_dir=data_dir, backend="extractive")
    for stale in data_dir.glob("sessions.sqlite3*"):       # fresh orders and conversations each run
        stale.unlink()
    app = create_app(settings)
    two_days_ago = (datetime.now(timezone.utc) - timedelta(days=2)).isoformat(timespec="seconds")
    OrderTables(app.state.manager.sessions).update_order("NW-482913",
                                                         lambda order: order.update(delivered_at=two_days_ago))
    server, url = serve(app)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            widget_flows(browser, url, args.out)
            gradio_flow(browser, url, args.out)
            browser.close()
    finally:
        server.should_exit = True
    print("\n".join(str(p) for p in sorted(args.out.glob("orders-*.png"))))


if __name__ == "__main__":
    main()
