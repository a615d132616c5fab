"""Reading the store's own files (catalog, policies, examples): one place for the errors a
store owner sees, naming the file - "handoff policy file not found: ...", "...: not valid YAML"."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import CatalogError


def read_store_file(path: Path | str, what: str, error: type[CatalogError] = CatalogError,
                    fmt: str | None = None) -> Any:
    """The parsed content of a JSON or YAML file (``fmt``, else by its suffix); ``what`` names
    it in errors."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{what} not found: {path}") from None
    if (fmt or ("json" if path.suffix.lower() == ".json" else "yaml")) == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise error(f"{path}: not valid JSON ({exc})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML ({exc})") from None
