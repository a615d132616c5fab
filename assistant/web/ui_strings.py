"""The front doors' own words (widget, Gradio chat) from the store's ``ui`` message catalogs.

The widget is one static script; the server writes every supported language's ``ui`` catalog
into it (where ``/*UI_CATALOGS*/{}`` stands), so the widget can switch language the moment a
reply says the shopper writes in another one, without a second request.
"""
from __future__ import annotations

import json
from pathlib import Path

from assistant.dialogue.language import SUPPORTED
from assistant.messages import catalog
from assistant.settings import Settings

STATIC = Path(__file__).parent / "static"
PLACEHOLDER = "/*UI_CATALOGS*/{}"
LIMITS_PLACEHOLDER = "/*UI_LIMITS*/{}"


def messages_dir(settings: Settings) -> Path:
    return Path(settings.prompts_dir) / "messages"


def ui_catalogs(settings: Settings) -> dict[str, dict[str, str]]:
    """``{lang: {key: sentence}}`` for every supported language, English filling gaps."""
    return {lang: catalog(lang, "ui", messages_dir(settings)) for lang in SUPPORTED}


def widget_script(settings: Settings) -> str:
    script = (STATIC / "widget.js").read_text(encoding="utf-8")
    # ensure_ascii: no U+2028 or "</script>" surprises wherever the script is inlined
    script = script.replace(PLACEHOLDER, json.dumps(ui_catalogs(settings), ensure_ascii=True).replace("/", "\\/"), 1)
    # the numbers a refusal's sentence quotes ("up to 4000 characters"); the refusal names only the limit
    limits = settings.limits.model_dump(include={"max_message_chars", "max_images_per_turn", "max_image_bytes"})
    return script.replace(LIMITS_PLACEHOLDER, json.dumps(limits), 1)
