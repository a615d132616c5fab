"""Reading the store's own files (catalog, policies, examples): one place for the errors a
store owner sees, naming the file - "handoff policy file not found: ...", "...: not valid YAML"."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from pydantic import BaseModel, ValidationError

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


def read_rules_file(path: Path | str, model: type[BaseModel], what: str,
                    error: type[CatalogError] = CatalogError) -> BaseModel:
    """A store's rules file (``handoff.yaml``, ``orders.yaml``) checked strictly against ``model``:
    a misspelt key or a bad value stops the start with the file and the field named."""
    raw = read_store_file(path, what, error)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise error(f"{path}: expected a mapping of rule names to settings")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = [f"field '{'.'.join(str(p) for p in e['loc'])}': {e['msg']}" for e in exc.errors()]
        raise error(f"{path}: " + "; ".join(problems)) from None
