"""The assistant's own sentences per language: message catalogs the store can edit.

Everything the assistant writes in its own words - the extractive backend's sentences around the
facts it quotes, declines, handoff and queue notices, the widget's and the chat's buttons - comes
from YAML catalogs under ``prompts/messages/<lang>/<namespace>.yaml`` (``replies.yaml`` for what
answers say, ``ui.yaml`` for the front doors' own strings). A key is ``namespace.name``
("replies.price", "ui.send"); a value is a ``str.format`` template with named fields. A language
without a catalog, or a catalog without a key, falls back to English, so a missing translation
shows English rather than an error mid-conversation. Quoted store text is never put through a
catalog: only the assistant's own words are.

The store copies a language folder to translate or reword it; ``messages_dir`` points at the
store's prompts folder (``Settings.prompts_dir``).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.errors import CatalogError
from assistant.knowledge.files import read_store_file
from assistant.settings import PROJECT_ROOT

DEFAULT_LANGUAGE = "en"
DEFAULT_DIR = PROJECT_ROOT / "prompts" / "messages"


def language_code(lang: str | None) -> str:
    """"zh-CN", "es_MX", "EN" -> "zh", "es", "en"; nothing -> the default."""
    return (lang or DEFAULT_LANGUAGE).lower().replace("_", "-").split("-")[0] or DEFAULT_LANGUAGE


# the country whose conventions (money, dates) a language follows when the shopper's locale names none
_LOCALES = {"zh": "zh_CN", "es": "es_ES", "de": "de_DE", "fr": "fr_FR", "ja": "ja_JP"}


def babel_locale(code: str) -> str:
    """The Babel locale a language code's money and dates are written in ("de" -> "de_DE")."""
    return _LOCALES.get(code, code)


@lru_cache(maxsize=64)
def _catalog(directory: Path, lang: str) -> dict[str, str]:
    """Every ``namespace.key`` of one language folder (empty when the language has none)."""
    folder = directory / lang
    out: dict[str, str] = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.yaml")):
        raw = read_store_file(path, "message catalog") or {}
        if not isinstance(raw, dict):
            raise CatalogError(f"{path}: a message catalog maps keys to sentences")
        for key, value in raw.items():
            if not isinstance(value, str):
                raise CatalogError(f"{path}: message '{key}' is not a sentence")
            out[f"{path.stem}.{key}"] = value
    return out


def catalog(lang: str | None, namespace: str | None = None, directory: Path | None = None) -> dict[str, str]:
    """One language's messages with English filling the gaps; ``namespace`` ("ui") keeps only
    that file's keys, without the prefix (what a front door sends to the browser). A copy: the
    merge is made once per language (a turn asks for catalogs a few dozen times)."""
    return dict(_merged(Path(directory or DEFAULT_DIR), language_code(lang), namespace))


@lru_cache(maxsize=256)
def _merged(directory: Path, lang: str, namespace: str | None) -> dict[str, str]:
    merged = dict(_catalog(directory, DEFAULT_LANGUAGE))
    merged.update(_catalog(directory, lang))
    if namespace is None:
        return merged
    prefix = f"{namespace}."
    return {k[len(prefix):]: v for k, v in merged.items() if k.startswith(prefix)}


def message(key: str, lang: str | None = DEFAULT_LANGUAGE, directory: Path | None = None,
            **values: Any) -> str:
    """The sentence ``key`` in ``lang`` with ``values`` filled in; English when the language's
    catalog lacks it. An unknown key is a programming error, named in the exception."""
    directory = Path(directory or DEFAULT_DIR)
    template = _catalog(directory, language_code(lang)).get(key)
    if template is None:
        template = _catalog(directory, DEFAULT_LANGUAGE).get(key)
    if template is None:
        raise KeyError(f"no message '{key}' in {directory / DEFAULT_LANGUAGE}")
    return template.format(**values) if values else template


def own_message(key: str, lang: str | None, directory: Path | None = None) -> str | None:
    """The template ``key`` in exactly ``lang`` (no English fallback): None when that language's
    catalog lacks it, so a caller can look in another folder before falling back."""
    return _catalog(Path(directory or DEFAULT_DIR), language_code(lang)).get(key)


def languages(directory: Path | None = None) -> tuple[str, ...]:
    """Languages with a catalog folder."""
    directory = Path(directory or DEFAULT_DIR)
    return tuple(sorted(p.name for p in directory.iterdir() if p.is_dir())) if directory.is_dir() else ()
