"""Replies that need no evidence: a greeting and the polite refusal of out-of-scope asks.

The texts live in prompts/small_talk.yaml so a store can reword them without touching code.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.errors import CatalogError


@dataclass
class SmallTalk:
    replies: dict[str, str]
    out_of_scope_below: float = 0.45

    @classmethod
    def load(cls, prompts_dir: Path, store_name: str) -> "SmallTalk":
        path = Path(prompts_dir) / "small_talk.yaml"
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise CatalogError(f"{path}: {exc}") from None
        threshold = float(raw.pop("out_of_scope_below", 0.45))
        return cls({k: str(v).format(store=store_name) for k, v in raw.items()}, threshold)

    def reply(self, intent: str | None, text: str = "") -> str | None:
        return self.replies.get(intent or "")
