"""Replies that need no evidence: a greeting and the polite refusal of out-of-scope asks.

The English texts live in prompts/small_talk.yaml so a store can reword them without touching
code; a shopper writing another language gets the message catalog's ``replies.greeting`` /
``replies.out_of_scope`` in it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.errors import CatalogError
from assistant.messages import catalog, language_code, languages


@dataclass
class SmallTalk:
    replies: dict[str, str]
    out_of_scope_below: float = 0.45
    store_name: str = ""

    @classmethod
    def load(cls, prompts_dir: Path, store_name: str) -> "SmallTalk":
        path = Path(prompts_dir) / "small_talk.yaml"
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise CatalogError(f"{path}: {exc}") from None
        threshold = float(raw.pop("out_of_scope_below", 0.45))
        return cls({k: str(v).format(store=store_name) for k, v in raw.items()}, threshold, store_name)

    def reply(self, intent: str | None, text: str = "", lang: str | None = "en") -> str | None:
        if language_code(lang) != "en" and intent and language_code(lang) in languages():
            translated = catalog(lang, "replies").get(intent)
            if translated is not None and intent in self.replies:
                return translated.format(store=self.store_name)
        return self.replies.get(intent or "")
